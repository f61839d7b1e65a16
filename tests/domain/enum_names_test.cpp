// Every enum's names table (domain/enum_names.hpp): each row round-trips through to_string,
// fmt, the strict parse and JSON, and a bad name is refused with the valid values listed.
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <fmt/compile.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/error.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>
#include <interviewkit/scheduling/availability.hpp>
#include <interviewkit/store/outbox.hpp>

namespace ik = interviewkit;

namespace {

/// Checks one row of E's table: the name is what to_string, enum_name and fmt give.
template <class E>
void check_row(const ik::EnumName<E>& row) {
  CAPTURE(row.name);
  CHECK(to_string(row.value) == row.name);
  CHECK(ik::enum_name(row.value) == row.name);
  CHECK(fmt::format("{}", row.value) == row.name);
  CHECK(fmt::format("[{:>24}]", row.value) == fmt::format("[{:>24}]", row.name));
}

/// A row's name parses back to its value, and the table lists the values in the order of
/// the public all_* array.
template <class E, class Parse>
void check_parse(const ik::EnumName<E>& row, Parse parse) {
  auto parsed = parse(row.name);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == row.value);
}

/// "x" is not a name: the error quotes it and lists every name of the table, in order.
template <class E, class Parse>
void check_refused(Parse parse, std::string_view expected_message) {
  auto parsed = parse("Bogus\n");
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message() == expected_message);
}

template <class E>
void check_json(const ik::EnumName<E>& row) {
  const nlohmann::json j = row.value;
  CHECK(j == std::string(row.name));
  CHECK(j.get<E>() == row.value);
}

}  // namespace

TEST_CASE("every interview status and event name round-trips", "[status][transitions]") {
  SECTION("statuses") {
    const auto row = GENERATE(from_range(ik::EnumNames<ik::InterviewStatus>::table));
    check_row(row);
    check_parse(row, ik::parse_interview_status);
    check_json(row);
  }
  SECTION("events") {
    const auto row = GENERATE(from_range(ik::EnumNames<ik::InterviewEvent>::table));
    check_row(row);
    check_parse(row, ik::parse_interview_event);
  }
  CHECK(ik::all_interview_statuses == ik::enum_values<ik::InterviewStatus>());
  CHECK(ik::all_interview_events == ik::enum_values<ik::InterviewEvent>());
  check_refused<ik::InterviewStatus>(
      ik::parse_interview_status,
      "invalid input: \"Bogus\\n\" is not an interview status; valid values are pending, "
      "scheduled, confirmed, completed, cancelled, no_show");
  check_refused<ik::InterviewEvent>(
      ik::parse_interview_event,
      "invalid input: \"Bogus\\n\" is not an interview event; valid values are book, confirm, "
      "reschedule, cancel, complete, mark_no_show");
}

TEST_CASE("every actor role name round-trips", "[action-log]") {
  const auto row = GENERATE(from_range(ik::EnumNames<ik::ActorRole>::table));
  check_row(row);
  check_parse(row, ik::parse_actor_role);
  CHECK(ik::all_actor_roles == ik::enum_values<ik::ActorRole>());
  check_refused<ik::ActorRole>(ik::parse_actor_role,
                               "invalid input: \"Bogus\\n\" is not an actor role; valid values "
                               "are candidate, interviewer, recruiter, system, operator");
}

TEST_CASE("every action type name round-trips", "[action-log]") {
  const auto row = GENERATE(from_range(ik::EnumNames<ik::ActionType>::table));
  check_row(row);
  check_parse(row, ik::parse_action_type);
  check_json(row);
  CHECK(ik::all_action_types == ik::enum_values<ik::ActionType>());
}

TEST_CASE("every notification kind name round-trips", "[notify]") {
  const auto row = GENERATE(from_range(ik::EnumNames<ik::NotificationKind>::table));
  check_row(row);
  check_parse(row, ik::parse_notification_kind);
  check_json(row);
  CHECK(ik::all_notification_kinds == ik::enum_values<ik::NotificationKind>());
  check_refused<ik::NotificationKind>(
      ik::parse_notification_kind,
      "invalid input: \"Bogus\\n\" is not a notification kind; valid values are "
      "interview_scheduled, interview_confirmed, interview_rescheduled, interview_cancelled, "
      "interview_completed, interview_no_show, interview_reminder");
}

TEST_CASE("every outbox state name round-trips", "[outbox]") {
  const auto row = GENERATE(from_range(ik::EnumNames<ik::OutboxState>::table));
  check_row(row);
  check_parse(row, ik::parse_outbox_state);
  check_refused<ik::OutboxState>(ik::parse_outbox_state,
                                 "invalid input: \"Bogus\\n\" is not an outbox state; valid "
                                 "values are pending, delivered, dead, expired");
}

TEST_CASE("every error kind and slot mode has its name", "[domain][availability]") {
  SECTION("error kinds") {
    check_row(GENERATE(from_range(ik::EnumNames<ik::ErrorKind>::table)));
  }
  SECTION("slot modes") {
    check_row(GENERATE(from_range(ik::EnumNames<ik::SlotMode>::table)));
  }
  CHECK(ik::Error(ik::NotFound{}).kind() == ik::ErrorKind::not_found);
}

TEST_CASE("a value outside its enum is named as invalid, never as another value", "[status]") {
  CHECK(to_string(static_cast<ik::InterviewStatus>(99)) == "<invalid InterviewStatus>");
  CHECK(to_string(static_cast<ik::ActionType>(99)) == "<invalid ActionType>");
  CHECK(to_string(static_cast<ik::OutboxState>(99)) == "<invalid OutboxState>");
  CHECK(fmt::format("{}", static_cast<ik::SlotMode>(7)) == "<invalid SlotMode>");
}

TEST_CASE("library types format through compiled format strings too", "[status]") {
  // Formatters take any format context, not only fmt::format_context: a host using
  // FMT_COMPILE (or its own output) gets the same text.
  CHECK(fmt::format(FMT_COMPILE("{} {}"), ik::InterviewStatus::no_show, ik::InterviewId{42}) ==
        "no_show 42");
  CHECK(fmt::format(FMT_COMPILE("{}|{}"), ik::OutboxId{7}, ik::Error(ik::InvalidInput{"bad"})) ==
        "7|invalid input: bad");
  CHECK(fmt::format("{:>9}|{:<4}|", ik::InterviewStatus::pending, ik::InterviewId{5}) ==
        "  pending|5   |");
}
