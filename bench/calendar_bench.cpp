// Interviewers' CalDAV calendars: 20 interviewers x 500 events (50 of them weekly recurring)
// on a Radicale server on loopback, imported for a 14-day window by CalendarSync, cold (a
// first read) and incremental (nothing changed, and one event changed per calendar), with
// the same import done by Debian's python3-caldav client in the same run; then W1-style slot
// search with these busy times next to the same search without them.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>

#include <benchmark/benchmark.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/calendar/calendar_sync.hpp>
#include <interviewkit/interviewkit.hpp>

#include "support/radicale.hpp"

using namespace interviewkit;
using interviewkit::testing::RadicaleServer;

namespace {

constexpr int interviewers = 20;
constexpr int events_per_interviewer = 500;
constexpr int recurring_per_interviewer = 50;
constexpr const char* password = "bench-pw";
const char* const zones[] = {"Europe/Berlin", "America/New_York", "Europe/London"};

// W1's window: 14 days from Monday 2024-03-04, across the US DST change.
const TimeRange window =
    TimeRange::make(date::sys_days{date::year{2024} / 3 / 4}, date::days{14}).value();

std::string user(int i) {
  return fmt::format("int-{:02}", i);
}

// One interviewer's events, one resource each: weekly meetings begun in January, and
// one-off meetings of 30 to 60 minutes through the window's working days.
std::vector<std::pair<std::string, std::string>> events_of(int who) {
  std::mt19937 random(static_cast<unsigned>(who) + 1);
  const std::string zone = zones[who % 3];
  std::vector<std::pair<std::string, std::string>> out;
  for (int k = 0; k < events_per_interviewer; ++k) {
    const bool weekly = k < recurring_per_interviewer;
    const int day = weekly ? 1 + k % 5 : 4 + static_cast<int>(random() % 14);
    const int hour = 8 + static_cast<int>(random() % 10);
    const int minutes = 30 * (1 + static_cast<int>(random() % 2));
    const auto uid = fmt::format("{}-{}-{}", user(who), weekly ? "weekly" : "once", k);
    auto body = fmt::format(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nBEGIN:VEVENT\r\nUID:{}\r\n"
        "DTSTAMP:20240101T000000Z\r\nDTSTART;TZID={}:2024{:02}{:02}T{:02}{:02}00\r\n"
        "DURATION:PT{}M\r\nSUMMARY:Meeting {}\r\n{}END:VEVENT\r\nEND:VCALENDAR\r\n",
        uid, zone, weekly ? 1 : 3, day, hour, 30 * (k % 2), minutes, k,
        weekly ? "RRULE:FREQ=WEEKLY\r\n" : "");
    out.emplace_back(uid + ".ics", std::move(body));
  }
  return out;
}

// The server, its calendars filled by writing the resources into Radicale's storage folder
// (10,000 PUTs through a client would take minutes; Radicale reads the files as they are).
struct Calendars {
  RadicaleServer server{users()};
  std::vector<CalDavCalendar> calendars;

  static std::vector<RadicaleServer::User> users() {
    std::vector<RadicaleServer::User> out;
    for (int i = 0; i < interviewers; ++i)
      out.emplace_back(user(i), password);
    return out;
  }

  Calendars() {
    for (int i = 0; i < interviewers; ++i) {
      const auto url = server.make_calendar(user(i), password, "work");
      const auto folder = server.dir() / "collections" / "collection-root" / user(i) / "work";
      for (const auto& [name, text] : events_of(i))
        std::ofstream(folder / name, std::ios::binary) << text;
      calendars.push_back({url, user(i), password});
    }
    // Radicale parses every item of a collection the first time it lists it (about 13 s
    // for 500 here) and caches the result: server warm-up, done before anything is timed,
    // so both clients meet a warm server.
    auto client = CalDavClient::make().value();
    for (const auto& c : calendars)
      (void)client->tags(c).value();
  }

  // Rewrites one event of each calendar (a new time), as an interviewer editing it would.
  void edit_one_each(int round) {
    for (int i = 0; i < interviewers; ++i) {
      const auto [name, original] = events_of(i)[recurring_per_interviewer];
      const auto at = original.find("SUMMARY:") + 8;
      const auto text =
          fmt::format("{}edit {} {}", original.substr(0, at), round, original.substr(at));
      const auto folder = server.dir() / "collections" / "collection-root" / user(i) / "work";
      std::ofstream(folder / name, std::ios::binary) << text;
    }
  }
};

Calendars& shared_calendars() {
  static Calendars calendars;
  return calendars;
}

std::unique_ptr<CalendarSync> syncing(const std::shared_ptr<Store>& store) {
  return CalendarSync::make(store, CalDavClient::make().value()).value();
}

void sync_all(CalendarSync& sync, benchmark::State& state, std::size_t& trips, std::size_t& busy) {
  const auto& c = shared_calendars();
  for (int i = 0; i < interviewers; ++i) {
    auto report = sync.sync(c.calendars[static_cast<std::size_t>(i)],
                            InterviewerId::make(user(i)).value(), window);
    if (!report) {
      state.SkipWithError(report.error().message().c_str());
      return;
    }
    trips += report->round_trips;
    busy += report->busy;
  }
}

void BM_CalendarImportCold(benchmark::State& state) {
  std::size_t trips = 0;
  std::size_t busy = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_shared<MemoryStore>();
    auto sync = syncing(store);
    state.ResumeTiming();
    sync_all(*sync, state, trips, busy);
  }
  state.counters["round_trips"] =
      benchmark::Counter(static_cast<double>(trips), benchmark::Counter::kAvgIterations);
  state.counters["busy_ranges"] =
      benchmark::Counter(static_cast<double>(busy), benchmark::Counter::kAvgIterations);
  state.SetLabel("20 calendars x 500 events, first read");
}

