// PostgresStore writes from a revision the caller holds (StoreTransaction::load_held, through
// BookingService::book and reschedule given an Interview): one transaction and no round trip
// before the writes, the same outcome as the operation by id, a stale, altered or missing
// revision never written, and a lane's id order kept across servers. Against a real server.
#include <atomic>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <interviewkit/store/postgres_store.hpp>
#include <interviewkit/store/store_wrapper.hpp>

#include "support/fixture.hpp"
#include "support/pg_scalar.hpp"
#include "support/postgres_server.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

// Counts Store::write calls: an operation whose held revision was refused runs again by id,
// in a second write.
class CountingStore final : public StoreWrapper {
 public:
  using StoreWrapper::StoreWrapper;
  Result<void> write(const Work& work) override {
    ++writes;
    return target()->write(work);
  }
  std::atomic<int> writes{0};
};

// A booking service on a PostgresStore of database `url` (a server of several, numbered
// `server`, sharing it), its writes counted.
struct HeldFixture {
  explicit HeldFixture(std::string database = PostgresServer::shared().fresh_database(),
                       int server = 0)
      : url(std::move(database)),
        counting(std::make_shared<CountingStore>(PostgresStore::open({.url = url}).value())),
        f(counting) {
    // The first write from a held revision fills the store's reserve of outbox ids (with a
    // load, as by id); the tests write from held revisions after it.
    const auto n = std::to_string(server);
    (void)f.service->book(f.create("c-fill-" + n, {"i-fill-" + n}), slot(11, 9h), recruiter())
        .value();
  }
  // How far the outbox id sequence has been drawn.
  std::int64_t drawn() const { return scalar(url, "SELECT last_value FROM outbox_id_seq"); }

  std::string url;
  std::shared_ptr<CountingStore> counting;
  Fixture f;
};

// Every lane (recipient and channel) of interview `id`: ids ascend with the revision, so a
// dispatcher, which runs a lane in id order, sends each message after those of earlier
// revisions.
void check_lanes(Store& store, InterviewId id) {
  std::map<std::string, std::uint64_t> last;
  for (const auto& m : store.list_outbox({.interview = id}).value()) {
    auto& revision = last[m.recipient + " " + m.channel];
    INFO("message " << m.id.value() << " of revision " << m.revision << " to " << m.recipient);
    CHECK(m.revision >= revision);
    revision = m.revision;
  }
}

// Rows of `table` that belong to interview `id`.
std::int64_t rows_of(const std::string& url, std::string_view table, InterviewId id) {
  return scalar(url,
                fmt::format("SELECT count(*) FROM {} WHERE interview_id = {}", table, id.value()));
}

}  // namespace

TEST_CASE("a booking from the revision held writes in one go what a booking by id writes",
          "[postgres][booking][dispatch]") {
  HeldFixture h;
  auto& f = h.f;
  const auto by_id = f.service->book(f.create("c-1", {"i-1"}).id, slot(12, 10h), recruiter());
  REQUIRE(by_id);
  const auto held = f.create("c-2", {"i-2"});
  const auto drawn = h.drawn();
  const int writes = h.counting->writes;
  const auto booked = f.service->book(held, slot(12, 10h), recruiter());
  REQUIRE(booked);
  CHECK(h.counting->writes == writes + 1);  // the held revision was the stored one
  CHECK(h.drawn() == drawn);                // no ids drawn: no round trip before the writes
  CHECK(booked->interview.status == InterviewStatus::scheduled);
  CHECK(booked->interview.version == 2);
  CHECK(f.store->find(held.id).value() == booked->interview);
  const auto outbox = f.store->list_outbox({.interview = held.id}).value();
  REQUIRE(outbox.size() == by_id->enqueued.size());
  REQUIRE(booked->enqueued.size() == outbox.size());
  for (std::size_t i = 0; i < outbox.size(); ++i) {
    CHECK(booked->enqueued[i].outbox == outbox[i].id);
    CHECK(outbox[i].revision == 2);
    CHECK(outbox[i].payload["interview"]["meeting_link"] == booked->interview.meeting_link);
  }
  CHECK(f.entries(ActionType::interview_booked, held.id).size() == 1);
  CHECK(f.entries(ActionType::notification_enqueued, held.id).size() == outbox.size());
  // The slot is taken, for the next booking from a held revision as for any other.
  const auto clash = f.service->book(f.create("c-3", {"i-2"}), slot(12, 10h, 30min), recruiter());
  REQUIRE_FALSE(clash);
  REQUIRE(clash.error().is<SlotConflict>());
  CHECK(clash.error().get_if<SlotConflict>()->other == held.id);
  CHECK(clash.error().get_if<SlotConflict>()->person == "interviewer:i-2");
}

