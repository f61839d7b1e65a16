// CalDavClient against a real Radicale server on loopback, with what it reads checked
// against Debian's python3-caldav client reading the same calendar; and against servers that
// misbehave (tests/servers/http_receiver.py) or are not there.
#include <algorithm>
#include <fstream>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/calendar/busy_times.hpp>
#include <interviewkit/calendar/caldav_client.hpp>

#include "calendar/calendar_support.hpp"
#include "support/python_server.hpp"
#include "support/radicale.hpp"

using namespace interviewkit;
using interviewkit::testing::describe;
using interviewkit::testing::PythonServer;
using interviewkit::testing::RadicaleServer;
using interviewkit::testing::utc_range;
using interviewkit::testing::vcalendar;

namespace {

const TimeRange fortnight = utc_range("2026-03-02T00:00:00Z", "2026-03-16T00:00:00Z");

// A week's ordinary calendar: a one-off meeting, a weekly series begun long ago, an
// all-day event, an event outside the window and a cancelled one.
std::string workweek() {
  return vcalendar(
      "BEGIN:VEVENT\nUID:planning\nDTSTART;TZID=Europe/Berlin:20260303T100000\n"
      "DTEND;TZID=Europe/Berlin:20260303T113000\nSUMMARY:Planning\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:weekly-sync\nDTSTART;TZID=Europe/Berlin:20190107T090000\n"
      "DTEND;TZID=Europe/Berlin:20190107T093000\nRRULE:FREQ=WEEKLY;BYDAY=MO\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:offsite\nDTSTART;VALUE=DATE:20260305\nDTEND;VALUE=DATE:20260306\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:next-month\nDTSTART:20260410T090000Z\nDURATION:PT1H\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:dropped\nDTSTART:20260304T090000Z\nDURATION:PT1H\nSTATUS:CANCELLED\n"
      "END:VEVENT\n");
}

struct Calendar {
  RadicaleServer server{{"alice", "alice-secret"}, {"bob", "bob-secret"}};
  std::string url = server.make_calendar("alice", "alice-secret", "work", "Europe/Berlin");
  CalDavCalendar calendar{url, "alice", "alice-secret"};
  std::unique_ptr<CalDavClient> client = CalDavClient::make().value();
};

std::set<std::string> hrefs_of(const std::vector<CalendarResource>& resources) {
  std::set<std::string> out;
  for (const auto& r : resources)
    out.insert(r.href);
  return out;
}

BusyTimes busy_of(const std::vector<CalendarResource>& resources, const TimeRange& window) {
  BusyTimes all;
  for (const auto& r : resources) {
    auto one = read_busy_times(r.ics, r.href, window, {});
    all.busy.insert(all.busy.end(), one.busy.begin(), one.busy.end());
    all.skipped.insert(all.skipped.end(), one.skipped.begin(), one.skipped.end());
  }
  std::ranges::sort(all.busy, {}, [](const BusyOccurrence& b) {
    return std::tuple(b.range.start(), b.range.end(), std::string_view(b.uid));
  });
  return all;
}

}  // namespace

TEST_CASE("CalDavClient reads the events python3-caldav finds, with the same entity tags",
          "[caldav]") {
  Calendar cal;
  cal.server.put(cal.url, "alice", "alice-secret", workweek());
  const auto ours = cal.client->events_in(cal.calendar, fortnight).value();
  const auto theirs = nlohmann::json::parse(cal.server.list_json(
      cal.url, "alice", "alice-secret", "2026-03-02T00:00:00Z", "2026-03-16T00:00:00Z"));
  std::set<std::pair<std::string, std::string>> expected;
  for (const auto& row : theirs)
    expected.insert({row.at("href").get<std::string>(), row.at("etag").get<std::string>()});
  std::set<std::pair<std::string, std::string>> got;
  for (const auto& r : ours)
    got.insert({r.href, r.etag});
  CHECK(got == expected);
  CHECK(got.size() == 4);  // not next-month

  // Busy times from what was read: the series, the meeting and the day off (UTC default
  // calendar zone here); the cancelled event blocks nothing.
  const auto busy = busy_of(ours, fortnight);
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        "weekly-sync [2026-03-02T08:00:00Z, 2026-03-02T08:30:00Z)\n"
        "planning [2026-03-03T09:00:00Z, 2026-03-03T10:30:00Z)\n"
        "offsite [2026-03-05T00:00:00Z, 2026-03-06T00:00:00Z)\n"
        "weekly-sync [2026-03-09T08:00:00Z, 2026-03-09T08:30:00Z)\n");
}

