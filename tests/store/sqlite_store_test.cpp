// SqliteStore: the conformance suite, plus what only a file can show.
#include <filesystem>
#include <fstream>
#include <random>
#include <sys/wait.h>
#include <tuple>
#include <unistd.h>

#include <interviewkit/store/sqlite_store.hpp>

#include "support/fixture.hpp"
#include "support/temp_dir.hpp"

namespace {
struct SqliteFactory {
  static std::shared_ptr<interviewkit::Store> make() {
    static interviewkit::testing::TempDir dir("sqlite-conformance");
    static int counter = 0;
    return interviewkit::SqliteStore::open(dir.path() / fmt::format("store-{}.db", ++counter))
        .value();
  }
};
}  // namespace

// MemoryStore runs the same suite in the core test binary (store/memory_store_test.cpp).
using ConformanceStores = std::tuple<SqliteFactory>;

#include "conformance/outbox_query_conformance.hpp"
#include "conformance/store_conformance.hpp"

using ActionStores = std::tuple<SqliteFactory>;

#include "conformance/action_store_conformance.hpp"

TEST_CASE("a SQLite store survives reopening", "[sqlite]") {
  TempDir dir("sqlite-reopen");
  const auto path = dir.path() / "interviews.db";
  InterviewId id;
  {
    Fixture f(SqliteStore::open(path).value());
    id = f.create().id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  }
  auto store = SqliteStore::open(path).value();
  const auto interview = store->find(id).value();
  CHECK(interview.status == InterviewStatus::scheduled);
  CHECK(interview.slot == slot(12, 9h));
  CHECK(store->list_outbox({.interview = id}).value().size() == 4);
  CHECK(store->integrity_check().value() == "ok");
}

TEST_CASE("a file that is not a SQLite database is a clear error", "[sqlite]") {
  TempDir dir("sqlite-bad");
  const auto path = dir.path() / "not-a-db.db";
  {
    std::ofstream out(path);
    out << "this is a text file, not a database\n" << std::string(4096, 'x');
  }
  auto store = SqliteStore::open(path);
  REQUIRE_FALSE(store);
  CHECK(store.error().message().find("not a valid SQLite database") != std::string::npos);
  CHECK(store.error().message().find("not-a-db.db") != std::string::npos);
}

TEST_CASE("a database path whose directory is missing is invalid input, not unavailable",
          "[sqlite][package]") {
  TempDir dir("sqlite-path");
  const auto refused = [](const std::filesystem::path& path) {
    auto store = SqliteStore::open(path);
    REQUIRE_FALSE(store);
    CHECK(store.error().is<InvalidInput>());  // no retry fixes it: the caller's input
    return store.error().message();
  };
  CHECK_THAT(refused(dir.path() / "no" / "such" / "dir.db"),
             Catch::Contains("does not exist") && Catch::Contains("dir.db"));
  CHECK_THAT(refused(dir.path()), Catch::Contains("is a directory"));
  CHECK_THAT(refused(""), Catch::Contains("empty"));
  { std::ofstream out(dir.path() / "plain-file"); }
  CHECK_THAT(refused(dir.path() / "plain-file" / "x.db"), Catch::Contains("not a directory"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "no"));  // nothing was created
  // A directory that exists but cannot be written is the server's state: still Unavailable.
  if (::geteuid() != 0) {
    std::filesystem::create_directory(dir.path() / "locked");
    std::filesystem::permissions(dir.path() / "locked", std::filesystem::perms::owner_read);
    auto locked = SqliteStore::open(dir.path() / "locked" / "x.db");
    REQUIRE_FALSE(locked);
    CHECK(locked.error().is<Unavailable>());
  }
  CHECK(SqliteStore::open(dir.path() / "fine.db"));
}

TEST_CASE("a database from a newer schema version is refused", "[sqlite]") {
  TempDir dir("sqlite-newer");
  const auto path = dir.path() / "future.db";
  REQUIRE(SqliteStore::open(path));
  REQUIRE(std::system(
              fmt::format("sqlite3 '{}' 'PRAGMA user_version = 99'", path.string()).c_str()) == 0);
  auto store = SqliteStore::open(path);
  REQUIRE_FALSE(store);
  CHECK(store.error().message().find("schema version 99") != std::string::npos);
}

