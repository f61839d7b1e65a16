// PostgresStore under database faults, against a real server: lock waits cut by the statement
// timeout, a read-only database, terminated connections, a server restart, bytes PostgreSQL
// refuses, poison rows, racing idempotent retries, and SIGKILLed processes. Every failure
// must come back as an error value, and nothing committed may be lost.
#include <algorithm>
#include <barrier>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <signal.h>
#include <sstream>
#include <thread>
#include <unistd.h>

#include <pqxx/pqxx>

#include <interviewkit/store/postgres_store.hpp>

#include "support/fixture.hpp"
#include "support/pg_scalar.hpp"
#include "support/postgres_server.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using std::chrono::milliseconds;
using std::chrono::steady_clock;

namespace {

std::string fresh_db() {
  return PostgresServer::shared().fresh_database();
}

std::string database_of(const std::string& url) {
  return url.substr(url.rfind('/') + 1);
}

bool mentions(const Error& error, std::string_view text) {
  return error.message().find(text) != std::string::npos;
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

BookingOptions no_reminders() {
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  return options;
}

// Terminates every other backend connected to url's database, as a DBA or a failover would,
// and waits until they are gone. Returns how many were terminated.
int terminate_other_backends(const std::string& url) {
  pqxx::connection admin(url);
  pqxx::nontransaction tx(admin);
  const auto killed =
      tx.exec(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()")[0][0]
          .as<int>();
  for (int i = 0; i < 500; ++i) {
    if (tx.exec("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                "pid <> pg_backend_pid()")[0][0]
            .as<int>() == 0)
      break;
    std::this_thread::sleep_for(milliseconds{10});
  }
  return killed;
}

// Runs `op`, expects a statement-timeout error value, and how long it took.
template <class Op>
void expect_statement_timeout(const char* what, Op op) {
  const auto start = steady_clock::now();
  const auto result = op();
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);
  INFO(what << " took " << took.count() << " ms");
  REQUIRE_FALSE(result);
  INFO(result.error().message());
  CHECK(mentions(result.error(), "57014"));
  CHECK(took < milliseconds{1000});
}

template <class Predicate>
bool eventually(Predicate done, milliseconds limit) {
  const auto until = steady_clock::now() + limit;
  while (steady_clock::now() < until) {
    if (done())
      return true;
    std::this_thread::sleep_for(milliseconds{20});
  }
  return done();
}

class ErrorSink {
 public:
  std::function<void(const std::string&)> handler() {
    return [this](const std::string& message) {
      std::lock_guard lock(mutex_);
      messages_.push_back(message);
    };
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
};

}  // namespace

TEST_CASE("a locked outbox is a SQLSTATE 57014 error value within the statement timeout",
          "[postgres][faults]") {
  const auto url = fresh_db();
  auto store =
      PostgresStore::open({.url = url, .pool_size = 2, .statement_timeout = milliseconds{300}})
          .value();
  Fixture f(store, no_reminders());
  const auto booked = f.create("cand-a", {"int-a"}).id;
  REQUIRE(f.service->book(booked, slot(12, 9h), recruiter()));
  const auto later = f.create("cand-b", {"int-b"}).id;
  const auto now = f.clock->now();
  auto claimed = store->claim_due(now, 1, 10s).value();
  REQUIRE(claimed.size() == 1);
  const auto held = claimed.front();

  // Another session locks the outbox (and the interviews, which find reads) and keeps its
  // transaction open.
  pqxx::connection locker(url);
  auto lock = std::make_unique<pqxx::work>(locker);
  lock->exec("LOCK TABLE outbox, interviews IN ACCESS EXCLUSIVE MODE");

  expect_statement_timeout("claim_due", [&] { return store->claim_due(now, 10, 10s); });
  expect_statement_timeout(
      "complete", [&] { return store->complete(held.id, held.claim, OutboxCompletion{}, now); });
  expect_statement_timeout("list_outbox", [&] { return store->list_outbox({}); });
  expect_statement_timeout("requeue", [&] { return store->requeue(held.id, now, {}); });
  expect_statement_timeout("find", [&] { return store->find(booked); });
  expect_statement_timeout("book",
                           [&] { return f.service->book(later, slot(13, 9h), recruiter()); });
  expect_statement_timeout("drain_once", [&] { return f.dispatcher->drain_once(); });

  // A background dispatcher meets the same lock: it reports and keeps going.
  ErrorSink errors;
  auto options = Fixture::fast_retries();
  options.idle_poll = milliseconds{50};
  options.on_error = errors.handler();
  auto background =
      Dispatcher::make(store, f.recorder, f.log, with_clock(options, f.clock)).value();
  background->start();
  std::this_thread::sleep_for(milliseconds{900});
  CHECK(background->running());
  const auto seen = errors.messages();
  CHECK_FALSE(seen.empty());
  CHECK(std::any_of(seen.begin(), seen.end(), [](const auto& m) { return contains(m, "57014"); }));
  CHECK(f.recorder->delivered().empty());

  lock->abort();
  lock.reset();
  CHECK(store->release(held.id, held.claim, now).value());
  CHECK(eventually(
      [&] {
        auto delivered = store->list_outbox({.state = OutboxState::delivered});
        return delivered && delivered->size() == 2;
      },
      milliseconds{10000}));
  CHECK(background->running());
  background->stop();
  CHECK(f.recorder->delivered().size() == 2);
  CHECK(f.service->book(later, slot(13, 9h), recruiter()));
  std::printf("statement timeout: %zu background errors while locked, then 2 of 2 delivered\n",
              seen.size());
}

TEST_CASE("a read-only database at the current schema opens; its writes are SQLSTATE 25006",
          "[postgres][faults]") {
  const auto url = fresh_db();
  InterviewId booked;
  InterviewId waiting;
  {
    Fixture f(PostgresStore::open({.url = url}).value(), no_reminders());
    booked = f.create("cand-1", {"int-1"}).id;
    REQUIRE(f.service->book(booked, slot(12, 9h), recruiter()));
    waiting = f.create("cand-2", {"int-2"}).id;
  }
  REQUIRE(PostgresServer::psql(url, "ALTER DATABASE " + database_of(url) +
                                        " SET default_transaction_read_only = on") == 0);

  auto opened = PostgresStore::open({.url = url});
  REQUIRE(opened);
  auto store = *opened;
  Fixture f(store, no_reminders());
  CHECK(store->find(booked)->status == InterviewStatus::scheduled);
  CHECK(store->list_outbox({})->size() == 2);
  CHECK(store->next_due());

  auto book = f.service->book(waiting, slot(13, 9h), recruiter());
  REQUIRE_FALSE(book);
  CHECK(mentions(book.error(), "25006"));
  auto create =
      f.service->create({"Another", candidate("cand-3"), {interviewer("int-3")}}, recruiter());
  REQUIRE_FALSE(create);
  CHECK(mentions(create.error(), "25006"));
  auto claim = store->claim_due(f.clock->now(), 10, 10s);
  REQUIRE_FALSE(claim);
  CHECK(mentions(claim.error(), "25006"));
  auto drained = f.dispatcher->drain_once();
  REQUIRE_FALSE(drained);
  CHECK(mentions(drained.error(), "25006"));
  CHECK(store->find(waiting)->status == InterviewStatus::pending);
  CHECK(store->list_outbox({.state = OutboxState::pending})->size() == 2);

  // An empty read-only database cannot be migrated: an error value, not a throw.
  const auto empty = fresh_db();
  REQUIRE(PostgresServer::psql(empty, "ALTER DATABASE " + database_of(empty) +
                                          " SET default_transaction_read_only = on") == 0);
  auto refused = PostgresStore::open({.url = empty});
  REQUIRE_FALSE(refused);
  CHECK(mentions(refused.error(), "25006"));
}

TEST_CASE(
    "backends terminated mid-dispatch: a fresh connection takes over, nothing lost or repeated",
    "[postgres][faults]") {
  const auto url = fresh_db();
  // One connection: the operation after a termination is sure to meet the dead one.
  auto store = PostgresStore::open({.url = url, .pool_size = 1}).value();
  std::atomic<int> calls{0};
  std::atomic<int> terminated{0};
  auto notifier = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
    const int call = calls.fetch_add(1);
    if (call == 0 || call == 3)  // while a delivery is in flight
      terminated.fetch_add(terminate_other_backends(url));
    return DeliveryOutcome::delivered();
  });
  Fixture f(store, no_reminders(), notifier);
  std::vector<InterviewId> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(f.create(fmt::format("cand-{}", i), {fmt::format("int-{}", i)}).id);
    REQUIRE(f.service->book(ids.back(), slot(12, 9h), recruiter()));
  }