TEST_CASE("CalDavClient finds recurring events whenever they began, and fetches by href",
          "[caldav]") {
  Calendar cal;
  const auto put =
      nlohmann::json::parse(cal.server.put(cal.url, "alice", "alice-secret", workweek()));
  const auto recurring = cal.client->recurring_events(cal.calendar).value();
  REQUIRE(recurring.size() == 1);
  CHECK(recurring[0].ics.find("UID:weekly-sync") != std::string::npos);

  std::vector<std::string> wanted;
  for (const auto& row : put)
    wanted.push_back(row.at("href"));
  wanted.push_back("/alice/work/no-such-event.ics");
  const auto fetched = cal.client->fetch(cal.calendar, wanted).value();
  CHECK(fetched.size() == 5);
  CHECK(hrefs_of(fetched).count("/alice/work/no-such-event.ics") == 0);
}

TEST_CASE("sync tokens, ctags and entity tags follow every change", "[caldav][sync]") {
  Calendar cal;
  cal.server.put(cal.url, "alice", "alice-secret", workweek());
  const auto before = cal.client->state(cal.calendar).value();
  CHECK_FALSE(before.sync_token.empty());
  CHECK_FALSE(before.ctag.empty());
  CHECK(before.time_zone.find("TZID:Europe/Berlin") != std::string::npos);

  const auto all = cal.client->changes_since(cal.calendar, "").value();
  CHECK(all.changed.size() == 5);
  CHECK(all.removed.empty());
  const auto tags = cal.client->tags(cal.calendar).value();
  CHECK(tags.size() == 5);
  for (const auto& t : all.changed)
    CHECK(std::ranges::find(tags, t) != tags.end());

  const auto unchanged = cal.client->changes_since(cal.calendar, all.sync_token).value();
  CHECK(unchanged.changed.empty());
  CHECK(unchanged.removed.empty());

  // A new event and a removed one.
  cal.server.put(cal.url, "alice", "alice-secret",
                 vcalendar("BEGIN:VEVENT\nUID:late-add\nDTSTART:20260306T150000Z\n"
                           "DURATION:PT1H\nEND:VEVENT\n"));
  const auto removed_href = all.changed.front().href;
  cal.server.remove(cal.url, "alice", "alice-secret", removed_href);
  const auto after = cal.client->changes_since(cal.calendar, all.sync_token).value();
  REQUIRE(after.changed.size() == 1);
  CHECK(after.changed[0].href.find("late-add") != std::string::npos);
  CHECK(after.removed == std::vector<std::string>{removed_href});
  CHECK(cal.client->state(cal.calendar).value().ctag != before.ctag);

  const auto expired = cal.client->changes_since(cal.calendar, "http://radicale.org/ns/sync/x");
  REQUIRE(expired);
  CHECK(expired->token_expired);
}

TEST_CASE("a refused login, a forbidden or missing calendar: errors that name the cause",
          "[caldav]") {
  Calendar cal;
  const auto wrong = cal.client->events_in({cal.url, "alice", "not-her-password"}, fortnight);
  REQUIRE_FALSE(wrong);
  CHECK_THAT(wrong.error().message(), Catch::Contains("401"));
  CHECK_THAT(wrong.error().message(), !Catch::Contains("not-her-password"));
  CHECK_THAT(wrong.error().message(), !Catch::Contains("alice"));

  const auto forbidden = cal.client->state({cal.url, "bob", "bob-secret"});
  REQUIRE_FALSE(forbidden);
  CHECK_THAT(forbidden.error().message(), Catch::Contains("403"));

  const auto missing = cal.client->events_in(
      {cal.server.calendar_url("alice", "nope"), "alice", "alice-secret"}, fortnight);
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message(), Catch::Contains("404"));

  const auto bad_url = cal.client->state({"ftp://example.com/cal/", "", ""});
  REQUIRE_FALSE(bad_url);
  CHECK(bad_url.error().kind() == ErrorKind::invalid_input);
}

TEST_CASE("a server that is down, slow, full or answering garbage is an error, never a crash",
          "[caldav]") {
  const auto down = CalDavClient::make().value()->state(
      {fmt::format("http://127.0.0.1:{}/cal/", interviewkit::testing::closed_port()), "", ""});
  REQUIRE_FALSE(down);
  CHECK(down.error().kind() == ErrorKind::unavailable);

  PythonServer http("http_receiver.py", {"whsec_dGVzdA=="});
  const auto base = fmt::format("http://127.0.0.1:{}", http.port());
  auto client = CalDavClient::make({.connect_timeout = std::chrono::milliseconds{2000},
                                    .request_timeout = std::chrono::milliseconds{500}})
                    .value();
  const auto full = client->state({base + "/status/507", "", ""});
  REQUIRE_FALSE(full);
  CHECK_THAT(full.error().message(), Catch::Contains("507"));

  const auto slow = client->state({base + "/slow/3", "", ""});
  REQUIRE_FALSE(slow);
  CHECK_THAT(slow.error().message(), Catch::Contains("imeout"));

  for (const auto* body :
       {"not xml at all", "<?xml version=\"1.0\"?><html/>",
        "<multistatus xmlns=\"DAV:\"><response><href>/x</href>",
        "<!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;"
        "&a;&a;&a;&a;\">]><m:multistatus xmlns:m=\"DAV:\">&b;</m:multistatus>"}) {
    INFO(body);
    std::ofstream(http.dir() / "script.json")
        << nlohmann::json{{"status", 207}, {"body", body}}.dump();
    const auto garbage = client->events_in({base + "/script", "", ""}, fortnight);
    if (garbage) {
      CHECK(garbage->empty());
    } else {
      CHECK_THAT(garbage.error().message(), Catch::Contains("multistatus"));
    }
  }

  auto small = CalDavClient::make({.max_response_bytes = 64}).value();
  std::ofstream(http.dir() / "script.json")
      << nlohmann::json{{"status", 207}, {"body", std::string(1000, 'x')}}.dump();
  const auto large = small->events_in({base + "/script", "", ""}, fortnight);
  REQUIRE_FALSE(large);
  CHECK_THAT(large.error().message(), Catch::Contains("larger than 64 bytes"));
}

