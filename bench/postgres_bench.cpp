// PostgreSQL store: bookings per second, and dispatch throughput with 1, 2 and 4 workers,
// next to SqliteStore measured the same way in the same run. Starts a throwaway local
// cluster (or uses INTERVIEWKIT_TEST_PG_URL).
#include <filesystem>
#include <thread>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

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

std::shared_ptr<Store> open_store(bool postgres, const std::string& name, std::size_t pool) {
  if (postgres) {
    auto url = interviewkit::testing::PostgresServer::shared().fresh_database();
    return PostgresStore::open({.url = url, .pool_size = pool}).value();
  }
  const auto path =
      std::filesystem::temp_directory_path() / ("interviewkit-pgbench-" + name + ".db");
  for (const auto* suffix : {"", "-wal", "-shm"})
    std::filesystem::remove(path.string() + suffix);
  return SqliteStore::open(path).value();
}

struct Booker {
  std::shared_ptr<Store> store;
  std::unique_ptr<BookingService> service;
  int next = 0;

  explicit Booker(std::shared_ptr<Store> s) : store(std::move(s)) {
    BookingOptions options;
    options.policy = NotificationPolicy::defaults(std::nullopt);
    service =
        BookingService::make(store, ActionLog::make(std::make_shared<NullSink>()).value(), options)
            .value();
  }
  void book_one() { bench::book_one(*service, next++, 100); }
};

void BM_StoreBook(benchmark::State& state) {
  const bool postgres = state.range(0) != 0;
  Booker booker(open_store(postgres, "book", 4));
  for (auto _ : state)
    booker.book_one();
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(postgres ? "postgres" : "sqlite FULL");
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

BENCHMARK(BM_StoreBook)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("postgres")
    ->Unit(benchmark::kMicrosecond)
    ->UseRealTime();
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
