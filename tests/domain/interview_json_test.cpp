// Interview: JSON round trip, strict on input.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

namespace {
Interview sample() {
  const auto start = date::sys_days{date::year{2024} / 3 / 12} + 14h;
  return Interview{
      .id = InterviewId{42},
      .title = "Systems design",
      .candidate = {CandidateId::make("cand-1").value(),
                    Participant::make("李雷", "li@example.com", "Asia/Shanghai").value()},
      .interviewers = {{InterviewerId::make("int-1").value(),
                        Participant::make("Ann", "ann@example.com", "America/New_York").value()},
                       {InterviewerId::make("int-2").value(),
                        Participant::make("Bo", "bo@example.com", "Europe/Berlin").value()}},
      .slot = TimeRange::make(start, 1h).value(),
      .status = InterviewStatus::scheduled,
      .version = 3,
      .meeting_link = "https://meet.example.com/abc",
      .created_at = start - 48h,
      .updated_at = start - 24h,
  };
}
}  // namespace

TEST_CASE("an interview round-trips through JSON", "[domain]") {
  const auto interview = sample();
  REQUIRE(validate(interview));
  const nlohmann::json j = interview;
  CHECK(j["status"] == "scheduled");
  CHECK(j["slot"]["start"] == "2024-03-12T14:00:00Z");
  CHECK(j["candidate"]["time_zone"] == "Asia/Shanghai");
  CHECK(j.get<Interview>() == interview);
  CHECK(nlohmann::json::parse(j.dump()).get<Interview>() == interview);

  auto pending = interview;
  pending.slot.reset();
  pending.status = InterviewStatus::pending;
  const nlohmann::json p = pending;
  CHECK(p["slot"].is_null());
  CHECK(p.get<Interview>() == pending);
}

TEST_CASE("interview JSON is strict about what it accepts", "[domain]") {
  const nlohmann::json good = sample();
  auto mutate = [&](auto&& change) {
    auto j = good;
    change(j);
    return j;
  };
  using J = nlohmann::json;
  CHECK_THROWS_WITH(mutate([](J& j) { j["status"] = "Scheduled"; }).get<Interview>(),
                    Catch::Contains("\"Scheduled\" is not an interview status"));
  CHECK_THROWS(mutate([](J& j) { j["status"] = 1; }).get<Interview>());
  CHECK_THROWS_WITH(mutate([](J& j) { j.erase("version"); }).get<Interview>(),
                    Catch::Contains("\"version\""));
  CHECK_THROWS_WITH(mutate([](J& j) { j["colour"] = "red"; }).get<Interview>(),
                    Catch::Contains("unknown field \"colour\""));
  CHECK_THROWS(mutate([](J& j) { j["version"] = -1; }).get<Interview>());
  CHECK_THROWS(mutate([](J& j) { j["version"] = 0; }).get<Interview>());
  CHECK_THROWS(mutate([](J& j) { j["interviewers"] = J::array(); }).get<Interview>());
  CHECK_THROWS_WITH(mutate([](J& j) { j["interviewers"][1]["id"] = "int-1"; }).get<Interview>(),
                    Catch::Contains("more than once"));
  CHECK_THROWS_WITH(mutate([](J& j) { j["slot"] = nullptr; }).get<Interview>(),
                    Catch::Contains("must have a slot"));
  CHECK_THROWS(mutate([](J& j) { j["candidate"]["email"] = "x"; }).get<Interview>());
  CHECK_THROWS(mutate([](J& j) { j["created_at"] = "yesterday"; }).get<Interview>());
  CHECK_THROWS(mutate([](J& j) { j["title"] = "a\r\nb"; }).get<Interview>());
  CHECK_THROWS(J::parse("[]").get<Interview>());
}
