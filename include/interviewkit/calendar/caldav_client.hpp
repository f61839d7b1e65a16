// CalDavClient: reads interviewers' calendars from CalDAV servers (RFC 4791), for their busy
// times: the events of a time range, what changed since the last look (RFC 6578
// sync-collection, or entity tags), and the resources themselves.
//
// Every call is one HTTP request. Failures are values: Unavailable naming the server
// (scheme, host and port only), the request and what went wrong; InvalidInput for a URL that
// is not http(s). Credentials never appear in an error, a log or an exception.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Where a calendar collection is and how to sign in to it.
struct CalDavCalendar {
  /// The calendar collection, http or https, e.g. "https://dav.example.com/alice/work/".
  std::string url;
  std::string username{};  ///< HTTP Basic user name; empty: no credentials are sent
  /// HTTP Basic password. Never logged, never part of an error message.
  std::string password{};
};

/// Settings of a CalDavClient. Every member has a default.
struct CalDavOptions {
  /// Time allowed to connect (TCP and TLS). Default: 10 s.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Time allowed for one whole request, the answer included. Default: 60 s.
  std::chrono::milliseconds request_timeout{60'000};
  /// A larger answer is refused (Unavailable) instead of read. Default: 64 MiB.
  std::size_t max_response_bytes = std::size_t{64} << 20;
  /// Check the server's certificate and name. Default: true; off only for tests.
  bool verify_tls = true;
};

/// One calendar object resource as the server holds it.
struct CalendarResource {
  std::string href;  ///< its path on the server, as the server spells it
  std::string etag;  ///< its entity tag, which changes whenever the resource does
  std::string ics;   ///< its iCalendar text, for read_busy_times

  friend bool operator==(const CalendarResource&, const CalendarResource&) = default;
};

/// A resource's href and entity tag, without its text.
struct ResourceTag {
  std::string href;  ///< its path on the server
  std::string etag;  ///< its entity tag

  friend bool operator==(const ResourceTag&, const ResourceTag&) = default;
};

/// What a server says about a calendar collection itself.
struct CalendarState {
  std::string sync_token;  ///< RFC 6578 DAV:sync-token; empty if the server offers none
  std::string ctag;        ///< CalendarServer getctag; empty if the server offers none
  /// CALDAV:calendar-timezone: a VCALENDAR holding the calendar's VTIMEZONE; empty if none.
  std::string time_zone;
};

/// What changed in a collection since a sync token.
struct CalendarChanges {
  /// The server no longer accepts the token given (RFC 6578 valid-sync-token): nothing else
  /// is set; read the calendar afresh.
  bool token_expired = false;
  std::string sync_token;              ///< the token to ask with next time
  std::vector<ResourceTag> changed{};  ///< resources added or changed since
  std::vector<std::string> removed{};  ///< hrefs of resources removed since
};

/// A CalDAV client. Not thread-safe: give each thread its own. It keeps one connection per
/// server open between calls (HTTP keep-alive), so polling many calendars of one server
/// costs no new connections.
class INTERVIEWKIT_EXPORT CalDavClient {
 public:
  /// A client with these options; InvalidInput if one is out of range (a zero timeout or
  /// response limit).
  [[nodiscard]] static Result<std::unique_ptr<CalDavClient>> make(CalDavOptions options = {});
  ~CalDavClient();
  CalDavClient(const CalDavClient&) = delete;
  CalDavClient& operator=(const CalDavClient&) = delete;

  /// The collection's sync token, ctag and time zone (PROPFIND, depth 0).
  [[nodiscard]] Result<CalendarState> state(const CalDavCalendar& calendar);

  /// The resources holding a VEVENT the server places in `range` (calendar-query REPORT with
  /// a time-range). Servers differ in how they place recurring, all-day and floating events,
  /// so a caller that must not miss one widens the range and adds recurring_events().
  [[nodiscard]] Result<std::vector<CalendarResource>> events_in(const CalDavCalendar& calendar,
                                                                const TimeRange& range);

  /// The resources holding a VEVENT with an RRULE or an RDATE, whenever they occur
  /// (calendar-query REPORTs on the properties themselves): the events a server's own
  /// expansion may place wrongly, read whole so the client expands them itself.
  [[nodiscard]] Result<std::vector<CalendarResource>> recurring_events(
      const CalDavCalendar& calendar);

  /// What changed since `sync_token` (sync-collection REPORT); an empty token asks for
  /// every resource.
  [[nodiscard]] Result<CalendarChanges> changes_since(const CalDavCalendar& calendar,
                                                      const std::string& sync_token);

  /// Every resource's href and entity tag (PROPFIND, depth 1): how a calendar without sync
  /// tokens is compared with what was read before.
  [[nodiscard]] Result<std::vector<ResourceTag>> tags(const CalDavCalendar& calendar);

  /// The resources at `hrefs` (calendar-multiget REPORT), in the server's order; hrefs it no
  /// longer has are left out.
  [[nodiscard]] Result<std::vector<CalendarResource>> fetch(const CalDavCalendar& calendar,
                                                            std::span<const std::string> hrefs);

 private:
  struct Impl;
  explicit CalDavClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace interviewkit
