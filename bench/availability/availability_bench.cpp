// Slot search benchmarks: workload W1 (a 5-person panel in New York, London and Berlin over
// 14 days across the US DST change) in panel and round-robin mode, the scaling series, heap
// allocations per query, and the same W1 queries answered by PostgreSQL 15 with tstzmultirange
// arithmetic, checked to give the same slots.
//
// Run through scripts/bench-availability, which starts a throwaway PostgreSQL cluster and
// passes it in INTERVIEWKIT_BENCH_PG (a libpq connection string); without it the PostgreSQL
// side is skipped.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <map>
#include <new>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#ifdef INTERVIEWKIT_BENCH_POSTGRES
#include <pqxx/pqxx>
#endif

#include <interviewkit/interviewkit.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

// Every heap allocation in the process goes through these, so a query's allocations can be
// counted exactly. The deletes stay out of line: inlined, GCC would see malloc'd memory
// reach free() through operator new and warn about a mismatch that is not one.
namespace {
std::atomic<std::uint64_t> allocations{0};

void* allocate(std::size_t size) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}
void* allocate_aligned(std::size_t size, std::align_val_t align) {
  allocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  return std::aligned_alloc(a, (size + a - 1) / a * a);
}
}  // namespace

void* operator new(std::size_t size) {
  if (void* p = allocate(size))
    return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
  return ::operator new(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return allocate(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return allocate(size);
}
void* operator new(std::size_t size, std::align_val_t align) {
  if (void* p = allocate_aligned(size, align))
    return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size, std::align_val_t align) {
  return ::operator new(size, align);
}
[[gnu::noinline]] void operator delete(void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
[[gnu::noinline]] void operator delete[](void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}

namespace {

const date::sys_days w1_start = date::sys_days{date::year{2024} / 3 / 4};

struct Workload {
  SlotQuery query;
  std::vector<InterviewerAvailability> people;
  std::size_t busy_total = 0;
};

// `panel` interviewers in New York, London and Berlin in turn, Monday to Friday 09:00-17:00
// local, over `days` days from 2024-03-04. Each gets `busy` random busy intervals (seeded):
// 15 to 90 minutes inside their local working day, half booked interviews, half external.
Workload make_workload(int busy, int panel, int days, SlotMode mode) {
  static const std::vector<std::string> zones{"America/New_York", "Europe/London", "Europe/Berlin"};
  std::mt19937_64 rng(20240304);
  const auto uniform = [&](int lo, int hi) {
    return std::uniform_int_distribution<int>(lo, hi)(rng);
  };
  Workload w{
      .query = SlotQuery{.mode = mode,
                         .window = TimeRange::make(w1_start, w1_start + date::days{days}).value(),
                         .duration = 45min,
                         .step = 15min,
                         .now = w1_start,
                         .candidate_time_zone = TimeZone::make("Asia/Kathmandu").value()},
      .people = {}};
  for (int k = 0; k < panel; ++k) {
    const auto zone = TimeZone::make(zones[static_cast<std::size_t>(k) % zones.size()]).value();
    InterviewerAvailability person{.id = InterviewerId::make(fmt::format("int-{}", k + 1)).value(),
                                   .time_zone = zone,
                                   .weekly = WeeklyHours::monday_to_friday({{9h, 17h}})};
    for (int i = 0; i < busy; ++i) {
      date::local_days day;
      do {
        day = date::local_days{w1_start.time_since_epoch()} + date::days{uniform(0, days - 1)};
      } while (date::weekday{day} == date::Saturday || date::weekday{day} == date::Sunday);
      const auto start = zone.to_utc(day + 8h + uniform(0, 35) * 15min);
      const auto range = TimeRange::make(start, uniform(1, 6) * 15min).value();
      (i % 2 == 0 ? person.booked : person.busy).push_back(range);
    }
    std::sort(person.booked.begin(), person.booked.end(),
              [](const auto& a, const auto& b) { return a.start() < b.start(); });
    std::sort(person.busy.begin(), person.busy.end(),
              [](const auto& a, const auto& b) { return a.start() < b.start(); });
    w.busy_total += static_cast<std::size_t>(busy);
    w.people.push_back(std::move(person));
  }
  return w;
}

void report(benchmark::State& state, std::uint64_t allocated, std::size_t slots) {
  const auto n = static_cast<double>(state.iterations());
  state.counters["queries_per_s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["allocs_per_query"] = static_cast<double>(allocated) / n;
  state.counters["slots"] = static_cast<double>(slots);
}

// The search as a host runs it: one SlotSearch kept and reused.
void query_reused(benchmark::State& state, const Workload& w) {
  SlotSearch search;
  std::size_t slots = 0;
  const auto before = allocations.load();
  for (auto _ : state) {
    auto found = search.find(w.query, w.people);
    slots = found->size();
    benchmark::DoNotOptimize(found);
  }
  report(state, allocations.load() - before, slots);
  state.counters["busy_total"] = static_cast<double>(w.busy_total);
}

// A fresh search and a returned vector per query: what the allocation-light design saves.
void query_one_shot(benchmark::State& state, const Workload& w) {
  std::size_t slots = 0;
  const auto before = allocations.load();
  for (auto _ : state) {
    auto found = find_slots(w.query, w.people);
    slots = found->size();
    benchmark::DoNotOptimize(found);
  }
  report(state, allocations.load() - before, slots);
}

// W1 with booked interviews read from a MemoryStore on every query, through load_booked.
void query_from_store(benchmark::State& state, const Workload& w) {
  auto store = std::make_shared<MemoryStore>();
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  auto service =
      BookingService::make(store, ActionLog::make(std::make_shared<MemorySink>()).value(), options)
          .value();
  const auto actor = Actor::make(ActorRole::recruiter, "bench").value();
  int candidates = 0;
  for (const auto& person : w.people) {
    for (const auto& range : person.booked) {
      ++candidates;
      const auto cand = fmt::format("c-{}", candidates);
      const auto email = fmt::format("{}@example.com", cand);
      CreateRequest request{
          "W1",
          {CandidateId::make(cand).value(),
           Participant::make(cand, email, "Asia/Kathmandu").value()},
          {{person.id, Participant::make(person.id.str(), fmt::format("{}@example.com", person.id),
                                         std::string(person.time_zone.name()))
                           .value()}}};
      // Random intervals of one person may overlap; the store keeps the first of those.
      const auto id = service->create(request, actor).value().id;
      (void)service->book(id, range, actor);
    }
  }
  auto people = w.people;
  SlotSearch search;
  std::size_t slots = 0;
  const auto before = allocations.load();
  for (auto _ : state) {
    if (!load_booked(*store, w.query, people)) {
      state.SkipWithError("load_booked failed");
      return;
    }
    auto found = search.find(w.query, people);
    slots = found->size();
    benchmark::DoNotOptimize(found);
  }
  report(state, allocations.load() - before, slots);
}

std::uint64_t first_query_allocations(const Workload& w) {
  SlotSearch search;
  const auto before = allocations.load();
  auto found = search.find(w.query, w.people);
  benchmark::DoNotOptimize(found);
  return allocations.load() - before;
}

std::int64_t epoch(date::sys_seconds t) {
  return t.time_since_epoch().count();
}

#ifdef INTERVIEWKIT_BENCH_POSTGRES

// The same questions in SQL, as a team without this library would ask them: each
// interviewer's working hours expanded per local day with AT TIME ZONE and aggregated into a
// tstzmultirange, busy time subtracted, the panel intersected with range_intersect_agg (or,
// round-robin, the least loaded free interviewer per start with DISTINCT ON), slots cut with
// generate_series on the window's grid.
constexpr const char* free_time_sql = R"sql(
WITH people AS (
  SELECT id, zone, array_position($3::int[], id) AS ord FROM interviewer WHERE id = ANY($3::int[])
), days AS (
  SELECT p.id, p.zone, d::date AS day
  FROM people p,
       generate_series((($1::timestamptz AT TIME ZONE p.zone)::date - 1)::timestamp,
                       (($2::timestamptz AT TIME ZONE p.zone)::date + 1)::timestamp,
                       interval '1 day') AS d
), working AS (
  SELECT d.id, range_agg(tstzrange((d.day + h.start_time) AT TIME ZONE d.zone,
                                   (d.day + h.end_time) AT TIME ZONE d.zone)) AS hours
  FROM days d JOIN working_hours h ON h.interviewer = d.id
                                  AND h.isodow = extract(isodow FROM d.day)
  GROUP BY d.id
), blocked AS (
  SELECT b.interviewer AS id, range_agg(b.span) AS spans, count(*) FILTER (
           WHERE b.booked AND b.span && tstzrange($1::timestamptz, $2::timestamptz)) AS load
  FROM busy b
  WHERE b.interviewer = ANY($3::int[]) AND b.span && tstzrange($6::timestamptz, $2::timestamptz)
  GROUP BY b.interviewer
), free AS (
  SELECT p.id, p.ord, coalesce(b.load, 0) AS load,
         (coalesce(w.hours, '{}'::tstzmultirange) - coalesce(b.spans, '{}'::tstzmultirange))
           * tstzmultirange(tstzrange($6::timestamptz, $2::timestamptz)) AS spans
  FROM people p LEFT JOIN working w USING (id) LEFT JOIN blocked b USING (id)
))sql";

// Slot starts on the grid $1 + k * $5 inside each free piece that fit $4.
constexpr const char* cut_sql = R"sql(
generate_series(
  $1::timestamptz + ceil(extract(epoch FROM lower(piece) - $1::timestamptz)
                         / extract(epoch FROM $5::interval)) * $5::interval,
  upper(piece) - $4::interval, $5::interval) AS s)sql";

std::string panel_sql() {
  return fmt::format(
      "{}, panel AS (SELECT range_intersect_agg(spans) AS spans FROM free)\n"
      "SELECT extract(epoch FROM s)::bigint FROM panel, unnest(panel.spans) AS piece, {}\n"
      "ORDER BY s",
      free_time_sql, cut_sql);
}

std::string round_robin_sql() {
  return fmt::format(
      "{}\nSELECT DISTINCT ON (s) extract(epoch FROM s)::bigint, id\n"
      "FROM free, unnest(free.spans) AS piece, {}\n"
      "ORDER BY s, load, ord",
      free_time_sql, cut_sql);
}

class Postgres {
 public:
  explicit Postgres(const std::string& conninfo) : connection_(conninfo) {
    connection_.prepare("panel", panel_sql());
    connection_.prepare("round_robin", round_robin_sql());
  }

  void load(const Workload& w) {
    pqxx::nontransaction tx(connection_);
    tx.exec(R"sql(
DROP TABLE IF EXISTS busy, working_hours, interviewer;
CREATE TABLE interviewer (id int PRIMARY KEY, zone text NOT NULL);
CREATE TABLE working_hours (interviewer int NOT NULL REFERENCES interviewer,
                            isodow int NOT NULL, start_time time NOT NULL, end_time time NOT NULL);
CREATE TABLE busy (interviewer int NOT NULL REFERENCES interviewer, span tstzrange NOT NULL,
                   booked bool NOT NULL);
CREATE INDEX busy_by_interviewer ON busy USING gist (span);
CREATE INDEX busy_by_person ON busy (interviewer);
CREATE INDEX hours_by_interviewer ON working_hours (interviewer, isodow);
)sql");
    for (std::size_t k = 0; k < w.people.size(); ++k) {
      const auto& p = w.people[k];
      const auto id = static_cast<int>(k + 1);
      tx.exec_params("INSERT INTO interviewer VALUES ($1, $2)", id,
                     std::string(p.time_zone.name()));
      for (unsigned d = 1; d <= 7; ++d) {
        for (const auto& h : p.weekly.by_weekday.at(d % 7)) {
          tx.exec_params("INSERT INTO working_hours VALUES ($1, $2, $3::interval, $4::interval)",
                         id, static_cast<int>(d), fmt::format("{} minutes", h.start.count()),
                         fmt::format("{} minutes", h.end.count()));
        }
      }
      for (const bool booked : {true, false}) {
        for (const auto& r : booked ? p.booked : p.busy) {
          tx.exec_params(
              "INSERT INTO busy VALUES ($1, tstzrange(to_timestamp($2), to_timestamp($3)), $4)", id,
              epoch(r.start()), epoch(r.end()), booked);
        }
      }
    }
    tx.exec("ANALYZE");
    std::vector<std::size_t> ids(w.people.size());
    std::iota(ids.begin(), ids.end(), std::size_t{1});
    ids_ = fmt::format("{{{}}}", fmt::join(ids, ","));
  }

  // Slot starts (epoch seconds) and, round-robin, the 0-based interviewer position.
  std::vector<std::pair<std::int64_t, int>> slots(const SlotQuery& q) {
    pqxx::nontransaction tx(connection_);
    const auto earliest = std::max(q.window.start(), q.now.value() + q.minimum_notice);
    const auto result = tx.exec_prepared(
        q.mode == SlotMode::all ? "panel" : "round_robin", format_utc(q.window.start()),
        format_utc(q.window.end()), ids_, fmt::format("{} seconds", q.duration.count()),
        fmt::format("{} seconds", q.step.count()), format_utc(earliest));
    std::vector<std::pair<std::int64_t, int>> out;
    out.reserve(result.size());
    for (const auto& row : result) {
      out.emplace_back(row[0].as<std::int64_t>(),
                       q.mode == SlotMode::all ? -1 : row[1].as<int>() - 1);
    }
    return out;
  }

 private:
  pqxx::connection connection_;
  std::string ids_;
};

std::vector<std::pair<std::int64_t, int>> ours(const Workload& w) {
  std::vector<std::pair<std::int64_t, int>> out;
  for (const auto& s : find_slots(w.query, w.people).value()) {
    out.emplace_back(epoch(s.range.start()), s.interviewer ? static_cast<int>(*s.interviewer) : -1);
  }
  return out;
}

void query_postgres(benchmark::State& state, Postgres* pg, const Workload& w) {
  std::size_t slots = 0;
  for (auto _ : state) {
    auto found = pg->slots(w.query);
    slots = found.size();
    benchmark::DoNotOptimize(found);
  }
  const auto n = static_cast<double>(state.iterations());
  state.counters["queries_per_s"] = benchmark::Counter(n, benchmark::Counter::kIsRate);
  state.counters["slots"] = static_cast<double>(slots);
}

#endif

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv))
    return 1;

  // Workloads live for the whole run; benchmarks refer to them.
  static std::map<std::string, Workload> workloads;
  const auto workload = [&](int busy, int panel, int days, SlotMode mode) -> const Workload& {
    const auto key = fmt::format("{}/{}/{}/{}", busy, panel, days, to_string(mode));
    auto it = workloads.find(key);
    if (it == workloads.end())
      it = workloads.emplace(key, make_workload(busy, panel, days, mode)).first;
    return it->second;
  };
  const auto& w1_panel = workload(40, 5, 14, SlotMode::all);
  const auto& w1_any = workload(40, 5, 14, SlotMode::any);

  constexpr int repetitions = 7;
  const auto w1 = [&](const std::string& name, auto fn, const Workload& w) {
    benchmark::RegisterBenchmark(name.c_str(), fn, std::cref(w))
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime()
        ->Repetitions(repetitions)
        ->ReportAggregatesOnly(true);
  };
  w1("W1/panel", query_reused, w1_panel);
  w1("W1/round_robin", query_reused, w1_any);
  w1("W1/panel_one_shot", query_one_shot, w1_panel);
  w1("W1/panel_from_memory_store", query_from_store, w1_panel);
  benchmark::AddCustomContext("w1_panel_allocations_first_query",
                              std::to_string(first_query_allocations(w1_panel)));

  // Scaling series: one dimension at a time away from W1.
  const auto scaling = [&](const std::string& series, int busy, int panel, int days,
                           SlotMode mode) {
    const auto& w = workload(busy, panel, days, mode);
    benchmark::RegisterBenchmark(fmt::format("scaling_{}/{}/busy:{}/panel:{}/days:{}", series,
                                             to_string(mode), busy, panel, days)
                                     .c_str(),
                                 query_reused, std::cref(w))
        ->Unit(benchmark::kMicrosecond)
        ->UseRealTime();
  };
  for (const int busy : {10, 100, 1000, 10000})
    scaling("busy", busy, 5, 14, SlotMode::all);
  for (const auto mode : {SlotMode::all, SlotMode::any}) {
    for (const int panel : {1, 5, 20, 50})
      scaling("panel", 40, panel, 14, mode);
  }
  for (const int days : {7, 30, 90})
    scaling("days", 40, 5, days, SlotMode::all);

#ifdef INTERVIEWKIT_BENCH_POSTGRES
  std::unique_ptr<Postgres> pg;
  if (const char* conninfo = std::getenv("INTERVIEWKIT_BENCH_PG"); conninfo && *conninfo) {
    pg = std::make_unique<Postgres>(conninfo);
    // W1's panel has few slots, so the two are also compared on workloads with many, in both
    // modes, before W1 itself.
    std::size_t queries = 0;
    std::size_t compared = 0;
    std::size_t disagreements = 0;
    for (const auto& [busy, panel, days] : {std::tuple{10, 5, 14}, std::tuple{40, 1, 14},
                                            std::tuple{40, 2, 90}, std::tuple{40, 20, 30}}) {
      for (const auto mode : {SlotMode::all, SlotMode::any}) {
        const auto w = make_workload(busy, panel, days, mode);
        pg->load(w);
        const auto mine = ours(w);
        ++queries;
        compared += mine.size();
        if (mine != pg->slots(w.query)) {
          ++disagreements;
          std::cerr << fmt::format("PostgreSQL disagrees: busy {} panel {} days {} mode {}\n", busy,
                                   panel, days, mode);
        }
      }
    }
    benchmark::AddCustomContext("postgres_cross_check_queries", std::to_string(queries));
    benchmark::AddCustomContext("postgres_cross_check_slots", std::to_string(compared));
    benchmark::AddCustomContext("postgres_cross_check_disagreements",
                                std::to_string(disagreements));

    pg->load(w1_panel);
    bool all_identical = disagreements == 0;
    for (const auto* w : {&w1_panel, &w1_any}) {
      const auto mine = ours(*w);
      const auto theirs = pg->slots(w->query);
      const bool identical = mine == theirs;
      all_identical = all_identical && identical;
      const auto mode = std::string(to_string(w->query.mode));
      benchmark::AddCustomContext(fmt::format("postgres_w1_{}_identical", mode),
                                  identical ? "true" : "false");
      benchmark::AddCustomContext(fmt::format("postgres_w1_{}_slots", mode),
                                  fmt::format("ours {} postgres {}", mine.size(), theirs.size()));
      if (!identical) {
        std::cerr << fmt::format("W1 {}: PostgreSQL gives {} slots, the search {}\n", mode,
                                 theirs.size(), mine.size());
      }
    }
    const auto postgres = [&](const std::string& name, const Workload& w) {
      benchmark::RegisterBenchmark(name.c_str(), query_postgres, pg.get(), std::cref(w))
          ->Unit(benchmark::kMicrosecond)
          ->UseRealTime()
          ->Repetitions(repetitions)
          ->ReportAggregatesOnly(true);
    };
    postgres("W1/panel_postgres", w1_panel);
    postgres("W1/round_robin_postgres", w1_any);
    if (!all_identical)
      std::cerr << "PostgreSQL and the search disagree on W1\n";
  } else {
    benchmark::AddCustomContext("postgres", "skipped: INTERVIEWKIT_BENCH_PG not set");
  }
#else
  benchmark::AddCustomContext("postgres", "skipped: built without libpqxx");
#endif

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
