// CalendarSync against a real Radicale server: the first read, incremental syncs by sync
// token and by entity tags, windows beyond what was read, expired tokens, the library's own
// interviews, unreadable events, a server that goes away; and slot search reading the
// result from the store. The busy time is checked against python3-recurring-ical-events
// expanding the same resources.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/calendar/calendar_sync.hpp>
#include <interviewkit/log/memory_sink.hpp>
#include <interviewkit/store/memory_store.hpp>
#include <interviewkit/store/sqlite_store.hpp>

#include "calendar/calendar_support.hpp"
#include "support/radicale.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using interviewkit::testing::RadicaleServer;
using interviewkit::testing::TempDir;
using interviewkit::testing::utc;
using interviewkit::testing::utc_range;
using interviewkit::testing::vcalendar;

namespace {

const TimeRange two_weeks = utc_range("2026-03-02T00:00:00Z", "2026-03-16T00:00:00Z");

std::string events() {
  return vcalendar(
      "BEGIN:VEVENT\nUID:planning\nDTSTART;TZID=Europe/Berlin:20260303T100000\n"
      "DTEND;TZID=Europe/Berlin:20260303T113000\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:weekly-sync\nDTSTART;TZID=Europe/Berlin:20190107T090000\n"
      "DTEND;TZID=Europe/Berlin:20190107T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:offsite\nDTSTART;VALUE=DATE:20260305\nDTEND;VALUE=DATE:20260306\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:interview-7@hire.example\nDTSTART:20260304T130000Z\nDURATION:PT1H\n"
      "END:VEVENT\n");
}

struct World {
  TempDir dir{"calendar-sync"};
  RadicaleServer server{{"alice", "alice-secret"}};
  std::string url = server.make_calendar("alice", "alice-secret", "work", "Europe/Berlin");
  CalDavCalendar calendar{url, "alice", "alice-secret"};
  InterviewerId alice = InterviewerId::make("alice").value();
  std::shared_ptr<MemorySink> sink = std::make_shared<MemorySink>();
  std::shared_ptr<Store> store;
  std::unique_ptr<CalendarSync> sync;

  explicit World(bool sqlite = false) {
    store = sqlite ? std::shared_ptr<Store>(SqliteStore::open(dir.path() / "s.db").value())
                   : std::shared_ptr<Store>(std::make_shared<MemoryStore>());
    CalendarSyncOptions options;
    options.busy.own_uid_domain = "hire.example";
    options.log = ActionLog::make(sink).value();
    sync = CalendarSync::make(store, CalDavClient::make().value(), options).value();
    server.put(url, "alice", "alice-secret", events());
  }

  // CalendarSync's key for alice's calendar.
  std::string key() const { return "alice " + url; }

  std::string busy(const TimeRange& window) const {
    std::string out;
    for (const auto& r : store->calendar_busy(alice, window).value())
      out += fmt::format("{}\n", r);
    return out;
  }
};

// Berlin is UTC+1 in early March; the all-day event is read in the calendar's zone (Berlin).
const char* first_fortnight =
    "[2026-03-02T08:00:00Z, 2026-03-02T08:30:00Z)\n"
    "[2026-03-03T09:00:00Z, 2026-03-03T10:30:00Z)\n"
    "[2026-03-04T23:00:00Z, 2026-03-05T23:00:00Z)\n"
    "[2026-03-09T08:00:00Z, 2026-03-09T08:30:00Z)\n";

}  // namespace

TEST_CASE("the first sync reads every event; the next costs one request", "[caldav][sync]") {
  for (const bool sqlite : {false, true}) {
    INFO((sqlite ? "SqliteStore" : "MemoryStore"));
    World w(sqlite);
    const auto first = w.sync->sync(w.calendar, w.alice, two_weeks).value();
    CHECK(first.full_read);
    CHECK(first.round_trips == 3);  // PROPFIND, sync-collection, calendar-multiget
    CHECK(first.fetched == 4);
    CHECK(first.own == 1);  // interview-7@hire.example: already counted as booked
    CHECK(first.skipped.empty());
    CHECK(w.busy(two_weeks) == first_fortnight);
    const auto saved = w.store->load_calendar(w.key()).value().value();
    CHECK(saved.time_zone == "Europe/Berlin");
    CHECK_FALSE(saved.sync_token.empty());

    const auto again = w.sync->sync(w.calendar, w.alice, two_weeks).value();
    CHECK_FALSE(again.full_read);
    CHECK(again.round_trips == 1);
    CHECK(again.fetched == 0);
    CHECK(w.store->load_calendar(w.key()).value().value() == saved);  // nothing written
  }
}

