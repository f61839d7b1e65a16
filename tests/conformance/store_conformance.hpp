// The Store conformance suite: written once, run against every Store. A test binary defines
// `ConformanceStores` (a std::tuple of factories with `static std::shared_ptr<Store> make()`)
// and includes this header.
#pragma once

#include <atomic>
#include <thread>

#include "conformance/store_samples.hpp"
#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

TEMPLATE_LIST_TEST_CASE("a store keeps interviews exactly as written", "[conformance]",
                        ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  auto booked = f.service->book(id, slot(12, 9h), recruiter()).value().interview;
  CHECK(store->find(id).value() == booked);
  CHECK(store->find(InterviewId{12345}).error().is<NotFound>());
  auto moved = f.service->reschedule(id, slot(13, 9h), recruiter()).value().interview;
  CHECK(store->find(id).value() == moved);
}

TEMPLATE_LIST_TEST_CASE("a failed or throwing transaction leaves no trace", "[conformance]",
                        ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  InterviewId written;
  auto failed = store->write([&](StoreTransaction& tx) -> Result<void> {
    written = tx.insert(sample_interview("c-1", "i-1")).value();
    return InvalidInput{"changed my mind"};
  });
  REQUIRE_FALSE(failed);
  CHECK(failed.error().message() == "invalid input: changed my mind");
  CHECK(store->find(written).error().is<NotFound>());

  CHECK_THROWS_AS(store->write([&](StoreTransaction& tx) -> Result<void> {
    written = tx.insert(sample_interview("c-1", "i-1")).value();
    throw std::runtime_error("boom");
  }),
                  std::runtime_error);
  CHECK(store->find(written).error().is<NotFound>());

  // The store is still usable afterwards.
  auto ok = store->write([&](StoreTransaction& tx) -> Result<void> {
    written = tx.insert(sample_interview("c-1", "i-1")).value();
    return {};
  });
  REQUIRE(ok);
  CHECK(store->find(written).value().candidate.id.str() == "c-1");
}

TEMPLATE_LIST_TEST_CASE("conflicts are found per person with touching slots allowed",
                        "[conformance][conflict]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  BookingOptions options{.test_mode = true};
  options.buffer_after = 10min;
  Fixture f(store, options);
  const auto a = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));
  const auto b = f.create("cand-2", {"int-1"}).id;
  auto clash = f.service->book(b, slot(12, 10h + 5min), recruiter());
  REQUIRE_FALSE(clash);
  CHECK(clash.error().get_if<SlotConflict>()->other == a);
  CHECK(f.service->book(b, slot(12, 10h + 10min), recruiter()));
  const auto c = f.create("cand-1", {"int-3"}).id;
  CHECK(f.service->book(c, slot(12, 9h + 30min), recruiter())
            .error()
            .get_if<SlotConflict>()
            ->person == "candidate:cand-1");
  REQUIRE(f.service->cancel(a, "freed", recruiter()));
  CHECK(f.service->book(c, slot(12, 9h + 30min), recruiter()));
  // A long-ago and a far-future interview never conflict.
  const auto d = f.create("cand-4", {"int-1"}).id;
  CHECK(f.service->book(d, slot(20, 9h), recruiter()));
}