  // Outside a pass first: the pooled connection is dead; nothing was committed on it, so the
  // store replaces it and runs the read again.
  REQUIRE(terminate_other_backends(url) == 1);
  CHECK(store->find(ids[0]));

  std::size_t store_errors = 0;
  std::size_t failed_passes = 0;
  for (int pass = 0; pass < 20; ++pass) {
    auto stats = f.dispatcher->drain_once();
    if (stats) {
      store_errors += stats->store_errors;
    } else {
      ++failed_passes;
      CHECK(stats.error().is<Unavailable>());
    }
    if (store->list_outbox({.state = OutboxState::pending})->empty())
      break;
    f.clock->advance(11s);  // past the lease of a claim whose outcome was not stored
  }
  const auto delivered = store->list_outbox({.state = OutboxState::delivered}).value();
  CHECK(delivered.size() == 6);
  CHECK(store->list_outbox({})->size() == 6);
  std::map<std::string, int> sends;
  for (const auto& n : notifier->delivered())
    ++sends[n.idempotency_key];
  CHECK(sends.size() == 6);
  std::size_t duplicates = 0;
  for (const auto& [key, count] : sends)
    duplicates += static_cast<std::size_t>(count - 1);
  // Deliveries run concurrently: the second termination may come while the one pooled
  // connection is already dead and not yet replaced, and then finds no backend to end.
  CHECK(terminated.load() >= 1);
  CHECK(failed_passes == 0);
  CHECK(duplicates == 0);  // the outcomes were stored on a fresh connection
  std::printf(
      "terminate backends: %d backends terminated in 3 rounds, %zu outcomes not stored, %zu "
      "failed passes, %zu of 6 delivered, %zu repeated sends (same idempotency key)\n",
      terminated.load() + 1, store_errors, failed_passes, delivered.size(), duplicates);
}

