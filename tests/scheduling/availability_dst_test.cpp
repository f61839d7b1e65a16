// Working hours are local wall-clock times: these cases pin down what they become in UTC
// across DST changes, half-hour and 45-minute offsets, historic rule changes and a day that
// never happened. Every expected instant is worked out by hand in the comments.
#include "scheduling/availability_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using date::year;

namespace {

// An interviewer with no weekly hours, only `hours` on `day`.
InterviewerAvailability only_on(std::string_view zone_name, date::year_month_day day,
                                std::vector<WorkingHours> hours) {
  auto person = working("dana", zone_name, {});
  person.weekly = {};
  person.overrides = {DateOverride{date::local_days{day}, std::move(hours)}};
  return person;
}

// 30-minute slots on a 30-minute grid over the UTC days around `day`.
SlotQuery half_hours_around(date::year_month_day day) {
  return query(between(utc(day) - 24h, utc(day) + 48h), 30min, 30min);
}

// One 8-hour slot per working day: the UTC start of each day's 09:00-17:00.
SlotQuery whole_days(date::year_month_day first, int days, std::string_view display_zone) {
  auto q = query(between(utc(first), utc(first) + days * 24h), 8h, 15min);
  q.candidate_time_zone = zone(display_zone);
  return q;
}

}  // namespace

TEST_CASE("New York working hours stay 09:00-17:00 local while UTC shifts in March and November",
          "[dst]") {
  const std::vector nina{working("nina", "America/New_York")};
  SECTION("March: EST (UTC-5) on Friday 8 and EDT (UTC-4) from Sunday 10") {
    const auto slots = search(whole_days(year{2024} / 3 / 8, 4, "America/New_York"), nina);
    CHECK(starts(slots) == std::vector<std::string>{"2024-03-08 14:00", "2024-03-11 13:00"});
    CHECK(local_starts(slots) == std::vector<std::string>{"2024-03-08 09:00", "2024-03-11 09:00"});
  }
  SECTION("November: EDT on Friday 1 and EST from Sunday 3") {
    const auto slots = search(whole_days(year{2024} / 11 / 1, 4, "America/New_York"), nina);
    CHECK(starts(slots) == std::vector<std::string>{"2024-11-01 13:00", "2024-11-04 14:00"});
    CHECK(local_starts(slots) == std::vector<std::string>{"2024-11-01 09:00", "2024-11-04 09:00"});
  }
}

TEST_CASE("New York hours in the spring gap start at the first valid instant after it", "[dst]") {
  // 2024-03-10: at 02:00 EST (07:00 UTC) clocks jump to 03:00 EDT.
  const auto day = year{2024} / 3 / 10;
  SECTION("02:30-04:00 is 03:00-04:00 EDT: 07:00-08:00 UTC") {
    CHECK(starts(search(half_hours_around(day),
                        {only_on("America/New_York", day, {{2h + 30min, 4h}})})) ==
          std::vector<std::string>{"2024-03-10 07:00", "2024-03-10 07:30"});
  }
  SECTION("01:30-02:30 ends where the gap ends: 06:30-07:00 UTC") {
    CHECK(starts(search(half_hours_around(day),
                        {only_on("America/New_York", day, {{1h + 30min, 2h + 30min}})})) ==
          std::vector<std::string>{"2024-03-10 06:30"});
  }
  SECTION("02:00-02:45 lies wholly in the gap and is empty") {
    CHECK(search(half_hours_around(day), {only_on("America/New_York", day, {{2h, 2h + 45min}})})
              .empty());
  }
}

TEST_CASE("New York hours in the autumn overlap use the earlier of the two instants", "[dst]") {
  // 2024-11-03: at 02:00 EDT (06:00 UTC) clocks go back to 01:00 EST; 01:00-02:00 happens
  // twice, first at 05:00-06:00 UTC and again at 06:00-07:00 UTC.
  const auto day = year{2024} / 11 / 3;
  SECTION("01:00-01:30 is the first 01:00-01:30: 05:00-05:30 UTC") {
    CHECK(starts(search(half_hours_around(day),
                        {only_on("America/New_York", day, {{1h, 1h + 30min}})})) ==
          std::vector<std::string>{"2024-11-03 05:00"});
  }
  SECTION("01:30-03:00 runs from 01:30 EDT to 03:00 EST: 05:30-08:00 UTC") {
    CHECK(starts(search(half_hours_around(day),
                        {only_on("America/New_York", day, {{1h + 30min, 3h}})})) ==
          std::vector<std::string>{"2024-11-03 05:30", "2024-11-03 06:00", "2024-11-03 06:30",
                                   "2024-11-03 07:00", "2024-11-03 07:30"});
  }
}

