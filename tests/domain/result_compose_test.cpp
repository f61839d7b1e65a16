// Result composition keeps an error an error even when the new value type could be built
// from an Error (Result<Result<int>>, std::any), as std::expected does.
#include <any>
#include <string>

#include <catch2/catch.hpp>

#include <interviewkit/domain/result.hpp>

using namespace interviewkit;

TEST_CASE("transform of an error into Result<Result<int>> stays an error", "[domain][package]") {
  const Result<int> failed = NotFound{InterviewId{7}};
  // f returns a Result (a common slip: transform where and_then was meant). std::expected
  // gives expected<expected<int,E>,E> holding the outer error; here it must stay an error.
  auto r = failed.transform([](int v) { return Result<int>(v + 1); });
  static_assert(std::is_same_v<decltype(r), Result<Result<int>>>);
  CHECK_FALSE(r.has_value());
}

TEST_CASE("and_then of an error into Result<std::any> stays an error", "[domain][package]") {
  Result<int> failed = NotFound{InterviewId{7}};
  auto r = failed.and_then([](int v) { return Result<std::any>(std::any(v)); });
  CHECK_FALSE(r.has_value());
  auto t = std::move(failed).transform([](int v) { return std::any(v); });
  CHECK_FALSE(t.has_value());
}

TEST_CASE("Result<void>::transform of an error into Result<std::any> stays an error",
          "[domain][package]") {
  const Result<void> failed = NotFound{InterviewId{7}};
  auto r = failed.transform([] { return std::any(1); });
  CHECK_FALSE(r.has_value());
}