TEST_CASE("PostgreSQL restarted mid-dispatch: the background dispatcher delivers everything",
          "[postgres][faults]") {
  const auto url = fresh_db();
  auto store = PostgresStore::open({.url = url,
                                    .pool_size = 2,
                                    .acquire_timeout = 5s,
                                    .connect_timeout = 2s,
                                    .statement_timeout = 5s})
                   .value();
  auto log = ActionLog::make(StoreSink::make(store).value()).value();
  auto service = BookingService::make(store, log, no_reminders()).value();
  auto notifier = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    std::this_thread::sleep_for(milliseconds{20});
    return DeliveryOutcome::delivered();
  });
  ErrorSink errors;
  DispatcherOptions options;
  options.lease = 1s;
  options.delivery_timeout = milliseconds{400};
  options.retry.base = milliseconds{10};
  options.retry.cap = milliseconds{100};
  options.idle_poll = milliseconds{20};
  options.on_error = errors.handler();
  auto dispatcher = Dispatcher::make(store, notifier, log, options).value();

  constexpr int bookings = 40;
  const auto base = date::sys_days{date::year{2100} / 1 / 1};
  for (int i = 0; i < bookings; ++i) {
    const auto id = service
                        ->create({"Restart",
                                  candidate(fmt::format("cand-{}", i)),
                                  {interviewer(fmt::format("int-{}", i))}},
                                 recruiter())
                        .value()
                        .id;
    REQUIRE(
        service->book(id, TimeRange::make(base + std::chrono::hours{i}, 1h).value(), recruiter()));
  }
  dispatcher->start();
  REQUIRE(eventually([&] { return notifier->attempts() >= 5; }, milliseconds{10000}));
  if (!PostgresServer::shared().restart()) {
    dispatcher->stop();
    WARN("INTERVIEWKIT_TEST_PG_URL names a server the tests do not own: not restarted");
    return;
  }
  const auto sent_before = notifier->attempts();
  const bool all = eventually(
      [&] {
        auto delivered = store->list_outbox({.state = OutboxState::delivered, .limit = 1000});
        return delivered && delivered->size() == 2 * bookings;
      },
      milliseconds{30000});
  CHECK(all);
  CHECK(dispatcher->running());
  dispatcher->stop();
  std::map<std::string, int> sends;
  for (const auto& n : notifier->delivered())
    ++sends[n.idempotency_key];
  CHECK(sends.size() == 2 * bookings);
  std::size_t duplicates = 0;
  for (const auto& [key, count] : sends)
    duplicates += static_cast<std::size_t>(count - 1);
  const auto seen = errors.messages();
  std::printf(
      "restart: %zu sends before the restart, %zu errors reported as values, %d of %d "
      "delivered, %zu repeated sends, %llu log entries not written\n",
      sent_before, seen.size(), all ? 2 * bookings : -1, 2 * bookings, duplicates,
      static_cast<unsigned long long>(log->failed_writes()));
  CHECK(duplicates <= seen.size());  // a repeat only follows an outcome the store lost
}

