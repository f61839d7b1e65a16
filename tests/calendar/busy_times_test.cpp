// read_busy_times against hand-worked answers: zones, recurrences, all-day spans, gaps,
// statuses, and events that cannot be read.
#include <catch2/catch.hpp>

#include <interviewkit/calendar/busy_times.hpp>

#include "calendar/calendar_support.hpp"

using namespace interviewkit;
using interviewkit::testing::describe;
using interviewkit::testing::utc;
using interviewkit::testing::utc_range;
using interviewkit::testing::vcalendar;

namespace {

// Two weeks of March 2026 (Berlin leaves winter time on the 29th, New York on the 8th).
const TimeRange march = utc_range("2026-03-02T00:00:00Z", "2026-03-30T00:00:00Z");

BusyTimes read(const std::string& body, BusyTimeOptions options = {},
               const TimeRange& window = march) {
  return read_busy_times(vcalendar(body), "test.ics", window, options);
}

std::vector<BusyOccurrence> expect(
    std::initializer_list<std::tuple<const char*, const char*, const char*>> rows) {
  std::vector<BusyOccurrence> out;
  for (const auto& [uid, start, end] : rows)
    out.push_back({utc_range(start, end), uid});
  return out;
}

BusyTimeOptions in_zone(const char* zone) {
  BusyTimeOptions options;
  options.calendar_zone = TimeZone::make(zone).value();
  return options;
}

}  // namespace

TEST_CASE("a timed event is read in its TZID's zone, UTC and floating times as such",
          "[caldav][recurrence]") {
  const auto busy = read(
      "BEGIN:VEVENT\nUID:berlin\nDTSTART;TZID=Europe/Berlin:20260303T090000\n"
      "DTEND;TZID=Europe/Berlin:20260303T100000\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:utc\nDTSTART:20260304T090000Z\nDURATION:PT30M\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:floating\nDTSTART:20260305T090000\nDTEND:20260305T093000\nEND:VEVENT\n",
      in_zone("America/New_York"));
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        describe(expect({{"berlin", "2026-03-03T08:00:00Z", "2026-03-03T09:00:00Z"},
                         {"utc", "2026-03-04T09:00:00Z", "2026-03-04T09:30:00Z"},
                         {"floating", "2026-03-05T14:00:00Z", "2026-03-05T14:30:00Z"}})));
}

TEST_CASE("a weekly rule keeps its local time across DST, less EXDATEs, with overrides",
          "[caldav][recurrence]") {
  // Mondays 09:00 Berlin: 2 Mar, 9 Mar (excluded), 16 Mar (moved to Tuesday 17th 14:00),
  // 23 Mar, and 30 Mar after the change to summer time (outside the window). An override of
  // an occurrence before the window moves it into the window.
  const auto busy = read(
      "BEGIN:VEVENT\nUID:weekly\nDTSTART;TZID=Europe/Berlin:20260223T090000\n"
      "DTEND;TZID=Europe/Berlin:20260223T100000\nRRULE:FREQ=WEEKLY;BYDAY=MO\n"
      "EXDATE;TZID=Europe/Berlin:20260309T090000\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:weekly\nRECURRENCE-ID;TZID=Europe/Berlin:20260316T090000\n"
      "DTSTART;TZID=Europe/Berlin:20260317T140000\n"
      "DTEND;TZID=Europe/Berlin:20260317T150000\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:weekly\nRECURRENCE-ID;TZID=Europe/Berlin:20260223T090000\n"
      "DTSTART;TZID=Europe/Berlin:20260327T090000\nEND:VEVENT\n",
      {}, utc_range("2026-03-01T00:00:00Z", "2026-04-07T00:00:00Z"));
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        describe(expect({{"weekly", "2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z"},
                         {"weekly", "2026-03-17T13:00:00Z", "2026-03-17T14:00:00Z"},
                         {"weekly", "2026-03-23T08:00:00Z", "2026-03-23T09:00:00Z"},
                         // the override without DTEND keeps the master's hour
                         {"weekly", "2026-03-27T08:00:00Z", "2026-03-27T09:00:00Z"},
                         {"weekly", "2026-03-30T07:00:00Z", "2026-03-30T08:00:00Z"},
                         {"weekly", "2026-04-06T07:00:00Z", "2026-04-06T08:00:00Z"}})));
}

