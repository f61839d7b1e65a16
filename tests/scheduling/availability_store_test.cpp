// The slot search on what a Store holds: booked interviews block time, count towards caps and
// load, and every slot offered can be booked through BookingService.
#include "scheduling/availability_support.hpp"
#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

// New York is on EDT (UTC-4) on 12 March 2024: 09:00-17:00 there is 13:00-21:00 UTC.
SlotQuery tuesday_query(SlotMode mode = SlotMode::all) {
  return query(TimeRange::make(at(12, 0min), at(13, 0min)).value(), 60min, 15min, mode);
}

}  // namespace

TEST_CASE("slots from the store leave out booked interviews and their buffers", "[availability]") {
  BookingOptions options{.test_mode = true};
  options.buffer_after = 15min;
  Fixture f(std::make_shared<MemoryStore>(), options);
  const auto booked = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(booked, slot(12, 14h), recruiter()));
  const auto cancelled = f.create("cand-2", {"int-1"}).id;
  REQUIRE(f.service->book(cancelled, slot(12, 17h), recruiter()));
  REQUIRE(f.service->cancel(cancelled, "no longer needed", recruiter()));

  std::vector people{working("int-1", "America/New_York")};
  people[0].buffer_after = 15min;
  const auto q = tuesday_query();
  REQUIRE(load_booked(*f.store, q, people));
  CHECK(people[0].booked == std::vector{slot(12, 14h)});

  // 14:00-15:00 plus 15 minutes either side is blocked; working hours start at 13:00.
  const auto slots = find_slots(*f.store, q, people).value();
  CHECK(starts(slots).front() == "2024-03-12 15:15");
  CHECK(starts(slots).back() == "2024-03-12 20:00");
  CHECK(slots.size() == 20);

  SECTION("every slot offered books and the step before the first does not") {
    const auto next = f.create("cand-3", {"int-1"}).id;
    CHECK(f.service->book(next, slot(12, 15h), recruiter()).error().is<SlotConflict>());
    for (const auto& s : slots) {
      INFO(s.range);
      const auto fresh = f.create("cand-4", {"int-1"}).id;
      REQUIRE(f.service->book(fresh, s.range, recruiter()));
      REQUIRE(f.service->cancel(fresh, "trying the next one", recruiter()));
    }
  }
  SECTION("a slot booked is gone from the next search") {
    const auto next = f.create("cand-3", {"int-1"}).id;
    REQUIRE(f.service->book(next, slots.front().range, recruiter()));
    CHECK(starts(find_slots(*f.store, q, people).value()).front() == "2024-03-12 16:30");
  }
}

TEST_CASE("round-robin over the store prefers whoever has fewer interviews", "[availability]") {
  Fixture f;
  for (const auto hour : {13h, 15h}) {
    const auto id = f.create(fmt::format("cand-{}", hour.count()), {"busy-one"}).id;
    REQUIRE(f.service->book(id, slot(12, hour), recruiter()));
  }
  const auto id = f.create("cand-x", {"quiet-one"}).id;
  REQUIRE(f.service->book(id, slot(12, 18h), recruiter()));

  const std::vector people{working("busy-one", "America/New_York"),
                           working("quiet-one", "America/New_York")};
  const auto slots = find_slots(*f.store, tuesday_query(SlotMode::any), people).value();
  for (const auto& s : slots) {
    INFO(s.range);
    // quiet-one (1 interview) takes every slot it is free for; busy-one (2) the rest.
    const bool quiet_free = !s.range.overlaps(slot(12, 18h));
    CHECK(s.interviewer == (quiet_free ? 1U : 0U));
  }
  CHECK(starts_by(slots).front() == "2024-03-12 13:00 by 1");
}

TEST_CASE("a daily cap counts the interviews the store holds on that local day", "[availability]") {
  Fixture f;
  // 02:00 UTC on the 13th is 22:00 on the 12th in New York.
  const auto late = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(late, slot(13, 2h), recruiter()));
  auto people = std::vector{working("int-1", "America/New_York")};
  people[0].daily_cap = 1;
  CHECK(find_slots(*f.store, tuesday_query(), people).value().empty());
  people[0].daily_cap = 2;
  CHECK(find_slots(*f.store, tuesday_query(), people).value().size() == 29);
}

TEST_CASE("load_booked fills every listing of an interviewer and replaces what was there",
          "[availability]") {
  Fixture f;
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(12, 14h), recruiter()));
  std::vector people{working("int-1", "America/New_York"), working("int-2", "Europe/London"),
                     working("int-1", "America/New_York")};
  people[1].booked = {slot(12, 10h)};  // stale: the store knows better
  REQUIRE(load_booked(*f.store, tuesday_query(), people));
  CHECK(people[0].booked == std::vector{slot(12, 14h)});
  CHECK(people[1].booked.empty());
  CHECK(people[2].booked == std::vector{slot(12, 14h)});
  std::vector<InterviewerAvailability> nobody;
  CHECK(load_booked(*f.store, tuesday_query(), nobody));
}
