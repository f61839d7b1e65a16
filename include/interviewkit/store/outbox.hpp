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
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

/// Identity of an outbox message, assigned by the Store when it is enqueued.
using OutboxId = NumericId<struct OutboxIdTag>;

/// Where an outbox message stands. Closed set with strict parsing.
enum class OutboxState : std::uint8_t {
  pending,    ///< waiting for its due time or for a retry
  delivered,  ///< the notifier reported success
  dead,       ///< gave up after a permanent failure or the last attempt; can be requeued
  expired,    ///< not sent: the interview started, or a later change superseded it
};

/// Names of OutboxState, for to_string, parse_outbox_state, JSON and formatting.
template <>
struct EnumNames<OutboxState> {
  /// Type name, in "<invalid OutboxState>".
  static constexpr std::string_view type = "OutboxState";
  static constexpr std::string_view noun = "outbox state";  ///< noun in parse errors
  static constexpr std::string_view article = "an";         ///< article before the noun
  using enum OutboxState;
  /// Stores hold these names: never rename one.
  static constexpr auto table = std::to_array<EnumName<OutboxState>>({
      {pending, "pending"},
      {delivered, "delivered"},
      {dead, "dead"},
      {expired, "expired"},
  });
};
static_assert(names_cover_enum<OutboxState>());

/// The canonical lowercase name, e.g. "dead".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(OutboxState state) noexcept;
/// Strict parse of a canonical name; the error names the input and lists the valid values.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<OutboxState> parse_outbox_state(std::string_view text);

/// One notification to deliver over one channel, as the store keeps it: the transactional
/// outbox row that BookingService enqueues with a change and the Dispatcher delivers.
struct OutboxMessage {
  OutboxId id;  ///< assigned by the store
  /// Unique per store: Notification::idempotency_key, plus "/<channel>" unless "default".
  std::string idempotency_key;
  InterviewId interview;                                          ///< the interview it is about
  NotificationKind kind = NotificationKind::interview_scheduled;  ///< what it tells
  std::string channel = "default";  ///< the channel (notifier) that delivers it
  JsonValue payload;                ///< the Notification as JSON
  /// Derived by the store from `payload` at enqueue (the values given are ignored): the
  /// recipient's key ("candidate:c-1", "interviewer:i-7") and the interview version the
  /// notification announces. Empty and 0 for a payload that is not a Notification.
  std::string recipient;
  std::uint64_t revision = 0;  ///< see `recipient`
  std::string message_token;   ///< random, fixed at enqueue; e.g. the email's Message-ID
  UtcMillis due{};             ///< when it may be delivered, or next tried after a failure
  std::uint32_t attempts = 0;  ///< attempts started since enqueue or the last requeue
  /// Fencing token: grows by one on every claim and is never reset (not even by requeue),
  /// so an outcome reported for an older claim can never overwrite a newer one.
  std::uint64_t claim = 0;
  /// Claims since the last recorded outcome. A message whose worker crashed or hung keeps
  /// counting up; the dispatcher dead-letters it after a bounded number.
  std::uint32_t unfinished_claims = 0;
  /// The last attempt's failure; once delivered, the receiver's reply (e.g. the SMTP
  /// server's "250 OK" line); once expired, why.
  std::string last_error;
  OutboxState state = OutboxState::pending;  ///< where it stands
  std::optional<UtcMillis> claimed_until;    ///< lease of the worker delivering it
  /// When the first attempt of this round was claimed (reset by requeue): the start of the
  /// retry horizon.
  std::optional<UtcMillis> first_attempt_at;
  UtcMillis created_at{};  ///< when it was enqueued
  UtcMillis updated_at{};  ///< when its row last changed (claim, outcome, requeue)
  /// Non-empty when the stored row could not be decoded by this version (an unknown kind
  /// written by a newer version, a corrupt payload): why. `kind` and `payload` are then
  /// meaningless; the dispatcher dead-letters such a message instead of delivering it.
  std::string unreadable;

  friend bool operator==(const OutboxMessage&, const OutboxMessage&) = default;
};

/// How a delivery attempt ends, as the dispatcher reports it to the store.
struct OutboxCompletion {
  OutboxState state = OutboxState::delivered;  ///< pending means "retry at next_due"
  std::optional<UtcMillis> next_due;           ///< for pending: when to try again
  std::string error;  ///< the failure, or for a delivery the receiver's reply
  /// Entries for the store's own action log, committed in the same transaction as the
  /// outcome (only for stores that keep one; see `Store::keeps_action_log`).
  std::vector<ActionEntry> log;
};

/// Selects outbox messages; every set field must match. Ordered by id.
///
/// `list_outbox` returns one page of at most `limit` messages with ids above `after`; the
/// next page starts after the last id returned (`page_outbox` does the bookkeeping and says
/// whether there is more). `limit` must be 1..10,000; `count_outbox` ignores it and `after`.
struct OutboxQuery {
  std::optional<OutboxState> state = std::nullopt;      ///< only messages in this state
  std::optional<InterviewId> interview = std::nullopt;  ///< only this interview's messages
  std::optional<NotificationKind> kind = std::nullopt;  ///< only this kind
  std::optional<std::string> recipient = std::nullopt;  ///< a recipient key, exactly
  std::optional<std::string> channel = std::nullopt;    ///< only this channel
  std::optional<UtcMillis> due_before = std::nullopt;   ///< due strictly before this
  OutboxId after{};                                     ///< cursor: ids above this only
  std::size_t limit = 1000;                             ///< page size, 1..10,000
};