TEST_CASE("Europe/London hours follow the same gap and overlap rule", "[dst]") {
  SECTION("2024-03-31: 01:00 GMT jumps to 02:00 BST so 01:30-03:00 is 01:00-02:00 UTC") {
    const auto day = year{2024} / 3 / 31;
    CHECK(starts(search(half_hours_around(day),
                        {only_on("Europe/London", day, {{1h + 30min, 3h}})})) ==
          std::vector<std::string>{"2024-03-31 01:00", "2024-03-31 01:30"});
  }
  SECTION("2024-10-27: 01:30 BST to 02:30 GMT is 00:30-02:30 UTC") {
    const auto day = year{2024} / 10 / 27;
    CHECK(starts(search(half_hours_around(day),
                        {only_on("Europe/London", day, {{1h + 30min, 2h + 30min}})})) ==
          std::vector<std::string>{"2024-10-27 00:30", "2024-10-27 01:00", "2024-10-27 01:30",
                                   "2024-10-27 02:00"});
  }
}

TEST_CASE("Lord Howe Island shifts by 30 minutes and the rule still holds", "[dst]") {
  SECTION("2024-10-06: 02:00 LHST (UTC+10:30) jumps to 02:30 LHDT (UTC+11)") {
    // 02:00-03:00 starts in the gap: from the jump (15:30 UTC on the 5th) to 03:00 LHDT
    // (16:00 UTC).
    const auto day = year{2024} / 10 / 6;
    CHECK(
        starts(search(half_hours_around(day), {only_on("Australia/Lord_Howe", day, {{2h, 3h}})})) ==
        std::vector<std::string>{"2024-10-05 15:30"});
  }
  SECTION("2024-04-07: 02:00 LHDT goes back to 01:30 LHST") {
    // 01:30 is first met at UTC+11 (14:30 UTC on the 6th); 02:30 only exists at UTC+10:30
    // (16:00 UTC): 90 minutes.
    const auto day = year{2024} / 4 / 7;
    CHECK(starts(search(half_hours_around(day),
                        {only_on("Australia/Lord_Howe", day, {{1h + 30min, 2h + 30min}})})) ==
          std::vector<std::string>{"2024-04-06 14:30", "2024-04-06 15:00", "2024-04-06 15:30"});
  }
  SECTION("an ordinary January Monday: 09:00 LHDT is 22:00 UTC the day before") {
    const auto slots = search(whole_days(year{2024} / 1 / 14, 2, "Australia/Lord_Howe"),
                              {working("lou", "Australia/Lord_Howe")});
    CHECK(starts(slots) == std::vector<std::string>{"2024-01-14 22:00"});
    CHECK(local_starts(slots) == std::vector<std::string>{"2024-01-15 09:00"});
  }
}

TEST_CASE("Kathmandu hours sit at a quarter past on the UTC grid", "[dst]") {
  // UTC+5:45: 09:00-17:00 is 03:15-11:15 UTC.
  const auto tuesday = year{2024} / 3 / 12;
  const std::vector kiran{working("kiran", "Asia/Kathmandu")};
  auto q = query(between(utc(tuesday), utc(tuesday) + 24h), 60min, 15min);
  q.candidate_time_zone = zone("America/New_York");
  const auto slots = search(q, kiran);
  REQUIRE(slots.size() == 29);
  CHECK(starts(slots).front() == "2024-03-12 03:15");
  CHECK(starts(slots).back() == "2024-03-12 10:15");
  CHECK(local_starts(slots).front() == "2024-03-11 23:15");  // EDT, UTC-4

  SECTION("an hourly grid from UTC midnight misses 03:15 but one from 03:15 has it") {
    q.step = 60min;
    CHECK(starts(search(q, kiran)).front() == "2024-03-12 04:00");
    q.window = between(utc(tuesday, 3h + 15min), utc(tuesday) + 24h);
    CHECK(starts(search(q, kiran)) ==
          std::vector<std::string>{"2024-03-12 03:15", "2024-03-12 04:15", "2024-03-12 05:15",
                                   "2024-03-12 06:15", "2024-03-12 07:15", "2024-03-12 08:15",
                                   "2024-03-12 09:15", "2024-03-12 10:15"});
  }
}

