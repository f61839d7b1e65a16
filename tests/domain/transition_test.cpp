// The transition table, checked pair by pair.
#include <set>
#include <tuple>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <interviewkit/domain/transition.hpp>

using interviewkit::InterviewEvent;
using interviewkit::InterviewStatus;
using S = InterviewStatus;
using E = InterviewEvent;

TEST_CASE("all 36 from-to pairs match the lifecycle", "[transitions]") {
  // The lifecycle as the product describes it, written independently of the table.
  const std::set<std::pair<S, S>> legal = {
      {S::pending, S::scheduled},   {S::pending, S::cancelled},   {S::scheduled, S::confirmed},
      {S::scheduled, S::scheduled}, {S::scheduled, S::cancelled}, {S::scheduled, S::completed},
      {S::scheduled, S::no_show},   {S::confirmed, S::scheduled}, {S::confirmed, S::completed},
      {S::confirmed, S::cancelled}, {S::confirmed, S::no_show},
  };
  const auto from = GENERATE(from_range(interviewkit::all_interview_statuses));
  const auto to = GENERATE(from_range(interviewkit::all_interview_statuses));
  CAPTURE(from, to);
  CHECK(interviewkit::can_transition(from, to) == (legal.count({from, to}) == 1));
}

TEST_CASE("each event leads to its own target from every status that allows it", "[transitions]") {
  const std::set<std::tuple<S, E, S>> rows = {
      {S::pending, E::book, S::scheduled},         {S::pending, E::cancel, S::cancelled},
      {S::scheduled, E::confirm, S::confirmed},    {S::scheduled, E::reschedule, S::scheduled},
      {S::scheduled, E::cancel, S::cancelled},     {S::scheduled, E::complete, S::completed},
      {S::scheduled, E::mark_no_show, S::no_show}, {S::confirmed, E::reschedule, S::scheduled},
      {S::confirmed, E::complete, S::completed},   {S::confirmed, E::cancel, S::cancelled},
      {S::confirmed, E::mark_no_show, S::no_show},
  };
  const auto from = GENERATE(from_range(interviewkit::all_interview_statuses));
  const auto event = GENERATE(from_range(interviewkit::all_interview_events));
  CAPTURE(from, event);
  const auto found = interviewkit::find_transition(from, event);
  const auto expected = std::tuple{from, event, target_of(event)};
  if (rows.count(expected) == 1) {
    REQUIRE(found.has_value());
    CHECK(found->to == target_of(event));
    CHECK(found->from == from);
    CHECK(found->event == event);
  } else {
    CHECK_FALSE(found.has_value());
  }
}

TEST_CASE("terminal statuses have no way out", "[transitions]") {
  for (auto from : {S::completed, S::cancelled, S::no_show}) {
    for (auto to : interviewkit::all_interview_statuses) {
      CHECK_FALSE(interviewkit::can_transition(from, to));
    }
  }
}

TEST_CASE("the table is usable at compile time", "[transitions]") {
  static_assert(interviewkit::can_transition(S::pending, S::scheduled));
  static_assert(!interviewkit::can_transition(S::pending, S::confirmed));
  static_assert(interviewkit::find_transition(S::confirmed, E::reschedule)->to == S::scheduled);
  STATIC_REQUIRE(interviewkit::transition_table.size() == 11);
}

TEST_CASE("transitions and events print readably", "[transitions]") {
  const auto t = interviewkit::find_transition(S::confirmed, E::reschedule);
  REQUIRE(t);
  CHECK(fmt::format("{}", *t) == "confirmed --reschedule--> scheduled");
  CHECK(fmt::format("{}", E::mark_no_show) == "mark_no_show");
  auto parsed = interviewkit::parse_interview_event("mark_no_show");
  REQUIRE(parsed);
  CHECK(*parsed == E::mark_no_show);
  CHECK_FALSE(interviewkit::parse_interview_event("Book"));
}
