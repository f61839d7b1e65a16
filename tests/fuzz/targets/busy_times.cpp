// read_busy_times (calendar/busy_times.hpp), which reads iCalendar text from interviewers'
// calendars: whatever the text, nothing throws, every busy interval overlaps the window and
// the intervals come sorted, and every skipped event says why.
#include <chrono>
#include <tuple>

#include <date/date.h>

#include <interviewkit/calendar/busy_times.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(busy_times) {
  const auto text = as_text(data, size);
  const auto start = date::sys_days{date::year{2026} / 3 / 2};
  const auto window = TimeRange::make(start, date::days{14}).value();
  BusyTimeOptions options;
  options.calendar_zone = TimeZone::make("Europe/Berlin").value();
  options.own_uid_domain = "hire.example";
  options.max_occurrences = 5000;
  no_exception("read_busy_times", [&] {
    const auto busy = read_busy_times(text, "fuzz.ics", window, options);
    for (std::size_t i = 0; i < busy.busy.size(); ++i) {
      const auto& b = busy.busy[i];
      require(b.range.overlaps(window), "a busy interval outside the window");
      if (i > 0) {
        const auto& a = busy.busy[i - 1];
        require(std::tuple(a.range.start(), a.range.end(), std::string_view(a.uid)) <=
                    std::tuple(b.range.start(), b.range.end(), std::string_view(b.uid)),
                "busy intervals out of order");
      }
    }
    for (const auto& s : busy.skipped) {
      require(!s.reason.empty(), "a skipped event without a reason");
      require(s.source == "fuzz.ics", "a skipped event without its source");
    }
  });
}