TEST_CASE("a stale, altered or missing revision held is never written",
          "[postgres][booking][dispatch]") {
  HeldFixture h;
  auto& f = h.f;
  const auto held = f.create("c-1", {"i-1"});

  SECTION("booked meanwhile: refused, as a second booking by id is") {
    (void)f.service->book(held.id, slot(12, 10h), recruiter()).value();
    const auto again = f.service->book(held, slot(12, 11h), recruiter());
    REQUIRE_FALSE(again);
    CHECK(again.error().is<IllegalTransition>());
    CHECK(f.store->find(held.id).value().slot == slot(12, 10h));
  }
  SECTION("rescheduled meanwhile: the stored revision is the one rescheduled") {
    const auto booked = f.service->book(held, slot(12, 10h), recruiter()).value().interview;
    // By another server: this one cannot know, and learns it from its write's check.
    HeldFixture other(h.url, 1);
    const auto moved = other.f.service->reschedule(held.id, slot(12, 11h), recruiter()).value();
    const int writes = h.counting->writes;
    const auto out = f.service->reschedule(booked, slot(12, 13h), recruiter());
    REQUIRE(out);
    CHECK(h.counting->writes == writes + 2);  // refused as held, then run by id
    CHECK(out->interview.version == moved.interview.version + 1);
    CHECK(out->interview.slot == slot(12, 13h));
    REQUIRE_FALSE(out->enqueued.empty());
    // Its notifications say where it moved from: the stored slot, not the held one.
    const auto message = f.store->find_outbox(out->enqueued.front().outbox).value().value();
    CHECK(message.payload["previous_slot"] == nlohmann::json(slot(12, 11h)));
    check_lanes(*f.store, held.id);
  }
  SECTION("cancelled meanwhile: the error is the stored revision's, not the held one's") {
    const auto booked = f.service->book(held, slot(12, 10h), recruiter()).value().interview;
    (void)f.service->cancel(held.id, "withdrawn", recruiter()).value();
    const auto again = f.service->book(booked, slot(12, 11h), recruiter());
    REQUIRE_FALSE(again);
    REQUIRE(again.error().is<IllegalTransition>());
    CHECK(again.error().get_if<IllegalTransition>()->from == InterviewStatus::cancelled);
  }
  SECTION("altered without a new version: the stored revision is the one booked") {
    auto altered = held;
    altered.title = "Not the title stored";
    altered.candidate.person = Participant::make("Someone Else", "else@example.com", "UTC").value();
    const auto out = f.service->book(altered, slot(12, 10h), recruiter());
    REQUIRE(out);
    CHECK(out->interview.title == held.title);
    CHECK(out->interview.candidate == held.candidate);
    CHECK(f.store->find(held.id).value() == out->interview);
  }
  SECTION("an expected version is compared with the stored one, not the held one") {
    (void)f.service->book(held.id, slot(12, 10h), recruiter()).value();  // version 2
    const auto stale = f.service->reschedule(held, slot(12, 11h), recruiter(),
                                             {.expected_version = 1, .idempotency_key = {}});
    REQUIRE_FALSE(stale);
    REQUIRE(stale.error().is<StaleVersion>());
    CHECK(stale.error().get_if<StaleVersion>()->actual == 2);
    CHECK(f.service
              ->reschedule(held, slot(12, 11h), recruiter(),
                           {.expected_version = 2, .idempotency_key = {}})
              .value()
              .interview.version == 3);
  }
  SECTION("gone: NotFound") {
    auto ghost = held;
    ghost.id = InterviewId{held.id.value() + 1000};
    const auto out = f.service->book(ghost, slot(12, 10h), recruiter());
    REQUIRE_FALSE(out);
    REQUIRE(out.error().is<NotFound>());
    CHECK(out.error().get_if<NotFound>()->id == ghost.id);
  }
}

