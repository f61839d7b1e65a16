// OutboxState's string form; its names table is in outbox.hpp.
#include <interviewkit/store/outbox.hpp>

#include "../domain/enum_text.hpp"

namespace interviewkit {

std::string_view to_string(OutboxState state) noexcept {
  return enum_name(state);
}

Result<OutboxState> parse_outbox_state(std::string_view text) {
  return detail::parse_enum<OutboxState>(text);
}

}  // namespace interviewkit