TEST_CASE("COUNT and UNTIL end a rule; a UTC UNTIL is compared in the event's zone",
          "[caldav][recurrence]") {
  const auto busy = read(
      "BEGIN:VEVENT\nUID:count\nDTSTART;TZID=America/New_York:20260302T090000\n"
      "DURATION:PT1H\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"
      // UNTIL is 9 Mar 13:00Z, which is 09:00 New York on the 9th (after its DST change):
      // the occurrence of the 9th is the last.
      "BEGIN:VEVENT\nUID:until\nDTSTART;TZID=America/New_York:20260305T090000\n"
      "DURATION:PT1H\nRRULE:FREQ=DAILY;INTERVAL=2;UNTIL=20260309T130000Z\nEND:VEVENT\n");
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        describe(expect({{"count", "2026-03-02T14:00:00Z", "2026-03-02T15:00:00Z"},
                         {"count", "2026-03-03T14:00:00Z", "2026-03-03T15:00:00Z"},
                         {"count", "2026-03-04T14:00:00Z", "2026-03-04T15:00:00Z"},
                         {"until", "2026-03-05T14:00:00Z", "2026-03-05T15:00:00Z"},
                         {"until", "2026-03-07T14:00:00Z", "2026-03-07T15:00:00Z"},
                         {"until", "2026-03-09T13:00:00Z", "2026-03-09T14:00:00Z"}})));
}

TEST_CASE("all-day events run from local midnight to local midnight in the calendar's zone",
          "[caldav][recurrence]") {
  // Three days over New York's change to summer time on 8 March: 71 hours, not 72.
  const auto busy = read(
      "BEGIN:VEVENT\nUID:offsite\nDTSTART;VALUE=DATE:20260307\nDTEND;VALUE=DATE:20260310\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:one-day\nDTSTART;VALUE=DATE:20260312\nEND:VEVENT\n",
      in_zone("America/New_York"));
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        describe(expect({{"offsite", "2026-03-07T05:00:00Z", "2026-03-10T04:00:00Z"},
                         {"one-day", "2026-03-12T04:00:00Z", "2026-03-13T04:00:00Z"}})));
}

TEST_CASE("a DURATION in days is nominal: a day over a DST change is 23 hours",
          "[caldav][recurrence]") {
  // RFC 5545 section 3.3.6. (python3-recurring-ical-events 2.0 adds 24 exact hours.)
  const auto busy = read(
      "BEGIN:VEVENT\nUID:conference\nDTSTART;TZID=Europe/Berlin:20260328T120000\n"
      "DURATION:P1DT2H\nEND:VEVENT\n");
  CHECK(describe(busy.busy) ==
        describe(expect({{"conference", "2026-03-28T11:00:00Z", "2026-03-29T12:00:00Z"}})));
}

TEST_CASE("RDATEs each in their own zone, and as periods", "[caldav][recurrence]") {
  const auto busy = read(
      "BEGIN:VEVENT\nUID:rdate\nDTSTART;TZID=Europe/Berlin:20260302T090000\n"
      "DTEND;TZID=Europe/Berlin:20260302T093000\n"
      "RDATE;TZID=America/New_York:20260304T090000,20260305T090000\n"
      "RDATE;VALUE=PERIOD:20260306T120000Z/PT2H\nEND:VEVENT\n");
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        describe(expect({{"rdate", "2026-03-02T08:00:00Z", "2026-03-02T08:30:00Z"},
                         {"rdate", "2026-03-04T14:00:00Z", "2026-03-04T14:30:00Z"},
                         {"rdate", "2026-03-05T14:00:00Z", "2026-03-05T14:30:00Z"},
                         {"rdate", "2026-03-06T12:00:00Z", "2026-03-06T14:00:00Z"}})));
}

TEST_CASE("a local time in a DST gap takes the offset before the gap (RFC 5545 3.3.5)",
          "[caldav][recurrence]") {
  // 02:30 does not exist in Berlin on 29 March 2026: read with +01:00, it is 01:30Z, which is
  // 03:30 summer time. The hour ends at 02:30Z.
  const auto busy = read(
      "BEGIN:VEVENT\nUID:gap\nDTSTART;TZID=Europe/Berlin:20260329T023000\nDURATION:PT1H\n"
      "END:VEVENT\n",
      {}, utc_range("2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z"));
  CHECK(describe(busy.busy) ==
        describe(expect({{"gap", "2026-03-29T01:30:00Z", "2026-03-29T02:30:00Z"}})));
}

TEST_CASE("a VTIMEZONE that names no IANA zone is used; a prefixed IANA name is found",
          "[caldav][recurrence]") {
  const auto busy = read(
      "BEGIN:VTIMEZONE\nTZID:Office Time\nBEGIN:STANDARD\nDTSTART:19700101T000000\n"
      "TZOFFSETFROM:+0530\nTZOFFSETTO:+0530\nEND:STANDARD\nEND:VTIMEZONE\n"
      "BEGIN:VEVENT\nUID:custom\nDTSTART;TZID=Office Time:20260303T100000\nDURATION:PT1H\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:prefixed\nDTSTART;TZID=/mozilla.org/20050126_1/Europe/Berlin:"
      "20260304T100000\nDURATION:PT1H\nEND:VEVENT\n");
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        describe(expect({{"custom", "2026-03-03T04:30:00Z", "2026-03-03T05:30:00Z"},
                         {"prefixed", "2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"}})));
}

