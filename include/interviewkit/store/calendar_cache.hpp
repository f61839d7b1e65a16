// Interviewers' external calendars as a Store keeps them between syncs: what CalendarSync
// (calendar/calendar_sync.hpp) read last time, and the busy time slot search reads from them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/time_range.hpp>

namespace interviewkit {

/// One resource of an external calendar (one event with its overrides), as last read.
struct CachedCalendarResource {
  std::string href;  ///< its path on the server
  std::string etag;  ///< its entity tag when read
  std::string ics;   ///< its iCalendar text

  friend bool operator==(const CachedCalendarResource&, const CachedCalendarResource&) = default;
};

/// An interviewer's external calendar as last read: how to ask what changed, what it held,
/// and the busy time it gave.
struct CachedCalendar {
  /// What identifies the calendar; CalendarSync uses "<interviewer id> <calendar URL>", so two
  /// interviewers may share one calendar. At most 2,048 bytes.
  std::string key;
  InterviewerId interviewer;  ///< whose calendar it is
  std::string sync_token{};   ///< RFC 6578 token of the last read; empty if none
  std::string ctag{};         ///< getctag of the last read; empty if none
  /// The calendar's own zone (an IANA name, from CALDAV:calendar-timezone), in which its
  /// all-day and floating events are read; empty if it names none.
  std::string time_zone{};
  /// The events were read for this range (recurring ones whenever they occur); `busy` covers
  /// it. Unset before the first read.
  std::optional<TimeRange> covered{};
  std::vector<CachedCalendarResource> resources{};  ///< every resource read (stores: by href)
  std::vector<TimeRange> busy{};                    ///< busy time within `covered`, sorted by start
  UtcMillis synced_at{};                            ///< when it was last brought up to date

  friend bool operator==(const CachedCalendar&, const CachedCalendar&) = default;
};

}  // namespace interviewkit
