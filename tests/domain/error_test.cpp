// Error and Result: messages name the offending input; misuse is loud.
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>

using namespace interviewkit;

namespace {
Result<int> half(int n) {
  if (n % 2 != 0)
    return InvalidInput{fmt::format("{} is odd", n)};
  return n / 2;
}
}  // namespace

TEST_CASE("Result holds a value or an error", "[domain]") {
  auto ok = half(4);
  REQUIRE(ok);
  CHECK(*ok == 2);
  CHECK(ok.value_or(-1) == 2);
  CHECK_THROWS_AS(ok.error(), std::logic_error);

  auto bad = half(3);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().kind() == ErrorKind::invalid_input);
  CHECK(bad.error().message() == "invalid input: 3 is odd");
  CHECK(bad.value_or(-1) == -1);
  CHECK_THROWS_AS(bad.value(), ErrorException);
  CHECK_THROWS_WITH(bad.value(), "invalid input: 3 is odd");
}

TEST_CASE("Result<void> carries only an error", "[domain]") {
  Result<void> ok;
  CHECK(ok);
  CHECK_NOTHROW(ok.value());
  Result<void> bad = NotFound{InterviewId{7}};
  REQUIRE_FALSE(bad);
  CHECK(bad.error().get_if<NotFound>()->id == InterviewId{7});
  CHECK_THROWS_AS(bad.value(), ErrorException);
}

TEST_CASE("every error kind has a message that names its subject", "[domain]") {
  const Error transition = IllegalTransition{InterviewStatus::completed, InterviewEvent::cancel,
                                             InterviewStatus::cancelled};
  CHECK(transition.kind() == ErrorKind::illegal_transition);
  CHECK(transition.message() ==
        "illegal transition: cannot cancel an interview that is completed (would be cancelled)");

  const Error conflict = SlotConflict{InterviewId{12}, "interviewer:alice"};
  CHECK(conflict.message() ==
        "slot conflict: interviewer:alice already holds interview 12 at that time");

  const Error stale = StaleVersion{InterviewId{3}, 2, 5};
  CHECK(stale.message() == "stale version: interview 3 is at version 5, caller saw 2");

  const Error missing = NotFound{InterviewId{9}};
  CHECK(fmt::format("{}", missing) == "not found: no interview 9");

  const Error unavailable = Unavailable{"getrandom failed"};
  CHECK(to_string(unavailable.kind()) == "unavailable");
}