TEST_CASE("transparent and cancelled events block nothing; tentative ones as configured",
          "[caldav][recurrence]") {
  const std::string body =
      "BEGIN:VEVENT\nUID:free\nDTSTART:20260303T090000Z\nDURATION:PT1H\nTRANSP:TRANSPARENT\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:cancelled\nDTSTART:20260303T110000Z\nDURATION:PT1H\nSTATUS:CANCELLED\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:maybe\nDTSTART:20260303T130000Z\nDURATION:PT1H\nSTATUS:TENTATIVE\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:daily\nDTSTART:20260302T150000Z\nDURATION:PT1H\n"
      "RRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:daily\nRECURRENCE-ID:20260303T150000Z\nDTSTART:20260303T150000Z\n"
      "DURATION:PT1H\nSTATUS:CANCELLED\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:zero\nDTSTART:20260303T170000Z\nEND:VEVENT\n";
  const auto busy = read(body);
  CHECK(busy.skipped.empty());
  CHECK(describe(busy.busy) ==
        describe(expect({{"daily", "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"},
                         {"maybe", "2026-03-03T13:00:00Z", "2026-03-03T14:00:00Z"}})));
  BusyTimeOptions tentative_free;
  tentative_free.tentative_is_busy = false;
  CHECK(describe(read(body, tentative_free).busy) ==
        describe(expect({{"daily", "2026-03-02T15:00:00Z", "2026-03-02T16:00:00Z"}})));
}

TEST_CASE("the library's own interviews are recognised by UID and not read again",
          "[caldav][sync]") {
  BusyTimeOptions options;
  options.own_uid_domain = "hire.example";
  const auto busy = read(
      "BEGIN:VEVENT\nUID:interview-42@HIRE.example\nDTSTART:20260303T090000Z\nDURATION:PT1H\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:interview-42@other.example\nDTSTART:20260303T100000Z\n"
      "DURATION:PT1H\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:interview-x@hire.example\nDTSTART:20260303T110000Z\nDURATION:PT1H\n"
      "END:VEVENT\n",
      options);
  CHECK(busy.own == 1);
  CHECK(describe(busy.busy) ==
        describe(expect(
            {{"interview-42@other.example", "2026-03-03T10:00:00Z", "2026-03-03T11:00:00Z"},
             {"interview-x@hire.example", "2026-03-03T11:00:00Z", "2026-03-03T12:00:00Z"}})));
}

TEST_CASE("an event that cannot be read is skipped and recorded; the others still count",
          "[caldav][recurrence]") {
  const auto busy = read(
      "BEGIN:VEVENT\nUID:no-start\nSUMMARY:no DTSTART\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:mars\nDTSTART;TZID=Mars/Olympus:20260303T090000\nDURATION:PT1H\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:bad-rule\nDTSTART:20260303T090000Z\nDURATION:PT1H\n"
      "RRULE:FREQ=SOMETIMES\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:backwards\nDTSTART:20260303T090000Z\nDTEND:20260303T080000Z\n"
      "END:VEVENT\n"
      "BEGIN:VEVENT\nUID:flood\nDTSTART:20260301T000000Z\nDURATION:PT1S\n"
      "RRULE:FREQ=SECONDLY\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:good\nDTSTART:20260303T120000Z\nDURATION:PT1H\nEND:VEVENT\n");
  CHECK(describe(busy.busy) ==
        describe(expect({{"good", "2026-03-03T12:00:00Z", "2026-03-03T13:00:00Z"}})));
  std::vector<std::string> skipped;
  for (const auto& s : busy.skipped) {
    CHECK(s.source == "test.ics");
    skipped.push_back(s.uid + ": " + s.reason);
  }
  REQUIRE(skipped.size() == 5);
  CHECK(skipped[0] == "no-start: no DTSTART");
  CHECK(skipped[1] == "mars: unknown time zone 'Mars/Olympus'");
  CHECK_THAT(skipped[2], Catch::StartsWith("bad-rule: unreadable RRULE"));
  CHECK(skipped[3] == "backwards: DTEND is before DTSTART");
  CHECK(skipped[4] == "flood: an RRULE repeating more often than hourly is not read");

  for (const char* text : {"", "hello", "BEGIN:VCALENDAR\r\nEND:VCARD\r\n",
                           "BEGIN:VCALENDAR\r\n\0END:VCALENDAR\r\n"}) {
    const auto garbage = read_busy_times(text, "junk", march, {});
    CHECK(garbage.busy.empty());
    CHECK(garbage.skipped.size() <= 1);
  }
  const std::string with_nul("BEGIN:VCALENDAR\r\n\0END:VCALENDAR\r\n", 33);
  const auto nul = read_busy_times(with_nul, "junk", march, {});
  REQUIRE(nul.skipped.size() == 1);
  CHECK(nul.skipped[0].reason == "the text contains a NUL byte");
}

