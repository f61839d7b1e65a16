// PostgresStore against a real PostgreSQL server: the conformance suite, the database's own
// guarantees, and scale-out across processes.
#include <fstream>
#include <map>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <tuple>
#include <unistd.h>

#include <interviewkit/store/postgres_store.hpp>

#include "support/fixture.hpp"
#include "support/pg_scalar.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"

namespace {
struct PostgresFactory {
  static std::shared_ptr<interviewkit::Store> make() {
    auto url = interviewkit::testing::PostgresServer::shared().fresh_database();
    return interviewkit::PostgresStore::open({.url = url}).value();
  }
};
}  // namespace

using ConformanceStores = std::tuple<PostgresFactory>;

#include "conformance/outbox_query_conformance.hpp"
#include "conformance/store_conformance.hpp"

using ActionStores = std::tuple<PostgresFactory>;

#include "conformance/action_store_conformance.hpp"

namespace {

std::string fresh() {
  return PostgresServer::shared().fresh_database();
}

}  // namespace

TEST_CASE("unreachable servers and bad credentials are clear errors", "[postgres]") {
  auto down = PostgresStore::open(
      {.url = fmt::format("postgresql://postgres@127.0.0.1:{}/x", closed_port())});
  REQUIRE_FALSE(down);
  CHECK(down.error().is<Unavailable>());
  CHECK(down.error().message().find("cannot connect") != std::string::npos);

  const auto url = fresh();
  auto nobody = PostgresStore::open(
      {.url = url.substr(0, url.find("postgres@")) + "nobody@" + url.substr(url.find('@') + 1)});
  REQUIRE_FALSE(nobody);
  CHECK(nobody.error().message().find("nobody") != std::string::npos);
  CHECK_FALSE(PostgresStore::open({.url = ""}));
}

TEST_CASE("the database itself refuses an overlapping booking, even from a foreign writer",
          "[postgres][conflict]") {
  const auto url = fresh();
  auto store = PostgresStore::open({.url = url}).value();
  Fixture f(store);
  const auto a = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));
  const auto b = f.create("cand-2", {"int-1"}).id;
  // A writer that bypasses the library: copies b's row into a booked state over a's slot.
  const auto sql = fmt::format(
      "UPDATE interviews SET status = 'scheduled', slot = tstzrange('2024-03-12 09:30Z', "
      "'2024-03-12 10:30Z') WHERE id = {}",
      b.value());
  CHECK(PostgresServer::psql(url, sql) != 0);
  CHECK(f.service->get(b)->status == InterviewStatus::pending);
  // Through the library the same attempt is a SlotConflict naming the holder.
  auto clash = f.service->book(b, slot(12, 9h + 30min), recruiter());
  REQUIRE_FALSE(clash);
  CHECK(clash.error().get_if<SlotConflict>()->other == a);
}

// The store writes its people rows itself (schema 4), and rewrites them on every write of the
// interview, as the trigger did: rows a foreign writer left wrong do not outlive the store's
// next write of that interview.
TEST_CASE("a store write puts right the people rows a foreign writer left wrong",
          "[postgres][conflict][dispatch]") {
  const auto url = fresh();
  auto store = PostgresStore::open({.url = url}).value();
  Fixture f(store);
  const auto a = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));
  // Columns only: the trigger drops the rows, the JSON body still says scheduled.
  REQUIRE(PostgresServer::psql(
              url, fmt::format("UPDATE interviews SET status = 'cancelled' WHERE id = {}",
                               a.value())) == 0);
  REQUIRE(f.service->confirm(a, recruiter()));
  const auto b = f.create("cand-2", {"int-1"}).id;
  auto clash = f.service->book(b, slot(12, 9h), recruiter());
  REQUIRE_FALSE(clash);
  CHECK(clash.error().get_if<SlotConflict>()->other == a);

  // Rows deleted behind the store's back come back with its next write.
  REQUIRE(PostgresServer::psql(url, fmt::format("DELETE FROM interview_people WHERE "
                                                "interview_id = {}",
                                                a.value())) == 0);
  REQUIRE(f.service->reschedule(a, slot(12, 11h), recruiter()));
  auto later = f.service->book(b, slot(12, 11h), recruiter());
  REQUIRE_FALSE(later);
  CHECK(later.error().get_if<SlotConflict>()->other == a);
  REQUIRE(f.service->book(b, slot(12, 9h), recruiter()));
}

// The foreign keys' duties on delete, kept by a trigger (schema 4): an interview with outbox
// messages is not deleted, and a deleted one leaves no people rows to block a calendar.
TEST_CASE("deleting an interview takes its people rows, and is refused while it has messages",
          "[postgres][conflict][dispatch]") {
  const auto url = fresh();
  auto store = PostgresStore::open({.url = url}).value();
  Fixture f(store);
  const auto a = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(a, slot(12, 9h), recruiter()));
  CHECK(PostgresServer::psql(url, fmt::format("DELETE FROM interviews WHERE id = {}", a.value())) !=
        0);
  CHECK(PostgresServer::psql(url, "TRUNCATE interviews") != 0);
  CHECK(f.service->get(a));
  REQUIRE(PostgresServer::psql(url, fmt::format("DELETE FROM outbox WHERE interview_id = {0}; "
                                                "DELETE FROM interviews WHERE id = {0}",
                                                a.value())) == 0);
  const auto b = f.create("cand-2", {"int-1"}).id;
  REQUIRE(f.service->book(b, slot(12, 9h), recruiter()));
}