TEST_CASE("failure text that is not UTF-8 or holds NUL is stored, not dropped",
          "[postgres][faults][action-log]") {
  auto store = PostgresStore::open({.url = fresh_db()}).value();
  auto sink = StoreSink::make(store).value();
  const std::string nasty =
      std::string("550 mailbox \xC3( unavailable") + std::string(1, '\0') + "after NUL";
  auto notifier = std::make_shared<RecordingNotifier>(
      [&](const Notification&, std::size_t) { return DeliveryOutcome::permanent_failure(nasty); });
  Fixture f(store, no_reminders(), notifier);
  f.log = ActionLog::make(sink).value();
  f.service = BookingService::make(store, f.log, with_clock(no_reminders(), f.clock)).value();
  f.dispatcher =
      Dispatcher::make(store, notifier, f.log, with_clock(Fixture::fast_retries(), f.clock))
          .value();

  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  const auto stats = f.drain();
  CHECK(stats.dead == 2);
  CHECK(stats.store_errors == 0);
  for (const auto& m : store->list_outbox({.interview = id}).value()) {
    CHECK(m.state == OutboxState::dead);
    CHECK(contains(m.last_error, "550 mailbox"));
    CHECK(contains(m.last_error, "after NUL"));
  }
  const auto dead = sink->query({.action = ActionType::notification_dead_lettered});
  CHECK(dead.size() == 2);
  for (const auto& e : dead)
    CHECK(contains(e.details.value("error", std::string()), "after NUL"));

  // The same bytes handed straight to the store, as a host's own worker might.
  const auto other = f.create("cand-2", {"int-2"}).id;
  REQUIRE(f.service->book(other, slot(13, 9h), recruiter()));
  auto claimed = store->claim_due(f.clock->now(), 1, 10s).value();
  REQUIRE(claimed.size() == 1);
  ActionEntry entry{.time = f.clock->now(),
                    .action = ActionType::notification_dead_lettered,
                    .interview = other,
                    .actor = Actor::system(),
                    .from = std::nullopt,
                    .to = std::nullopt,
                    .details = {{"error", nasty}, {"raw", "tail \xFF\xFE"}}};
  auto completed =
      store->complete(claimed[0].id, claimed[0].claim,
                      {OutboxState::dead, std::nullopt, nasty, {entry}}, f.clock->now());
  INFO((completed ? std::string("ok") : completed.error().message()));
  REQUIRE(completed);
  CHECK(*completed);
  const auto stored = store->find_outbox(claimed[0].id).value().value();
  CHECK(stored.state == OutboxState::dead);
  CHECK(contains(stored.last_error, "550 mailbox"));
  CHECK(contains(stored.last_error, "after NUL"));
  CHECK(contains(stored.last_error, "\xEF\xBF\xBD"));  // each refused byte is a U+FFFD
  f.log->record(entry);
  CHECK(
      sink->query({.action = ActionType::notification_dead_lettered, .interview = other}).size() ==
      2);
  CHECK(f.log->failed_writes() == 0);
}