TEST_CASE("two servers writing from revisions held keep each lane in enqueue order",
          "[postgres][dispatch][concurrency]") {
  // Each server's reserve of outbox ids was drawn at another time: a write from one server
  // after the other enqueued with larger ids must not slip its messages in front of them.
  HeldFixture a;
  HeldFixture b(a.url, 1);
  auto current =
      a.f.service->book(a.f.create("c-1", {"i-1"}), slot(13, 9h), recruiter()).value().interview;
  for (int i = 0; i < 6; ++i) {
    auto& server = i % 2 == 0 ? b : a;
    auto moved = server.f.service->reschedule(current, slot(13, (10 + i) * 60min), recruiter());
    REQUIRE(moved);
    current = moved->interview;
  }
  CHECK(current.version == 8);
  check_lanes(*a.f.store, current.id);
}

TEST_CASE("concurrent writes from one revision held all land, one after another",
          "[postgres][booking][dispatch][concurrency]") {
  HeldFixture a;
  HeldFixture b(a.url, 1);
  const auto booked =
      a.f.service->book(a.f.create("c-1", {"i-1"}), slot(13, 9h), recruiter()).value().interview;
  std::atomic<int> landed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto& server = t % 2 == 0 ? a : b;
      if (server.f.service->reschedule(booked, slot(14, (9 + t) * 60min), recruiter()))
        ++landed;
    });
  }
  for (auto& t : threads)
    t.join();
  CHECK(landed == 4);
  CHECK(a.f.store->find(booked.id).value().version == booked.version + 4);
  check_lanes(*a.f.store, booked.id);
}

TEST_CASE("a write from the revision held after changes made from an id takes no extra write",
          "[postgres][booking][dispatch]") {
  // confirm by id enqueues messages with ids drawn under the row lock, newer than the
  // reserve's: the next write from a held revision refills first instead of being refused.
  HeldFixture h;
  auto& f = h.f;
  const auto booked = f.service->book(f.create("c-1", {"i-1"}), slot(12, 10h), recruiter());
  REQUIRE(booked);
  const auto confirmed = f.service->confirm(booked->interview.id, recruiter());
  REQUIRE(confirmed);
  REQUIRE_FALSE(confirmed->enqueued.empty());
  const int writes = h.counting->writes;
  const auto moved = f.service->reschedule(confirmed->interview, slot(12, 13h), recruiter());
  REQUIRE(moved);
  CHECK(h.counting->writes == writes + 1);
  CHECK(moved->interview.version == confirmed->interview.version + 1);
  // The refill is drawn after the interview's ids: the next write from its held revision
  // takes ids from the reserve, without a round trip before its writes.
  const auto drawn = h.drawn();
  const auto again = f.service->reschedule(moved->interview, slot(12, 15h), recruiter());
  REQUIRE(again);
  CHECK(h.counting->writes == writes + 2);
  CHECK(h.drawn() == drawn);
  check_lanes(*f.store, booked->interview.id);
}

