#include "fuzz_support.hpp"

#include <cstdio>
#include <cstdlib>

#include "../../src/domain/text.hpp"

namespace interviewkit::fuzz {

namespace {
std::string& current_input() {
  static std::string label;
  return label;
}
}  // namespace

std::map<std::string, TargetFunction>& targets() {
  static std::map<std::string, TargetFunction> all;
  return all;
}

bool register_target(const char* name, TargetFunction function) {
  targets().emplace(name, function);
  return true;
}

void set_current_input(std::string label) {
  current_input() = std::move(label);
}

void fail(std::string_view what) {
  std::fprintf(stderr, "\n*** fuzz property violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  if (!current_input().empty())
    std::fprintf(stderr, "*** input: %s\n", current_input().c_str());
  std::fflush(stderr);
  std::abort();
}

std::string describe(const std::exception& e) {
  return std::string(typeid(e).name()) + ": " + e.what();
}

void require_message(const Error& error, std::string_view api, bool clean) {
  std::string message;
  try {
    message = error.message();
  } catch (const std::exception& e) {
    fail(std::string(api) + ": Error::message() threw " + describe(e));
  }
  require(!message.empty(), std::string(api) + " returned an error with an empty message");
  // Messages quote the input they name (detail::quoted), so they are one clean line whatever
  // the input held: they end up in logs and in stored last_error texts.
  if (auto problem = detail::text_problem(message); clean && problem) {
    fail(std::string(api) + " returned an error message with " + *problem + ": " +
         detail::quoted(message, 400));
  }
}

std::vector<std::string_view> split_fields(std::string_view text, char separator,
                                           std::size_t count) {
  std::vector<std::string_view> fields;
  while (fields.size() + 1 < count) {
    const auto at = text.find(separator);
    if (at == std::string_view::npos) {
      fields.push_back(text);
      text = {};
      continue;
    }
    fields.push_back(text.substr(0, at));
    text.remove_prefix(at + 1);
  }
  fields.push_back(text);
  return fields;
}

}  // namespace interviewkit::fuzz