TEMPLATE_LIST_TEST_CASE("the outbox is written with the booking and claimed under a lease",
                        "[conformance][outbox]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  auto all = store->list_outbox({.interview = id}).value();
  REQUIRE(all.size() == 4);  // scheduled + reminder, to two people
  CHECK(store->list_outbox({.state = OutboxState::pending}).value().size() == 4);
  CHECK(store->list_outbox({.limit = 3}).value().size() == 3);
  const auto now = f.clock->now();
  CHECK(store->next_due().value() == now);

  auto first = store->claim_due(now, 10, 1min).value();
  REQUIRE(first.size() == 2);  // the reminders are not due yet
  CHECK(first[0].attempts == 1);
  CHECK(first[0].claim == 1);
  CHECK(first[0].unfinished_claims == 1);
  CHECK(first[0].first_attempt_at == now);
  CHECK(first[0].claimed_until == now + 1min);
  CHECK(first[0].payload.get<Notification>().idempotency_key == first[0].idempotency_key);
  CHECK(store->claim_due(now, 10, 1min).value().empty());  // leased

  // The lease runs out: another worker takes over; the first worker's outcome is fenced.
  auto second = store->claim_due(now + 2min, 10, 1min).value();
  REQUIRE(second.size() == 2);
  CHECK(second[0].attempts == 2);
  CHECK(second[0].claim == 2);
  CHECK(second[0].unfinished_claims == 2);
  CHECK(second[0].first_attempt_at == now);  // the horizon starts at the first attempt
  CHECK_FALSE(
      store->complete(first[0].id, first[0].claim, {OutboxState::delivered}, now + 2min).value());
  CHECK_FALSE(store->renew(first[0].id, first[0].claim, now + 5min, now + 2min).value());
  CHECK(store->complete(second[0].id, 2, {OutboxState::delivered}, now + 2min).value());
  CHECK(store->complete(second[1].id, 2, {OutboxState::dead, {}, "550"}, now + 2min).value());
  CHECK(store->list_outbox({.state = OutboxState::delivered}).value().size() == 1);
  auto dead = store->list_outbox({.state = OutboxState::dead}).value();
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].last_error == "550");
  CHECK(dead[0].unfinished_claims == 0);  // an outcome was recorded
  CHECK(store->requeue(dead[0].id, now + 3min, {}).value());
  CHECK_FALSE(store->requeue(dead[0].id, now + 3min, {}).value());
  auto again = store->claim_due(now + 3min, 10, 1min).value();
  REQUIRE(again.size() == 1);
  CHECK(again[0].attempts == 1);  // a new round of attempts ...
  CHECK(again[0].claim == 3);     // ... under a fencing token that never goes back
  CHECK(again[0].first_attempt_at == now + 3min);
  // The worker that held claim 2 wakes up late: it cannot overwrite the new claim.
  CHECK_FALSE(store->complete(again[0].id, 2, {OutboxState::dead, {}, "late"}, now + 3min).value());
  // A retry scheduled for later is not claimed before its time.
  CHECK(store->complete(again[0].id, 3, {OutboxState::pending, now + 10min, "451"}, now + 3min)
            .value());
  CHECK(store->claim_due(now + 9min, 10, 1min).value().empty());
  CHECK(store->claim_due(now + 10min, 10, 1min).value().size() == 1);
  CHECK(store->find_outbox(again[0].id).value()->last_error == "451");
  CHECK_FALSE(store->find_outbox(OutboxId{999999}).value());
}

TEMPLATE_LIST_TEST_CASE("leases are renewed and given back by their holder only",
                        "[conformance][outbox][faults]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  REQUIRE(f.service->book(f.create().id, slot(12, 9h), recruiter()));
  const auto now = f.clock->now();
  auto claimed = store->claim_due(now, 1, 1min).value();
  REQUIRE(claimed.size() == 1);
  const auto id = claimed[0].id;
  CHECK(store->renew(id, 1, now + 10min, now).value());
  CHECK(store->claim_due(now + 5min, 10, 1min).value().size() == 1);  // only the other one
  CHECK(store->find_outbox(id).value()->claimed_until == now + 10min);
  // Given back unattempted: claimable at once, not counted as an attempt.
  CHECK(store->release(id, 1, now + 5min).value());
  auto back = store->claim_due(now + 5min, 10, 1min).value();
  REQUIRE(back.size() == 1);
  CHECK(back[0].id == id);
  CHECK(back[0].attempts == 1);
  CHECK(back[0].unfinished_claims == 1);
  CHECK(back[0].claim == 2);
  CHECK_FALSE(store->release(id, 1, now + 5min).value());  // claim 1 is long gone
}