/// One page of `page_outbox`; `next` is the query's cursor for the following page, unset on
/// the last one.
struct OutboxPage {
  std::vector<OutboxMessage> messages;  ///< this page, in id order
  std::optional<OutboxId> next;         ///< cursor for the next page; unset on the last
};

/// How many messages match a query, by state, and the earliest due time among the matching
/// pending ones (the oldest due message, when it lies in the past).
struct OutboxCounts {
  std::uint64_t pending = 0;    ///< matching pending messages
  std::uint64_t delivered = 0;  ///< matching delivered messages
  std::uint64_t dead = 0;       ///< matching dead messages
  std::uint64_t expired = 0;    ///< matching expired messages
  /// Earliest due time among the pending ones; unset when none.
  std::optional<UtcMillis> oldest_pending_due;
  /// All matching messages.
  [[nodiscard]] std::uint64_t total() const noexcept {
    return pending + delivered + dead + expired;
  }
  friend bool operator==(const OutboxCounts&, const OutboxCounts&) = default;
};

/// Retention: what `Store::purge` removes. Both bounds are exclusive; an unset one purges
/// nothing of that kind.
struct PurgeRequest {
  /// Delivered and expired outbox messages last changed before this.
  std::optional<UtcMillis> delivered_before = std::nullopt;
  /// Action log entries written before this (stores that keep the log only).
  std::optional<UtcMillis> log_before = std::nullopt;
};

/// What `Store::purge` removed.
struct PurgeResult {
  std::uint64_t messages = 0;     ///< outbox messages removed
  std::uint64_t log_entries = 0;  ///< action log entries removed
  friend bool operator==(const PurgeResult&, const PurgeResult&) = default;
};

/// What a store keeps about the transition that made an interview's current revision,
/// written by `StoreTransaction::record_transition` with the change. Reconciliation
/// recomputes from it what the policy should have planned.
struct RecordedTransition {
  InterviewEvent event = InterviewEvent::book;      ///< the event applied
  InterviewStatus from = InterviewStatus::pending;  ///< the status it was applied in
  friend bool operator==(const RecordedTransition&, const RecordedTransition&) = default;
};

/// An outbox message of an interview's current revision, without its payload.
struct OutboxDigest {
  OutboxId id;                 ///< the message's id
  std::uint64_t revision = 0;  ///< the interview version it announces
  std::string recipient;       ///< the recipient's key
  NotificationKind kind = NotificationKind::interview_scheduled;  ///< what it tells
  std::string channel;                                            ///< its channel
  OutboxState state = OutboxState::pending;                       ///< where it stands
  UtcMillis due{};                                                ///< when it is (or was) due
  std::uint32_t attempts = 0;  ///< attempts since enqueue or the last requeue
  std::string last_error;      ///< as OutboxMessage::last_error
  UtcMillis updated_at{};      ///< when its row last changed
  friend bool operator==(const OutboxDigest&, const OutboxDigest&) = default;
};

/// An interview's current revision as reconciliation sees it: what made it, who takes part,
/// and what its outbox holds for it. Read without decoding interview or payload JSON, so a
/// scan over 100,000 interviews stays cheap.
struct RevisionDigest {
  InterviewId interview;                              ///< the interview
  std::uint64_t version = 1;                          ///< its current version
  InterviewStatus status = InterviewStatus::pending;  ///< its current status
  /// The transition that made this revision; unset for a new interview (version 1) and for
  /// revisions written before the store recorded transitions.
  std::optional<RecordedTransition> transition;
  UtcMillis changed_at{};         ///< the interview's updated_at
  std::optional<TimeRange> slot;  ///< its slot, if it has one
  /// Recipient keys: the candidate's first, then the interviewers' in order.
  std::vector<std::string> recipients;
  std::uint64_t delivered = 0;  ///< delivered messages of this revision
  /// In id order: every message of this revision that is not delivered (with
  /// `RevisionQuery::with_delivered`, the delivered ones too), and the pending and dead
  /// messages of earlier revisions (still in force: no later change superseded them).
  std::vector<OutboxDigest> messages;
  friend bool operator==(const RevisionDigest&, const RevisionDigest&) = default;
};

/// Selects interviews by when their current revision was made ([since, until), by
/// `updated_at`), or one interview; ordered by that time, then id.
struct RevisionQuery {
  std::optional<UtcMillis> since = std::nullopt;        ///< only revisions made at or after this
  std::optional<UtcMillis> until = std::nullopt;        ///< only revisions made before this
  std::optional<InterviewId> interview = std::nullopt;  ///< only this interview
  bool with_delivered = false;  ///< also list delivered messages in `messages`
};

}  // namespace interviewkit