TEST_CASE("the ActionLog can live in the same SQLite file", "[sqlite][action-log]") {
  TempDir dir("sqlite-log");
  auto store = SqliteStore::open(dir.path() / "log.db").value();
  auto sink = StoreSink::make(store).value();
  Fixture f(store);
  f.log = ActionLog::make(sink).value();
  f.service = BookingService::make(store, f.log, with_clock(BookingOptions{.test_mode = true}, f.clock)).value();
  f.dispatcher = Dispatcher::make(store,
                                  std::make_shared<RecordingNotifier>(
                                      [](const Notification&, std::size_t) -> DeliveryOutcome {
                                        throw std::runtime_error("mail server down");
                                      }),
                                  f.log, with_clock(Fixture::fast_retries(), f.clock))
                     .value();
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.drain();
  const auto failed = sink->query({.action = ActionType::notification_failed, .interview = id});
  REQUIRE(failed.size() == 2);
  CHECK(failed[0].details.at("error").get<std::string>().find("mail server down") !=
        std::string::npos);
  CHECK(sink->query({.action = ActionType::interview_booked}).size() == 1);
  CHECK(sink->query({.since = f.clock->now() + 1h}).empty());
}

TEST_CASE("two processes booking overlapping slots in one file: one winner per slot",
          "[sqlite][conflict]") {
  TempDir dir("sqlite-processes");
  const auto path = dir.path() / "shared.db";
  std::vector<InterviewId> ids;
  {
    Fixture f(SqliteStore::open(path).value());
    for (int i = 0; i < 10; ++i)
      ids.push_back(f.create(fmt::format("cand-{}", i), {"int-1"}).id);
  }
  // Two processes each try to book 5 overlapping slots (slot k for ids[k] and ids[k + 5]).
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int wins = 0;
      {
        Fixture f(SqliteStore::open(path).value());
        for (int k = 0; k < 5; ++k) {
          const auto id = ids[static_cast<std::size_t>(k + 5 * p)];
          if (f.service->book(id, slot(12 + k, 9h + std::chrono::minutes{p * 20}), recruiter())) {
            ++wins;
          }
        }
      }
      _exit(wins);
    }
    children.push_back(pid);
  }
  int total = 0;
  for (auto pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    total += WEXITSTATUS(status);
  }
  CHECK(total == 5);
  auto store = SqliteStore::open(path).value();
  for (int k = 0; k < 5; ++k) {
    const bool first =
        store->find(ids[static_cast<std::size_t>(k)])->status == InterviewStatus::scheduled;
    const bool second =
        store->find(ids[static_cast<std::size_t>(k + 5)])->status == InterviewStatus::scheduled;
    CHECK(first != second);
  }
  CHECK(store->integrity_check().value() == "ok");
}

TEST_CASE("a notifier that is down for a while: every attempt on record and nothing lost",
          "[outbox][sqlite]") {
  TempDir dir("sqlite-down");
  auto store = SqliteStore::open(dir.path() / "down.db").value();
  SECTION("fails twice then recovers: all delivered") {
    auto notifier = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t i) {
      return i < 4 ? DeliveryOutcome::transient_failure("421 mail server restarting")
                   : DeliveryOutcome::delivered("250 ok");
    });
    Fixture f(store, {}, notifier);
    const auto id = f.create().id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
    for (int pass = 0; pass < 6; ++pass) {
      f.drain();
      f.clock->advance(std::chrono::milliseconds{200});
    }
    CHECK(store->list_outbox({.state = OutboxState::delivered}).value().size() == 2);
    CHECK(f.entries(ActionType::notification_failed, id).size() == 4);
    for (const auto& e : f.entries(ActionType::notification_failed, id)) {
      CHECK(e.details.at("error") == "421 mail server restarting");
    }
  }
  SECTION("permanently down: dead after max attempts, then requeued and delivered") {
    bool up = false;
    auto notifier = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
      return up ? DeliveryOutcome::delivered() : DeliveryOutcome::transient_failure("down");
    });
    // Retries alone: with the breaker on, an attempt failed fast by the open circuit also
    // counts, and which of the two concurrent deliveries meets it depends on timing.
    auto options = Fixture::fast_retries();
    options.breaker.failure_threshold = 0;
    Fixture f(store, {}, notifier);
    f.dispatcher = Dispatcher::make(f.store, notifier, f.log, with_clock(options, f.clock)).value();
    const auto id = f.create().id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
    for (int pass = 0; pass < 6; ++pass) {
      f.drain();
      f.clock->advance(std::chrono::milliseconds{200});
    }
    const auto dead = store->list_outbox({.state = OutboxState::dead}).value();
    REQUIRE(dead.size() == 2);
    CHECK(dead[0].attempts == Fixture::fast_retries().retry.max_attempts);
    CHECK(f.entries(ActionType::notification_dead_lettered, id).size() == 2);
    up = true;
    for (const auto& m : dead)
      REQUIRE(f.dispatcher->requeue(m.id, recruiter()).value());
    CHECK(f.entries(ActionType::notification_requeued, id).size() == 2);
    f.drain();
    CHECK(store->list_outbox({.state = OutboxState::delivered}).value().size() == 2);
  }
}