TEST_CASE("changes and removals arrive by sync token, then by entity tags", "[caldav][sync]") {
  World w;
  REQUIRE(w.sync->sync(w.calendar, w.alice, two_weeks));
  const auto put = nlohmann::json::parse(
      w.server.put(w.url, "alice", "alice-secret",
                   vcalendar("BEGIN:VEVENT\nUID:late-add\nDTSTART:20260306T150000Z\nDURATION:PT1H\n"
                             "END:VEVENT\n")));
  const auto changed = w.sync->sync(w.calendar, w.alice, two_weeks).value();
  CHECK_FALSE(changed.full_read);
  CHECK(changed.round_trips == 2);
  CHECK(changed.fetched == 1);
  CHECK(w.busy(two_weeks).find("[2026-03-06T15:00:00Z, 2026-03-06T16:00:00Z)") !=
        std::string::npos);

  w.server.remove(w.url, "alice", "alice-secret", put[0].at("href").get<std::string>());
  const auto removed = w.sync->sync(w.calendar, w.alice, two_weeks).value();
  CHECK(removed.removed == 1);
  CHECK(w.busy(two_weeks) == first_fortnight);

  // A calendar whose server offered no sync token: the ctag, then entity tags.
  auto cached = w.store->load_calendar(w.key()).value().value();
  cached.sync_token.clear();
  REQUIRE(w.store->save_calendar(cached));
  // (Radicale's ctag is a digest of the collection: back where it was after the add and the
  // removal, so the first read's ctag still holds.)
  const auto unchanged = w.sync->sync(w.calendar, w.alice, two_weeks).value();
  CHECK(unchanged.round_trips == 1);
  w.server.put(w.url, "alice", "alice-secret",
               vcalendar("BEGIN:VEVENT\nUID:by-tags\nDTSTART:20260310T150000Z\nDURATION:PT1H\n"
                         "END:VEVENT\n"));
  const auto by_tags = w.sync->sync(w.calendar, w.alice, two_weeks).value();
  CHECK(by_tags.round_trips == 3);  // ctag, entity tags, the changed resource
  CHECK(by_tags.fetched == 1);
  CHECK(w.busy(two_weeks).find("[2026-03-10T15:00:00Z, 2026-03-10T16:00:00Z)") !=
        std::string::npos);
}

TEST_CASE("a window beyond the busy time computed needs no new read; an expired token does",
          "[caldav][sync]") {
  World w;
  REQUIRE(w.sync->sync(w.calendar, w.alice, two_weeks));
  const auto later = utc_range("2026-05-04T00:00:00Z", "2026-05-18T00:00:00Z");
  const auto moved = w.sync->sync(w.calendar, w.alice, later).value();
  CHECK_FALSE(moved.full_read);
  CHECK(moved.round_trips == 1);
  CHECK(w.busy(later) ==
        "[2026-05-04T07:00:00Z, 2026-05-04T07:30:00Z)\n"
        "[2026-05-11T07:00:00Z, 2026-05-11T07:30:00Z)\n");

  auto cached = w.store->load_calendar(w.key()).value().value();
  cached.sync_token = "http://radicale.org/ns/sync/unknown";
  REQUIRE(w.store->save_calendar(cached));
  const auto expired = w.sync->sync(w.calendar, w.alice, later).value();
  CHECK(expired.full_read);
  CHECK(expired.round_trips == 4);  // the refused token, then a full read
}

