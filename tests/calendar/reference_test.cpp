// read_busy_times against an independent expander, python3-recurring-ical-events (through
// servers/caldav_reference.py), over a corpus of the recurrences real calendars hold, in
// several zones and windows. Where the reference is known to be wrong, the case is checked by
// hand in busy_times_test.cpp instead: a DURATION in days over a DST change is nominal
// (RFC 5545 section 3.3.6), which recurring-ical-events 2.0 adds as exact hours.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/calendar/busy_times.hpp>

#include "calendar/calendar_support.hpp"
#include "support/radicale.hpp"

using namespace interviewkit;
using interviewkit::testing::describe;
using interviewkit::testing::RadicaleServer;
using interviewkit::testing::utc;
using interviewkit::testing::utc_range;
using interviewkit::testing::vcalendar;

namespace {

struct Case {
  const char* name;
  const char* body;
};

// One event (a master and its overrides) per case, as one CalDAV resource holds it.
const Case corpus[] = {
    {"weekly on two days, an EXDATE, from 2015",
     "BEGIN:VEVENT\nUID:standup\nDTSTART;TZID=Europe/Berlin:20150105T093000\n"
     "DTEND;TZID=Europe/Berlin:20150105T094500\nRRULE:FREQ=WEEKLY;BYDAY=MO,TH\n"
     "EXDATE;TZID=Europe/Berlin:20260326T093000\nEND:VEVENT\n"},
    {"every other week, moved and cancelled occurrences",
     "BEGIN:VEVENT\nUID:one-on-one\nDTSTART;TZID=America/New_York:20260105T160000\n"
     "DTEND;TZID=America/New_York:20260105T163000\nRRULE:FREQ=WEEKLY;INTERVAL=2\n"
     "END:VEVENT\n"
     "BEGIN:VEVENT\nUID:one-on-one\nRECURRENCE-ID;TZID=America/New_York:20260302T160000\n"
     "DTSTART;TZID=America/New_York:20260303T110000\n"
     "DTEND;TZID=America/New_York:20260303T120000\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:one-on-one\nRECURRENCE-ID;TZID=America/New_York:20260316T160000\n"
     "DTSTART;TZID=America/New_York:20260316T160000\n"
     "DTEND;TZID=America/New_York:20260316T163000\nSTATUS:CANCELLED\nEND:VEVENT\n"},
    {"daily with COUNT across New York's DST change",
     "BEGIN:VEVENT\nUID:daily\nDTSTART;TZID=America/New_York:20260305T083000\n"
     "DURATION:PT45M\nRRULE:FREQ=DAILY;COUNT=8\nEND:VEVENT\n"},
    {"every other Sunday, from a Wednesday (libical 3.0 places it a week late)",
     "BEGIN:VEVENT\nUID:sundays\nDTSTART;TZID=Europe/Berlin:20260218T180000\n"
     "DURATION:PT1H\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=SU\nEND:VEVENT\n"},
    {"the last Friday of the month",
     "BEGIN:VEVENT\nUID:review\nDTSTART;TZID=Asia/Tokyo:20250131T170000\n"
     "DTEND;TZID=Asia/Tokyo:20250131T180000\nRRULE:FREQ=MONTHLY;BYDAY=-1FR\nEND:VEVENT\n"},
    {"the 31st of each month (months without one are skipped)",
     "BEGIN:VEVENT\nUID:month-end\nDTSTART:20260131T120000Z\nDURATION:PT1H\n"
     "RRULE:FREQ=MONTHLY;BYMONTHDAY=31\nEND:VEVENT\n"},
    {"an all-day event every week, two days long",
     "BEGIN:VEVENT\nUID:offsite\nDTSTART;VALUE=DATE:20260102\nDTEND;VALUE=DATE:20260104\n"
     "RRULE:FREQ=WEEKLY\nEND:VEVENT\n"},
    {"a floating weekday lunch, UNTIL a date",
     "BEGIN:VEVENT\nUID:lunch\nDTSTART:20260302T120000\nDTEND:20260302T130000\n"
     "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20260320\nEND:VEVENT\n"},
    {"RDATEs in another zone than DTSTART",
     "BEGIN:VEVENT\nUID:travel\nDTSTART;TZID=Europe/London:20260302T090000\n"
     "DTEND;TZID=Europe/London:20260302T100000\n"
     "RDATE;TZID=America/Los_Angeles:20260310T090000,20260317T090000\nEND:VEVENT\n"},
    {"tentative, transparent and cancelled",
     "BEGIN:VEVENT\nUID:maybe\nDTSTART:20260304T150000Z\nDURATION:PT1H\nSTATUS:TENTATIVE\n"
     "RRULE:FREQ=WEEKLY;COUNT=3\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:maybe\nRECURRENCE-ID:20260311T150000Z\nDTSTART:20260311T160000Z\n"
     "DURATION:PT1H\nSTATUS:CONFIRMED\nEND:VEVENT\n"},
    {"yearly, and an override moving an occurrence from before the window into it",
     "BEGIN:VEVENT\nUID:anniversary\nDTSTART;TZID=Australia/Sydney:20200310T100000\n"
     "DURATION:PT2H\nRRULE:FREQ=YEARLY\nEND:VEVENT\n"
     "BEGIN:VEVENT\nUID:anniversary\nRECURRENCE-ID;TZID=Australia/Sydney:20250310T100000\n"
     "DTSTART;TZID=Australia/Sydney:20260320T100000\nDURATION:PT2H\nEND:VEVENT\n"},
};

std::vector<BusyOccurrence> reference(const std::vector<std::string>& files,
                                      const TimeRange& window, const std::string& zone) {
  const auto text = RadicaleServer::expand_json(date::format("%FT%TZ", window.start()),
                                                date::format("%FT%TZ", window.end()), files, zone);
  std::vector<BusyOccurrence> out;
  for (const auto& row : nlohmann::json::parse(text)) {
    const std::string start = row.at("start");
    const std::string end = row.at("end");
    out.push_back({utc_range(start, end), row.at("uid")});
  }
  return out;
}

}  // namespace

TEST_CASE("busy times agree with python3-recurring-ical-events on the corpus",
          "[caldav][recurrence]") {
  const std::vector<TimeRange> windows = {
      utc_range("2026-03-02T00:00:00Z", "2026-03-16T00:00:00Z"),
      utc_range("2026-03-16T00:00:00Z", "2026-03-30T00:00:00Z"),
      utc_range("2026-03-27T00:00:00Z", "2026-04-10T00:00:00Z")};
  std::vector<std::string> files;
  for (const auto& c : corpus)
    files.push_back(vcalendar(c.body));
  for (const auto* zone : {"UTC", "America/New_York", "Europe/Berlin"}) {
    BusyTimeOptions options;
    options.calendar_zone = TimeZone::make(zone).value();
    for (const auto& window : windows) {
      INFO("calendar zone " << zone << ", window " << window);
      std::vector<BusyOccurrence> ours;
      for (std::size_t i = 0; i < files.size(); ++i) {
        auto read = read_busy_times(files[i], corpus[i].name, window, options);
        CHECK(read.skipped.empty());
        ours.insert(ours.end(), read.busy.begin(), read.busy.end());
      }
      std::ranges::sort(ours, {}, [](const BusyOccurrence& b) {
        return std::tuple(b.range.start(), b.range.end(), std::string_view(b.uid));
      });
      CHECK(describe(ours) == describe(reference(files, window, zone)));
    }
  }
}
