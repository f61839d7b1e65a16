// Bookings per second through BookingService, and outbox drain rate, on MemoryStore and on
// SqliteStore (synchronous FULL and NORMAL), with 1k / 10k / 100k interviews already stored;
// and BM_CreateAndBook, the cost of the booking path itself (median of its repetitions).
// Run: build/release/bench/interviewkit_bench --benchmark_out=bench/results/booking.json
//      --benchmark_out_format=json
#include <filesystem>
#include <memory>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/sqlite_store.hpp>

#include "bench_support.hpp"

using namespace interviewkit;
using namespace std::chrono_literals;
using bench::NoopNotifier;
using bench::NullSink;

namespace {

enum class Backend { memory, sqlite_full, sqlite_normal };

std::filesystem::path db_path(const std::string& name) {
  return std::filesystem::temp_directory_path() / ("interviewkit-bench-" + name + ".db");
}

std::shared_ptr<Store> open_store(Backend backend, const std::string& name, bool fresh) {
  if (backend == Backend::memory)
    return std::make_shared<MemoryStore>();
  const auto path = db_path(name);
  if (fresh) {
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    std::filesystem::remove(path.string() + "-shm");
  }
  SqliteOptions options;
  options.synchronous = backend == Backend::sqlite_full ? SqliteOptions::Synchronous::full
                                                        : SqliteOptions::Synchronous::normal;
  return SqliteStore::open(path, options).value();
}

// Deliver everything pending, so only new messages are measured.
void drain_all(const std::shared_ptr<Store>& store) {
  DispatcherOptions options;
  options.batch_size = 4096;
  auto dispatcher = Dispatcher::make(store, std::make_shared<NoopNotifier>(),
                                     ActionLog::make(std::make_shared<NullSink>()).value(), options)
                        .value();
  while (dispatcher->drain_once().value().claimed > 0) {
  }
}

struct Bench {
  std::shared_ptr<Store> store;
  std::unique_ptr<BookingService> service;
  int next = 0;

  Bench(Backend backend, const std::string& name, int existing = 0, bool drain_existing = false) {
    if (backend != Backend::memory && existing > 0) {
      // Prefill with synchronous=NORMAL (fast), then reopen in the mode being measured.
      store = open_store(Backend::sqlite_normal, name, true);
      attach();
      for (int i = 0; i < existing; ++i)
        book_one();
      if (drain_existing)
        drain_all(store);
      service.reset();
      store.reset();
      store = open_store(backend, name, false);
    } else {
      store = open_store(backend, name, true);
      attach();
      for (int i = 0; i < existing; ++i)
        book_one();
      if (drain_existing)
        drain_all(store);
    }
    attach();
  }

  void attach() {
    BookingOptions options{.test_mode = true};
    options.policy = NotificationPolicy::defaults(std::nullopt);
    service =
        BookingService::make(store, ActionLog::make(std::make_shared<NullSink>()).value(), options)
            .value();
  }

  void book_one() { bench::book_one(*service, next++, 200); }
};

void BM_Book(benchmark::State& state) {
  const auto backend = static_cast<Backend>(state.range(0));
  Bench bench(backend, fmt::format("book-{}-{}", state.range(0), state.range(1)),
              static_cast<int>(state.range(1)));
  for (auto _ : state)
    bench.book_one();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(backend == Backend::memory        ? "memory"
                 : backend == Backend::sqlite_full ? "sqlite FULL"
                                                   : "sqlite NORMAL");
}

void BM_Drain(benchmark::State& state) {
  const auto backend = static_cast<Backend>(state.range(0));
  Bench bench(backend, fmt::format("drain-{}-{}", state.range(0), state.range(1)),
              static_cast<int>(state.range(1)), true);
  auto log = ActionLog::make(std::make_shared<NullSink>()).value();
  DispatcherOptions options;
  options.batch_size = 256;
  auto dispatcher =
      Dispatcher::make(bench.store, std::make_shared<NoopNotifier>(), log, options).value();
  std::size_t delivered = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (int i = 0; i < 128; ++i)
      bench.book_one();  // 256 messages
    state.ResumeTiming();
    delivered += dispatcher->drain_once().value().delivered;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(delivered));
  state.SetLabel(backend == Backend::memory        ? "memory"
                 : backend == Backend::sqlite_full ? "sqlite FULL"
                                                   : "sqlite NORMAL");
}

// A realistic interview: a candidate and two interviewers, in three time zones.
CreateRequest realistic_request(int candidate, int first, int second) {
  const auto person = [](const std::string& id, const char* zone) {
    return Participant::make("Person " + id, id + "@example.com", zone).value();
  };
  const auto interviewer = [&](int n, const char* zone) {
    const auto id = fmt::format("int-{}", n);
    return Interviewer{InterviewerId::make(id).value(), person(id, zone)};
  };
  const auto id = fmt::format("cand-{}", candidate);
  return {"Technical interview",
          {CandidateId::make(id).value(), person(id, "America/New_York")},
          {interviewer(first, "Europe/Berlin"), interviewer(second, "Asia/Kolkata")}};
}

// MemoryStore create + book through BookingService and nothing else: the ActionLog drops
// its entries, the options are the defaults (the default policy enqueues an invite and a
// reminder for each of the three people: six outbox rows), and the requests are built before
// the clock starts. Every interview gets an hour of its own, so no booking conflicts; 10k
// interviews are stored first, as a service that has been running a while would have.
void BM_CreateAndBook(benchmark::State& state) {
  constexpr int people = 1000;  // candidates and interviewers in the rotation
  std::vector<CreateRequest> requests;
  requests.reserve(people);
  for (int i = 0; i < people; ++i)
    requests.push_back(realistic_request(i, i % 200, (i + 1) % 200));
  auto store = std::make_shared<MemoryStore>();
  auto service = BookingService::make(store, ActionLog::make(std::make_shared<NullSink>()).value(),
                                      {.test_mode = true})
                     .value();
  const auto base = date::sys_seconds{date::sys_days{date::year{2100} / 1 / 1}};
  int next = 0;
  const auto create_and_book = [&] {
    const auto& request = requests[static_cast<std::size_t>(next % people)];
    const auto slot = TimeRange::make(base + std::chrono::hours{next++}, 1h).value();
    auto created = service->create(request, Actor::system()).value();
    benchmark::DoNotOptimize(service->book(created.id, slot, Actor::system()).value());
  };
  for (int i = 0; i < static_cast<int>(state.range(0)); ++i)
    create_and_book();
  for (auto _ : state)
    create_and_book();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel("memory, 2 interviewers, 6 outbox rows");
}

}  // namespace

BENCHMARK(BM_CreateAndBook)
    ->Arg(10000)
    ->ArgName("existing")
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(0.2)
    ->Repetitions(15)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_Book)
    ->ArgsProduct({{0, 1, 2}, {1000, 10000, 100000}})
    ->ArgNames({"backend", "existing"})
    ->Unit(benchmark::kMicrosecond)
    ->MinTime(0.5)
    ->UseRealTime();
BENCHMARK(BM_Drain)
    ->ArgsProduct({{0, 1, 2}, {1000, 10000, 100000}})
    ->ArgNames({"backend", "existing"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