TEMPLATE_LIST_TEST_CASE("every store gives the same answer for an unknown outbox id",
                        "[conformance][outbox][faults]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const OutboxId unknown{424242};
  const auto now = at(1, 0min);
  const auto is_invalid = [](const auto& r) {
    return !r && r.error().template is<InvalidInput>() &&
           r.error().message().find("424242") != std::string::npos;
  };
  CHECK(is_invalid(store->complete(unknown, 1, {OutboxState::delivered}, now)));
  CHECK(is_invalid(store->renew(unknown, 1, now, now)));
  CHECK(is_invalid(store->release(unknown, 1, now)));
  CHECK(is_invalid(store->requeue(unknown, now, {})));
  CHECK_FALSE(store->find_outbox(unknown).value());
}

TEMPLATE_LIST_TEST_CASE("claims without an outcome are counted until one is recorded",
                        "[conformance][outbox][faults]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  REQUIRE(f.service->book(f.create().id, slot(12, 9h), recruiter()));
  auto now = f.clock->now();
  std::uint32_t seen = 0;
  for (int crash = 0; crash < 4; ++crash) {  // each worker dies holding its claims
    auto claimed = store->claim_due(now, 10, 1min).value();
    REQUIRE(claimed.size() == 2);
    seen = claimed[0].unfinished_claims;
    now += 2min;
  }
  CHECK(seen == 4);
  auto last = store->claim_due(now, 10, 1min).value();
  REQUIRE(last.size() == 2);
  CHECK(
      store->complete(last[0].id, last[0].claim, {OutboxState::pending, now, "451"}, now).value());
  CHECK(store->find_outbox(last[0].id).value()->unfinished_claims == 0);
}

TEMPLATE_LIST_TEST_CASE("an idempotency record is never overwritten",
                        "[conformance][booking][faults]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto a = f.create("cand-1", {"int-1"});
  const auto b = f.create("cand-2", {"int-2"});
  const OperationOptions key{.idempotency_key = "shared-key"};
  REQUIRE(f.service->book(a.id, slot(12, 9h), recruiter(), key));
  auto other = f.service->book(b.id, slot(12, 9h), recruiter(), key);
  REQUIRE_FALSE(other);
  CHECK(other.error().is<InvalidInput>());
  CHECK(store->find(b.id).value().status == InterviewStatus::pending);
  auto raw = store->write([&](StoreTransaction& tx) -> Result<void> {
    return tx.save_idempotency({"shared-key", "other request", b});
  });
  CHECK_FALSE(raw);
}

TEMPLATE_LIST_TEST_CASE("idempotent booking holds in every store", "[conformance][booking]",
                        ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto id = f.create().id;
  const OperationOptions once{.idempotency_key = "book-1"};
  auto first = f.service->book(id, slot(12, 9h), recruiter(), once).value();
  auto second = f.service->book(id, slot(12, 9h), recruiter(), once).value();
  CHECK(first.interview == second.interview);
  CHECK(first.enqueued == second.enqueued);
  CHECK(store->list_outbox({}).value().size() == 4);
}

TEMPLATE_LIST_TEST_CASE("eight threads racing on one store give one winner",
                        "[conformance][conflict][concurrency]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  constexpr int threads = 8;
  std::vector<InterviewId> ids;
  for (int i = 0; i < threads; ++i) {
    ids.push_back(f.create(fmt::format("cand-{}", i), {"int-shared"}).id);
  }
  std::atomic<int> winners{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) {
    pool.emplace_back([&, i] {
      while (!go.load())
        std::this_thread::yield();
      if (f.service->book(ids[static_cast<std::size_t>(i)],
                          slot(12, 9h + std::chrono::minutes{i * 7}), recruiter())) {
        winners.fetch_add(1);
      }
    });
  }
  go.store(true);
  for (auto& t : pool)
    t.join();
  CHECK(winners.load() == 1);
}