TEST_CASE("two servers migrating one database at once do not race", "[postgres]") {
  const auto url = fresh();
  std::vector<std::thread> servers;
  std::atomic<int> opened{0};
  for (int i = 0; i < 4; ++i) {
    servers.emplace_back([&] {
      if (PostgresStore::open({.url = url}))
        opened.fetch_add(1);
    });
  }
  for (auto& t : servers)
    t.join();
  CHECK(opened.load() == 4);
}

TEST_CASE("a lost connection fails the operation cleanly and the next one reconnects",
          "[postgres]") {
  const auto url = fresh();
  auto store = PostgresStore::open({.url = url, .pool_size = 2}).value();
  Fixture f(store);
  const auto id = f.create().id;
  CHECK(store->find(id));
  // Kill every other connection to this database, as a failover or a DBA would.
  REQUIRE(PostgresServer::psql(url,
                               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                               "datname = current_database() AND pid <> pg_backend_pid()") == 0);
  auto lost = store->find(id);
  if (!lost) {  // the pooled connection was the one killed
    CHECK(lost.error().is<Unavailable>());
    CHECK(lost.error().message().find("connection lost") != std::string::npos);
  }
  auto again = f.service->book(id, slot(12, 9h), recruiter());
  if (!again)
    again = f.service->book(id, slot(12, 9h), recruiter());  // retried by the caller
  REQUIRE(again);
  CHECK(store->find(id)->status == InterviewStatus::scheduled);
}

// A write that needs no answer before its end goes in one round trip with its commit, so a
// connection lost on the way leaves its outcome unknown: it must not be sent on a pooled
// connection the server has already closed.
TEST_CASE("a pooled connection the server closed while idle is replaced before it is used",
          "[postgres][dispatch]") {
  const auto url = fresh();
  // No retries: a write sent on the dead connection would fail, not run again.
  auto store = PostgresStore::open({.url = url, .pool_size = 1, .retries = 0}).value();
  Fixture f(store);
  const auto clients =
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
      "AND backend_type = 'client backend' AND pid <> pg_backend_pid()";
  const auto kill_idle = [&] {
    REQUIRE(PostgresServer::psql(url,
                                 "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                                 "datname = current_database() AND backend_type = 'client "
                                 "backend' AND pid <> pg_backend_pid()") == 0);
    for (int i = 0; i < 500 && scalar(url, clients) > 0; ++i)
      std::this_thread::sleep_for(10ms);
    REQUIRE(scalar(url, clients) == 0);
    std::this_thread::sleep_for(50ms);  // the backend leaves the view just before it closes
  };
  // The first booking fills the store's outbox id reserve; the next is one round trip.
  REQUIRE(f.service->book(f.create("cand-0"), slot(11, 9h), recruiter()));
  const auto created = f.create();
  kill_idle();
  const auto booked = f.service->book(created, slot(12, 9h), recruiter());
  REQUIRE(booked);
  kill_idle();
  const auto second =
      f.service->create({"Second", candidate("cand-2"), {interviewer("int-2")}}, recruiter());
  REQUIRE(second);
  kill_idle();
  CHECK(f.service->get(created.id).value() == booked->interview);
  CHECK(store->find(second->id));
}

TEST_CASE("the ActionLog lives in the same PostgreSQL database", "[postgres][action-log]") {
  auto store = PostgresStore::open({.url = fresh()}).value();
  auto sink = StoreSink::make(store).value();
  Fixture f(store);
  f.log = ActionLog::make(sink).value();
  f.service =
      BookingService::make(store, f.log, with_clock(BookingOptions{.test_mode = true}, f.clock))
          .value();
  f.dispatcher =
      Dispatcher::make(store,
                       std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
                         return DeliveryOutcome::permanent_failure("550 no such user");
                       }),
                       f.log, with_clock(Fixture::fast_retries(), f.clock))
          .value();
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.drain();
  CHECK(sink->query({.action = ActionType::notification_dead_lettered, .interview = id}).size() ==
        2);
  CHECK(sink->query({.action = ActionType::interview_booked}).size() == 1);
  CHECK(sink->query({.until = UtcMillis{}}).empty());
}

