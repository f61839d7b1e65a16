// Slot search that knows the candidate too, and slot search from an interview: every start
// on the grid is offered exactly when BookingService would book it, for the candidate's
// other interviews as for the interviewers', on each store.
#include <algorithm>
#include <set>

#include <interviewkit/store/sqlite_store.hpp>

#include "scheduling/availability_support.hpp"
#include "support/fixture.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

// Tuesday 12 March 2024; New York is on EDT, so 09:00-17:00 there is 13:00-21:00 UTC.
const TimeRange tuesday = TimeRange::make(at(12, 0min), at(13, 0min)).value();

// Whether a slot starts at `start` ("2024-03-12 14:00", UTC).
bool offers(const std::vector<Slot>& slots, std::string_view start) {
  const auto all = starts(slots);
  return std::find(all.begin(), all.end(), start) != all.end();
}

InterviewSlotRequest on_tuesday() {
  return {.window = tuesday, .duration = 60min, .step = 15min};
}

// Every grid start in working hours: offered exactly when a new interview of the same people
// can be booked there (the booking is cancelled again, so the next try sees the same store).
void check_offered_exactly_when_bookable(Fixture& f, InterviewId id,
                                         const std::vector<Slot>& offered) {
  std::set<date::sys_seconds> offered_at;
  for (const auto& s : offered)
    offered_at.insert(s.range.start());
  const auto interview = f.service->get(id).value();
  for (auto at = tuesday.start() + 13h; at + 60min <= tuesday.start() + 21h; at += 15min) {
    const auto range = TimeRange::make(at, 60min).value();
    INFO(range);
    const auto probe =
        f.service->create({"probe", interview.candidate, interview.interviewers}, recruiter())
            .value();
    const auto booked = f.service->book(probe.id, range, recruiter());
    CHECK(booked.has_value() == offered_at.contains(at));
    if (booked)
      REQUIRE(f.service->cancel(probe.id, "probe", recruiter()));
  }
}

}  // namespace

TEST_CASE("a slot search leaves out the candidate's own interviews with the booking buffer",
          "[package][availability]") {
  BookingOptions options{.buffer_after = 15min};
  Fixture f(std::make_shared<MemoryStore>(), options);
  // The candidate's screening with someone else, 15:00-16:00 UTC.
  const auto screening = f.create("cand-1", {"int-9"}).id;
  REQUIRE(f.service->book(screening, slot(12, 15h), recruiter()));
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;

  const auto slots = f.service->find_slots(id, on_tuesday()).value();
  // 15:00-16:00 and 15 minutes either side are the candidate's: 13:00-13:45 then 16:15 on.
  CHECK(starts(slots).front() == "2024-03-12 13:00");
  CHECK(!offers(slots, "2024-03-12 14:00"));
  CHECK(offers(slots, "2024-03-12 13:45"));
  CHECK(offers(slots, "2024-03-12 16:15"));
  CHECK(!offers(slots, "2024-03-12 16:00"));
  check_offered_exactly_when_bookable(f, id, slots);

  SECTION("round-robin too (the pure search over the store, for a pool)") {
    auto input = f.service->slot_search(id, on_tuesday()).value();
    input.query.mode = SlotMode::any;
    const auto any = find_slots(*f.store, input.query, input.interviewers).value();
    CHECK(!offers(any, "2024-03-12 15:00"));
    CHECK(offers(any, "2024-03-12 13:45"));
  }
}

TEST_CASE("a slot search from an interview refuses round-robin: the interview books everyone",
          "[package][availability]") {
  // Round-robin offers a slot when any one interviewer is free, but book and reschedule
  // need every interviewer of the interview: such a slot would not book.
  Fixture f(std::make_shared<MemoryStore>());
  const auto other = f.create("cand-9", {"int-2"}).id;
  REQUIRE(f.service->book(other, slot(12, 15h), recruiter()));
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  auto request = on_tuesday();
  request.mode = SlotMode::any;
  const auto refused = f.service->find_slots(id, request);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind() == ErrorKind::invalid_input);
  CHECK(refused.error().message().find("round-robin") != std::string::npos);
}

TEST_CASE("a slot search from an interview never offers a slot starting at the service's now",
          "[package][availability]") {
  Fixture f(std::make_shared<MemoryStore>());
  const auto id = f.create("cand-1", {"int-1"}).id;
  // The service's clock reads 14:00:00.250 UTC on the Tuesday, inside working hours.
  f.clock->set(UtcMillis{at(12, 14h)} + std::chrono::milliseconds{250});
  const auto slots = f.service->find_slots(id, on_tuesday()).value();
  REQUIRE_FALSE(slots.empty());
  INFO(slots.front().range);
  // The first slot offered books, as find_slots promises.
  const auto booked = f.service->book(id, slots.front().range, recruiter());
  CAPTURE(booked ? std::string("booked") : booked.error().message());
  CHECK(booked.has_value());
}