TEST_CASE("poison outbox rows are dead-lettered with a reason; the rest of the batch goes out",
          "[postgres][faults]") {
  const auto url = fresh_db();
  auto store = PostgresStore::open({.url = url}).value();
  auto sink = StoreSink::make(store).value();
  Fixture f(store, no_reminders());
  f.log = ActionLog::make(sink).value();
  f.service = BookingService::make(store, f.log, with_clock(no_reminders(), f.clock)).value();
  f.dispatcher =
      Dispatcher::make(store, f.recorder, f.log, with_clock(Fixture::fast_retries(), f.clock))
          .value();
  for (int i = 0; i < 3; ++i) {
    const auto id = f.create(fmt::format("cand-{}", i), {fmt::format("int-{}", i)}).id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  }
  const auto rows = store->list_outbox({}).value();
  REQUIRE(rows.size() == 6);
  // By raw SQL, as a newer version or a broken tool would write them.
  REQUIRE(PostgresServer::psql(url, fmt::format("UPDATE outbox SET kind = 'interview_teleported' "
                                                "WHERE id = {}",
                                                rows[0].id.value())) == 0);
  REQUIRE(
      PostgresServer::psql(url, fmt::format("UPDATE outbox SET payload = '[1, 2, 3]' WHERE id = {}",
                                            rows[2].id.value())) == 0);
  REQUIRE(PostgresServer::psql(
              url, fmt::format("INSERT INTO outbox (idempotency_key, interview_id, kind, channel, "
                               "payload, message_token, due_ms, state, created_ms, updated_ms) "
                               "SELECT idempotency_key || ':copy', interview_id, "
                               "'interview_teleported', channel, payload, message_token, due_ms, "
                               "'pending', created_ms, updated_ms FROM outbox WHERE id = {}",
                               rows[4].id.value())) == 0);

  const auto stats = f.drain();
  CHECK(stats.claimed == 7);
  CHECK(stats.dead == 3);
  CHECK(stats.delivered == 4);
  CHECK(stats.store_errors == 0);
  CHECK(f.recorder->delivered().size() == 4);
  const auto dead = store->list_outbox({.state = OutboxState::dead}).value();
  REQUIRE(dead.size() == 3);
  std::size_t unknown_kind = 0;
  std::size_t bad_payload = 0;
  for (const auto& m : dead) {
    unknown_kind += contains(m.last_error, "interview_teleported") ? 1 : 0;
    bad_payload += contains(m.last_error, "payload is not a valid notification") ? 1 : 0;
  }
  CHECK(unknown_kind == 2);
  CHECK(bad_payload == 1);
  const auto recorded = sink->query({.action = ActionType::notification_dead_lettered});
  REQUIRE(recorded.size() == 3);
  for (const auto& e : recorded)
    CHECK_FALSE(e.details.value("error", std::string()).empty());
  CHECK(store->list_outbox({.state = OutboxState::delivered})->size() == 4);
  CHECK(f.log->failed_writes() == 0);
}

