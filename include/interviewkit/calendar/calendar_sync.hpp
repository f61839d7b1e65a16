// CalendarSync: keeps the Store's copy of interviewers' CalDAV calendars up to date, so slot
// search reads their busy time from the store (Store::calendar_busy, load_calendar_busy)
// without waiting on a server.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include <interviewkit/calendar/busy_times.hpp>
#include <interviewkit/calendar/caldav_client.hpp>
#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_log.hpp>
#include <interviewkit/scheduling/availability.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Settings of a CalendarSync. Every member has a default.
struct CalendarSyncOptions {
  /// How events count as busy. Its calendar_zone applies to calendars that name no zone of
  /// their own (CALDAV:calendar-timezone): pass the interviewer's. Default: see
  /// BusyTimeOptions.
  BusyTimeOptions busy{};
  /// Compute busy time this much past the end of the window asked for, so that a window
  /// moving forward day by day is still covered for a while. 0 to 366 days. Default: 28 days.
  std::chrono::hours read_ahead{24 * 28};
  /// Where "calendar_event_skipped" entries go for events that cannot be read. Default:
  /// none (they are still in SyncReport::skipped).
  std::shared_ptr<ActionLog> log{};
  /// Time for SyncReport and the cache's synced_at. Default: the system clock.
  std::shared_ptr<const Clock> clock{};
};

/// What one CalendarSync::sync did.
struct SyncReport {
  /// The calendar was read afresh: the first sync, or an expired sync token.
  bool full_read = false;
  std::size_t round_trips = 0;  ///< requests made to the server
  std::size_t fetched = 0;      ///< resources read (new or changed)
  std::size_t removed = 0;      ///< resources gone from the server since the last sync
  std::size_t busy = 0;         ///< busy ranges now cached for the calendar
  std::size_t own = 0;          ///< events recognised as the library's own interviews (not counted)
  std::vector<SkippedEvent> skipped{};  ///< events of the resources read that were skipped
};

/// Brings one calendar's copy in the store up to date with its server, reading as little as
/// the server allows: with RFC 6578 sync tokens an unchanged calendar costs one request
/// (sync-collection) and a changed one two (plus calendar-multiget of what changed); with
/// only a ctag, one when unchanged (PROPFIND), three when changed; otherwise entity tags
/// are compared. The first read lists the calendar and fetches every resource (multiget,
/// 200 per request): servers place recurring, all-day and floating events in a time range
/// each their own way, so nothing is left to their filters; read_busy_times expands here.
///
/// The busy time is computed for the window and `read_ahead` past it, from the resources
/// held, at every sync that changed something or asks for a window beyond that range, and
/// saved with them in one Store::save_calendar, so a failed sync leaves the previous copy
/// whole. Thread-safe if the store is; calls for one calendar should not run at once (the
/// later save wins).
class INTERVIEWKIT_EXPORT CalendarSync {
 public:
  /// A sync on `store` (which must keep calendars: Store::load_calendar) through `client`.
  /// InvalidInput for a null store or client, or a read_ahead outside 0 to 366 days.
  [[nodiscard]] static Result<std::unique_ptr<CalendarSync>> make(
      std::shared_ptr<Store> store, std::shared_ptr<CalDavClient> client,
      CalendarSyncOptions options = {});
  ~CalendarSync();
  CalendarSync(const CalendarSync&) = delete;
  CalendarSync& operator=(const CalendarSync&) = delete;

  /// Brings `calendar`, one of `interviewer`'s, up to date for `window`. The cache key is the
  /// calendar's URL. Server failures are Unavailable and change nothing in the store.
  [[nodiscard]] Result<SyncReport> sync(const CalDavCalendar& calendar,
                                        const InterviewerId& interviewer, const TimeRange& window);

 private:
  struct Impl;
  explicit CalendarSync(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// Adds to each interviewer's `busy` the busy time of their cached calendars around the
/// query's window (Store::calendar_busy), as load_booked does for interviews. Store errors
/// are returned as they are.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> load_calendar_busy(
    const Store& store, const SlotQuery& query, std::span<InterviewerAvailability> interviewers);

}  // namespace interviewkit