TEST_CASE("a revision held with text no store keeps is booked as the stored one",
          "[postgres][booking][dispatch]") {
  HeldFixture h;
  auto& f = h.f;
  const auto created = f.create("c-1", {"i-1"});
  auto held = created;
  held.title = "Technical \xff interview";  // not UTF-8: never the stored revision
  const auto booked = f.service->book(held, slot(12, 10h), recruiter());
  REQUIRE(booked);
  CHECK(booked->interview.title == created.title);
  held = created;
  held.version = std::numeric_limits<std::uint64_t>::max() - 1;  // past BIGINT
  const auto again = f.service->book(held, slot(12, 11h), recruiter());
  REQUIRE_FALSE(again);
  CHECK(again.error().is<IllegalTransition>());  // as by id: it is booked already
}

TEST_CASE("load_held sees the transaction's own write of the row", "[postgres][dispatch]") {
  HeldFixture h;
  auto& f = h.f;
  const auto v1 = f.create("c-1", {"i-1"});
  auto v2 = v1;
  v2.version = 2;
  v2.title = "Second revision";
  const auto written = f.store->write([&](StoreTransaction& tx) -> Result<void> {
    if (auto loaded = tx.load(v1.id); !loaded)
      return loaded.error();
    if (auto ok = tx.update(v2); !ok)
      return ok;
    auto held = tx.load_held(v2);
    return held ? Result<void>{} : Result<void>{held.error()};
  });
  CHECK(written);
  const auto stale = f.store->write([&](StoreTransaction& tx) -> Result<void> {
    auto v3 = v2;
    v3.version = 3;
    if (auto ok = tx.update(v3); !ok)
      return ok;
    auto held = tx.load_held(v2);  // the row is v3 in this transaction
    return held ? Result<void>{} : Result<void>{held.error()};
  });
  REQUIRE_FALSE(stale);
  REQUIRE(stale.error().is<StaleVersion>());
  CHECK(stale.error().get_if<StaleVersion>()->actual == 3);
  CHECK(f.store->find(v1.id).value() == v2);
}

TEST_CASE("a slot checked but not taken by the transaction is still checked in full",
          "[postgres][conflict][dispatch]") {
  // Without buffers require_free leaves the overlap to the people rows the transaction
  // writes; a transaction that writes none for that slot gets the whole check.
  HeldFixture h;
  auto& f = h.f;
  const auto booked = f.service->book(f.create("c-1", {"i-1"}), slot(12, 10h), recruiter());
  REQUIRE(booked);
  auto other = f.create("c-2", {"i-1"});
  other.status = InterviewStatus::scheduled;
  other.slot = slot(12, 10h, 30min);
  const auto check_only = f.store->write(
      [&](StoreTransaction& tx) -> Result<void> { return tx.require_free(other, *other.slot); });
  const auto elsewhere = f.store->write([&](StoreTransaction& tx) -> Result<void> {
    if (auto loaded = tx.load(other.id); !loaded)
      return loaded.error();
    if (auto ok = tx.require_free(other, *other.slot); !ok)
      return ok;
    auto moved = other;
    moved.slot = slot(12, 15h);
    return tx.update(moved);
  });
  for (const auto& result : {check_only, elsewhere}) {
    REQUIRE_FALSE(result);
    REQUIRE(result.error().is<SlotConflict>());
    CHECK(result.error().get_if<SlotConflict>()->other == booked->interview.id);
    CHECK(result.error().get_if<SlotConflict>()->person == "interviewer:i-1");
  }
  CHECK(f.store->find(other.id).value().status == InterviewStatus::pending);
}

TEST_CASE("a new interview checked before it is inserted does not conflict with itself",
          "[postgres][conflict][dispatch]") {
  HeldFixture h;
  auto& f = h.f;
  auto fresh = f.create("c-1", {"i-1"});
  fresh.id = InterviewId{};  // not stored yet: insert gives it an id
  fresh.status = InterviewStatus::scheduled;
  fresh.slot = slot(12, 17h);
  InterviewId stored;
  const auto written = f.store->write([&](StoreTransaction& tx) -> Result<void> {
    if (auto ok = tx.require_free(fresh, *fresh.slot); !ok)
      return ok;
    auto id = tx.insert(fresh);
    if (!id)
      return id.error();
    stored = *id;
    return {};
  });
  REQUIRE(written);
  CHECK(f.store->find(stored).value().slot == fresh.slot);
}

