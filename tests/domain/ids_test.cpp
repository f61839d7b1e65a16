// Strong ids: validated, and never interchangeable.
#include <string>
#include <type_traits>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/ids.hpp>

using namespace interviewkit;

static_assert(!std::is_convertible_v<CandidateId, InterviewerId>);
static_assert(!std::is_constructible_v<CandidateId, InterviewerId>);
static_assert(!std::is_constructible_v<CandidateId, std::string>);
static_assert(!std::is_constructible_v<InterviewId, CandidateId>);
static_assert(!std::is_convertible_v<std::uint64_t, InterviewId>);
static_assert(!std::is_convertible_v<InterviewId, std::uint64_t>);

namespace {
template <class A, class B>
concept EqualityComparable = requires(const A& a, const B& b) {
  a == b;
};
}  // namespace
static_assert(!EqualityComparable<CandidateId, InterviewerId>);
static_assert(!EqualityComparable<CandidateId, std::string>);

TEST_CASE("host ids accept printable ASCII and reject the rest", "[domain]") {
  SECTION("good ids") {
    for (auto text : {"c-1", "550e8400-e29b-41d4-a716-446655440000", "user@example", "A"}) {
      auto id = CandidateId::make(text);
      REQUIRE(id);
      CHECK(id->str() == text);
      CHECK(fmt::format("{}", *id) == text);
    }
  }
  SECTION("bad ids") {
    const std::string bad = GENERATE(as<std::string>{}, "", " ", "a b", "a\nb", "a\rb",
                                     std::string(129, 'x'), "zo\xC3\xAB", std::string("a\0b", 3));
    auto id = InterviewerId::make(bad);
    REQUIRE_FALSE(id);
    CHECK(id.error().is<InvalidInput>());
    CHECK(id.error().message().find("interviewer id") != std::string::npos);
  }
}

TEST_CASE("ids round-trip through JSON and reject wrong JSON", "[domain]") {
  const auto id = CandidateId::make("cand-42").value();
  const nlohmann::json j = id;
  CHECK(j == "cand-42");
  CHECK(j.get<CandidateId>() == id);
  CHECK_THROWS_AS(nlohmann::json(42).get<CandidateId>(), ErrorException);
  CHECK_THROWS_AS(nlohmann::json("a b").get<CandidateId>(), ErrorException);

  const nlohmann::json k = InterviewId{17};
  CHECK(k == 17);
  CHECK(k.get<InterviewId>() == InterviewId{17});
  CHECK_THROWS_AS(nlohmann::json(0).get<InterviewId>(), ErrorException);
  CHECK_THROWS_AS(nlohmann::json(-3).get<InterviewId>(), ErrorException);
  CHECK_THROWS_AS(nlohmann::json("17").get<InterviewId>(), ErrorException);
}
