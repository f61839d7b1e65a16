// PostgreSQL store: a booking (create + book) next to the cheapest durable write of the same
// kind, a plain INSERT into a table with the same exclusion constraint, on the same server in
// the same run; and dispatch throughput with 1, 2 and 4 workers. SqliteStore is measured the
// same way: a booking next to one fsync of a small write on the same disk. Starts a
// throwaway local cluster (or uses INTERVIEWKIT_TEST_PG_URL).
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <pqxx/pqxx>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/postgres_store.hpp>
#include <interviewkit/store/sqlite_store.hpp>

#include "bench_support.hpp"
#include "support/postgres_server.hpp"

using namespace interviewkit;
using namespace std::chrono_literals;
using bench::NoopNotifier;
using bench::NullSink;

namespace {

std::filesystem::path sqlite_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("interviewkit-pgbench-" + name + ".db");
}

std::shared_ptr<Store> open_store(bool postgres, const std::string& name, std::size_t pool) {
  if (postgres) {
    auto url = interviewkit::testing::PostgresServer::shared().fresh_database();
    return PostgresStore::open({.url = url, .pool_size = pool}).value();
  }
  const auto path = sqlite_path(name);
  for (const auto* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path.string() + suffix);
  return SqliteStore::open(path).value();
}

template <class F>
double seconds_of(F&& f) {
  const auto start = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The peer of a PostgreSQL booking: one autocommitted INSERT of a person's slot into a table
// with the exclusion constraint of interview_people, a prepared statement on its own
// connection. Same database, same server settings (synchronous_commit included).
class PlainInsert {
 public:
  explicit PlainInsert(const std::string& url) : c_(url) {
    pqxx::nontransaction(c_).exec(
        "CREATE EXTENSION IF NOT EXISTS btree_gist; CREATE TABLE plain_slots (person TEXT NOT "
        "NULL, slot TSTZRANGE NOT NULL, CONSTRAINT plain_slots_no_overlap EXCLUDE USING gist "
        "(person WITH =, slot WITH &&))");
    c_.prepare("insert",
               "INSERT INTO plain_slots (person, slot) VALUES ($1, tstzrange(to_timestamp($2), "
               "to_timestamp($3), '[)'))");
  }
  // Slots as the bookings get them: consecutive hours, one person of 100 after another.
  void insert_one() {
    const std::int64_t start = 4102444800 + std::int64_t{3600} * (next_ / 100);
    pqxx::nontransaction tx(c_);
    tx.exec_prepared("insert", fmt::format("interviewer:int-{}", next_ % 100), start, start + 3600);
    ++next_;
  }
  std::string setting(const std::string& name) {
    return pqxx::nontransaction(c_).exec("SHOW " + name)[0][0].as<std::string>();
  }

 private:
  pqxx::connection c_;
  int next_ = 0;
};

// One write() of a few bytes and one fsync() of a file: the unit a durable commit pays.
class FsyncProbe {
 public:
  explicit FsyncProbe(const std::filesystem::path& path)
      : fd_(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600)) {
    if (fd_ < 0)
      throw std::runtime_error("cannot open " + path.string());
  }
  FsyncProbe(const FsyncProbe&) = delete;
  FsyncProbe& operator=(const FsyncProbe&) = delete;
  ~FsyncProbe() { ::close(fd_); }
  void write_and_sync() const {
    if (::pwrite(fd_, "booking\n", 8, 0) != 8 || ::fsync(fd_) != 0)
      throw std::runtime_error("write + fsync failed");
  }

 private:
  int fd_;
};

struct Booker {
  std::shared_ptr<Store> store;
  std::unique_ptr<BookingService> service;
  int next = 0;

  explicit Booker(std::shared_ptr<Store> s) : store(std::move(s)) {
    BookingOptions options{.test_mode = true};
    options.policy = NotificationPolicy::defaults(std::nullopt);
    service =
        BookingService::make(store, ActionLog::make(std::make_shared<NullSink>()).value(), options)
            .value();
  }
  void book_one() { bench::book_one(*service, next++, 100); }

  // create and book timed apart (seconds): `book` is the one transaction that takes a slot
  // under the exclusion constraint and writes the outbox rows, the like-for-like peer of a
  // plain INSERT; `create` registers the request beforehand, in its own transaction. With
  // `held`, book is given the interview create returned (one round trip less) instead of
  // its id.
  std::pair<double, double> create_then_book(bool held) {
    const int i = next++;
    const auto who = fmt::format("cand-{}", i);
    const auto interviewer = fmt::format("int-{}", i % 100);
    std::optional<Interview> created;
    const auto create = seconds_of([&] {
      created =
          service
              ->create({"Bench",
                        {CandidateId::make(who).value(), bench::person(who)},
                        {{InterviewerId::make(interviewer).value(), bench::person(interviewer)}}},
                       Actor::system())
              .value();
    });
    const auto start =
        date::sys_seconds{date::sys_days{date::year{2100} / 1 / 1}} + std::chrono::hours{i / 100};
    const auto slot = TimeRange::make(start, 1h).value();
    const auto book = seconds_of([&] {
      if (held)
        (void)service->book(*created, slot, Actor::system()).value();
      else
        (void)service->book(created->id, slot, Actor::system()).value();
    });
    return {create, book};
  }
};

