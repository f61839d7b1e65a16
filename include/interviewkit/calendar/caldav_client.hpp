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
#include <optional>
#include <span>
#include <string>
#include <string_view>
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

/// The server's answer to a write (PUT or DELETE).
struct WriteAnswer {
  /// The HTTP status: 201 or 204 written, 412 a precondition failed (someone else changed
  /// or created the resource), 404 no such resource, 401/403 refused, 5xx failed, ...
  long status = 0;
  std::string etag;  ///< the resource's new entity tag, if the server sent one

  friend bool operator==(const WriteAnswer&, const WriteAnswer&) = default;
};

/// A busy period from a server's free-busy answer (RFC 4791 section 7.10).
struct FreeBusyPeriod {
  TimeRange range;         ///< when
  bool tentative = false;  ///< FBTYPE=BUSY-TENTATIVE (BUSY and BUSY-UNAVAILABLE are not)

  friend bool operator==(const FreeBusyPeriod&, const FreeBusyPeriod&) = default;
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

  /// Requests made from now on also end by `deadline` (a channel's delivery deadline);
  /// nullopt: only the options' timeouts apply. A request that reaches it is Unavailable.
  void set_deadline(std::optional<std::chrono::steady_clock::time_point> deadline);

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

  /// The server's own busy periods in `range` (free-busy-query REPORT), or nullopt when it
  /// offers none (it refuses the report, or answers with something other than an iCalendar
  /// VFREEBUSY, as Radicale does). Cheaper than reading events where it is offered, but it
  /// names no events, so the library's own interviews cannot be told apart: CalendarSync
  /// reads events instead; a host may use this for calendars it only needs busy time from.
  [[nodiscard]] Result<std::optional<std::vector<FreeBusyPeriod>>> free_busy(
      const CalDavCalendar& calendar, const TimeRange& range);

  /// What changed since `sync_token` (sync-collection REPORT); an empty token asks for
  /// every resource.
  [[nodiscard]] Result<CalendarChanges> changes_since(const CalDavCalendar& calendar,
                                                      const std::string& sync_token);

  /// Every resource's href and entity tag (PROPFIND, depth 1): how a calendar without sync
  /// tokens is compared with what was read before.
  [[nodiscard]] Result<std::vector<ResourceTag>> tags(const CalDavCalendar& calendar);

  /// The resource `name` of the calendar (GET of the calendar's URL followed by `name`), or
  /// nullopt when there is none (404). Another status is Unavailable.
  [[nodiscard]] Result<std::optional<CalendarResource>> get(const CalDavCalendar& calendar,
                                                            const std::string& name);

  /// Writes `ics` as the resource `name` (PUT, text/calendar): when `if_match` is empty, only
  /// if no resource of that name exists (If-None-Match: *); otherwise only if its entity tag
  /// is still `if_match` (If-Match). Returns the server's answer whatever its status;
  /// Unavailable only when none came.
  [[nodiscard]] Result<WriteAnswer> put(const CalDavCalendar& calendar, const std::string& name,
                                        const std::string& ics, const std::string& if_match);

  /// Deletes the resource `name` (DELETE), only if its entity tag is still `if_match`
  /// (If-Match; empty: whatever it is). Returns the server's answer as put() does.
  [[nodiscard]] Result<WriteAnswer> remove(const CalDavCalendar& calendar, const std::string& name,
                                           const std::string& if_match);

  /// The resource name for an event UID: the UID with every byte outside RFC 3986's
  /// unreserved characters and "@" percent-encoded, then ".ics".
  [[nodiscard]] static std::string resource_name(std::string_view uid);

  /// How many hrefs one calendar-multiget asks for: fetch() sends one request per this many.
  static constexpr std::size_t hrefs_per_fetch = 200;

  /// The resources at `hrefs` (calendar-multiget REPORT, one request per hrefs_per_fetch), in
  /// the server's order; hrefs it no longer has are left out.
  [[nodiscard]] Result<std::vector<CalendarResource>> fetch(const CalDavCalendar& calendar,
                                                            std::span<const std::string> hrefs);

 private:
  struct Impl;
  explicit CalDavClient(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace interviewkit