TEMPLATE_LIST_TEST_CASE("busy intervals are the slots each interviewer holds in a window",
                        "[conformance][availability]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto panel = f.create("cand-1", {"int-1", "int-2"}).id;
  REQUIRE(f.service->book(panel, slot(12, 9h), recruiter()));
  const auto later = f.create("cand-2", {"int-1"}).id;
  REQUIRE(f.service->book(later, slot(12, 11h, 30min), recruiter()));
  // Starts the day before and runs into it.
  const auto overnight = f.create("cand-3", {"int-2"}).id;
  REQUIRE(f.service->book(overnight, slot(11, 20h, 6h), recruiter()));
  const auto elsewhere = f.create("cand-4", {"int-3"}).id;
  REQUIRE(f.service->book(elsewhere, slot(12, 9h), recruiter()));
  const auto cancelled = f.create("cand-5", {"int-1"}).id;
  REQUIRE(f.service->book(cancelled, slot(12, 13h), recruiter()));
  REQUIRE(f.service->cancel(cancelled, "freed", recruiter()));
  f.create("cand-6", {"int-1"});  // pending: holds no slot

  const std::vector ids{InterviewerId::make("int-1").value(), InterviewerId::make("int-2").value(),
                        InterviewerId::make("nobody").value()};
  const auto day = TimeRange::make(at(12, 0min), at(13, 0min)).value();
  CHECK(store->busy_intervals(ids, day).value() ==
        std::vector<BusyInterval>{{ids[0], slot(12, 9h), panel},
                                  {ids[0], slot(12, 11h, 30min), later},
                                  {ids[1], slot(11, 20h, 6h), overnight},
                                  {ids[1], slot(12, 9h), panel}});

  // Half-open: a window touching slots finds none, one minute into a slot finds it.
  CHECK(store->busy_intervals(ids, TimeRange::make(at(12, 10h), at(12, 11h)).value())
            .value()
            .empty());
  CHECK(store->busy_intervals(ids, TimeRange::make(at(12, 9h + 59min), at(12, 10h)).value())
            .value()
            .size() == 2);
  // Candidates are not interviewers; no ids, no intervals.
  CHECK(store->busy_intervals(std::vector{InterviewerId::make("cand-1").value()}, day)
            .value()
            .empty());
  CHECK(store->busy_intervals({}, day).value().empty());

  REQUIRE(f.service->reschedule(later, slot(13, 11h), recruiter()));
  CHECK(store->busy_intervals(std::span(ids).first(1), day).value() ==
        std::vector<BusyInterval>{{ids[0], slot(12, 9h), panel}});
}

TEMPLATE_LIST_TEST_CASE("candidate busy intervals are the slots a candidate holds in a window",
                        "[conformance][availability][package]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto first = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(first, slot(12, 9h), recruiter()));
  const auto overnight = f.create("cand-1", {"int-2"}).id;
  REQUIRE(f.service->book(overnight, slot(11, 22h, 4h), recruiter()));
  const auto cancelled = f.create("cand-1", {"int-3"}).id;
  REQUIRE(f.service->book(cancelled, slot(12, 13h), recruiter()));
  REQUIRE(f.service->cancel(cancelled, "freed", recruiter()));
  const auto other = f.create("cand-2", {"int-4"}).id;
  REQUIRE(f.service->book(other, slot(12, 11h), recruiter()));
  f.create("cand-1", {"int-5"});  // pending: holds no slot

  const auto cand = CandidateId::make("cand-1").value();
  const auto day = TimeRange::make(at(12, 0min), at(13, 0min)).value();
  CHECK(store->candidate_busy_intervals(cand, day).value() ==
        std::vector<CandidateBusyInterval>{{slot(11, 22h, 4h), overnight}, {slot(12, 9h), first}});
  // Half-open windows; interviewers are not candidates.
  CHECK(store->candidate_busy_intervals(cand, TimeRange::make(at(12, 10h), at(12, 11h)).value())
            .value()
            .empty());
  CHECK(store->candidate_busy_intervals(CandidateId::make("int-1").value(), day).value().empty());
  REQUIRE(f.service->reschedule(first, slot(14, 9h), recruiter()));
  CHECK(store->candidate_busy_intervals(cand, day).value() ==
        std::vector<CandidateBusyInterval>{{slot(11, 22h, 4h), overnight}});
}

