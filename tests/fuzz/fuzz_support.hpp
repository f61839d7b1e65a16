// Shared by the fuzz targets, the libFuzzer executables and the corpus replay test.
//
// A target is a function that takes one input and checks properties of the API under test.
// A violated property calls fail(), which prints what went wrong (and which corpus file, in
// the replay) and aborts: libFuzzer saves the input as a crash, the replay test fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include <nlohmann/json.hpp>

#include <interviewkit/domain/error.hpp>

namespace interviewkit::fuzz {

using TargetFunction = void (*)(const std::uint8_t* data, std::size_t size);

/// Every target linked into this program, by name (the replay binary links them all).
std::map<std::string, TargetFunction>& targets();
bool register_target(const char* name, TargetFunction function);

/// Names the input being run, for fail()'s message (the replay sets the corpus file).
void set_current_input(std::string label);

[[noreturn]] void fail(std::string_view what);
inline void require(bool ok, std::string_view what) {
  if (!ok)
    fail(what);
}

/// What an exception says, with its dynamic type.
std::string describe(const std::exception& e);

/// An interviewkit::Error must explain itself: a non-empty message of valid UTF-8 without
/// control characters (CR/LF included).
/// `clean = false` checks only that there is a message (for an API with an open report).
void require_message(const Error& error, std::string_view api, bool clean = true);

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

/// Splits `text` at `separator` into exactly `count` fields; the last takes the rest
/// (separators included). Missing fields are empty.
std::vector<std::string_view> split_fields(std::string_view text, char separator,
                                           std::size_t count);

/// Runs `body`; any exception escaping it is a property violation naming `api`.
template <class Body>
void no_exception(std::string_view api, Body&& body) {
  try {
    body();
  } catch (const std::exception& e) {
    fail(std::string(api) + " threw " + describe(e));
  } catch (...) {
    fail(std::string(api) + " threw a non-std exception");
  }
}

/// The strict JSON decoders may only throw interviewkit::ErrorException or
/// nlohmann::json::exception, each with a message; anything else escaping is a violation.
/// Returns the decoded value, or nullopt when the input was rejected as documented.
template <class T>
std::optional<T> decode_strict(const nlohmann::json& j, std::string_view what) {
  try {
    return j.get<T>();
  } catch (const ErrorException& e) {
    require_message(e.error(), std::string(what) + " from_json");
  } catch (const nlohmann::json::exception& e) {
    require(e.what() != nullptr && *e.what() != '\0',
            std::string(what) + " from_json threw a json exception without a message");
  } catch (const std::exception& e) {
    fail(std::string(what) + " from_json threw an undocumented exception: " + describe(e));
  } catch (...) {
    fail(std::string(what) + " from_json threw a non-std exception");
  }
  return std::nullopt;
}

/// parse -> get<T> (strict) -> to_json -> dump -> parse -> get<T> must give back an equal
/// value and the same text. Returns the decoded value when the input was accepted.
template <class T>
std::optional<T> json_round_trip(std::string_view text, std::string_view what) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    require(*e.what() != '\0', "json::parse threw an exception without a message");
    return std::nullopt;
  } catch (const std::exception& e) {
    fail("json::parse threw " + describe(e));
  }
  auto value = decode_strict<T>(j, what);
  if (!value)
    return std::nullopt;
  std::string first;
  no_exception(std::string(what) + " to_json + dump",
               [&] { first = nlohmann::json(*value).dump(); });
  std::optional<T> again;
  try {
    again = nlohmann::json::parse(first).get<T>();
  } catch (const std::exception& e) {
    fail(std::string(what) + " does not read back its own JSON " + first + ": " + describe(e));
  }
  require(*again == *value, std::string(what) + " changed in a JSON round trip: " + first);
  std::string second;
  no_exception(std::string(what) + " to_json + dump",
               [&] { second = nlohmann::json(*again).dump(); });
  require(first == second,
          std::string(what) + " JSON is not stable:\n  " + first + "\n  " + second);
  return value;
}

}  // namespace interviewkit::fuzz

/// Defines a fuzz target `name` (the function ik_fuzz_<name>) and registers it for the replay.
#define INTERVIEWKIT_FUZZ_TARGET(name)                               \
  void ik_fuzz_##name(const std::uint8_t* data, std::size_t size);   \
  [[maybe_unused]] static const bool ik_fuzz_registered_##name =     \
      ::interviewkit::fuzz::register_target(#name, &ik_fuzz_##name); \
  void ik_fuzz_##name(const std::uint8_t* data, std::size_t size)