TEST_CASE("a slot search from an interview takes its people, zones and the service's buffers",
          "[package][availability]") {
  BookingOptions options{.buffer_before = 30min};
  Fixture f(std::make_shared<MemoryStore>(), options);
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  const auto input = f.service->slot_search(id, on_tuesday()).value();
  REQUIRE(input.interviewers.size() == 2);
  CHECK(input.interviewers[0].id == InterviewerId::make("int-1").value());
  CHECK(input.interviewers[1].time_zone.name() == "America/New_York");
  CHECK(input.interviewers[0].buffer_before == 30min);
  CHECK(input.query.candidate_buffer == 30min);
  CHECK(input.query.candidate == CandidateId::make("cand-1").value());
  CHECK(input.query.candidate_time_zone->name() == "Asia/Kathmandu");
  // The first whole second after the clock: the earliest start book accepts.
  CHECK(*input.query.now == date::floor<std::chrono::seconds>(f.clock->now()) + 1s);
  CHECK(input.query.duration == 60min);

  const auto slots = f.service->find_slots(id, on_tuesday()).value();
  REQUIRE(slots.size() == 29);  // 13:00 to 20:00 every 15 minutes
  // Kathmandu is UTC+5:45: 13:00 UTC is 18:45 there.
  CHECK(local_starts(slots).front() == "2024-03-12 18:45");

  SECTION("per-interviewer hours") {
    auto request = on_tuesday();
    request.hours_by_interviewer.push_back(
        {InterviewerId::make("int-2").value(), WeeklyHours::monday_to_friday({{9h, 12h}})});
    const auto morning = f.service->find_slots(id, request).value();
    CHECK(starts(morning).front() == "2024-03-12 13:00");
    CHECK(starts(morning).back() == "2024-03-12 15:00");
  }
}

TEST_CASE("rescheduling: the interview's own slot blocks nobody, and its length is the default",
          "[package][availability]") {
  BookingOptions options{.buffer_after = 15min};
  Fixture f(std::make_shared<MemoryStore>(), options);
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(12, 14h, 90min), recruiter()));
  auto request = on_tuesday();
  request.duration.reset();
  const auto slots = f.service->find_slots(id, request).value();
  REQUIRE_FALSE(slots.empty());
  CHECK(slots.front().range.duration() == 90min);
  CHECK(offers(slots, "2024-03-12 14:00"));
  for (const auto& s : slots)
    CHECK(f.service->reschedule(id, s.range, recruiter()));  // each one moves it there
}

TEST_CASE("a slot search for an interview that is over, or unknown, is refused",
          "[package][availability]") {
  Fixture f;
  const auto id = f.create().id;
  REQUIRE(f.service->cancel(id, "position filled", recruiter()));
  const auto over = f.service->find_slots(id, on_tuesday());
  REQUIRE_FALSE(over);
  CHECK(over.error().message().find("cannot take a slot") != std::string::npos);
  CHECK(f.service->find_slots(InterviewId{999}, on_tuesday()).error().is<NotFound>());
  auto bad = on_tuesday();
  bad.step = 0min;
  CHECK(f.service->find_slots(f.create("cand-2").id, bad).error().kind() ==
        ErrorKind::invalid_input);
}

TEST_CASE("the candidate's interviews come from a real SQLite file", "[package][availability]") {
  TempDir dir("candidate-slots");
  BookingOptions options{.buffer_after = 15min};
  Fixture f(SqliteStore::open(dir.path() / "hiring.db").value(), options);
  const auto screening = f.create("cand-1", {"int-9"}).id;
  REQUIRE(f.service->book(screening, slot(12, 15h), recruiter()));
  const auto id = f.create("cand-1", {"int-1"}).id;
  const auto slots = f.service->find_slots(id, on_tuesday()).value();
  CHECK(!offers(slots, "2024-03-12 15:00"));
  check_offered_exactly_when_bookable(f, id, slots);
}

TEST_CASE("buffers longer than a day are refused, by the search and by the service",
          "[package][availability]") {
  // The store layer loads a day around the window (the longest interview, the longest
  // buffer): a longer candidate buffer would miss interviews it covers.
  auto q = query(tuesday, 60min, 15min);
  q.candidate_buffer = std::chrono::hours{6 * 24};
  const std::vector people{working("int-1", "America/New_York")};
  const auto pure = find_slots(q, people);
  REQUIRE_FALSE(pure);
  CHECK(pure.error().message().find("candidate buffer") != std::string::npos);
  Fixture f(std::make_shared<MemoryStore>());
  CHECK_FALSE(find_slots(*f.store, q, people));

  // The service's buffers are the search's, so BookingService::make bounds them alike.
  auto store = std::make_shared<MemoryStore>();
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  const auto refused =
      BookingService::make(store, log, {.buffer_after = std::chrono::hours{30}, .test_mode = true});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message().find("24 hours") != std::string::npos);
}

TEST_CASE("the pure search refuses a negative candidate buffer", "[package][availability]") {
  auto q = query(tuesday, 60min, 15min);
  q.candidate_buffer = -1s;
  const auto refused = find_slots(q, std::vector{working("int-1", "America/New_York")});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message().find("candidate buffer") != std::string::npos);
}

TEST_CASE("format_local_time for a person is the time in their own zone", "[package]") {
  const auto ann = candidate("c-1", "Asia/Kolkata").person;
  CHECK(format_local_time(at(12, 14h), ann) == "Tue 12 Mar 2024, 19:30 IST (UTC+5:30)");
}
