// PostgreSQL store: a booking (create + book) next to the cheapest durable write of the same
// kind, a plain INSERT into a table with the same exclusion constraint, and next to the
// booking's own writes with nothing of the library around them, on the same server in the
// same run; and dispatch throughput with 1, 2 and 4 workers. SqliteStore is measured the
// same way: a booking next to one fsync of a small write on the same disk. Starts a
// throwaway local cluster (or uses INTERVIEWKIT_TEST_PG_URL).
#include <chrono>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <stdexcept>
#include <thread>
#include <tuple>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
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

// CPU time this thread has used, in seconds: what the client side of a call costs (user and
// kernel, the socket calls included), as against its wall time.
double thread_cpu_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
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
  double book_cpu = 0;  // seconds of this thread's CPU in create_then_book's `book`

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
    std::optional<Interview> created;
    const auto create = seconds_of([&] { created = create_one(i); });
    const auto slot = slot_of(i, 2100);
    const double cpu_before = thread_cpu_seconds();
    const auto book = seconds_of([&] {
      if (held)
        (void)service->book(*created, slot, Actor::system()).value();
      else
        (void)service->book(created->id, slot, Actor::system()).value();
    });
    book_cpu += thread_cpu_seconds() - cpu_before;
    return {create, book};
  }

  // Interview number `i`: candidate cand-i with interviewer int-(i % 100), pending.
  Interview create_one(int i) {
    const auto who = fmt::format("cand-{}", i);
    const auto interviewer = fmt::format("int-{}", i % 100);
    return service
        ->create({"Bench",
                  {CandidateId::make(who).value(), bench::person(who)},
                  {{InterviewerId::make(interviewer).value(), bench::person(interviewer)}}},
                 Actor::system())
        .value();
  }
  // Interview number `i`'s hour in `year`: each interviewer's slots follow one another.
  static TimeRange slot_of(int i, int year) {
    const auto start =
        date::sys_seconds{date::sys_days{date::year{year} / 1 / 1}} + std::chrono::hours{i / 100};
    return TimeRange::make(start, 1h).value();
  }
};

// The floor under a PostgreSQL `book`: the rows a booking writes, and nothing else. The
// interview row at its booked revision, one people row per person under the exclusion
// constraint, one outbox row per recipient carrying a payload of the library's shape and
// size (the whole revision), written by one prepared call of a server-side function, one
// autocommitted statement. No revision or overlap check of the library's own, no person
// locks, no client work inside the timed call. It is what a booking would cost if the
// library added nothing to its writes; BM_PostgresBookingVsInsert times it next to the
// library and the plain INSERT.
class BookingFloor {
 public:
  explicit BookingFloor(const std::string& url) : c_(url) {
    pqxx::nontransaction(c_).exec(R"sql(
CREATE FUNCTION bench_floor_book(p_id BIGINT, p_version BIGINT, p_body JSONB, p_at BIGINT,
                                 p_recipients TEXT, p_people JSONB, p_lo BIGINT, p_hi BIGINT,
                                 p_outbox JSONB) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  booked TSTZRANGE := tstzrange(to_timestamp(p_lo), to_timestamp(p_hi), '[)');
BEGIN
  PERFORM set_config('interviewkit.people_rows', 'store', true);
  UPDATE interviews SET status = 'scheduled', version = p_version, slot = booked, body = p_body,
         updated_ms = p_at, recipients = p_recipients, last_event = 'book', last_from = 'pending'
   WHERE id = p_id AND version = p_version - 1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'bench floor: interview % is not at version %', p_id, p_version - 1;
  END IF;
  DELETE FROM interview_people WHERE interview_id = p_id;
  INSERT INTO interview_people (interview_id, person, slot)
    SELECT p_id, who, booked FROM jsonb_array_elements_text(p_people) AS who;
  INSERT INTO outbox (idempotency_key, interview_id, kind, channel, payload, message_token,
                      due_ms, state, created_ms, updated_ms, recipient, revision)
    SELECT m->>'key', p_id, 'interview_scheduled', 'default', m->'payload', m->>'token', p_at,
           'pending', p_at, p_at, m->>'recipient', p_version
      FROM jsonb_array_elements(p_outbox) AS m;
END $$)sql");
    c_.prepare("book", "SELECT bench_floor_book($1, $2, $3, $4, $5, $6, $7, $8, $9)");
  }

