// Notification JSON (and the Recipient inside it): strict from_json, stable round trip, and
// the free-text fields hold only what the library's own producers can put there (the
// BookingService's rules for a reason; no control characters in the key, which the webhook
// channel may send as a header).
#include <interviewkit/notify/notification.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(notification_json) {
  const auto notification = json_round_trip<Notification>(as_text(data, size), "notification");
  if (!notification)
    return;
  no_exception("validate_text", [&] {
    require(static_cast<bool>(validate_text("reason", notification->reason, 2000, true)),
            "from_json accepted a reason the BookingService refuses");
    require(static_cast<bool>(validate_text("key", notification->idempotency_key, 512, true)),
            "from_json accepted an idempotency key with control characters or over 512 bytes");
  });
  no_exception("Recipient::key", [&] {
    const auto key = notification->recipient.key();
    require(key.starts_with(notification->recipient.is_candidate() ? "candidate:" : "interviewer:"),
            "recipient key does not name the role");
  });
}