TEST_CASE("racing retries with one idempotency key, each through its own pool, book once",
          "[postgres][faults][idempotency]") {
  const auto url = fresh_db();
  Fixture a(PostgresStore::open({.url = url, .pool_size = 2}).value(), no_reminders());
  Fixture b(PostgresStore::open({.url = url, .pool_size = 2}).value(), no_reminders());
  const auto race = [](auto first, auto second) {
    std::optional<Result<TransitionOutcome>> ra;
    std::optional<Result<TransitionOutcome>> rb;
    std::barrier start(2);
    std::thread ta([&] {
      start.arrive_and_wait();
      ra = first();
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      rb = second();
    });
    ta.join();
    tb.join();
    return std::pair(std::move(*ra), std::move(*rb));
  };

  int replayed = 0;
  for (int round = 0; round < 20; ++round) {
    const auto id = a.create(fmt::format("cand-{}", round), {fmt::format("int-{}", round)}).id;
    const OperationOptions same{.idempotency_key = fmt::format("retry-{}", round)};
    auto [ra, rb] = race([&] { return a.service->book(id, slot(12, 9h), recruiter(), same); },
                         [&] { return b.service->book(id, slot(12, 9h), recruiter(), same); });
    INFO("round " << round);
    REQUIRE(ra);
    REQUIRE(rb);
    CHECK(ra->interview == rb->interview);
    CHECK(ra->enqueued == rb->enqueued);  // the replay reports the first one's messages
    CHECK(a.store->list_outbox({.interview = id})->size() == 2);
    replayed += (ra && rb && ra->interview == rb->interview) ? 1 : 0;
  }

  int one_winner = 0;
  for (int round = 0; round < 10; ++round) {
    const auto x = a.create(fmt::format("x-{}", round), {fmt::format("ix-{}", round)});
    const auto y = a.create(fmt::format("y-{}", round), {fmt::format("iy-{}", round)});
    const OperationOptions shared{.idempotency_key = fmt::format("shared-{}", round)};
    auto [rx, ry] = race([&] { return a.service->book(x.id, slot(14, 9h), recruiter(), shared); },
                         [&] { return b.service->book(y.id, slot(14, 9h), recruiter(), shared); });
    INFO("round " << round);
    REQUIRE(static_cast<bool>(rx) != static_cast<bool>(ry));
    const auto& loser = rx ? ry : rx;
    const auto& loser_before = rx ? y : x;
    CHECK(loser.error().is<InvalidInput>());
    CHECK(a.store->find(loser_before.id).value() == loser_before);
    CHECK(a.store->list_outbox({.interview = loser_before.id})->empty());
    one_winner += 1;
  }
  std::printf("idempotency race: %d/20 same-key retries replayed, %d/10 key reuses refused\n",
              replayed, one_winner);
}

