// Busy times from interviewers' own calendars: the occurrences of the events in an iCalendar
// object (RFC 5545) that fall in a window, recurrences expanded, as intervals slot search
// takes in InterviewerAvailability::busy.
//
// Pure: it reads its arguments and does no I/O, so a host can feed it .ics files as well as
// the CalDAV resources CalDavClient fetches.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/domain/time_zone.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// How the events of an interviewer's calendar count as busy time.
struct BusyTimeOptions {
  /// The zone of all-day events and of floating times (those without a zone): the
  /// calendar's own (CALDAV:calendar-timezone) or else the interviewer's. Default: UTC.
  TimeZone calendar_zone = TimeZone::utc();
  /// Whether STATUS:TENTATIVE events block time. Default: true, so an interviewer who may be
  /// busy is not offered.
  bool tentative_is_busy = true;
  /// Events whose UID is "interview-<n>@<own_uid_domain>" are the library's own interviews
  /// (calendar_uid in channels/ics.hpp names them so): slot search already has them in
  /// InterviewerAvailability::booked, so they are counted in BusyTimes::own, not read again.
  /// Compared without regard to case. Default: empty, no event is taken for one of ours.
  std::string own_uid_domain{};
  /// The most occurrences of one event read up to the window's end; an event with more (a
  /// FREQ=SECONDLY rule, say) is skipped and recorded. Default: 100,000.
  std::size_t max_occurrences = 100'000;
};

/// One occurrence of an event that blocks time.
struct BusyOccurrence {
  TimeRange range;  ///< when, in UTC; zero-length events block nothing and give none
  std::string uid;  ///< the event's UID (empty if it has none)

  friend bool operator==(const BusyOccurrence&, const BusyOccurrence&) = default;
};

/// An event that was not read, and why. Never fatal: the other events still count.
struct SkippedEvent {
  std::string source;  ///< where it came from, as given to read_busy_times (a resource's href)
  std::string uid;     ///< its UID, when it could be read
  std::string reason;  ///< what was wrong with it, e.g. "unknown time zone 'Mars/Base'"

  friend bool operator==(const SkippedEvent&, const SkippedEvent&) = default;
};

/// What read_busy_times found.
struct BusyTimes {
  /// Occurrences overlapping the window, whole (not clipped), sorted by start, end and uid.
  std::vector<BusyOccurrence> busy;
  std::vector<SkippedEvent> skipped;  ///< in the order met
  std::size_t own = 0;                ///< events recognised as the library's own interviews
};

/// Reads the events of `ics`, one iCalendar object (a CalDAV calendar resource or a whole
/// .ics file, several VCALENDARs allowed), and returns the occurrences that overlap `window`.
///
/// - Recurrences: RRULE, RDATE (dates, date-times and periods, each with its own TZID),
///   EXDATE, and RECURRENCE-ID overrides (an override replaces the occurrence it names, and
///   counts wherever it moved it); RANGE=THISANDFUTURE is read as that occurrence only.
///   An override without its master (an invitation to one occurrence) is an event of its own.
/// - Times: a TZID naming an IANA zone uses the system tz database; any other TZID its
///   VTIMEZONE in the object (or, failing that, an IANA name at the end of it, as in
///   "/mozilla.org/20050126_1/Europe/Berlin"); "Z" is UTC; floating times and all-day dates
///   are in options.calendar_zone. A local time in a DST gap means the same time with the
///   offset before the gap, an ambiguous one its first occurrence (RFC 5545 section 3.3.5).
/// - Length: DTEND (the same exact duration for every occurrence), else DURATION (days and
///   weeks nominal, in local time), else a day for an all-day event and nothing for a timed
///   one. An all-day event runs from local midnight to local midnight in the calendar zone.
/// - TRANSP:TRANSPARENT and STATUS:CANCELLED events, and cancelled overrides, block nothing;
///   STATUS:TENTATIVE as options say. VTODO, VJOURNAL and VFREEBUSY are not events.
/// - An event that cannot be read (no DTSTART, a rule or time libical could not parse, an
///   unknown zone or a VTIMEZONE without rules, an end before its start, a length over ten
///   years, too many occurrences, a rule repeating more often than hourly or naming no date
///   that exists, a rule taking over 250 ms to expand, or any still expanding 5 s into the
///   call) is skipped and listed in BusyTimes::skipped with `source`; text that is not
///   iCalendar at all is one such entry. An override that cannot be read is skipped alone:
///   the occurrence it would replace stays as its series gives it.
///
/// Thread-safe: calls share nothing.
[[nodiscard]] INTERVIEWKIT_EXPORT BusyTimes read_busy_times(std::string_view ics,
                                                            std::string_view source,
                                                            const TimeRange& window,
                                                            const BusyTimeOptions& options);

}  // namespace interviewkit