TEST_CASE("an unreadable event is skipped, reported and logged once; the rest still counts",
          "[caldav][sync]") {
  World w;
  w.server.put(w.url, "alice", "alice-secret",
               vcalendar("BEGIN:VEVENT\nUID:on-mars\nDTSTART;TZID=Mars/Olympus:20260303T090000\n"
                         "DURATION:PT1H\nEND:VEVENT\n"));
  const auto first = w.sync->sync(w.calendar, w.alice, two_weeks).value();
  REQUIRE(first.skipped.size() == 1);
  CHECK(first.skipped[0].uid == "on-mars");
  CHECK(first.skipped[0].reason == "unknown time zone 'Mars/Olympus'");
  CHECK(w.busy(two_weeks) == first_fortnight);
  const auto entries = w.sink->entries();
  REQUIRE(entries.size() == 1);
  const auto& entry = entries[0];
  CHECK(entry.action == ActionType::calendar_event_skipped);
  CHECK(entry.details["interviewer"] == "alice");
  // The server by scheme, host and port; the resource by its name (paths may hold tokens).
  CHECK(entry.details["calendar"] == fmt::format("http://127.0.0.1:{}", w.server.port()));
  CHECK(entry.details["href"] == "on-mars.ics");
  CHECK(entry.details["uid"] == "on-mars");
  CHECK(entry.details["reason"] == "unknown time zone 'Mars/Olympus'");

  REQUIRE(w.sync->sync(w.calendar, w.alice, two_weeks));
  CHECK(w.sink->entries().size() == 1);  // not logged again while unchanged
}

TEST_CASE("a server that fails mid-sync leaves the cached copy as it was", "[caldav][sync]") {
  World w;
  REQUIRE(w.sync->sync(w.calendar, w.alice, two_weeks));
  const auto before = w.store->load_calendar(w.key()).value().value();
  const auto wrong = w.sync->sync({w.url, "alice", "wrong"}, w.alice, two_weeks);
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message(), Catch::Contains("401"));
  CHECK_THAT(wrong.error().message(), !Catch::Contains("wrong"));
  w.server.stop();
  const auto down = w.sync->sync(w.calendar, w.alice, two_weeks);
  REQUIRE_FALSE(down);
  CHECK(down.error().kind() == ErrorKind::unavailable);
  CHECK(w.store->load_calendar(w.key()).value().value() == before);
}

TEST_CASE("slot search leaves out the busy time of interviewers' calendars", "[caldav][sync]") {
  World w;
  REQUIRE(w.sync->sync(w.calendar, w.alice, two_weeks));
  SlotQuery query{.window = utc_range("2026-03-03T08:00:00Z", "2026-03-03T12:00:00Z")};
  query.duration = std::chrono::hours{1};
  query.step = std::chrono::minutes{30};
  query.now = utc("2026-03-01T00:00:00Z");
  std::vector<InterviewerAvailability> people{
      {.id = w.alice,
       .time_zone = TimeZone::utc(),
       .weekly = WeeklyHours::monday_to_friday({{std::chrono::hours{0}, std::chrono::hours{24}}})}};
  REQUIRE(load_calendar_busy(*w.store, query, people));
  const auto slots = find_slots(query, people).value();
  std::string starts;
  for (const auto& s : slots)
    starts += date::format("%H:%M ", s.range.start());
  // Planning holds 09:00-10:30 UTC.
  CHECK(starts == "08:00 10:30 11:00 ");
}

TEST_CASE("CalendarSync refuses what it cannot work with", "[caldav][sync]") {
  auto store = std::make_shared<MemoryStore>();
  auto client = std::shared_ptr<CalDavClient>(CalDavClient::make().value());
  CHECK(CalendarSync::make(nullptr, client).error().kind() == ErrorKind::invalid_input);
  CHECK(CalendarSync::make(store, nullptr).error().kind() == ErrorKind::invalid_input);
  CalendarSyncOptions far;
  far.read_ahead = std::chrono::hours{24 * 400};
  const auto refused = CalendarSync::make(store, client, far);
  REQUIRE_FALSE(refused);
  CHECK_THAT(refused.error().message(), Catch::Contains("read_ahead is 9600 h"));
}
