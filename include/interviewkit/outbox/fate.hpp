// Delivery fate and reconciliation: "which candidates never got their invite, and why?"
//
// The outbox says what was enqueued and what became of it; the policy says what should have
// been enqueued. A Reconciler reads the first and recomputes the second from the transition
// each store records with every change, so it also finds a notification that was never
// enqueued at all (a row deleted, or an interview written by something other than a
// BookingService).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/policy.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Where one notification stands.
enum class Fate : std::uint8_t {
  delivered,   ///< the channel reported success
  pending,     ///< waiting for its due time or its next attempt
  dead,        ///< given up (permanent failure or retry budget spent); can be requeued
  expired,     ///< not sent: the interview had started before it could be delivered
  superseded,  ///< not sent, and no longer wanted: a later change made it untrue
  missing,     ///< required by the policy for the current revision, but not in the outbox
  /// Not in the outbox, from a revision older than the store's retention cutoff: delivered
  /// or expired and then purged, as far as anyone can now tell. Not a gap.
  purged,
};

/// Names of Fate, for to_string, JSON and formatting.
template <>
struct EnumNames<Fate> {
  static constexpr std::string_view type = "Fate";           ///< type name, in "<invalid Fate>"
  static constexpr std::string_view noun = "delivery fate";  ///< noun in parse errors
  static constexpr std::string_view article = "a";           ///< article before the noun
  using enum Fate;
  /// interviewctl's --json output holds these names: never rename one.
  static constexpr auto table = std::to_array<EnumName<Fate>>({
      {delivered, "delivered"},
      {pending, "pending"},
      {dead, "dead"},
      {expired, "expired"},
      {superseded, "superseded"},
      {missing, "missing"},
      {purged, "purged"},
  });
};
static_assert(names_cover_enum<Fate>());

/// The canonical lowercase name, e.g. "delivered".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(Fate fate) noexcept;

/// One (revision, recipient, kind, channel) and where it stands.
struct NotificationFate {
  std::uint64_t revision = 0;  ///< the interview version whose change caused it
  std::string recipient;       ///< "candidate:c-1", "interviewer:i-7"
  NotificationKind kind = NotificationKind::interview_scheduled;  ///< what it tells
  std::string channel;                                            ///< the channel it goes out on
  Fate fate = Fate::pending;                                      ///< where it stands
  std::optional<OutboxId> outbox;                                 ///< unset when missing
  /// Pending: when the next attempt is due. Otherwise when it was (first) due.
  UtcMillis due{};
  std::uint32_t attempts = 0;  ///< attempts in the current round
  /// Delivered: when, and `detail` is the receiver's reply. Other states: the last change.
  std::optional<UtcMillis> changed_at;
  /// The receiver's reply, the last error, or why it expired, was superseded or is missing.
  std::string detail;
  /// Still owed: wanted by the policy for the interview's current revision, or an earlier
  /// revision's message that no later change superseded (pending or dead; a confirmation
  /// leaves the invite in force). "Never got it" means a required notification whose fate is
  /// neither delivered nor purged.
  bool required = false;
  friend bool operator==(const NotificationFate&, const NotificationFate&) = default;
};

/// The fate of every notification of one interview.
struct InterviewFate {
  InterviewId interview;                              ///< the interview asked about
  std::uint64_t current_revision = 0;                 ///< the interview's current version
  InterviewStatus status = InterviewStatus::pending;  ///< the interview's current status
  /// Newest revision first; within a revision, by recipient, kind and channel.
  std::vector<NotificationFate> notifications;
  /// True when every required notification is delivered (or was purged by retention).
  [[nodiscard]] bool complete() const noexcept {
    for (const auto& n : notifications) {
      if (n.required && n.fate != Fate::delivered && n.fate != Fate::purged)
        return false;
    }
    return true;
  }
};

/// A required notification that has not been delivered (and is not merely waiting for a due
/// time still ahead, nor purged).
struct DeliveryGap {
  InterviewId interview;          ///< the interview it belongs to
  NotificationFate notification;  ///< the notification and where it stands
  /// How long past its due time it is (zero for one due in the future that is missing).
  std::chrono::milliseconds overdue{0};
  friend bool operator==(const DeliveryGap&, const DeliveryGap&) = default;
};

/// Options of Reconciler::make.
struct ReconcileOptions {
  /// The policy and channels the BookingService uses: what should have been enqueued. With
  /// no channels named, each interview is checked against the channels its own messages
  /// use (an interview that lost every row then looks complete: name the channels).
  NotificationPolicy policy = NotificationPolicy::defaults();
  /// The channel names every notification is expected on (see above).
  std::vector<std::string> channels{"default"};
  /// A pending message less overdue than this is still on its way, not a gap (a dispatcher
  /// polls, and a first retry waits). Default 5 minutes.
  std::chrono::milliseconds grace{std::chrono::minutes{5}};
  /// "Now" for overdue times. Default: the system clock.
  std::shared_ptr<const Clock> clock{};
};

/// Answers for a program what `interviewctl fate` and `interviewctl reconcile` print.
/// Thread-safe (it only reads the store). Every failure is an error value.
class INTERVIEWKIT_EXPORT Reconciler {
 public:
  /// Needs a store; channel names must not be empty, the grace not negative.
  [[nodiscard]] static Result<Reconciler> make(std::shared_ptr<const Store> store,
                                               ReconcileOptions options = {});

  /// Every notification of the interview, of every revision, and the required ones of its
  /// current revision that were never enqueued. NotFound for an unknown interview.
  [[nodiscard]] Result<InterviewFate> fate(InterviewId interview) const;

  /// The gaps among one interview's notifications, judged as `reconcile` judges them (now,
  /// by the options' clock and grace).
  [[nodiscard]] std::vector<DeliveryGap> gaps(const InterviewFate& fate) const;

  /// The gaps of the interviews whose current revision was made in [since, until): for each,
  /// the required notifications (see NotificationFate::required) that are missing, dead,
  /// expired, or pending longer than `grace` past their due time. Exact: every delivered
  /// message of the range is matched against what the policy expects. Ordered by interview change
  /// time, then interview id.
  [[nodiscard]] Result<std::vector<DeliveryGap>> reconcile(UtcMillis since, UtcMillis until) const;

 private:
  Reconciler(std::shared_ptr<const Store> store, ReconcileOptions options);
  std::shared_ptr<const Store> store_;
  ReconcileOptions options_;
};

}  // namespace interviewkit