TEST_CASE("zones whose offsets changed by law map each date with the rules of its time", "[dst]") {
  SECTION("Pyongyang moved from UTC+9 to UTC+8:30 on 2015-08-15") {
    const auto slots = search(whole_days(year{2015} / 8 / 13, 5, "Asia/Pyongyang"),
                              {working("park", "Asia/Pyongyang")});
    // Thursday 13 and Friday 14 at UTC+9, Monday 17 at UTC+8:30.
    CHECK(starts(slots) ==
          std::vector<std::string>{"2015-08-13 00:00", "2015-08-14 00:00", "2015-08-17 00:30"});
    CHECK(local_starts(slots) ==
          std::vector<std::string>{"2015-08-13 09:00", "2015-08-14 09:00", "2015-08-17 09:00"});
  }
  SECTION("Moscow kept UTC+4 all year from 2011 and returned to UTC+3 on 2014-10-26") {
    const std::vector misha{working("misha", "Europe/Moscow")};
    CHECK(starts(search(whole_days(year{2011} / 1 / 10, 1, "Europe/Moscow"), misha)) ==
          std::vector<std::string>{"2011-01-10 06:00"});
    CHECK(starts(search(whole_days(year{2012} / 1 / 9, 1, "Europe/Moscow"), misha)) ==
          std::vector<std::string>{"2012-01-09 05:00"});
    CHECK(starts(search(whole_days(year{2014} / 10 / 24, 4, "Europe/Moscow"), misha)) ==
          std::vector<std::string>{"2014-10-24 05:00", "2014-10-27 06:00"});
  }
}

TEST_CASE("Samoa skipped 2011-12-30 and that day has no slots", "[dst]") {
  // At the end of 2011-12-29 (UTC-10, 10:00 UTC on the 30th) Apia moved to UTC+14: the next
  // local day was 2011-12-31. 09:00 on the 29th is 19:00 UTC that day; 09:00 on the 31st
  // is 19:00 UTC on the 30th.
  auto sam = working("sam", "Pacific/Apia");
  for (auto& day : sam.weekly.by_weekday)
    day = {{9h, 17h}};
  const auto q = whole_days(year{2011} / 12 / 28, 4, "Pacific/Apia");
  const auto expected_local =
      std::vector<std::string>{"2011-12-28 09:00", "2011-12-29 09:00", "2011-12-31 09:00"};
  SECTION("weekly hours") {
    const auto slots = search(q, {sam});
    CHECK(starts(slots) ==
          std::vector<std::string>{"2011-12-28 19:00", "2011-12-29 19:00", "2011-12-30 19:00"});
    CHECK(local_starts(slots) == expected_local);
  }
  SECTION("an override for the missing date") {
    sam.overrides = {DateOverride{date::local_days{year{2011} / 12 / 30}, {{0h, 24h}}}};
    CHECK(local_starts(search(q, {sam})) == expected_local);
    sam.overrides = {DateOverride{date::local_days{year{2011} / 12 / 30}, {{9h, 17h}}}};
    CHECK(local_starts(search(q, {sam})) == expected_local);
  }
  SECTION("a daily cap and a panel across the jump") {
    sam.daily_cap = 1;
    sam.booked = {between(utc(year{2011} / 12 / 30, 20h), utc(year{2011} / 12 / 30, 21h))};
    auto auckland = working("ari", "Pacific/Auckland");
    for (auto& day : auckland.weekly.by_weekday)
      day = {{0h, 24h}};
    CHECK(local_starts(search(q, {sam, auckland})) ==
          std::vector<std::string>{"2011-12-28 09:00", "2011-12-29 09:00"});
  }
}