#include "simulation/simulation.hpp"

TEST_CASE("random histories keep every delivery invariant on SQLite with the log in the file",
          "[simulation][faults][sqlite]") {
  TempDir dir("sqlite-simulation");
  const auto totals = sim::run_histories(300, 100000, 40, [&](std::uint64_t seed) {
    SqliteOptions options;
    options.synchronous = SqliteOptions::Synchronous::normal;  // durability is not under test
    auto store = SqliteStore::open(dir.path() / fmt::format("sim-{}.db", seed), options).value();
    auto sink = StoreSink::make(store).value();
    auto log = ActionLog::make(sink, {.on_error = [](const std::string&) {}}).value();
    return std::tuple{
        std::shared_ptr<Store>(store), log,
        std::function<std::vector<ActionEntry>()>([sink] { return sink->query({}); })};
  });
  sim::report("SQLite", totals);
  CHECK(totals.deliveries > 0);
}

#include <csignal>
#include <sys/resource.h>
#include <sys/stat.h>

#include <sqlite3.h>

TEST_CASE("SQLite faults are error values: busy from another connection, read-only, disk full",
          "[sqlite][faults]") {
  TempDir dir("sqlite-faults");
  const auto path = dir.path() / "faults.db";
  SqliteOptions options;
  options.busy_timeout = 200ms;
  Fixture f(SqliteStore::open(path, options).value());
  const auto id = f.create().id;
  SECTION("another process holds the write lock") {
    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr) == SQLITE_OK);
    auto booked = f.service->book(id, slot(12, 9h), recruiter());
    REQUIRE_FALSE(booked);
    CHECK(booked.error().message().find("busy") != std::string::npos);
    Result<DrainStats> pass = DrainStats{};
    REQUIRE_NOTHROW(pass = f.dispatcher->drain_once());
    CHECK_FALSE(pass);
    sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(other);
    CHECK(f.service->book(id, slot(12, 9h), recruiter()));
  }
  SECTION("a read-only file") {
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
    f.dispatcher.reset();
    f.service.reset();
    f.store.reset();
    ::chmod(path.c_str(), 0444);
    if (::geteuid() == 0) {
      WARN("running as root, which writes to read-only files: not checked");
      return;
    }
    auto opened = SqliteStore::open(path, options);
    if (opened) {
      auto claimed = (*opened)->claim_due(f.clock->now(), 10, 1min);
      CHECK_FALSE(claimed);
    } else {
      CHECK_FALSE(opened.error().message().empty());
    }
  }
  SECTION("the disk fills up (RLIMIT_FSIZE in a child)") {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      std::signal(SIGXFSZ, SIG_IGN);
      const rlimit limit{static_cast<rlim_t>(std::filesystem::file_size(path) + 64 * 1024),
                         RLIM_INFINITY};
      ::setrlimit(RLIMIT_FSIZE, &limit);
      Fixture child(SqliteStore::open(path, options).value());
      int errors = 0;
      for (int i = 0; i < 400 && errors == 0; ++i) {
        auto created = child.service->create(
            {std::string(2000, 'x'), candidate(fmt::format("c-{}", i)), {interviewer("i-1")}},
            recruiter());
        errors += created ? 0 : 1;
      }
      _exit(errors > 0 ? 0 : 3);  // an error value came back, and nothing crashed
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(SqliteStore::open(path, options).value()->integrity_check().value() == "ok");
  }
}
