// UTC timestamps, time ranges and time zones.
#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/domain/time_zone.hpp>

#include "support/dates.hpp"

using namespace interviewkit;
using namespace std::chrono_literals;
using date::sys_days;

using interviewkit::testing::at;

TEST_CASE("UTC timestamps format and parse strictly", "[domain]") {
  const auto t = at(date::year{2024} / 3 / 12, 14h + 5min + 9s);
  CHECK(format_utc(t) == "2024-03-12T14:05:09Z");
  auto parsed = parse_utc("2024-03-12T14:05:09Z");
  REQUIRE(parsed);
  CHECK(*parsed == t);
  auto ms = parse_utc("2024-03-12T14:05:09.250Z");
  REQUIRE(ms);
  CHECK(*ms == t + 250ms);
  CHECK(format_utc(*ms) == "2024-03-12T14:05:09.250Z");

  for (auto bad : {"", "2024-03-12", "2024-03-12T14:05:09", "2024-03-12T14:05:09+01:00",
                   "2024-03-12 14:05:09Z", "2024-02-30T00:00:00Z", "2024-03-12T24:00:00Z",
                   "2024-03-12T14:05:09Zjunk", "2024-3-12T14:05:09Z", "2024-03-12T14:05:60Z"}) {
    CAPTURE(bad);
    auto r = parse_utc(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().is<InvalidInput>());
  }
}

// format_utc writes its text by hand for speed; it must stay exactly date::format's, around
// the epoch, across leap days and at both ends of the four-digit years (where it hands over
// to date::format), for seconds and milliseconds alike.
TEST_CASE("format_utc writes what date::format writes", "[domain]") {
  const std::int64_t day_ms = 86'400'000;
  std::vector<std::int64_t> millis = {0,
                                      -1,
                                      1,
                                      999,
                                      1000,
                                      -1000,
                                      -62'167'219'200'000,
                                      -62'167'219'200'001,
                                      253'402'300'799'999,
                                      253'402'300'800'000,
                                      951'782'400'000 + day_ms - 1};
  // A prime step visits every time of day and many calendar days, years -400 to 12000.
  for (std::int64_t ms = -75'000'000'000'000; ms < 316'000'000'000'000; ms += 7'919'113'713)
    millis.push_back(ms);
  for (const auto ms : millis) {
    CAPTURE(ms);
    const UtcMillis t{std::chrono::milliseconds{ms}};
    const auto s = date::floor<std::chrono::seconds>(t);
    REQUIRE(format_utc(t) == date::format("%FT%TZ", t));
    REQUIRE(format_utc(s) == date::format("%FT%TZ", s));
  }
}

TEST_CASE("time ranges are half-open and must end after they start", "[domain]") {
  const auto nine = at(date::year{2024} / 3 / 12, 9h);
  auto r = TimeRange::make(nine, nine + 1h);
  REQUIRE(r);
  CHECK(r->duration() == 1h);
  CHECK(r->contains(nine));
  CHECK_FALSE(r->contains(nine + 1h));

  auto next = TimeRange::make(nine + 1h, 30min).value();
  CHECK_FALSE(r->overlaps(next));  // touching is not overlapping
  CHECK(r->widened(0s, 1s).overlaps(next));
  CHECK(TimeRange::make(nine + 59min, 2min)->overlaps(*r));

  auto empty = TimeRange::make(nine, nine);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message().find("must end after it starts") != std::string::npos);
  CHECK_FALSE(TimeRange::make(nine, nine - 1s));
  CHECK_FALSE(TimeRange::make(nine, -5min));
  CHECK_FALSE(TimeRange::make(nine, 0s));
}

TEST_CASE("time ranges round-trip through JSON, strictly", "[domain]") {
  const auto nine = at(date::year{2024} / 3 / 12, 9h);
  const auto r = TimeRange::make(nine, 45min).value();
  const nlohmann::json j = r;
  CHECK(j.dump() == R"({"end":"2024-03-12T09:45:00Z","start":"2024-03-12T09:00:00Z"})");
  CHECK(j.get<TimeRange>() == r);

  using J = nlohmann::json;
  CHECK_THROWS_AS(
      J::parse(R"({"start":"2024-03-12T10:00:00Z","end":"2024-03-12T09:00:00Z"})").get<TimeRange>(),
      ErrorException);
  CHECK_THROWS_AS(J::parse(R"({"start":"2024-03-12T10:00:00Z"})").get<TimeRange>(), ErrorException);
  CHECK_THROWS_AS(J::parse(R"({"start":"x","end":"2024-03-12T09:00:00Z"})").get<TimeRange>(),
                  ErrorException);
  CHECK_THROWS_AS(J::parse(R"({"start":"2024-03-12T09:00:00Z","end":"2024-03-12T10:00:00Z",
                             "extra":1})")
                      .get<TimeRange>(),
                  ErrorException);
  CHECK_THROWS_AS(J::parse(R"([1,2])").get<TimeRange>(), ErrorException);
}

TEST_CASE("time zones are validated against the tz database", "[domain]") {
  auto ny = TimeZone::make("America/New_York");
  REQUIRE(ny);
  CHECK(ny->name() == "America/New_York");

  for (auto bad : {"", "Mars/Olympus_Mons", "america/new_york", "EST5EDT ", "../../etc/passwd",
                   "Europe/Berlin\n"}) {
    CAPTURE(bad);
    auto zone = TimeZone::make(bad);
    REQUIRE_FALSE(zone);
    CHECK(zone.error().is<InvalidInput>());
  }
  auto err = TimeZone::make("Mars/Olympus_Mons");
  CHECK(err.error().message().find("\"Mars/Olympus_Mons\"") != std::string::npos);
  CHECK_THROWS_AS(nlohmann::json("Nowhere/Land").get<TimeZone>(), ErrorException);
  CHECK(nlohmann::json("Asia/Kathmandu").get<TimeZone>().name() == "Asia/Kathmandu");
}

TEST_CASE("local times in DST gaps and overlaps resolve to the earliest valid instant",
          "[domain]") {
  const auto ny = TimeZone::make("America/New_York").value();
  using date::local_days;
  // 2024-03-10 02:30 does not exist in New York: clocks jump from 02:00 EST to 03:00 EDT.
  const auto gap = local_days{date::year{2024} / 3 / 10} + 2h + 30min;
  CHECK(ny.to_utc(gap) == at(date::year{2024} / 3 / 10, 7h));  // 03:00 EDT
  // 2024-11-03 01:30 happens twice: first in EDT (05:30Z), then EST (06:30Z).
  const auto overlap = local_days{date::year{2024} / 11 / 3} + 1h + 30min;
  CHECK(ny.to_utc(overlap) == at(date::year{2024} / 11 / 3, 5h + 30min));
  // An ordinary time.
  const auto noon = local_days{date::year{2024} / 7 / 1} + 12h;
  CHECK(ny.to_utc(noon) == at(date::year{2024} / 7 / 1, 16h));
  CHECK(ny.to_local(at(date::year{2024} / 7 / 1, 16h)) == noon);
}
