// A notification's JSON assembled from parts already converted, and the outbox payload that
// defers it: BookingService writes several notifications of one interview (one per
// recipient, kind and channel), which share one copy of the interview and are turned into
// JSON only if a store or reader asks for JSON. Not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <interviewkit/domain/json_value.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit::detail {

/// What nlohmann::json(notification) gives, where `recipient` and `interview` are the JSON of
/// the notification's recipient and interview: the one definition of the payload's shape.
[[nodiscard]] nlohmann::json notification_json(NotificationKind kind,
                                               const nlohmann::json& recipient,
                                               const nlohmann::json& interview,
                                               const std::optional<TimeRange>& previous_slot,
                                               const std::string& reason,
                                               const std::string& idempotency_key);

/// What the notifications of one change share: the interview after it, its recipients, the
/// slot before it and its reason; and the interview's JSON, made once for all of them when
/// the first is made JSON (a SQL store writing them). Made with `make`, never copied.
struct NotificationParts {
  Interview interview;
  std::vector<Recipient> recipients;
  std::optional<TimeRange> previous_slot;
  std::string reason;
  JsonValue interview_json;  ///< deferred: nlohmann::json(interview)

  [[nodiscard]] INTERVIEWKIT_EXPORT static std::shared_ptr<const NotificationParts> make(
      Interview interview, std::vector<Recipient> recipients,
      std::optional<TimeRange> previous_slot, std::string reason);
};

/// One notification (a recipient of the parts and a kind; its idempotency key follows) as the
/// source of a deferred outbox payload. Its JSON is notification_json's, made only when read; the
/// dispatcher reads `notification()` instead, and the stores `recipient()` and `revision()`,
/// so a payload that stays in a MemoryStore is never JSON at all. Immutable, so its payload's
/// copies may be read from any thread.
class INTERVIEWKIT_EXPORT NotificationPayload final : public JsonValue::Source {
 public:
  /// REQUIRES: recipient < parts->recipients.size().
  NotificationPayload(std::shared_ptr<const NotificationParts> parts, std::size_t recipient,
                      NotificationKind kind);

  [[nodiscard]] nlohmann::json make() const override;
  /// What make()'s JSON reads back as (get<Notification>()), without the JSON.
  [[nodiscard]] Notification notification() const;
  [[nodiscard]] const Recipient& recipient() const noexcept;
  /// The interview version the notification announces, as a store derives it from the JSON
  /// (0 beyond the largest signed 64-bit integer, which JSON code reads as no version).
  [[nodiscard]] std::uint64_t revision() const noexcept;

 private:
  std::shared_ptr<const NotificationParts> parts_;
  std::size_t recipient_;
  NotificationKind kind_;
  // No copy of the idempotency key: it is made again (make_idempotency_key) when read, which
  // a booking's messages in a MemoryStore never are.
};

/// The NotificationPayload `payload` was deferred from; null for any other payload (one read
/// from a database, built by a host, or modified since).
[[nodiscard]] INTERVIEWKIT_EXPORT const NotificationPayload* notification_payload(
    const JsonValue& payload) noexcept;

}  // namespace interviewkit::detail
