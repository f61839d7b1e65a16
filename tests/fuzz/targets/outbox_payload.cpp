// An outbox payload as the dispatcher decodes it (src/outbox/dispatcher.cpp): the stored
// JSON text is parsed, then `payload.get<Notification>()` runs under catch (...). The decoder
// may only throw its documented exceptions; a decoded notification must survive what the
// dispatcher does next (expiry check, recipient key, the action-log details) and a store's
// strict dump of those details.
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>
#include <interviewkit/store/outbox.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(outbox_payload) {
  const auto text = as_text(data, size);
  OutboxMessage message;
  try {
    message.payload = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return;  // not JSON: no store holds such a payload
  }
  const auto notification = decode_strict<Notification>(message.payload, "outbox payload");
  if (!notification)
    return;
  no_exception("dispatcher steps after decoding", [&] {
    if (notification->interview.slot)
      (void)format_utc(notification->interview.slot->start());
    nlohmann::json details = nlohmann::json::object();
    details["recipient"] = notification->recipient.key();
    details["email"] = notification->recipient.person.email().str();
    details["kind"] = std::string(to_string(notification->kind));
    details["idempotency_key"] = notification->idempotency_key;
    const ActionEntry entry{.time = UtcMillis{},
                            .action = ActionType::notification_delivered,
                            .interview = notification->interview.id,
                            .actor = Actor::system(),
                            .from = std::nullopt,
                            .to = std::nullopt,
                            .details = std::move(details)};
    const auto line = nlohmann::json(entry).dump();
    require(nlohmann::json::parse(line).get<ActionEntry>() == entry,
            "the action entry for a decoded payload does not read back");
    // A store writes the payload back as JSON text; it must decode to the same notification.
    const auto stored = nlohmann::json(*notification).dump();
    require(nlohmann::json::parse(stored).get<Notification>() == *notification,
            "a decoded payload does not survive being stored again");
  });
}