TEST_CASE("hrefs are one spelling whatever the server's; a refused sync token is expired",
          "[caldav][sync]") {
  PythonServer http("http_receiver.py", {"whsec_dGVzdA=="});
  const CalDavCalendar calendar{fmt::format("http://127.0.0.1:{}/script/c/", http.port()), "", ""};
  auto client = CalDavClient::make().value();
  const std::string answer =
      "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\" "
      "xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
      "<D:response><D:href>\n    /c/a%40b.ics\n  </D:href><D:propstat><D:prop>"
      "<D:getetag>\"1\"</D:getetag><C:calendar-data>BEGIN:VCALENDAR</C:calendar-data>"
      "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
      "<D:response><D:href>http://elsewhere.example/c/x y%2f.ics</D:href><D:propstat><D:prop>"
      "<D:getetag>\"2\"</D:getetag><C:calendar-data>BEGIN:VCALENDAR</C:calendar-data>"
      "</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
      "</D:multistatus>";
  std::ofstream(http.dir() / "script.json")
      << nlohmann::json{{"status", 207}, {"body", answer}}.dump();
  const auto read = client->fetch(calendar, std::vector<std::string>{"/c/a@b.ics"}).value();
  REQUIRE(read.size() == 2);
  CHECK(read[0].href == "/c/a@b.ics");
  CHECK(read[1].href == "/c/x%20y%2F.ics");  // an encoded slash is part of the name

  for (const int status : {400, 403, 409, 410}) {
    INFO(status);
    std::ofstream(http.dir() / "script.json")
        << nlohmann::json{{"status", status}, {"body", "no"}}.dump();
    CHECK(client->changes_since(calendar, "old-token").value().token_expired);
  }
  std::ofstream(http.dir() / "script.json")
      << nlohmann::json{{"status", 401}, {"body", "no"}}.dump();
  CHECK_FALSE(client->changes_since(calendar, "old-token"));
  CHECK_FALSE(client->state({calendar.url + "?token=x", "", ""}));
}

TEST_CASE("free-busy answers are read where a server gives them, and nullopt where not",
          "[caldav]") {
  PythonServer http("http_receiver.py", {"whsec_dGVzdA=="});
  const CalDavCalendar calendar{fmt::format("http://127.0.0.1:{}/script/c/", http.port()), "", ""};
  auto client = CalDavClient::make().value();
  std::ofstream(http.dir() / "script.json")
      << nlohmann::json{{"status", 200},
                        {"headers", {{"Content-Type", "text/calendar"}}},
                        {"body", vcalendar("BEGIN:VFREEBUSY\nDTSTAMP:20260301T000000Z\n"
                                           "FREEBUSY:20260303T090000Z/20260303T100000Z,"
                                           "20260304T120000Z/PT30M\n"
                                           "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20260305T090000Z/"
                                           "20260305T093000Z\n"
                                           "FREEBUSY;FBTYPE=FREE:20260306T090000Z/"
                                           "20260306T100000Z\nEND:VFREEBUSY\n")}}
             .dump();
  const auto periods = client->free_busy(calendar, fortnight).value().value();
  REQUIRE(periods.size() == 3);
  CHECK(periods[0] ==
        FreeBusyPeriod{utc_range("2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"), false});
  CHECK(periods[1] ==
        FreeBusyPeriod{utc_range("2026-03-04T12:00:00Z", "2026-03-04T12:30:00Z"), false});
  CHECK(periods[2] ==
        FreeBusyPeriod{utc_range("2026-03-05T09:00:00Z", "2026-03-05T09:30:00Z"), true});

  // Radicale has no free-busy report (it answers a bare multistatus).
  Calendar cal;
  cal.server.put(cal.url, "alice", "alice-secret", workweek());
  CHECK_FALSE(cal.client->free_busy(cal.calendar, fortnight).value());
}
