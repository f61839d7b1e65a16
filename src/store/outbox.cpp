#include <array>

#include <fmt/format.h>

#include <interviewkit/store/outbox.hpp>

#include "../domain/text.hpp"

namespace interviewkit {

std::string_view to_string(OutboxState state) noexcept {
  switch (state) {
    case OutboxState::pending:
      return "pending";
    case OutboxState::delivered:
      return "delivered";
    case OutboxState::dead:
      return "dead";
    case OutboxState::expired:
      return "expired";
  }
  return "<invalid OutboxState>";
}

Result<OutboxState> parse_outbox_state(std::string_view text) {
  for (auto state :
       {OutboxState::pending, OutboxState::delivered, OutboxState::dead, OutboxState::expired}) {
    if (to_string(state) == text)
      return state;
  }
  return InvalidInput{
      fmt::format("{} is not an outbox state; valid values are pending, delivered, dead, expired",
                  detail::quoted(text))};
}

}  // namespace interviewkit