// Sets the per-booking figures of a paired run: both sides' mean time and their ratio.
void report(benchmark::State& state, double booking, double peer, const char* peer_name,
            const char* ratio_name) {
  using benchmark::Counter;
  state.counters["booking_us"] = Counter(booking * 1e6, Counter::kAvgIterations);
  state.counters[peer_name] = Counter(peer * 1e6, Counter::kAvgIterations);
  state.counters[ratio_name] = peer > 0 ? booking / peer : 0;
}

// Each iteration: one booking through the library, then one plain INSERT, so both see the
// same server, disk and machine load. Both sides commit with the same synchronous_commit:
// the server's (on, the default) or, with argument 0, off for both sessions, which leaves
// out the wait for the WAL flush and shows what round trips and server work cost. `held`:
// book is given the interview as create returned it (BookingService::book(const
// Interview&, ...), one round trip) rather than its id (two).
void BM_PostgresBookingVsInsert(benchmark::State& state) {
  auto url = interviewkit::testing::PostgresServer::shared().fresh_database();
  if (state.range(0) == 0)
    url += "?options=-c%20synchronous_commit%3Doff";
  const bool held = state.range(1) != 0;
  Booker booker(PostgresStore::open({.url = url, .pool_size = 4}).value());
  PlainInsert peer(url);
  double booking = 0;
  double book = 0;
  double insert = 0;
  for (auto _ : state) {
    const auto [create_s, book_s] = booker.create_then_book(held);
    booking += create_s + book_s;
    book += book_s;
    insert += seconds_of([&] { peer.insert_one(); });
  }
  report(state, booking, insert, "plain_insert_us", "booking_per_insert");
  using benchmark::Counter;
  state.counters["book_us"] = Counter(book * 1e6, Counter::kAvgIterations);
  state.counters["book_per_insert"] = insert > 0 ? book / insert : 0;
  state.SetLabel(fmt::format("postgres, synchronous_commit={} fsync={}, book by {}",
                             peer.setting("synchronous_commit"), peer.setting("fsync"),
                             held ? "revision held" : "id"));
}

// Each iteration: one booking on a SQLite file (WAL, synchronous=FULL), then one write +
// fsync of a file in the same directory.
void BM_SqliteBookingVsFsync(benchmark::State& state) {
  Booker booker(open_store(false, "book", 1));
  FsyncProbe probe(sqlite_path("fsync-probe"));
  double booking = 0;
  double fsync = 0;
  for (auto _ : state) {
    booking += seconds_of([&] { booker.book_one(); });
    fsync += seconds_of([&] { probe.write_and_sync(); });
  }
  report(state, booking, fsync, "fsync_us", "booking_per_fsync");
  state.SetLabel("sqlite, WAL, synchronous=FULL");
}

void BM_StoreDispatch(benchmark::State& state) {
  const bool postgres = state.range(0) != 0;
  const auto workers = static_cast<int>(state.range(1));
  constexpr int bookings = 1000;  // two messages each
  std::size_t delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    Booker booker(open_store(postgres, fmt::format("dispatch-{}", workers),
                             static_cast<std::size_t>(workers) + 1));
    for (int i = 0; i < bookings; ++i)
      booker.book_one();
    auto log = ActionLog::make(std::make_shared<NullSink>()).value();
    state.ResumeTiming();
    std::vector<std::thread> pool;
    std::atomic<std::size_t> done{0};
    for (int w = 0; w < workers; ++w) {
      pool.emplace_back([&] {
        DispatcherOptions options;
        options.batch_size = 50;
        auto dispatcher =
            Dispatcher::make(booker.store, std::make_shared<NoopNotifier>(), log, options).value();
        while (true) {
          const auto stats = dispatcher->drain_once().value();
          if (stats.claimed == 0)
            break;
          done += stats.delivered;
        }
      });
    }
    for (auto& t : pool)
      t.join();
    delivered += done.load();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
  state.SetLabel(fmt::format("{} x{}", postgres ? "postgres" : "sqlite FULL", workers));
}

}  // namespace

BENCHMARK(BM_PostgresBookingVsInsert)
    ->ArgsProduct({{1, 0}, {0, 1}})
    ->ArgNames({"synchronous_commit", "held"})
    ->MinTime(3)
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
BENCHMARK(BM_SqliteBookingVsFsync)->MinTime(3)->Unit(benchmark::kMicrosecond)->UseRealTime();
BENCHMARK(BM_StoreDispatch)
    ->ArgsProduct({{0, 1}, {1, 2, 4}})
    ->ArgNames({"postgres", "workers"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1)
    ->UseRealTime();

int main(int argc, char** argv) {
  ::setenv("INTERVIEWKIT_TEST_PG_FSYNC", "on", 0);  // durable commits, like SQLite FULL
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
