// The lifecycle table: each InterviewEvent of the transition table (domain/transition.hpp)
// with the ActionType its audit entry records and the NotificationKind that announces it.
//
// One lifecycle event has four spellings: InterviewEvent::book leads to
// InterviewStatus::scheduled (the transition table), is logged as
// ActionType::interview_booked and announced as NotificationKind::interview_scheduled (this
// table). BookingService's log entries and NotificationPolicy's defaults and supersede rules
// are derived from here, never mapped by hand. The table lives in notify/ because that is the
// lowest folder that may see all three enums: domain/ depends on nothing of ours and log/
// must not depend on notify/.
//
// The names are serialized (stored logs, outbox rows, idempotency keys): the table pairs
// existing names and renames none.
#pragma once

#include <algorithm>
#include <array>
#include <optional>

#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

/// One row of the lifecycle table: an event, how it is logged, and how it is announced.
struct LifecycleStep {
  InterviewEvent event;  ///< the event this row is about
  /// What the ActionLog records when the event happens.
  ActionType logged_as;
  /// The notification that tells people about it, or none for an event that tells nobody.
  /// Whether, and to whom, it is sent is NotificationPolicy's decision.
  std::optional<NotificationKind> announced_as;
  /// The event moves or ends the interview's slot, so every earlier announcement of that
  /// slot (see carries_slot) becomes untrue and is superseded.
  bool supersedes_slot_announcements;
};

// clang-format off
/// One row per InterviewEvent, in the enum's order.
inline constexpr std::array<LifecycleStep, 6> lifecycle_table{{
    // event                      logged as                          announced as                             supersedes
    {InterviewEvent::book,         ActionType::interview_booked,      NotificationKind::interview_scheduled,   false},
    {InterviewEvent::confirm,      ActionType::interview_confirmed,   NotificationKind::interview_confirmed,   false},
    {InterviewEvent::reschedule,   ActionType::interview_rescheduled, NotificationKind::interview_rescheduled, true},
    {InterviewEvent::cancel,       ActionType::interview_cancelled,   NotificationKind::interview_cancelled,   true},
    {InterviewEvent::complete,     ActionType::interview_completed,   NotificationKind::interview_completed,   true},
    {InterviewEvent::mark_no_show, ActionType::interview_no_show,     NotificationKind::interview_no_show,     true},
}};
// clang-format on

static_assert(std::all_of(all_interview_events.begin(), all_interview_events.end(),
                          [](InterviewEvent event) {
                            return std::count_if(lifecycle_table.begin(), lifecycle_table.end(),
                                                 [&](const LifecycleStep& step) {
                                                   return step.event == event;
                                                 }) == 1;
                          }),
              "every InterviewEvent has exactly one row in the lifecycle table");
static_assert(lifecycle_table.size() == all_interview_events.size(),
              "the lifecycle table has a row for InterviewEvent values only");

/// The row for `event`.
[[nodiscard]] constexpr const LifecycleStep& lifecycle_of(InterviewEvent event) noexcept {
  // Every event has a row (asserted above), so the search cannot run off the end.
  const auto* it = std::find_if(lifecycle_table.begin(), lifecycle_table.end(),
                                [&](const LifecycleStep& step) { return step.event == event; });
  return it != lifecycle_table.end() ? *it : lifecycle_table.front();
}

/// True for the kinds that describe the interview's slot: the announcements of the events
/// that leave it holding a slot (book, confirm, reschedule) and the reminder. Such a message
/// is untrue once the interview no longer holds that slot.
[[nodiscard]] constexpr bool carries_slot(NotificationKind kind) noexcept {
  if (kind == NotificationKind::interview_reminder)
    return true;
  return std::any_of(lifecycle_table.begin(), lifecycle_table.end(), [&](const LifecycleStep& s) {
    return s.announced_as == kind && holds_slot(target_of(s.event));
  });
}

}  // namespace interviewkit
