// Internal helpers for strict JSON decoding. Not installed.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include <interviewkit/domain/result.hpp>

#include "text.hpp"

namespace interviewkit::detail {

/// True when `j` nests arrays or objects more than `limit` deep. Iterative on purpose:
/// nlohmann::json copies, compares and dumps recursively, so a value nested thousands deep
/// (a few kilobytes of "[[[[") overflows the stack in any of those; check before using it.
inline bool nested_deeper_than(const nlohmann::json& j, std::size_t limit) {
  std::vector<std::pair<const nlohmann::json*, std::size_t>> pending{{&j, 0}};
  while (!pending.empty()) {
    const auto [value, depth] = pending.back();
    pending.pop_back();
    if (!value->is_structured())
      continue;
    if (depth >= limit)
      return true;
    for (const auto& child : *value)
      pending.emplace_back(&child, depth + 1);
  }
  return false;
}

/// A JSON value for an error message: compact, ASCII only (DEL, C1 controls and every other
/// non-ASCII character as \u escapes; dump() alone leaves those raw) and cut after 200
/// characters, so a message stays one short clean line whatever the input held.
inline std::string shown(const nlohmann::json& j) {
  constexpr std::size_t max_shown = 200;
  if (nested_deeper_than(j, 64))
    return j.is_array() ? "[...] (an array nested too deep to show)"
                        : "{...} (an object nested too deep to show)";
  auto text = j.dump(-1, ' ', true, nlohmann::json::error_handler_t::replace);
  if (text.size() > max_shown) {
    text.resize(max_shown);
    text += "...";
  }
  return text;
}

[[noreturn]] inline void throw_invalid(std::string what) {
  throw ErrorException(InvalidInput{std::move(what)});
}

template <class T>
T unwrap(Result<T> result) {
  if (!result)
    throw ErrorException(result.error());
  return std::move(result).value();
}

inline void unwrap_void(const Result<void>& result) {
  if (!result)
    throw ErrorException(result.error());
}

/// `j` must be an object holding exactly `keys` (all required unless listed in `optional`).
inline void expect_object(const nlohmann::json& j, std::string_view what,
                          std::initializer_list<std::string_view> required,
                          std::initializer_list<std::string_view> optional = {}) {
  if (!j.is_object()) {
    throw_invalid(std::string(what) + " must be a JSON object, got " + shown(j));
  }
  for (auto key : required) {
    if (!j.contains(key)) {
      throw_invalid(std::string(what) + " is missing the field \"" + std::string(key) + "\"");
    }
  }
  for (const auto& item : j.items()) {
    bool known = false;
    for (auto key : required)
      known = known || item.key() == key;
    for (auto key : optional)
      known = known || item.key() == key;
    if (!known) {
      // Quoted: the key is outside input and may hold anything, CR/LF and NUL included.
      throw_invalid(std::string(what) + " has an unknown field " + detail::quoted(item.key()));
    }
  }
}

inline const std::string& expect_string(const nlohmann::json& j, std::string_view what) {
  if (!j.is_string()) {
    throw_invalid(std::string(what) + " must be a JSON string, got " + shown(j));
  }
  return j.get_ref<const std::string&>();
}

}  // namespace interviewkit::detail