  // Writes the booked revision of `created` (pending, version 1) at `slot`; seconds taken
  // by the call alone.
  double book(Interview created, const TimeRange& slot) {
    auto& booked = created;
    booked.status = InterviewStatus::scheduled;
    booked.slot = slot;
    booked.version += 1;
    booked.meeting_link = "https://meet.invalid/" + std::string(32, 'x');
    const nlohmann::json body(booked);
    std::vector<std::pair<std::string, nlohmann::json>> recipients{
        {"candidate:" + booked.candidate.id.str(), body["candidate"]}};
    for (const auto& person : body["interviewers"])
      recipients.emplace_back("interviewer:" + person["id"].get<std::string>(), person);
    nlohmann::json people = nlohmann::json::array();
    nlohmann::json outbox = nlohmann::json::array();
    std::string joined;
    for (auto& [key, who] : recipients) {
      const auto idempotency = fmt::format("interview/{}/v{}/{}/interview_scheduled",
                                           booked.id.value(), booked.version, key);
      who["role"] = key.substr(0, key.find(':'));
      outbox.push_back({{"key", idempotency},
                        {"token", std::string(22, 't')},
                        {"recipient", key},
                        {"payload",
                         {{"idempotency_key", idempotency},
                          {"interview", body},
                          {"kind", "interview_scheduled"},
                          {"previous_slot", nullptr},
                          {"reason", ""},
                          {"recipient", who}}}});
      people.push_back(key);
      joined += (joined.empty() ? "" : "\n") + key;
    }
    const auto at =
        std::chrono::duration_cast<std::chrono::milliseconds>(booked.updated_at.time_since_epoch())
            .count();
    const auto arguments =
        std::make_tuple(static_cast<std::int64_t>(booked.id.value()),
                        static_cast<std::int64_t>(booked.version), body.dump(), at, joined,
                        people.dump(), seconds(slot.start()), seconds(slot.end()), outbox.dump());
    return seconds_of([&] {
      pqxx::nontransaction tx(c_);
      std::apply([&](const auto&... a) { tx.exec_prepared("book", a...); }, arguments);
    });
  }

 private:
  static std::int64_t seconds(date::sys_seconds t) { return t.time_since_epoch().count(); }
  pqxx::connection c_;
};

// Sets the per-booking figures of a paired run: both sides' mean time and their ratio.
void report(benchmark::State& state, double booking, double peer, const char* peer_name,
            const char* ratio_name) {
  using benchmark::Counter;
  state.counters["booking_us"] = Counter(booking * 1e6, Counter::kAvgIterations);
  state.counters[peer_name] = Counter(peer * 1e6, Counter::kAvgIterations);
  state.counters[ratio_name] = peer > 0 ? booking / peer : 0;
}

// Each iteration: one booking through the library, the same writes for another interview
// at the floor (BookingFloor), then one plain INSERT, so all three see the same server,
// disk and machine load. All three commit with the same synchronous_commit:
// the server's (on, the default) or, with argument 0, off for all sessions, which leaves
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
  BookingFloor floor(url);
  double booking = 0;
  double book = 0;
  double floor_book = 0;
  double insert = 0;
  for (auto _ : state) {
    const auto [create_s, book_s] = booker.create_then_book(held);
    booking += create_s + book_s;
    book += book_s;
    state.PauseTiming();
    const int i = booker.next++;
    const auto created = booker.create_one(i);
    state.ResumeTiming();
    floor_book += floor.book(created, Booker::slot_of(i, 2200));
    insert += seconds_of([&] { peer.insert_one(); });
  }
  report(state, booking, insert, "plain_insert_us", "booking_per_insert");
  using benchmark::Counter;
  state.counters["book_us"] = Counter(book * 1e6, Counter::kAvgIterations);
  state.counters["book_per_insert"] = insert > 0 ? book / insert : 0;
  state.counters["book_cpu_us"] = Counter(booker.book_cpu * 1e6, Counter::kAvgIterations);
  state.counters["floor_us"] = Counter(floor_book * 1e6, Counter::kAvgIterations);
  state.counters["floor_per_insert"] = insert > 0 ? floor_book / insert : 0;
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