void BM_CalendarImportIncremental(benchmark::State& state) {
  const bool edit = state.range(0) != 0;
  auto store = std::make_shared<MemoryStore>();
  auto sync = syncing(store);
  std::size_t trips = 0;
  std::size_t busy = 0;
  sync_all(*sync, state, trips, busy);
  trips = busy = 0;
  int round = 0;
  for (auto _ : state) {
    if (edit) {
      state.PauseTiming();
      shared_calendars().edit_one_each(++round);
      state.ResumeTiming();
    }
    sync_all(*sync, state, trips, busy);
  }
  state.counters["round_trips"] =
      benchmark::Counter(static_cast<double>(trips), benchmark::Counter::kAvgIterations);
  state.SetLabel(edit ? "20 calendars, one event changed in each" : "20 calendars, unchanged");
}

// The peer: python3-caldav reading the same calendars' events in the window, expanded.
void BM_PythonCaldavImport(benchmark::State& state) {
  const auto& c = shared_calendars();
  std::string command =
      fmt::format("/usr/bin/python3 {}/caldav_import.py {} {} {} {}",
                  INTERVIEWKIT_BENCH_SERVERS_DIR, c.server.base_url(), password,
                  date::format("%FT%TZ", window.start()), date::format("%FT%TZ", window.end()));
  for (int i = 0; i < interviewers; ++i) {
    command += ' ';
    command += user(i);
  }
  double seconds = 0;
  double occurrences = 0;
  for (auto _ : state) {
    FILE* pipe = ::popen(command.c_str(), "r");
    std::string out;
    char buffer[4096];
    for (std::size_t n; pipe != nullptr && (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
      out.append(buffer, n);
    if (pipe == nullptr || ::pclose(pipe) != 0 || out.empty()) {
      state.SkipWithError("caldav_import.py failed");
      return;
    }
    const auto result = nlohmann::json::parse(out);
    seconds = result.at("seconds").get<double>();
    occurrences = result.at("occurrences").get<double>();
    state.SetIterationTime(seconds);
  }
  state.counters["occurrences"] = occurrences;
  state.SetLabel("python3-caldav search(expand=True), 20 calendars, timed in-process");
}

// W1's panel: five interviewers (the first five calendars), Mon-Fri 09:00-17:00 local in
// their calendars' zones, 45-minute slots on a 15-minute step.
struct Panel {
  std::shared_ptr<MemoryStore> store = std::make_shared<MemoryStore>();
  SlotQuery query{.window = window};
  std::vector<InterviewerAvailability> people;

  Panel() {
    auto sync = syncing(store);
    for (int i = 0; i < 5; ++i) {
      const auto id = InterviewerId::make(user(i)).value();
      (void)sync->sync(shared_calendars().calendars[static_cast<std::size_t>(i)], id, window)
          .value();
      people.push_back({.id = id,
                        .time_zone = TimeZone::make(zones[i % 3]).value(),
                        .weekly = WeeklyHours::monday_to_friday(
                            {{std::chrono::hours{9}, std::chrono::hours{17}}})});
    }
    query.duration = std::chrono::minutes{45};
    query.step = std::chrono::minutes{15};
    query.now = window.start() - date::days{1};
    query.mode = SlotMode::any;
  }
};

// Arg 0: the search without calendars; 1: with the calendars' busy time, already loaded;
// 2: loading it from the store (load_calendar_busy) for every query.
void BM_SlotSearchWithCalendars(benchmark::State& state) {
  static Panel panel;
  const auto mode = state.range(0);
  auto people = panel.people;
  if (mode == 1 && !load_calendar_busy(*panel.store, panel.query, people)) {
    state.SkipWithError("load_calendar_busy failed");
    return;
  }
  SlotSearch search;
  std::size_t slots = 0;
  std::size_t busy = 0;
  for (const auto& p : people)
    busy += p.busy.size();
  for (auto _ : state) {
    if (mode == 2) {
      for (auto& p : people)
        p.busy.clear();
      if (!load_calendar_busy(*panel.store, panel.query, people)) {
        state.SkipWithError("load_calendar_busy failed");
        return;
      }
    }
    auto found = search.find(panel.query, people);
    if (!found) {
      state.SkipWithError(found.error().message().c_str());
      return;
    }
    slots = found->size();
    benchmark::DoNotOptimize(found->data());
  }
  if (mode == 2) {
    busy = 0;
    for (const auto& p : people)
      busy += p.busy.size();
  }
  state.counters["slots"] = static_cast<double>(slots);
  state.counters["busy_ranges"] = static_cast<double>(busy);
  state.SetLabel(mode == 0   ? "W1 round-robin, no calendars"
                 : mode == 1 ? "W1 round-robin, calendars' busy time loaded"
                             : "W1 round-robin, busy time read from the store per query");
}

}  // namespace

BENCHMARK(BM_SlotSearchWithCalendars)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->ArgName("calendars")
    ->Unit(benchmark::kMicrosecond)
    ->Repetitions(5)
    ->ReportAggregatesOnly(true);
BENCHMARK(BM_CalendarImportCold)->Unit(benchmark::kMillisecond)->Iterations(3)->UseRealTime();
BENCHMARK(BM_PythonCaldavImport)->Unit(benchmark::kMillisecond)->Iterations(3)->UseManualTime();
BENCHMARK(BM_CalendarImportIncremental)
    ->Arg(0)
    ->Arg(1)
    ->ArgName("edited")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(10)
    ->UseRealTime();
BENCHMARK_MAIN();