TEST_CASE("a booking an overlap refuses names the holder and leaves none of its writes",
          "[postgres][conflict][dispatch]") {
  // The people rows are the last statement of a booking's one implicit transaction: when
  // the exclusion constraint refuses them, the outbox rows and the row update written
  // before them go too, and the refusal names the interview in the way, whether
  // the library or a foreign writer booked it.
  HeldFixture h;
  auto& f = h.f;
  const auto ours = f.service->book(f.create("c-1", {"i-1"}), slot(12, 10h), recruiter());
  REQUIRE(ours);
  const auto foreign = f.create("c-2", {"i-2"});
  REQUIRE(PostgresServer::psql(h.url, fmt::format("UPDATE interviews SET status = 'scheduled', "
                                                  "slot = tstzrange('2024-03-12 14:00Z', "
                                                  "'2024-03-12 15:00Z') WHERE id = {}",
                                                  foreign.id.value())) == 0);
  struct Case {
    std::vector<std::string> interviewers;
    std::string candidate;
    TimeRange slot;
    InterviewId holder;
    std::string person;
  };
  const std::vector<Case> cases{
      {{"i-1"}, "c-3", slot(12, 10h, 30min), ours->interview.id, "interviewer:i-1"},
      {{"i-3"}, "c-1", slot(12, 10h + 30min), ours->interview.id, "candidate:c-1"},
      {{"i-4", "i-2"}, "c-4", slot(12, 14h, 30min), foreign.id, "interviewer:i-2"}};
  for (const auto& c : cases) {
    const auto held = f.create(c.candidate, c.interviewers);
    for (const bool by_id : {false, true}) {
      INFO(c.person << (by_id ? " by id" : " held"));
      const auto drawn = h.drawn();
      auto refused = by_id ? f.service->book(held.id, c.slot, recruiter())
                           : f.service->book(held, c.slot, recruiter());
      CHECK((h.drawn() == drawn) != by_id);  // held: the one implicit transaction, no load
      REQUIRE_FALSE(refused);
      REQUIRE(refused.error().is<SlotConflict>());
      CHECK(refused.error().get_if<SlotConflict>()->other == c.holder);
      CHECK(refused.error().get_if<SlotConflict>()->person == c.person);
      CHECK(f.store->find(held.id).value() == held);
      CHECK(rows_of(h.url, "outbox", held.id) == 0);
      CHECK(rows_of(h.url, "interview_people", held.id) == 0);
    }
  }
}

TEST_CASE("the people rows' writer names the holder of an overlap in its own transaction",
          "[postgres][conflict][dispatch]") {
  // interviewkit_write_people, called as the store calls it: the refusal is IK409 naming
  // the interview in the way and the person, decided by the server, not looked up later.
  HeldFixture h;
  auto& f = h.f;
  const auto booked = f.service->book(f.create("c-1", {"i-1"}), slot(12, 10h), recruiter());
  REQUIRE(booked);
  const auto other = f.create("c-2", {"i-1"});
  const auto start = slot(12, 10h).start();
  pqxx::connection c(h.url);
  pqxx::nontransaction tx(c);
  try {
    tx.exec(
        fmt::format("SELECT interviewkit_write_people({}, ARRAY['candidate:c-2', "
                    "'interviewer:i-1'], {}, {})",
                    other.id.value(), start.time_since_epoch().count() + 1800,
                    start.time_since_epoch().count() + 5400));
    FAIL("an overlapping people row was written");
  } catch (const pqxx::sql_error& e) {
    CHECK(e.sqlstate() == "IK409");
    CHECK(std::string(e.what()).find(fmt::format("slot taken by interview {} for interviewer:i-1",
                                                 booked->interview.id.value())) !=
          std::string::npos);
  }
  CHECK(rows_of(h.url, "interview_people", other.id) == 0);
}
