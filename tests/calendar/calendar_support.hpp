// Shared by the calendar tests: iCalendar text built from event bodies, UTC instants from
// text, and busy intervals written out for comparison.
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include <interviewkit/calendar/busy_times.hpp>

namespace interviewkit::testing {

/// A VCALENDAR around `body` (VEVENTs, VTIMEZONEs), lines ending in CRLF as RFC 5545 says.
inline std::string vcalendar(std::string_view body) {
  std::string text = "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//interviewkit tests//EN\n";
  text += body;
  text += "END:VCALENDAR\n";
  std::string crlf;
  for (const char c : text) {
    if (c == '\n')
      crlf += '\r';
    crlf += c;
  }
  return crlf;
}

/// "2026-03-02T09:00:00Z" as an instant.
inline date::sys_seconds utc(const std::string& text) {
  std::istringstream in(text);
  date::sys_seconds t;
  in >> date::parse("%FT%TZ", t);
  if (in.fail())
    throw std::invalid_argument("not a UTC time: " + text);
  return t;
}

inline TimeRange utc_range(const std::string& start, const std::string& end) {
  return TimeRange::make(utc(start), utc(end)).value();
}

/// "uid [start, end)" per interval, one per line: failures then show both sides readably.
inline std::string describe(const std::vector<BusyOccurrence>& busy) {
  std::string out;
  for (const auto& b : busy)
    out += fmt::format("{} {}\n", b.uid, b.range);
  return out;
}

}  // namespace interviewkit::testing
