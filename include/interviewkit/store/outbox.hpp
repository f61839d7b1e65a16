// OutboxMessage: a notification written in the same transaction as the change that caused it.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/formatting.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/json_value.hpp>
#include <interviewkit/domain/numeric_id.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

/// Identity of an outbox message, assigned by the Store when it is enqueued.
using OutboxId = NumericId<struct OutboxIdTag>;

enum class OutboxState : std::uint8_t {
  pending,    ///< waiting for its due time or for a retry
  delivered,  ///< the notifier reported success
  dead,       ///< gave up after a permanent failure or the last attempt; can be requeued
  expired,    ///< not sent: the interview started, or a later change superseded it
};

template <>
struct EnumNames<OutboxState> {
  static constexpr std::string_view type = "OutboxState";
  static constexpr std::string_view noun = "outbox state";
  static constexpr std::string_view article = "an";
  using enum OutboxState;
  // Stores hold these names: never rename one.
  static constexpr auto table = std::to_array<EnumName<OutboxState>>({
      {pending, "pending"},
      {delivered, "delivered"},
      {dead, "dead"},
      {expired, "expired"},
  });
};
static_assert(names_cover_enum<OutboxState>());

[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(OutboxState state) noexcept;
[[nodiscard]] INTERVIEWKIT_EXPORT Result<OutboxState> parse_outbox_state(std::string_view text);

struct OutboxMessage {
  OutboxId id;  ///< assigned by the store
  std::string idempotency_key;
  InterviewId interview;
  NotificationKind kind = NotificationKind::interview_scheduled;
  std::string channel = "default";
  JsonValue payload;          ///< the Notification as JSON
  std::string message_token;  ///< random, fixed at enqueue; e.g. the email's Message-ID
  UtcMillis due{};
  std::uint32_t attempts = 0;  ///< attempts started since enqueue or the last requeue
  /// Fencing token: grows by one on every claim and is never reset (not even by requeue),
  /// so an outcome reported for an older claim can never overwrite a newer one.
  std::uint64_t claim = 0;
  /// Claims since the last recorded outcome. A message whose worker crashed or hung keeps
  /// counting up; the dispatcher dead-letters it after a bounded number.
  std::uint32_t unfinished_claims = 0;
  std::string last_error;
  OutboxState state = OutboxState::pending;
  std::optional<UtcMillis> claimed_until;  ///< lease of the worker delivering it
  /// When the first attempt of this round was claimed (reset by requeue): the start of the
  /// retry horizon.
  std::optional<UtcMillis> first_attempt_at;
  UtcMillis created_at{};
  UtcMillis updated_at{};
  /// Non-empty when the stored row could not be decoded by this version (an unknown kind
  /// written by a newer version, a corrupt payload): why. `kind` and `payload` are then
  /// meaningless; the dispatcher dead-letters such a message instead of delivering it.
  std::string unreadable;

  friend bool operator==(const OutboxMessage&, const OutboxMessage&) = default;
};

/// How a delivery attempt ends, as the dispatcher reports it to the store.
struct OutboxCompletion {
  OutboxState state = OutboxState::delivered;  ///< pending means "retry at next_due"
  std::optional<UtcMillis> next_due;
  std::string error;
  /// Entries for the store's own action log, committed in the same transaction as the
  /// outcome (only for stores that keep one; see `Store::keeps_action_log`).
  std::vector<ActionEntry> log;
};

/// Selects outbox messages; every set field must match. Ordered by id.
struct OutboxQuery {
  std::optional<OutboxState> state;
  std::optional<InterviewId> interview;
  std::size_t limit = 1000;
};

}  // namespace interviewkit
