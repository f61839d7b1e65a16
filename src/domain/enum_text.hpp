// Internal: strict parsing and JSON for every enum with a names table (enum_names.hpp), so
// that no enum spells its names, its list of valid values or its JSON rules a second time.
// Not installed.
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/result.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit::detail {

/// "pending, scheduled, confirmed, ...": the valid names in table order, for error messages.
template <NamedEnum E>
std::string valid_names() {
  std::string list;
  for (const auto& entry : EnumNames<E>::table) {
    if (!list.empty())
      list += ", ";
    list += entry.name;
  }
  return list;
}

/// Strict: exactly a canonical name; case, whitespace and numbers are errors. The error quotes
/// the input and lists the valid values, e.g.
///   "Pending" is not an interview status; valid values are pending, scheduled, ...
template <NamedEnum E>
Result<E> parse_enum(std::string_view text) {
  for (const auto& entry : EnumNames<E>::table) {
    if (entry.name == text)
      return entry.value;
  }
  return InvalidInput{fmt::format("{} is not {} {}; valid values are {}", quoted(text),
                                  EnumNames<E>::article, EnumNames<E>::noun, valid_names<E>())};
}

/// JSON: the canonical name as a string.
template <NamedEnum E>
void enum_to_json(nlohmann::json& j, E value) {
  j = std::string(enum_name(value));
}

/// The inverse of enum_to_json. Throws nlohmann::json::type_error for a non-string (as
/// nlohmann's own conversions do) and ErrorException for an unknown name.
template <NamedEnum E>
E enum_from_json(const nlohmann::json& j) {
  if (!j.is_string()) {
    throw nlohmann::json::type_error::create(
        302, fmt::format("{} must be a JSON string, got {}", EnumNames<E>::noun, shown(j)), &j);
  }
  return unwrap(parse_enum<E>(j.get_ref<const std::string&>()));
}

}  // namespace interviewkit::detail
