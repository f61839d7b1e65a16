// Double booking is impossible: overlaps, touching slots, buffers, candidates, races.
#include <atomic>
#include <thread>

#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

TEST_CASE("an interviewer cannot hold two overlapping interviews", "[conflict]") {
  Fixture f;
  const auto first = f.create("cand-1", {"int-1"}).id;
  const auto second = f.create("cand-2", {"int-1", "int-2"}).id;
  REQUIRE(f.service->book(first, slot(12, 9h), recruiter()));

  auto clash = f.service->book(second, slot(12, 9h + 30min), recruiter());
  REQUIRE_FALSE(clash);
  const auto* conflict = clash.error().get_if<SlotConflict>();
  REQUIRE(conflict != nullptr);
  CHECK(conflict->other == first);
  CHECK(conflict->person == "interviewer:int-1");
  CHECK(f.service->get(second)->status == InterviewStatus::pending);

  SECTION("touching slots are not a conflict") {
    CHECK(f.service->book(second, slot(12, 10h), recruiter()));
    CHECK(f.service->book(f.create("cand-3", {"int-1"}).id, slot(12, 8h), recruiter()));
  }
  SECTION("a containing slot conflicts too") {
    CHECK_FALSE(f.service->book(second, slot(12, 8h, 180min), recruiter()));
  }
  SECTION("a cancelled, completed or no-show interview frees its slot") {
    SECTION("cancel") {
      REQUIRE(f.service->cancel(first, "moved", recruiter()));
    }
    SECTION("complete") {
      f.clock->set(UtcMillis{at(12, 9h)});
      REQUIRE(f.service->complete(first, recruiter()));
    }
    SECTION("no-show") {
      f.clock->set(UtcMillis{at(12, 9h)});
      REQUIRE(f.service->mark_no_show(first, recruiter()));
    }
    // Half an hour into the freed slot: still ahead of the clock, which had to reach the
    // start of `first` before it could be completed or marked a no-show.
    CHECK(f.service->book(second, slot(12, 9h + 30min), recruiter()));
  }
  SECTION("rescheduling onto a taken slot is refused; onto its own slot is fine") {
    REQUIRE(f.service->book(second, slot(12, 11h), recruiter()));
    auto onto = f.service->reschedule(second, slot(12, 9h + 15min), recruiter());
    REQUIRE_FALSE(onto);
    CHECK(onto.error().get_if<SlotConflict>()->other == first);
    CHECK(f.service->reschedule(first, slot(12, 9h + 15min), recruiter()));
  }
}

TEST_CASE("a candidate cannot hold two overlapping interviews", "[conflict]") {
  Fixture f;
  const auto a = f.create("cand-1", {"int-1"}).id;
  const auto b = f.create("cand-1", {"int-2"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));
  auto clash = f.service->book(b, slot(12, 9h + 59min), recruiter());
  REQUIRE_FALSE(clash);
  CHECK(clash.error().get_if<SlotConflict>()->person == "candidate:cand-1");
  CHECK(f.service->book(b, slot(12, 10h), recruiter()));
}

TEST_CASE("buffers keep interviews apart", "[conflict]") {
  BookingOptions options{.test_mode = true};
  options.buffer_before = std::chrono::minutes{10};
  options.buffer_after = std::chrono::minutes{15};
  Fixture f(std::make_shared<MemoryStore>(), options);
  const auto a = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));  // 9:00-10:00

  const auto b = f.create("cand-2", {"int-1"}).id;
  CHECK(f.service->book(b, slot(12, 10h + 14min), recruiter()).error().is<SlotConflict>());
  CHECK(f.service->book(b, slot(12, 7h + 46min), recruiter()).error().is<SlotConflict>());
  CHECK(f.service->book(b, slot(12, 10h + 15min), recruiter()));
  const auto c = f.create("cand-3", {"int-1"}).id;
  CHECK(f.service->book(c, slot(12, 7h + 45min), recruiter()));
}

TEST_CASE("eight threads racing for overlapping slots give exactly one winner",
          "[conflict][concurrency]") {
  Fixture f;
  constexpr int threads = 8;
  for (int round = 0; round < 5; ++round) {
    std::vector<InterviewId> ids;
    for (int i = 0; i < threads; ++i) {
      ids.push_back(f.create(fmt::format("cand-{}-{}", round, i), {"int-shared"}).id);
    }
    std::atomic<int> winners{0};
    std::atomic<int> conflicts{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> pool;
    for (int i = 0; i < threads; ++i) {
      pool.emplace_back([&, i] {
        while (!go.load())
          std::this_thread::yield();
        auto booked =
            f.service->book(ids[static_cast<std::size_t>(i)],
                            slot(12 + round, 9h + std::chrono::minutes{i * 5}), recruiter());
        if (booked) {
          winners.fetch_add(1);
        } else if (booked.error().is<SlotConflict>()) {
          conflicts.fetch_add(1);
        }
      });
    }
    go.store(true);
    for (auto& t : pool)
      t.join();
    CHECK(winners.load() == 1);
    CHECK(conflicts.load() == threads - 1);
  }
}