TEST_CASE("booking and dispatcher processes SIGKILLed on PostgreSQL lose nothing",
          "[postgres][faults][crash]") {
  const auto url = fresh_db();
  REQUIRE(PostgresStore::open({.url = url}));  // migrate once, before the processes race
  TempDir dir("pg-crash");
  const auto deliveries = (dir.path() / "deliveries.log").string();
  const std::string harness = INTERVIEWKIT_HARNESS;
  std::mt19937 rng(20261126);
  std::uniform_int_distribution<int> delay_ms(50, 600);
  const auto start = steady_clock::now();
  // The harness stamps each delivery with its time, for I2.
  struct TimesGuard {
    TimesGuard() { ::setenv("INTERVIEWKIT_HARNESS_TIMES", "1", 1); }
    ~TimesGuard() { ::unsetenv("INTERVIEWKIT_HARNESS_TIMES"); }
    TimesGuard(const TimesGuard&) = delete;
    TimesGuard& operator=(const TimesGuard&) = delete;
  } times;

  std::set<std::string> killed;  // pids, as the delivery log writes them
  int kills = 0;
  int run = 0;
  const auto booker = [&] {
    return spawn({harness, "book", url, deliveries, std::to_string(run++), "40", "reschedule"});
  };
  const auto worker = [&] { return spawn({harness, "dispatch", url, deliveries, "8"}); };
  for (int round = 0; kills < 24; ++round) {
    // A booking process (with its own background dispatcher) and two dispatcher processes.
    std::vector<pid_t> procs{booker(), worker(), worker()};
    for (int k = 0; k < 2; ++k) {
      std::this_thread::sleep_for(milliseconds{delay_ms(rng)});
      const auto victim = static_cast<std::size_t>(rng() % procs.size());
      if (kill(procs[victim], SIGKILL) == 0) {
        ++kills;
        killed.insert(std::to_string(procs[victim]));
      }
      const int status = wait_for(procs[victim]);
      CHECK((status == 0 || status == 1 || status == 128 + SIGKILL));
      procs[victim] = victim == 0 ? booker() : worker();  // restarted
    }
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const int status = wait_for(procs[i]);
      INFO("round " << round << " process " << i);
      CHECK((status == 0 || (i > 0 && status == 1)));  // 3, 4, 5: a booking step failed
    }
  }
  REQUIRE(wait_for(spawn({harness, "drain", url, deliveries})) == 0);
  const auto took = std::chrono::duration_cast<milliseconds>(steady_clock::now() - start);

  const auto now_ms =
      std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const auto booked = scalar(url, "SELECT COUNT(*) FROM interviews WHERE status = 'scheduled'");
  // I1: every scheduled interview has its two notifications for its current revision, each
  // delivered, pending for later, or ended with a reason.
  const auto unplanned = scalar(
      url,
      "SELECT COUNT(*) FROM interviews i WHERE i.status = 'scheduled' AND (SELECT COUNT(*) "
      "FROM outbox o WHERE o.interview_id = i.id AND (o.payload->'interview'->>'version')::bigint "
      "= i.version) != 2");
  const auto unfinished = scalar(
      url, fmt::format("SELECT COUNT(*) FROM outbox WHERE NOT (state = 'delivered' OR (state = "
                       "'pending' AND due_ms > {}) OR (state IN ('dead', 'expired') AND "
                       "last_error <> ''))",
                       now_ms));
  const auto messages = scalar(url, "SELECT COUNT(*) FROM outbox");
  const auto delivered_rows = scalar(url, "SELECT COUNT(*) FROM outbox WHERE state = 'delivered'");
  const auto dead = scalar(url, "SELECT COUNT(*) FROM outbox WHERE state = 'dead'");
  // I6: the exclusion constraint held.
  const auto overlaps = scalar(url,
                               "SELECT COUNT(*) FROM interview_people a JOIN interview_people b "
                               "ON a.person = b.person AND a.interview_id < b.interview_id AND "
                               "a.slot && b.slot");

  // I3: deliveries from the harness's file.
  std::set<std::string> keys;
  std::set<std::string> delivered_keys;
  {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    for (const auto& row : tx.exec("SELECT idempotency_key, state FROM outbox")) {
      keys.insert(row[0].as<std::string>());
      if (row[1].as<std::string>() == "delivered")
        delivered_keys.insert(row[0].as<std::string>());
    }
  }
  std::map<std::string, std::vector<std::string>> sends;  // key -> pids
  std::map<std::string, std::int64_t> first_sent;         // key -> unix ms
  std::ifstream in(deliveries);
  for (std::string line; std::getline(in, line);) {
    std::istringstream fields(line);
    std::string key;
    std::string pid;
    std::int64_t ms = 0;
    fields >> key >> pid >> ms;
    sends[key].push_back(pid);
    if (!first_sent.contains(key) || ms < first_sent[key])
      first_sent[key] = ms;
  }

  // I2: a message of a revision that a later change superseded is not sent after that
  // change committed. The change's time is when its own messages were created (just before
  // its commit); a send a moment later may have passed its revision check before the commit
  // was visible, so sends within the race window are counted, later ones are violations.
  constexpr std::int64_t race_window_ms = 500;
  std::size_t superseded = 0;
  std::size_t superseded_sent_in_window = 0;
  std::size_t superseded_sent_late = 0;
  std::size_t superseded_sent_racing = 0;  // sent, but the change expired it before its outcome
  std::int64_t max_lag_ms = 0;
  {
    pqxx::connection c(url);
    pqxx::nontransaction tx(c);
    const auto rows = tx.exec(
        "SELECT o.idempotency_key, (SELECT MIN(n.created_ms) FROM outbox n WHERE "
        "n.interview_id = o.interview_id AND (n.payload->'interview'->>'version')::bigint > "
        "(o.payload->'interview'->>'version')::bigint), o.state FROM outbox o");
    for (const auto& row : rows) {
      if (row[1].is_null())
        continue;
      ++superseded;
      const auto key = row[0].as<std::string>();
      const auto at = row[1].as<std::int64_t>();
      // Delivered in the store: its outcome committed before the change expired it.
      if (!first_sent.contains(key) || row[2].as<std::string>() == "delivered")
        continue;
      ++superseded_sent_racing;
      max_lag_ms = std::max(max_lag_ms, first_sent[key] - at);
      if (first_sent[key] <= at + race_window_ms)
        ++superseded_sent_in_window;
      else
        ++superseded_sent_late;
    }
  }
  std::size_t lines = 0;
  std::size_t duplicates = 0;
  std::size_t unexplained = 0;
  std::size_t strangers = 0;
  for (const auto& [key, pids] : sends) {
    lines += pids.size();
    strangers += keys.contains(key) ? 0 : 1;
    if (pids.size() < 2)
      continue;
    duplicates += pids.size() - 1;
    // A repeat is only allowed when a killed process sent it first.
    const bool across_kill =
        std::any_of(pids.begin(), pids.end(), [&](const auto& p) { return killed.contains(p); });
    unexplained += across_kill ? 0 : 1;
  }
  std::size_t missing = 0;
  for (const auto& key : delivered_keys)
    missing += sends.contains(key) ? 0 : 1;

  std::printf(
      "postgres crash test: %d runs, %d SIGKILLs, %lld bookings, %lld messages (%lld delivered, "
      "%lld dead), %zu sends, %zu duplicates (all across a kill: %s), %zu missing, %lld "
      "overlaps; %zu superseded messages, %zu sent while their change committed (%zu within "
      "%lld ms of it, %zu later, at most %lld ms after); %lld ms\n",
      run, kills, static_cast<long long>(booked), static_cast<long long>(messages),
      static_cast<long long>(delivered_rows), static_cast<long long>(dead), lines, duplicates,
      unexplained == 0 ? "yes" : "no", missing, static_cast<long long>(overlaps), superseded,
      superseded_sent_racing, superseded_sent_in_window, static_cast<long long>(race_window_ms),
      superseded_sent_late, static_cast<long long>(max_lag_ms),
      static_cast<long long>(took.count()));
  CHECK(kills >= 20);
  CHECK(booked > 0);
  CHECK(unplanned == 0);
  CHECK(unfinished == 0);
  CHECK(missing == 0);
  CHECK(strangers == 0);
  CHECK(unexplained == 0);
  CHECK(overlaps == 0);
  CHECK(superseded > 0);
  CHECK(superseded_sent_late == 0);
}

