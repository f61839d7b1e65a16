// Slot search, checked by hand: one interviewer, panels, round-robin, buffers, notice, caps,
// overrides, touching intervals, empty and full days, and the inputs it refuses.
#include "scheduling/availability_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using date::March;
using date::year;

namespace {

// Tuesday 12 and Wednesday 13 March 2024.
const auto tuesday = year{2024} / March / 12;
const auto wednesday = year{2024} / March / 13;

TimeRange day_of(date::year_month_day day) {
  return between(utc(day), utc(day) + 24h);
}

}  // namespace

TEST_CASE("one interviewer gets every step of their working hours that fits a slot",
          "[availability]") {
  const std::vector people{working("alice", "Etc/UTC", {{9h, 12h}})};
  CHECK(starts(search(query(day_of(tuesday), 60min, 30min), people)) ==
        std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 09:30", "2024-03-12 10:00",
                                 "2024-03-12 10:30", "2024-03-12 11:00"});
}

TEST_CASE("busy time blocks the slots that overlap it and touching slots stay free",
          "[availability]") {
  auto alice = working("alice", "Etc/UTC", {{9h, 12h}});
  SECTION("an external busy block") {
    alice.busy = {between(utc(tuesday, 10h), utc(tuesday, 10h + 30min))};
    CHECK(starts(search(query(day_of(tuesday), 60min, 30min), {alice})) ==
          std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 10:30", "2024-03-12 11:00"});
  }
  SECTION("a booked interview") {
    alice.booked = {between(utc(tuesday, 10h), utc(tuesday, 11h))};
    CHECK(starts(search(query(day_of(tuesday), 60min, 60min), {alice})) ==
          std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 11:00"});
  }
  SECTION("two touching busy blocks act as one") {
    alice.busy = {between(utc(tuesday, 10h + 30min), utc(tuesday, 11h)),
                  between(utc(tuesday, 9h + 30min), utc(tuesday, 10h + 30min))};
    CHECK(starts(search(query(day_of(tuesday), 30min, 30min), {alice})) ==
          std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 11:00", "2024-03-12 11:30"});
  }
}

TEST_CASE("touching working ranges make one stretch a slot may straddle", "[availability]") {
  const std::vector people{working("alice", "Etc/UTC", {{10h, 11h}, {9h, 10h}})};
  CHECK(starts(search(query(day_of(tuesday), 60min, 30min), people)) ==
        std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 09:30", "2024-03-12 10:00"});
}

TEST_CASE("a panel gets only the slots where everyone is free at once", "[availability]") {
  auto alice = working("alice", "Etc/UTC");
  alice.busy = {between(utc(tuesday, 10h), utc(tuesday, 11h))};
  // Berlin is UTC+1 in March before the EU change: 09:00-17:00 there is 08:00-16:00 UTC.
  auto bernd = working("bernd", "Europe/Berlin");
  bernd.booked = {between(utc(tuesday, 13h), utc(tuesday, 14h))};
  CHECK(starts(search(query(day_of(tuesday), 60min, 60min), {alice, bernd})) ==
        std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 11:00", "2024-03-12 12:00",
                                 "2024-03-12 14:00", "2024-03-12 15:00"});
  const auto all = search(query(day_of(tuesday), 60min, 60min), {alice, bernd});
  CHECK_FALSE(all.front().interviewer.has_value());
}

TEST_CASE("round-robin gives each slot to the least loaded free interviewer", "[availability]") {
  auto ana = working("ana", "Etc/UTC", {{9h, 12h}});
  auto ben = working("ben", "Etc/UTC", {{9h, 12h}});
  const auto two_days = between(utc(tuesday), utc(tuesday) + 48h);

  SECTION("the one with fewer interviews in the window goes first") {
    ana.booked = {between(utc(wednesday, 9h), utc(wednesday, 10h)),
                  between(utc(wednesday, 10h), utc(wednesday, 11h))};
    ben.booked = {between(utc(tuesday, 10h), utc(tuesday, 11h))};
    CHECK(starts_by(search(query(two_days, 60min, 60min, SlotMode::any), {ana, ben})) ==
          std::vector<std::string>{"2024-03-12 09:00 by 1", "2024-03-12 10:00 by 0",
                                   "2024-03-12 11:00 by 1", "2024-03-13 09:00 by 1",
                                   "2024-03-13 10:00 by 1", "2024-03-13 11:00 by 1"});
  }
  SECTION("equal loads go to the one listed first") {
    CHECK(starts_by(search(query(day_of(tuesday), 60min, 60min, SlotMode::any), {ana, ben})) ==
          std::vector<std::string>{"2024-03-12 09:00 by 0", "2024-03-12 10:00 by 0",
                                   "2024-03-12 11:00 by 0"});
    CHECK(starts_by(search(query(day_of(tuesday), 60min, 60min, SlotMode::any), {ben, ana})) ==
          std::vector<std::string>{"2024-03-12 09:00 by 0", "2024-03-12 10:00 by 0",
                                   "2024-03-12 11:00 by 0"});
  }
  SECTION("a slot only one of them has is still offered, by that one") {
    ana.busy = {between(utc(tuesday, 9h), utc(tuesday, 12h))};
    ben.weekly = WeeklyHours::monday_to_friday({{11h, 13h}});
    CHECK(starts_by(search(query(day_of(tuesday), 60min, 60min, SlotMode::any), {ana, ben})) ==
          std::vector<std::string>{"2024-03-12 11:00 by 1", "2024-03-12 12:00 by 1"});
  }
}

TEST_CASE("buffers keep interviews apart like BookingService and keep external blocks clear",
          "[availability]") {
  auto alice = working("alice", "Etc/UTC", {{9h, 12h}});
  alice.buffer_before = 0min;
  alice.buffer_after = 30min;
  const auto q = query(day_of(tuesday), 30min, 15min);
  SECTION("a booked interview blocks the larger buffer on both sides") {
    alice.booked = {between(utc(tuesday, 10h), utc(tuesday, 11h))};
    CHECK(starts(search(q, {alice})) ==
          std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 11:30"});
  }
  SECTION("an external block needs the after-buffer before it and the before-buffer after it") {
    alice.busy = {between(utc(tuesday, 10h), utc(tuesday, 11h))};
    CHECK(starts(search(q, {alice})) ==
          std::vector<std::string>{"2024-03-12 09:00", "2024-03-12 11:00", "2024-03-12 11:15",
                                   "2024-03-12 11:30"});
  }
  SECTION("buffers may lie outside working hours") {
    alice.buffer_before = 30min;
    CHECK(starts(search(q, {alice})).front() == "2024-03-12 09:00");
    CHECK(starts(search(q, {alice})).back() == "2024-03-12 11:30");
  }
}

TEST_CASE("minimum notice moves the first slot to the next grid step after now plus notice",
          "[availability]") {
  auto q = query(day_of(tuesday), 30min, 30min);
  q.now = utc(tuesday, 9h + 10min);
  q.minimum_notice = 2h;
  CHECK(starts(search(q, {working("alice", "Etc/UTC", {{9h, 12h}})})) ==
        std::vector<std::string>{"2024-03-12 11:30"});
  q.now = utc(tuesday, 11h);
  CHECK(search(q, {working("alice", "Etc/UTC", {{9h, 12h}})}).empty());
}

TEST_CASE("a query that leaves now unset never offers a slot in the past",
          "[availability][package]") {
  const std::vector people{working("alice", "Etc/UTC", {{0h, 24h}})};
  auto past = query(day_of(tuesday), 30min, 30min);
  past.now.reset();
  CHECK(search(past, people).empty());  // March 2024 is over
  const auto before = date::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  const auto today = date::floor<date::days>(before);
  auto current = query(between(today, today + date::days{2}), 30min, 30min);
  current.now.reset();
  const auto slots = search(current, people);
  REQUIRE_FALSE(slots.empty());
  CHECK(slots.front().range.start() >= before);
  CHECK(slots.front().range.start() < before + 30min + 1s);  // the next grid step
}

TEST_CASE("slots lie inside the window on a grid that starts with it", "[availability]") {
  const std::vector people{working("alice", "Etc/UTC", {{9h, 12h}})};
  const auto window = between(utc(tuesday, 9h + 10min), utc(tuesday, 11h + 40min));
  CHECK(starts(search(query(window, 60min, 30min), people)) ==
        std::vector<std::string>{"2024-03-12 09:10", "2024-03-12 09:40", "2024-03-12 10:10",
                                 "2024-03-12 10:40"});
}

TEST_CASE("a daily cap closes the local days that already have enough interviews",
          "[availability]") {
  // 01:00 UTC on Wednesday is 21:00 on Tuesday in New York (EDT, UTC-4).
  auto nina = working("nina", "America/New_York", {{9h, 17h}});
  nina.booked = {between(utc(wednesday, 1h), utc(wednesday, 2h))};
  const auto q = query(between(utc(tuesday), utc(tuesday) + 48h), 8h, 60min);
  CHECK(starts(search(q, {nina})) ==
        std::vector<std::string>{"2024-03-12 13:00", "2024-03-13 13:00"});
  nina.daily_cap = 2;
  CHECK(search(q, {nina}).size() == 2);
  nina.daily_cap = 1;
  CHECK(starts(search(q, {nina})) == std::vector<std::string>{"2024-03-13 13:00"});
  nina.daily_cap = 0;
  CHECK(search(q, {nina}).empty());
}

TEST_CASE("date overrides replace the weekly hours on their date", "[availability]") {
  auto alice = working("alice", "Etc/UTC", {{9h, 11h}});
  alice.overrides = {
      DateOverride{date::local_days{wednesday}, {{15h, 16h}, {13h, 14h}}},
      DateOverride{date::local_days{tuesday}, {}},
      // A Saturday that is worked.
      DateOverride{date::local_days{year{2024} / March / 16}, {{10h, 11h}}},
  };
  const auto q = query(between(utc(tuesday), utc(tuesday) + 5 * 24h), 60min, 60min);
  CHECK(starts(search(q, {alice})) ==
        std::vector<std::string>{"2024-03-13 13:00", "2024-03-13 15:00", "2024-03-14 09:00",
                                 "2024-03-14 10:00", "2024-03-15 09:00", "2024-03-15 10:00",
                                 "2024-03-16 10:00"});
}

TEST_CASE("empty and full days have no slots and are not errors", "[availability]") {
  auto alice = working("alice", "Etc/UTC");
  SECTION("a weekend") {
    const auto saturday = year{2024} / March / 16;
    CHECK(
        search(query(between(utc(saturday), utc(saturday) + 48h), 30min, 15min), {alice}).empty());
  }
  SECTION("a day busy from start to end") {
    alice.busy = {between(utc(tuesday, 9h), utc(tuesday, 17h))};
    CHECK(search(query(day_of(tuesday), 30min, 15min), {alice}).empty());
  }
  SECTION("a window shorter than the slot") {
    CHECK(search(query(between(utc(tuesday, 9h), utc(tuesday, 9h + 30min)), 45min, 15min), {alice})
              .empty());
  }
  SECTION("a panel where one member has no hours that day") {
    auto bob = working("bob", "Etc/UTC");
    bob.overrides = {DateOverride{date::local_days{tuesday}, {}}};
    CHECK(search(query(day_of(tuesday), 30min, 15min), {alice, bob}).empty());
  }
}

TEST_CASE("slots carry their local times in the candidate's zone", "[availability]") {
  auto q = query(day_of(tuesday), 60min, 60min);
  q.candidate_time_zone = zone("Asia/Kathmandu");
  const auto slots = search(q, {working("alice", "Etc/UTC", {{14h, 16h}})});
  REQUIRE(slots.size() == 2);
  CHECK(slots[0].candidate_local == LocalTimeRange{date::local_days{tuesday} + 19h + 45min,
                                                   date::local_days{tuesday} + 20h + 45min});
  CHECK(local_starts(slots) == std::vector<std::string>{"2024-03-12 19:45", "2024-03-12 20:45"});
  q.candidate_time_zone.reset();
  CHECK_FALSE(search(q, {working("alice", "Etc/UTC", {{14h, 16h}})})[0].candidate_local);
}

TEST_CASE("a reused search gives the same answers as a fresh one", "[availability]") {
  SlotSearch reused;
  auto alice = working("alice", "Etc/UTC");
  auto bob = working("bob", "Europe/London");
  bob.busy = {between(utc(tuesday, 11h), utc(tuesday, 12h))};
  const std::vector people{alice, bob};
  for (const auto mode : {SlotMode::all, SlotMode::any, SlotMode::all}) {
    const auto q = query(day_of(tuesday), 45min, 15min, mode);
    const auto slots = reused.find(q, people).value();
    CHECK(std::vector<Slot>(slots.begin(), slots.end()) == search(q, people));
  }
}

TEST_CASE("queries and interviewers that make no sense are refused with the reason",
          "[availability]") {
  const std::vector people{working("alice", "Etc/UTC")};
  const auto message = [](const Result<std::vector<Slot>>& r) {
    REQUIRE_FALSE(r);
    CHECK(r.error().is<InvalidInput>());
    return r.error().message();
  };
  auto q = query(day_of(tuesday), 30min, 15min);
  CHECK_THAT(message(find_slots(q, std::vector<InterviewerAvailability>{})),
             Catch::Contains("at least one interviewer"));
  SECTION("slot duration") {
    q.duration = 0s;
    CHECK_THAT(message(find_slots(q, people)), Catch::Contains("slot duration 0 s"));
    q.duration = 25h;
    CHECK_THAT(message(find_slots(q, people)), Catch::Contains("at most 24 hours"));
  }
  SECTION("step") {
    q.step = 30s;
    CHECK_THAT(message(find_slots(q, people)), Catch::Contains("slot step 30 s"));
  }
  SECTION("window") {
    q.window = between(utc(tuesday), utc(tuesday) + 24h * 400);
    CHECK_THAT(message(find_slots(q, people)), Catch::Contains("longer than 366 days"));
  }
  SECTION("notice") {
    q.minimum_notice = -1min;
    CHECK_THAT(message(find_slots(q, people)), Catch::Contains("minimum notice -60 s"));
  }
  SECTION("working hours") {
    auto alice = working("alice", "Etc/UTC", {{17h, 9h}});
    CHECK_THAT(message(find_slots(q, std::vector{alice})),
               Catch::Contains("interviewer alice: working hours 17:00-09:00 on Monday"));
    alice.weekly = {};
    alice.weekly[date::Sunday] = {{9h, 25h}};
    CHECK_THAT(message(find_slots(q, std::vector{alice})),
               Catch::Contains("09:00-1500 min on Sunday"));
    alice.weekly = {};
    alice.overrides = {DateOverride{date::local_days{tuesday}, {{-1min, 9h}}}};
    CHECK_THAT(message(find_slots(q, std::vector{alice})), Catch::Contains("on 2024-03-12"));
  }
  SECTION("overrides twice for one date") {
    auto alice = working("alice", "Etc/UTC");
    alice.overrides = {DateOverride{date::local_days{wednesday}, {}},
                       DateOverride{date::local_days{tuesday}, {}},
                       DateOverride{date::local_days{wednesday}, {{9h, 10h}}}};
    CHECK_THAT(message(find_slots(q, std::vector{alice})),
               Catch::Contains("more than one override for 2024-03-13"));
  }
  SECTION("buffers") {
    auto alice = working("alice", "Etc/UTC");
    alice.buffer_after = -5min;
    CHECK_THAT(message(find_slots(q, std::vector{alice})),
               Catch::Contains("interviewer alice: buffer -300 s"));
  }
}