// The guard a booking uses: whether a store checks at once or with the commit (PostgreSQL),
// the write fails with the conflict find_conflict names, and leaves nothing behind.
TEMPLATE_LIST_TEST_CASE("require_free fails the write with the conflict find_conflict names",
                        "[conformance][conflict][dispatch]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto a = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));
  const auto guarded = [&](const std::string& cand, const std::string& interviewer,
                           const TimeRange& window, InterviewId& written) {
    return store->write([&](StoreTransaction& tx) -> Result<void> {
      auto id = tx.insert(sample_interview(cand, interviewer));
      if (!id)
        return id.error();
      written = *id;
      auto next = sample_interview(cand, interviewer);
      next.id = *id;
      return tx.require_free(next, window);
    });
  };
  InterviewId refused_id;
  const Result<void> refused = guarded("cand-1", "int-1", slot(12, 9h + 30min), refused_id);
  REQUIRE_FALSE(refused);
  REQUIRE(refused.error().is<SlotConflict>());
  CHECK(refused.error().get_if<SlotConflict>()->other == a);
  CHECK(refused.error().get_if<SlotConflict>()->person == "candidate:cand-1");
  CHECK(store->find(refused_id).error().is<NotFound>());

  InterviewId by_window;  // a buffer's reach: the window decides, not a slot
  const Result<void> buffered =
      guarded("cand-2", "int-1", slot(12, 10h).widened(5min, 5min), by_window);
  REQUIRE_FALSE(buffered);
  CHECK(buffered.error().get_if<SlotConflict>()->person == "interviewer:int-1");

  InterviewId touching;
  CHECK(guarded("cand-2", "int-1", slot(12, 10h), touching));
  CHECK(store->find(touching));
}

TEMPLATE_LIST_TEST_CASE("the person key names who is double-booked, the same in every store",
                        "[conformance][conflict]", ConformanceStores) {
  // SlotConflict::person is "candidate:<id>" or "interviewer:<id>": part of the public answer
  // and of the stored conflict index (PostgreSQL builds it in a trigger), so pinned here.
  std::shared_ptr<Store> store = TestType::make();
  Fixture f(store);
  const auto a = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));
  const auto b = f.create("cand-2", {"int-1"}).id;
  auto clash = f.service->book(b, slot(12, 9h), recruiter());
  REQUIRE_FALSE(clash);
  CHECK(clash.error().get_if<SlotConflict>()->person == "interviewer:int-1");
  CHECK(clash.error().get_if<SlotConflict>()->other == a);

  auto probed = store->write([&](StoreTransaction& tx) -> Result<void> {
    const auto by_candidate =
        tx.find_conflict(sample_interview("cand-1", "int-9"), slot(12, 9h)).value();
    REQUIRE(by_candidate);
    CHECK(by_candidate->person == "candidate:cand-1");
    CHECK(by_candidate->other == a);
    const auto by_interviewer =
        tx.find_conflict(sample_interview("cand-9", "int-1"), slot(12, 9h + 59min)).value();
    REQUIRE(by_interviewer);
    CHECK(by_interviewer->person == "interviewer:int-1");
    // An id that looks like a key of the other kind is still its own person.
    CHECK_FALSE(tx.find_conflict(sample_interview("int-1", "cand-1"), slot(12, 9h)).value());
    return {};
  });
  CHECK(probed);
}

