// NotificationPolicy: one declarative table from transitions to the notifications they cause.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

/// Who a NotificationRule sends to: the candidate, every interviewer, or both.
enum class Audience : std::uint8_t { candidate, interviewers, everyone };

/// "When `event` happens (from `from`, if set), send `kind` to `audience`."
/// With `before_start` set the message is due that long before the interview starts (a
/// reminder) and is skipped when that moment has already passed.
struct NotificationRule {
  InterviewEvent event;  ///< the event that triggers the rule
  std::optional<InterviewStatus>
      from;  ///< only when the interview was in this status before it; unset: whatever it was
  NotificationKind kind;  ///< what is sent
  Audience audience;      ///< to whom: one notification per recipient
  std::optional<std::chrono::seconds>
      before_start;  ///< set: due this long before the start (a reminder); unset: due at once

  friend bool operator==(const NotificationRule&, const NotificationRule&) = default;
};

/// "When `event` happens, pending messages of `kind` for the interview are superseded."
struct SupersedeRule {
  InterviewEvent event;   ///< the event that supersedes
  NotificationKind kind;  ///< the kind of pending messages it supersedes
  friend bool operator==(const SupersedeRule&, const SupersedeRule&) = default;
};

/// A notification and the moment it becomes due.
struct PlannedNotification {
  Notification notification;  ///< what to send
  UtcMillis due;              ///< when it becomes due for delivery
};

/// What `plan` plans, as keys only: cheap enough to recompute for every interview in a
/// reconciliation.
struct ExpectedNotification {
  NotificationKind kind = NotificationKind::interview_scheduled;  ///< what would be sent
  std::string recipient;                                          ///< Recipient::key()
  UtcMillis due{};                                                ///< when it would be due
  friend bool operator==(const ExpectedNotification&, const ExpectedNotification&) = default;
};

/// The table. Hosts start from defaults() and add or remove rules, or build their own.
/// Immutable once handed to a BookingService; safe to share between threads.
class INTERVIEWKIT_EXPORT NotificationPolicy {
 public:
  /// An empty policy: nothing is sent and nothing superseded.
  NotificationPolicy() = default;
  /// A policy of exactly these rules.
  NotificationPolicy(std::vector<NotificationRule> rules, std::vector<SupersedeRule> supersede)
      : rules_(std::move(rules)), supersede_(std::move(supersede)) {}

  /// book -> interview_scheduled to everyone; confirm -> interview_confirmed to the
  /// interviewers; reschedule -> interview_rescheduled to everyone; cancel of a booked
  /// interview -> interview_cancelled to everyone; book and reschedule -> interview_reminder
  /// to everyone `reminder_lead` before the start. Reschedule, cancel, complete and no-show
  /// supersede earlier invites, confirmations, reschedule notices and reminders (pending or
  /// dead). The kinds and the superseding events come from the lifecycle table
  /// (lifecycle.hpp); the audiences are this policy's own.
  [[nodiscard]] static NotificationPolicy defaults(
      std::optional<std::chrono::seconds> reminder_lead = std::chrono::hours{24});

  /// Adds a rule; returns *this for chaining.
  NotificationPolicy& add(NotificationRule rule);
  /// Adds a supersede rule; returns *this for chaining.
  NotificationPolicy& add(SupersedeRule rule);
  /// Removes every rule that sends `kind` (and every supersede rule for it).
  NotificationPolicy& remove(NotificationKind kind);

  /// The notification rules, in the order they were added.
  [[nodiscard]] std::span<const NotificationRule> rules() const noexcept { return rules_; }
  /// The supersede rules, in the order they were added.
  [[nodiscard]] std::span<const SupersedeRule> supersede_rules() const noexcept {
    return supersede_;
  }

  /// Everything `transition` causes for `after` (the interview after the change).
  [[nodiscard]] std::vector<PlannedNotification> plan(const Transition& transition,
                                                      const Interview& before,
                                                      const Interview& after,
                                                      const std::string& reason,
                                                      UtcMillis now) const;
  /// The (kind, recipient, due) triples `plan` gives for a transition made at `at`, for an
  /// interview whose recipient keys are `recipients` (the candidate's first) and whose slot
  /// after the change is `slot`. Same order and deduplication as `plan`.
  [[nodiscard]] std::vector<ExpectedNotification> expect(const Transition& transition,
                                                         std::span<const std::string> recipients,
                                                         const std::optional<TimeRange>& slot,
                                                         UtcMillis at) const;
  /// The kinds whose pending messages `event` supersedes.
  [[nodiscard]] std::vector<NotificationKind> superseded_by(InterviewEvent event) const;

 private:
  std::vector<NotificationRule> rules_;
  std::vector<SupersedeRule> supersede_;
};

}  // namespace interviewkit
