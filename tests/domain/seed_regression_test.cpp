// The seed bug: a status compared as a string against an enum silently never matched, so
// booking emails never went out. These checks make that class of bug impossible to write.
#include <string>
#include <string_view>
#include <type_traits>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>

using interviewkit::InterviewStatus;

namespace {
template <class A, class B>
concept EqualityComparable = requires(const A& a, const B& b) {
  a == b;
};
template <class A, class B>
concept InequalityComparable = requires(const A& a, const B& b) {
  a != b;
};
}  // namespace

// Comparing a status with any kind of string does not compile.
static_assert(!EqualityComparable<InterviewStatus, const char*>);
static_assert(!EqualityComparable<InterviewStatus, char[10]>);
static_assert(!EqualityComparable<InterviewStatus, std::string>);
static_assert(!EqualityComparable<InterviewStatus, std::string_view>);
static_assert(!EqualityComparable<std::string, InterviewStatus>);
static_assert(!InequalityComparable<InterviewStatus, std::string>);
// ... nor with integers.
static_assert(!EqualityComparable<InterviewStatus, int>);
// A status does not become a string, and a string or an integer does not become a status.
static_assert(!std::is_convertible_v<InterviewStatus, std::string>);
static_assert(!std::is_convertible_v<InterviewStatus, std::string_view>);
static_assert(!std::is_constructible_v<std::string, InterviewStatus>);
static_assert(!std::is_convertible_v<std::string, InterviewStatus>);
static_assert(!std::is_convertible_v<const char*, InterviewStatus>);
static_assert(!std::is_convertible_v<int, InterviewStatus>);
static_assert(!std::is_convertible_v<InterviewStatus, int>);
// Statuses compare with statuses.
static_assert(EqualityComparable<InterviewStatus, InterviewStatus>);

TEST_CASE("a booked interview's status is the scheduled enumerator, in code and in JSON",
          "[seed-regression]") {
  const auto booked =
      interviewkit::find_transition(InterviewStatus::pending, interviewkit::InterviewEvent::book);
  REQUIRE(booked.has_value());
  CHECK(booked->to == InterviewStatus::scheduled);

  const nlohmann::json j = booked->to;
  CHECK(j == "scheduled");

  auto parsed = interviewkit::parse_interview_status("scheduled");
  REQUIRE(parsed);
  CHECK(*parsed == InterviewStatus::scheduled);
}

TEST_CASE("the seed's spellings of statuses are rejected, not defaulted", "[seed-regression]") {
  for (std::string_view text : {"SCHEDULED", "Scheduled", "Interview.Status.SCHEDULED"}) {
    CAPTURE(text);
    CHECK_FALSE(interviewkit::parse_interview_status(text).has_value());
  }
}