TEMPLATE_LIST_TEST_CASE("a transaction reads its own writes", "[conformance][conflict][outbox]",
                        ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto now = UtcMillis{at(1, 0min)};
  InterviewId id;
  auto written = store->write([&](StoreTransaction& tx) -> Result<void> {
    id = tx.insert(scheduled_interview("c-1", "i-1", slot(12, 9h))).value();
    CHECK(tx.load(id).value().slot == slot(12, 9h));
    // The interview inserted above already holds its slot for the conflict check ...
    const auto other = sample_interview("c-2", "i-1");
    const auto conflict = tx.find_conflict(other, slot(12, 9h + 30min)).value();
    REQUIRE(conflict);
    CHECK(conflict->other == id);
    CHECK(conflict->person == "interviewer:i-1");
    // ... and moving it within the transaction frees the old slot and holds the new one.
    auto moved = tx.load(id).value();
    moved.slot = slot(13, 9h);
    moved.version = 2;
    REQUIRE(tx.update(moved));
    CHECK(tx.load(id).value().version == 2);
    CHECK_FALSE(tx.find_conflict(other, slot(12, 9h + 30min)).value());
    CHECK(tx.find_conflict(other, slot(13, 9h)).value());
    // Messages enqueued here are superseded here, in id order, and only once.
    const std::vector messages{sample_message(id, "k-1", now), sample_message(id, "k-2", now)};
    REQUIRE(tx.enqueue(messages));
    const auto superseded =
        tx.supersede(id, NotificationKind::interview_scheduled, "moved", now + 1min).value();
    REQUIRE(superseded.size() == 2);
    CHECK(superseded[0].idempotency_key == "k-1");
    CHECK(superseded[0].id < superseded[1].id);
    CHECK(superseded[0].state == OutboxState::expired);
    CHECK(superseded[0].last_error == "moved");
    CHECK(superseded[0].updated_at == now + 1min);
    CHECK(tx.supersede(id, NotificationKind::interview_scheduled, "again", now).value().empty());
    return {};
  });
  REQUIRE(written);
  CHECK(store->find(id).value().slot == slot(13, 9h));
  const auto outbox = store->list_outbox({}).value();
  REQUIRE(outbox.size() == 2);
  CHECK(outbox[0].state == OutboxState::expired);
  CHECK(outbox[1].last_error == "moved");
  CHECK_FALSE(store->next_due().value());
}

TEMPLATE_LIST_TEST_CASE("claims take the oldest due first, also one whose lease ran out",
                        "[conformance][outbox]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto t0 = UtcMillis{at(1, 0min)};
  auto b = sample_message({}, "b", t0 + 30s);
  b.channel = "webhook";  // its own lane: not queued behind a (see the lane rule's test)
  interview_with_messages(*store, {sample_message({}, "a", t0), b});
  CHECK(store->next_due().value() == t0);

  auto first = store->claim_due(t0, 10, 1min).value();
  REQUIRE(first.size() == 1);
  CHECK(first[0].idempotency_key == "a");
  // A leased message is claimable when its lease ends; b is due before that.
  CHECK(store->next_due().value() == t0 + 30s);

  // a's worker died; by now both are claimable, and a, due first, goes first.
  auto next = store->claim_due(t0 + 2min, 1, 1min).value();
  REQUIRE(next.size() == 1);
  CHECK(next[0].idempotency_key == "a");
  CHECK(next[0].claim == 2);
  CHECK(next[0].unfinished_claims == 2);
  CHECK(store->find_outbox(next[0].id).value() == next[0]);  // the copy is what is stored
  auto rest = store->claim_due(t0 + 2min, 10, 1min).value();
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].idempotency_key == "b");
  CHECK(store->next_due().value() == t0 + 3min);
  CHECK(store->claim_due(t0 + 2min, 10, 1min).value().empty());
  CHECK(store->claim_due(t0 + 3min, 0, 1min).value().empty());  // a limit of 0 claims none
}