TEST_CASE("rules libical would search forever, or expand wrongly, are screened first",
          "[caldav][recurrence]") {
  // No 30th of February, ever: libical would step hour after hour for minutes.
  auto busy = read(
      "BEGIN:VEVENT\nUID:never\nDTSTART:20260301T090000Z\nDURATION:PT1H\n"
      "RRULE:FREQ=HOURLY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:hourly\nDTSTART:20260301T000000Z\nDURATION:PT1M\n"
      "RRULE:FREQ=HOURLY\nEND:VEVENT\n",
      [] {
        BusyTimeOptions o;
        o.max_occurrences = 100;
        return o;
      }());
  REQUIRE(busy.skipped.size() == 2);
  CHECK(busy.skipped[0].reason ==
        "an hourly RRULE filtered by month, day of the month or year, week number or numbered "
        "weekday is not read");
  CHECK(busy.skipped[1].reason == "more than 100 occurrences before the window ends");

  // Daily, the same impossible date is refused before libical searches for it.
  busy = read(
      "BEGIN:VEVENT\nUID:never\nDTSTART:20260301T090000Z\nDURATION:PT1H\n"
      "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30\nEND:VEVENT\n");
  REQUIRE(busy.skipped.size() == 1);
  CHECK(busy.skipped[0].reason == "the RRULE's BYMONTH and BYMONTHDAY name no date that exists");

  // YEARLY with BYMONTHDAY alone is that day of every month (RFC 5545); libical 3.0 gives
  // January only unless told the months.
  busy = read(
      "BEGIN:VEVENT\nUID:monthly\nDTSTART:20260130T120000Z\nDURATION:PT1H\n"
      "RRULE:FREQ=YEARLY;BYMONTHDAY=30\nEND:VEVENT\n",
      {}, utc_range("2026-03-01T00:00:00Z", "2026-05-01T00:00:00Z"));
  CHECK(describe(busy.busy) ==
        describe(expect({{"monthly", "2026-03-30T12:00:00Z", "2026-03-30T13:00:00Z"},
                         {"monthly", "2026-04-30T12:00:00Z", "2026-04-30T13:00:00Z"}})));
}

TEST_CASE("a broken override is skipped alone; its series still blocks time",
          "[caldav][recurrence]") {
  const auto busy = read(
      "BEGIN:VEVENT\nUID:daily\nDTSTART:20260302T090000Z\nDTEND:20260302T100000Z\n"
      "RRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n"
      "BEGIN:VEVENT\nUID:daily\nRECURRENCE-ID:20260303T090000Z\nDTSTART:20260303T150000Z\n"
      "DTEND:20260303T140000Z\nEND:VEVENT\n");
  REQUIRE(busy.skipped.size() == 1);
  CHECK(busy.skipped[0].reason == "an override: DTEND is before DTSTART");
  // The occurrence it meant to move stays where the series has it.
  CHECK(describe(busy.busy) ==
        describe(expect({{"daily", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z"},
                         {"daily", "2026-03-03T09:00:00Z", "2026-03-03T10:00:00Z"},
                         {"daily", "2026-03-04T09:00:00Z", "2026-03-04T10:00:00Z"}})));
}

TEST_CASE("absurd lengths and empty time zones are refused, not misread", "[caldav][recurrence]") {
  const auto busy = read(
      "BEGIN:VEVENT\nUID:forever\nDTSTART:20260303T090000Z\nDURATION:P613566757W\nEND:VEVENT\n"
      "BEGIN:VTIMEZONE\nTZID:Nowhere\nEND:VTIMEZONE\n"
      "BEGIN:VEVENT\nUID:nowhere\nDTSTART;TZID=Nowhere:20260303T090000\nDURATION:PT1H\n"
      "END:VEVENT\n");
  CHECK(busy.busy.empty());
  REQUIRE(busy.skipped.size() == 2);
  CHECK(busy.skipped[0].reason == "DURATION is longer than 3660 days");
  CHECK(busy.skipped[1].reason == "VTIMEZONE 'Nowhere' has no STANDARD or DAYLIGHT part");
}
