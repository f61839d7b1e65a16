// The out-of-line halves of the formatters in public headers (see formatting.hpp).
#include <fmt/format.h>

#include <interviewkit/domain/formatting.hpp>

namespace interviewkit::detail {

fmt::format_context::iterator format_text(const fmt::formatter<std::string_view>& spec,
                                          std::string_view text, fmt::format_context& ctx) {
  return spec.format(text, ctx);
}

fmt::format_context::iterator format_number(const fmt::formatter<std::uint64_t>& spec,
                                            std::uint64_t number, fmt::format_context& ctx) {
  return spec.format(number, ctx);
}

}  // namespace interviewkit::detail