TEMPLATE_LIST_TEST_CASE("claims merge ended leases with due messages in due order",
                        "[conformance][outbox][dispatch]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto t0 = UtcMillis{at(1, 0min)};
  std::vector<OutboxMessage> messages;
  for (int k = 0; k < 8; ++k) {  // due every 10 s, each in a lane of its own
    messages.push_back(sample_message({}, fmt::format("m{}", k), t0 + k * 10s));
    messages.back().channel = fmt::format("lane-{}", k);
  }
  const auto id = interview_with_messages(*store, messages);
  const auto keys = [](const std::vector<OutboxMessage>& claimed) {
    std::vector<std::string> out;
    for (const auto& m : claimed)
      out.push_back(m.idempotency_key);
    return out;
  };
  using Keys = std::vector<std::string>;
  CHECK(keys(store->claim_due(t0 + 15s, 2, 1min).value()) == Keys{"m0", "m1"});  // to 75 s
  CHECK(keys(store->claim_due(t0 + 45s, 1, 5min).value()) == Keys{"m2"});        // to 345 s
  CHECK(store->next_due().value() == t0 + 30s);  // m3, before any lease ends
  // Enqueued late, due between m0 and m1: a due message among ended leases.
  auto late = sample_message(id, "n", t0 + 5s);
  late.channel = "lane-n";
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    return enqueued(tx.enqueue(std::vector{late}));
  }));
  CHECK(store->next_due().value() == t0 + 5s);
  // m0 and m1's leases have ended, m2's has not: due order across both kinds, and a limit
  // of exactly what is claimable.
  CHECK(keys(store->claim_due(t0 + 80s, 8, 1min).value()) ==
        Keys{"m0", "n", "m1", "m3", "m4", "m5", "m6", "m7"});
  CHECK(store->next_due().value() == t0 + 140s);  // the leases just taken end first
  CHECK(store->claim_due(t0 + 100s, 10, 1min).value().empty());
  CHECK(keys(store->claim_due(t0 + 400s, 3, 1min).value()) == Keys{"m0", "n", "m1"});
  CHECK(store->next_due().value() == t0 + 140s);  // m2 to m7, their leases ended then
}

TEMPLATE_LIST_TEST_CASE("an outbox idempotency key is used once", "[conformance][outbox]",
                        ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto now = UtcMillis{at(1, 0min)};
  const auto id = interview_with_messages(*store, {sample_message({}, "k-1", now)});
  auto again = store->write([&](StoreTransaction& tx) -> Result<void> {
    return enqueued(tx.enqueue(std::vector{sample_message(id, "k-1", now)}));
  });
  CHECK_FALSE(again);
  auto twice = store->write([&](StoreTransaction& tx) -> Result<void> {
    return enqueued(
        tx.enqueue(std::vector{sample_message(id, "k-2", now), sample_message(id, "k-2", now)}));
  });
  CHECK_FALSE(twice);
  const auto outbox = store->list_outbox({}).value();
  REQUIRE(outbox.size() == 1);
  CHECK(outbox[0].idempotency_key == "k-1");
}

TEMPLATE_LIST_TEST_CASE("enqueue_taking stores what enqueue stores, or takes nothing",
                        "[conformance][outbox][dispatch]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto now = UtcMillis{at(1, 0min)};
  const auto id = interview_with_messages(*store, {sample_message({}, "given", now)});
  std::vector taken{sample_message(id, "taken-1", now), sample_message(id, "taken-2", now)};
  taken[1].payload = nlohmann::json{{"recipient", {{"role", "candidate"}, {"id", "c-1"}}},
                                    {"interview", {{"version", 3}}}};
  taken[1].channel = "a-channel-name-longer-than-any-short-string";
  const auto expected = taken;
  REQUIRE(store->write(
      [&](StoreTransaction& tx) -> Result<void> { return enqueued(tx.enqueue_taking(taken)); }));
  for (std::size_t i = 0; i < 2; ++i) {  // what a report reads is left as given
    CHECK(taken[i].recipient == expected[i].recipient);
    CHECK(taken[i].channel == expected[i].channel);
    CHECK(taken[i].kind == expected[i].kind);
    CHECK(taken[i].due == expected[i].due);
  }
  const auto outbox = store->list_outbox({.interview = id}).value();
  REQUIRE(outbox.size() == 3);
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(outbox[i + 1].idempotency_key == expected[i].idempotency_key);
    CHECK(outbox[i + 1].message_token == expected[i].message_token);
    CHECK(outbox[i + 1].channel == expected[i].channel);
    CHECK(outbox[i + 1].payload == expected[i].payload);
  }
  CHECK(outbox[2].recipient == "candidate:c-1");  // derived from the payload taken
  CHECK(outbox[2].revision == 3);
  // A key used twice, even the second of one call, fails the call and takes nothing.
  std::vector twice{sample_message(id, "k", now), sample_message(id, "k", now)};
  CHECK_FALSE(store->write(
      [&](StoreTransaction& tx) -> Result<void> { return enqueued(tx.enqueue_taking(twice)); }));
  for (const auto& m : twice) {
    CHECK(m.payload == nlohmann::json{{"key", "k"}});
    CHECK(m.idempotency_key == "k");
    CHECK(m.message_token == "token-k");
  }
  CHECK(store->list_outbox({.interview = id}).value().size() == 3);
}

