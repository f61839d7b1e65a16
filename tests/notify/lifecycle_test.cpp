// The lifecycle table (notify/lifecycle.hpp): one row per event, pairing the names that
// stored logs and outbox rows already hold.
#include <string>

#include <catch2/catch.hpp>

#include <interviewkit/notify/lifecycle.hpp>
#include <interviewkit/notify/policy.hpp>

namespace ik = interviewkit;
using ik::ActionType;
using ik::InterviewEvent;
using ik::NotificationKind;

TEST_CASE("each lifecycle event has one row pairing its log entry and its announcement",
          "[notify][transitions]") {
  const auto event = GENERATE(from_range(ik::all_interview_events));
  const auto& step = ik::lifecycle_of(event);
  CHECK(step.event == event);
  // The serialized names pair up: "interview_" + what the event leads to, except that a
  // booking is logged as booked and announced as scheduled.
  const auto target = std::string(to_string(ik::target_of(event)));
  if (event == InterviewEvent::book) {
    CHECK(step.logged_as == ActionType::interview_booked);
    CHECK(step.announced_as == NotificationKind::interview_scheduled);
  } else if (event == InterviewEvent::reschedule) {
    CHECK(step.logged_as == ActionType::interview_rescheduled);
    CHECK(step.announced_as == NotificationKind::interview_rescheduled);
  } else {
    CHECK(to_string(step.logged_as) == "interview_" + target);
    REQUIRE(step.announced_as);
    CHECK(to_string(*step.announced_as) == "interview_" + target);
  }
  // Moving or ending the slot supersedes what was said about it; booking and confirming
  // do not.
  CHECK(step.supersedes_slot_announcements ==
        (event != InterviewEvent::book && event != InterviewEvent::confirm));
}

TEST_CASE("invites, confirmations, reschedule notices and reminders carry the slot", "[notify]") {
  const auto kind = GENERATE(from_range(ik::all_notification_kinds));
  const bool expected = kind == NotificationKind::interview_scheduled ||
                        kind == NotificationKind::interview_confirmed ||
                        kind == NotificationKind::interview_rescheduled ||
                        kind == NotificationKind::interview_reminder;
  CHECK(ik::carries_slot(kind) == expected);
}

TEST_CASE("the default policy announces each event with the lifecycle table's kind", "[notify]") {
  const auto policy = ik::NotificationPolicy::defaults(std::nullopt);
  for (const auto& rule : policy.rules()) {
    CAPTURE(to_string(rule.event));
    CHECK(ik::lifecycle_of(rule.event).announced_as == rule.kind);
  }
  for (const auto& rule : policy.supersede_rules()) {
    CHECK(ik::lifecycle_of(rule.event).supersedes_slot_announcements);
    CHECK(ik::carries_slot(rule.kind));
  }
  CHECK(policy.supersede_rules().size() == 16);  // 4 events x 4 kinds
}