TEST_CASE("four processes booking overlapping slots leave no overlap", "[postgres][conflict]") {
  const auto url = fresh();
  std::vector<InterviewId> ids;
  {
    Fixture f(PostgresStore::open({.url = url}).value());
    for (int i = 0; i < 40; ++i)
      ids.push_back(f.create(fmt::format("cand-{}", i), {"int-1"}).id);
  }
  std::vector<pid_t> children;
  for (int p = 0; p < 4; ++p) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int wins = 0;
      auto store = PostgresStore::open({.url = url, .pool_size = 1});
      if (!store)
        _exit(100);
      Fixture f(*store);
      for (int k = 0; k < 10; ++k) {
        // Process p tries slot k shifted by p*10 minutes: all four overlap.
        const auto id = ids[static_cast<std::size_t>(k * 4 + p)];
        if (f.service->book(id, slot(12 + k, 9h + std::chrono::minutes{p * 10}), recruiter())) {
          ++wins;
        }
      }
      _exit(wins);
    }
    children.push_back(pid);
  }
  int total = 0;
  for (auto pid : children) {
    const int status = wait_for(pid);
    REQUIRE(status <= 10);
    total += status;
  }
  CHECK(total == 10);  // exactly one winner per contested slot
  const auto overlaps_sql =
      "SELECT 1/(1 - COUNT(*)::int) FROM interview_people a JOIN interview_people b ON "
      "a.person = b.person AND a.interview_id < b.interview_id AND a.slot && b.slot "
      "HAVING COUNT(*) > 0";
  CHECK(PostgresServer::psql(url, overlaps_sql) == 0);  // no rows: no overlap
}

TEST_CASE("three dispatcher processes share 5000 messages while one is killed",
          "[postgres][outbox][crash]") {
  const auto url = fresh();
  TempDir dir("pg-dispatch");
  const auto log = (dir.path() / "deliveries.log").string();
  {
    auto store = PostgresStore::open({.url = url}).value();
    BookingOptions options{.test_mode = true};
    options.policy = NotificationPolicy::defaults(std::nullopt);
    Fixture f(store, options);
    f.clock->set(SystemClock{}.now());
    // 2500 bookings x 2 recipients = 5000 messages, written straight to the outbox in bulk.
    const auto base =
        date::floor<std::chrono::seconds>(f.clock->now()) + std::chrono::hours{24 * 30};
    for (int i = 0; i < 2500; ++i) {
      const auto id = f.create(fmt::format("c-{}", i), {fmt::format("i-{}", i % 50)}).id;
      REQUIRE(f.service->book(id, TimeRange::make(base + std::chrono::hours{i / 50}, 1h).value(),
                              recruiter()));
    }
    REQUIRE(store->list_outbox({.state = OutboxState::pending, .limit = 10000})->size() == 5000);
  }
  const std::string harness = INTERVIEWKIT_HARNESS;
  std::vector<pid_t> workers;
  for (int w = 0; w < 3; ++w)
    workers.push_back(spawn({harness, "dispatch", url, log, "60"}));
  const pid_t victim = workers[1];
  // Kill the victim midway: once it has delivered something, while others still work.
  const auto victim_tag = " " + std::to_string(victim);
  for (int i = 0; i < 400; ++i) {
    std::ifstream probe(log);
    const std::string text{std::istreambuf_iterator<char>(probe), {}};
    if (text.find(victim_tag + "\n") != std::string::npos)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds{25});
  }
  REQUIRE(kill(victim, SIGKILL) == 0);
  CHECK(wait_for(victim) == 128 + SIGKILL);
  CHECK(wait_for(workers[0]) == 0);
  CHECK(wait_for(workers[2]) == 0);

  auto store = PostgresStore::open({.url = url}).value();
  CHECK(store->list_outbox({.state = OutboxState::delivered, .limit = 10000})->size() == 5000);
  std::map<std::string, std::vector<std::string>> deliveries;  // key -> worker pids
  std::ifstream in(log);
  for (std::string key, pid; in >> key >> pid;)
    deliveries[key].push_back(pid);
  CHECK(deliveries.size() == 5000);
  std::size_t duplicates = 0;
  bool only_after_kill = true;
  for (const auto& [key, pids] : deliveries) {
    if (pids.size() < 2)
      continue;
    duplicates += pids.size() - 1;
    // A second delivery only happens because the killed worker's lease ran out.
    only_after_kill =
        only_after_kill && std::count(pids.begin(), pids.end(), std::to_string(victim)) >= 1;
  }
  std::size_t by_victim = 0;
  for (const auto& [key, pids] : deliveries) {
    by_victim +=
        static_cast<std::size_t>(std::count(pids.begin(), pids.end(), std::to_string(victim)));
  }
  std::printf(
      "postgres dispatch: 5000 messages, 3 workers, 1 killed after %zu deliveries, %zu duplicate "
      "deliveries\n",
      by_victim, duplicates);
  CHECK(by_victim > 0);
  CHECK(only_after_kill);
}

TEST_CASE("the PostgreSQL example runs against a real server", "[postgres]") {
  const auto url = fresh();
  const std::string command = fmt::format("'{}' '{}' 2>&1", INTERVIEWKIT_PG_EXAMPLE, url);
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[512];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr)
    output += buffer;
  CHECK(pclose(pipe) == 0);
  CAPTURE(output);
  CHECK(output.find("Booked interview") != std::string::npos);
  CHECK(output.find("slot conflict") != std::string::npos);
  CHECK(output.find("notification_delivered") != std::string::npos);
}