TEST_CASE("changes of one interview racing through two pools enqueue in id order",
          "[postgres][outbox][dispatch]") {
  // Each change takes its outbox ids while it holds the interview's row lock, so a later
  // change's messages always have larger ids: the lane order (a cancel never overtaking its
  // invite) holds across processes.
  const auto url = fresh_db();
  Fixture a(PostgresStore::open({.url = url, .pool_size = 2}).value(), no_reminders());
  Fixture b(PostgresStore::open({.url = url, .pool_size = 2}).value(), no_reminders());
  const auto id = a.create("cand", {"int-1", "int-2"}).id;
  REQUIRE(a.service->book(id, slot(12, 9h), recruiter()));
  for (int round = 0; round < 15; ++round) {
    std::barrier start(2);
    const auto move = [&](Fixture& f, int day) {
      start.arrive_and_wait();
      return f.service->reschedule(id, slot(day, 9h + std::chrono::minutes{round}), recruiter());
    };
    std::optional<Result<TransitionOutcome>> ra;
    std::optional<Result<TransitionOutcome>> rb;
    std::thread ta([&] { ra = move(a, 13); });
    std::thread tb([&] { rb = move(b, 14); });
    ta.join();
    tb.join();
    INFO("round " << round);
    CHECK(*ra);
    CHECK(*rb);
  }
  auto outbox = a.store->list_outbox({.interview = id, .limit = 1000}).value();
  REQUIRE(outbox.size() == 31 * 3);  // a booking and 30 moves, three recipients each
  std::ranges::sort(outbox, {}, [](const OutboxMessage& m) { return m.id; });
  for (std::size_t i = 1; i < outbox.size(); ++i) {
    INFO("message " << outbox[i].id.value());
    CHECK(outbox[i - 1].revision <= outbox[i].revision);
  }
}
