// Out-of-line halves of the library's fmt formatters, so that public headers need only
// <fmt/core.h>. fmt 9's core.h declares formatter<string_view> and formatter<uint64_t> but
// defines their format() in <fmt/format.h>; a formatter that reuses them calls these instead.
#pragma once

#include <cstdint>
#include <string_view>

#include <fmt/core.h>

#include <interviewkit/export.hpp>

namespace interviewkit::detail {

/// Writes `text` as `spec` says (width, alignment, ...).
INTERVIEWKIT_EXPORT fmt::format_context::iterator format_text(
    const fmt::formatter<std::string_view>& spec, std::string_view text, fmt::format_context& ctx);

/// Writes `number` as `spec` says.
INTERVIEWKIT_EXPORT fmt::format_context::iterator format_number(
    const fmt::formatter<std::uint64_t>& spec, std::uint64_t number, fmt::format_context& ctx);

/// Any other context (FMT_COMPILE, wide or custom outputs): the host then has <fmt/format.h>
/// (fmt/compile.h includes it), which defines the base formatters' format() templates.
template <class Context>
auto format_text(const fmt::formatter<std::string_view>& spec, std::string_view text,
                 Context& ctx) {
  return spec.format(text, ctx);
}
template <class Context>
auto format_number(const fmt::formatter<std::uint64_t>& spec, std::uint64_t number, Context& ctx) {
  return spec.format(number, ctx);
}

}  // namespace interviewkit::detail
