// Reconciliation over 100,000 interviews: Reconciler::reconcile on a SQLite file and on
// MemoryStore, beside what an operator could do without it (page through every dead
// message: fast, but blind to messages never enqueued and to pending ones stuck past due).
// Each interview is booked (revision 2, transition recorded) with its two invites; 1 in 100
// has a dead invite and 1 in 500 lost its candidate's row, so the answer is 1,200 gaps.
// Run: build/release/bench/interviewkit_reconcile_bench
// --benchmark_out=bench/results/reconcile.json
//      --benchmark_out_format=json
#include <filesystem>
#include <map>
#include <memory>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/outbox/fate.hpp>
#include <interviewkit/store/sqlite_store.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

namespace {

const UtcMillis t0{date::sys_days{date::year{2026} / 1 / 5}};

Participant person(const std::string& name) {
  return Participant::make(name, fmt::format("{}@example.com", name), "Europe/Madrid").value();
}

OutboxMessage invite(InterviewId id, const std::string& role, const std::string& who,
                     OutboxState state) {
  OutboxMessage m;
  m.idempotency_key = fmt::format("interview/{}/v2/{}:{}/interview_scheduled", id, role, who);
  m.interview = id;
  m.kind = NotificationKind::interview_scheduled;
  m.payload =
      nlohmann::json{{"recipient", {{"role", role}, {"id", who}}}, {"interview", {{"version", 2}}}};
  m.message_token = std::string(16, 't');
  m.due = t0;
  m.state = state;
  m.created_at = t0;
  m.updated_at = t0;
  return m;
}

// One booked interview and its invites, as BookingService leaves them.
Result<void> book_one(StoreTransaction& tx, int i) {
  const auto cand = fmt::format("c-{}", i);
  const auto intv = fmt::format("i-{}", i % 97);
  Interview interview{
      .title = "Bench",
      .candidate = {CandidateId::make(cand).value(), person(cand)},
      .interviewers = {{InterviewerId::make(intv).value(), person(intv)}},
      .created_at = date::floor<std::chrono::seconds>(t0) + std::chrono::seconds{i},
      .updated_at = date::floor<std::chrono::seconds>(t0) + std::chrono::seconds{i}};
  const auto id = tx.insert(interview).value();
  interview.id = id;
  interview.status = InterviewStatus::scheduled;
  interview.version = 2;
  interview.slot = TimeRange::make(interview.updated_at + 12h, interview.updated_at + 13h).value();
  if (auto ok = tx.update(interview); !ok)
    return ok;
  if (auto ok = tx.record_transition(id, {InterviewEvent::book, InterviewStatus::pending}); !ok)
    return ok;
  std::vector<OutboxMessage> messages;
  if (i % 500 != 0)  // 1 in 500: the candidate's row was lost
    messages.push_back(invite(id, "candidate", cand, OutboxState::delivered));
  messages.push_back(
      invite(id, "interviewer", intv, i % 100 == 1 ? OutboxState::dead : OutboxState::delivered));
  if (auto ids = tx.enqueue(messages); !ids)
    return ids.error();
  return {};
}

void populate(Store& store, int count) {
  for (int first = 0; first < count; first += 1000) {
    store
        .write([&](StoreTransaction& tx) -> Result<void> {
          for (int i = first; i < std::min(count, first + 1000); ++i) {
            if (auto ok = book_one(tx, i); !ok)
              return ok;
          }
          return {};
        })
        .value();
  }
}

std::shared_ptr<Store> stored(bool sqlite, int count) {
  static std::map<std::pair<bool, int>, std::shared_ptr<Store>> cache;
  auto& store = cache[{sqlite, count}];
  if (store)
    return store;
  if (sqlite) {
    const auto path = std::filesystem::temp_directory_path() /
                      fmt::format("interviewkit-reconcile-bench-{}.db", count);
    std::filesystem::remove(path);
    std::filesystem::remove(path.string() + "-wal");
    store = SqliteStore::open(path, {.synchronous = SqliteOptions::Synchronous::normal}).value();
  } else {
    store = std::make_shared<MemoryStore>();
  }
  populate(*store, count);
  return store;
}

void BM_Reconcile(benchmark::State& state) {
  const int count = static_cast<int>(state.range(1));
  auto store = stored(state.range(0) == 1, count);
  const auto clock = std::make_shared<ManualClock>(t0 + 24h * 30);
  auto reconciler = Reconciler::make(store, {.clock = clock}).value();
  std::size_t gaps = 0;
  for (auto _ : state) {
    gaps = reconciler.reconcile(t0 - 1h, t0 + 24h * 30).value().size();
    benchmark::DoNotOptimize(gaps);
  }
  state.counters["interviews"] = count;
  state.counters["gaps"] = static_cast<double>(gaps);
  state.SetLabel(state.range(0) == 1 ? "sqlite" : "memory");
}

// The peer: every dead message, page by page. Finds the dead invites only.
void BM_PageDeadMessages(benchmark::State& state) {
  const int count = static_cast<int>(state.range(1));
  auto store = stored(state.range(0) == 1, count);
  std::size_t dead = 0;
  for (auto _ : state) {
    dead = 0;
    OutboxQuery query{.state = OutboxState::dead, .limit = 10000};
    for (;;) {
      auto page = page_outbox(*store, query).value();
      dead += page.messages.size();
      if (!page.next)
        break;
      query.after = *page.next;
    }
    benchmark::DoNotOptimize(dead);
  }
  state.counters["interviews"] = count;
  state.counters["found"] = static_cast<double>(dead);
  state.SetLabel(state.range(0) == 1 ? "sqlite" : "memory");
}

}  // namespace

BENCHMARK(BM_Reconcile)
    ->ArgsProduct({{1, 0}, {10000, 100000}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);
BENCHMARK(BM_PageDeadMessages)
    ->ArgsProduct({{1, 0}, {100000}})
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);
BENCHMARK_MAIN();
