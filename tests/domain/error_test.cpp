// Error and Result: messages name the offending input; misuse is loud.
#include <string>
#include <vector>

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

TEST_CASE("Result composes: and_then, transform, or_else, value_or", "[domain][package]") {
  // and_then chains what may fail; the first error is what comes out, untouched.
  CHECK(half(8).and_then(half).value() == 2);
  const auto odd = half(12).and_then(half).and_then(half);
  REQUIRE_FALSE(odd);
  CHECK(odd.error().message() == "invalid input: 3 is odd");
  // transform maps a value; to void, it keeps only success or the error.
  CHECK(half(4).transform([](int n) { return std::to_string(n); }).value() == "2");
  CHECK(half(5).transform([](int n) { return n + 1; }).error().kind() == ErrorKind::invalid_input);
  int seen = 0;
  CHECK(half(6).transform([&](int n) { seen = n; }));
  CHECK(seen == 3);
  // or_else recovers from an error, or replaces it; a value passes through untouched.
  CHECK(half(7).or_else([](const Error&) -> Result<int> { return 0; }).value() == 0);
  const auto replaced = half(7).or_else(
      [](const Error& e) -> Result<int> { return Unavailable{"wrapped: " + e.message()}; });
  CHECK(replaced.error().kind() == ErrorKind::unavailable);
  CHECK(half(2).or_else([](const Error&) -> Result<int> { return -1; }).value() == 1);
  // On an rvalue, the value is moved along, not copied.
  Result<std::vector<int>> big = std::vector<int>(1000, 1);
  const auto* data = big->data();
  auto moved = std::move(big).transform([](std::vector<int>&& v) { return std::move(v); });
  CHECK(moved->data() == data);
  CHECK(Result<std::string>(NotFound{InterviewId{1}}).value_or("none") == "none");
  // Result<void> too.
  Result<void> done;
  CHECK(done.and_then([] { return half(10); }).value() == 5);
  CHECK(done.transform([] { return 1; }).value() == 1);
  Result<void> failed = NotFound{InterviewId{9}};
  CHECK_FALSE(failed.and_then([] { return half(10); }));
  CHECK(failed.or_else([](const Error&) { return Result<void>(); }));
  CHECK(failed.transform([] { return 1; }).error().get_if<NotFound>()->id == InterviewId{9});
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