TEMPLATE_LIST_TEST_CASE("outbox queries match every set field and nothing else",
                        "[conformance][outbox]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto now = UtcMillis{at(1, 0min)};
  const auto first = interview_with_messages(
      *store, {sample_message({}, "a-1", now), sample_message({}, "a-2", now)});
  const auto second = interview_with_messages(*store, {sample_message({}, "b-1", now)});
  const auto keys = [&](const OutboxQuery& query) {
    std::vector<std::string> out;
    for (const auto& m : store->list_outbox(query).value())
      out.push_back(m.idempotency_key);
    return out;
  };
  CHECK(keys({}) == std::vector<std::string>{"a-1", "a-2", "b-1"});
  CHECK(keys({.interview = first}) == std::vector<std::string>{"a-1", "a-2"});
  CHECK(keys({.interview = second}) == std::vector<std::string>{"b-1"});
  // No interview is not "any interview": no message belongs to the unset id.
  CHECK(keys({.interview = InterviewId{}}).empty());
  CHECK(keys({.interview = InterviewId{424242}}).empty());
  CHECK(keys({.state = OutboxState::dead}).empty());
  CHECK(keys({.state = OutboxState::pending, .interview = second}) ==
        std::vector<std::string>{"b-1"});
  CHECK(keys({.limit = 2}) == std::vector<std::string>{"a-1", "a-2"});
  CHECK_FALSE(store->list_outbox({.limit = 0}));  // a page holds at least one message
}

TEMPLATE_LIST_TEST_CASE("a completion records its outcome exactly as asked",
                        "[conformance][outbox]", ConformanceStores) {
  std::shared_ptr<Store> store = TestType::make();
  const auto t0 = UtcMillis{at(1, 0min)};
  auto b = sample_message({}, "b", t0);
  b.channel = "webhook";  // its own lane: claimed beside a
  interview_with_messages(*store, {sample_message({}, "a", t0), b});
  auto claimed = store->claim_due(t0, 10, 1min).value();
  REQUIRE(claimed.size() == 2);
  // A retry without a time is due at once; a final outcome keeps the due time it had.
  REQUIRE(store->complete(claimed[0].id, 1, {OutboxState::pending, std::nullopt, "451"}, t0 + 1s)
              .value());
  REQUIRE(store->complete(claimed[1].id, 1, {OutboxState::dead, t0 + 1h, "550"}, t0 + 1s).value());
  const auto retry = store->find_outbox(claimed[0].id).value().value();
  CHECK(retry.state == OutboxState::pending);
  CHECK(retry.due == t0 + 1s);
  CHECK(retry.last_error == "451");
  CHECK_FALSE(retry.claimed_until);
  CHECK(retry.attempts == 1);
  CHECK(retry.claim == 1);
  CHECK(retry.unfinished_claims == 0);
  CHECK(retry.first_attempt_at == t0);
  CHECK(retry.updated_at == t0 + 1s);
  const auto dead = store->find_outbox(claimed[1].id).value().value();
  CHECK(dead.state == OutboxState::dead);
  CHECK(dead.due == t0);
  CHECK(dead.last_error == "550");
  // An outcome is final: neither the claim nor a requeue of a pending message changes it.
  CHECK_FALSE(store->complete(claimed[1].id, 1, {OutboxState::delivered}, t0 + 2s).value());
  CHECK_FALSE(store->requeue(claimed[0].id, t0 + 2s, {}).value());
  CHECK(store->next_due().value() == t0 + 1s);
}
#include "conformance/calendar_cache_conformance.hpp"
