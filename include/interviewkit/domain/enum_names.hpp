// EnumNames: the one table of {value, name} per enum, and everything derived from it.
//
// An enum with a string form specialises EnumNames right after its declaration; that table is
// the only place its names are spelled:
//
//   template <>
//   struct EnumNames<ActorRole> {
//     static constexpr std::string_view type = "ActorRole";  // for "<invalid ActorRole>"
//     static constexpr std::string_view noun = "actor role";  // "... is not an actor role"
//     static constexpr std::string_view article = "an";
//     using enum ActorRole;
//     static constexpr auto table = std::to_array<EnumName<ActorRole>>({
//         {candidate, "candidate"}, {interviewer, "interviewer"}, ...});
//   };
//   static_assert(names_cover_enum<ActorRole>());
//
// From the table come: `enum_name` (behind each enum's `to_string`), `enum_values` (the
// `all_*` arrays), the fmt formatter below, and, in src/domain/enum_text.hpp, the strict parse
// whose error lists the valid values and the JSON conversions. Tables are in declaration
// order, so `enum_values` lists the values in the order the enum declares them.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>

#include <fmt/core.h>

#include <interviewkit/domain/formatting.hpp>

namespace interviewkit {

/// One row of an EnumNames table: a value and its canonical name.
template <class E>
struct EnumName {
  E value;                ///< the enumerator
  std::string_view name;  ///< its canonical name (stored data holds it: never rename one)
};

/// Specialised per enum (see above); deliberately not defined for any other type.
template <class E>
struct EnumNames;

/// An enum with a names table.
template <class E>
concept NamedEnum = std::is_enum_v<E> && requires {
  { EnumNames<E>::table.size() } -> std::convertible_to<std::size_t>;
  { EnumNames<E>::noun } -> std::convertible_to<std::string_view>;
};

namespace detail {

/// "<invalid InterviewStatus>": what to_string gives for a value outside the enum (a cast
/// from a bad integer), built at compile time so that it is a string_view into static storage.
template <NamedEnum E>
inline constexpr auto invalid_enum_name = [] {
  constexpr std::string_view prefix = "<invalid ";
  constexpr std::string_view type = EnumNames<E>::type;
  std::array<char, prefix.size() + type.size() + 1> text{};
  std::size_t at = 0;
  for (char c : prefix)
    text[at++] = c;
  for (char c : type)
    text[at++] = c;
  text[at] = '>';
  return text;
}();

/// True when V is one of E's named enumerators. GCC and Clang spell a named enumerator by its
/// name in __PRETTY_FUNCTION__ ("V = ns::E::pending") and any other value as a cast
/// ("V = (ns::E)6"); magic_enum relies on the same. Used only in static_asserts.
template <auto V>
constexpr bool is_enumerator() noexcept {
#if defined(__GNUC__) || defined(__clang__)
  constexpr std::string_view signature = __PRETTY_FUNCTION__;
  constexpr auto at = signature.find("V = ");
  static_assert(at != std::string_view::npos, "unexpected __PRETTY_FUNCTION__ format");
  constexpr char first = signature[at + 4];
  return first != '(' && first != '-' && (first < '0' || first > '9');
#else
  return false;  // cannot tell: names_cover_enum then checks only the table itself
#endif
}

}  // namespace detail

/// The canonical name of `value`, or "<invalid E>" for a value outside the enum.
template <NamedEnum E>
[[nodiscard]] constexpr std::string_view enum_name(E value) noexcept {
  for (const auto& entry : EnumNames<E>::table) {
    if (entry.value == value)
      return entry.name;
  }
  const auto& invalid = detail::invalid_enum_name<E>;
  return {invalid.data(), invalid.size()};
}

/// Every value of E, in declaration order.
template <NamedEnum E>
[[nodiscard]] constexpr auto enum_values() noexcept {
  constexpr auto& table = EnumNames<E>::table;
  std::array<E, table.size()> values{};
  for (std::size_t i = 0; i < table.size(); ++i)
    values[i] = table[i].value;
  return values;
}

/// The table lists the enumerators 0, 1, ..., N-1 in declaration order, each once, with
/// distinct non-empty names, and (on GCC and Clang) N is not an enumerator: so it covers every
/// enumerator of a default-numbered enum exactly once, and adding one without a name fails to
/// compile.
template <NamedEnum E>
[[nodiscard]] consteval bool names_cover_enum() {
  constexpr auto& table = EnumNames<E>::table;
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (static_cast<std::size_t>(table[i].value) != i || table[i].name.empty())
      return false;
    for (std::size_t j = 0; j < i; ++j) {
      if (table[j].name == table[i].name)
        return false;
    }
  }
#if defined(__GNUC__) || defined(__clang__)
  return detail::is_enumerator<static_cast<E>(table.size() - 1)>() &&
         !detail::is_enumerator<static_cast<E>(table.size())>();
#else
  return true;
#endif
}

}  // namespace interviewkit

/// Every enum with a names table formats as its canonical name, with the usual string specs.
template <interviewkit::NamedEnum E>
struct fmt::formatter<E, char> : fmt::formatter<std::string_view> {
  /// Writes enum_name(value) as the spec says.
  template <class FormatContext>
  auto format(E value, FormatContext& ctx) const {
    return interviewkit::detail::format_text(*this, interviewkit::enum_name(value), ctx);
  }
};
