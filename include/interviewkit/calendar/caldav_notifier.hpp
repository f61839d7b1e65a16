// CalDavNotifier: writes booked interviews into the interviewers' own CalDAV calendars, as a
// channel of the outbox, so each write gets retries, fate tracking and ActionLog entries like
// an email does.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <interviewkit/calendar/caldav_client.hpp>
#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// What becomes of an interviewer's calendar entry when the interview is cancelled.
enum class CancelledEntry : std::uint8_t {
  removed,           ///< the event is deleted (DELETE)
  marked_cancelled,  ///< the event stays, with STATUS:CANCELLED (it blocks no time)
};

/// Settings of a CalDavNotifier.
struct CalDavNotifierOptions {
  /// The calendar of an interviewer, or nullopt if they have none here (their messages are
  /// delivered with a detail saying so). Called from the dispatcher's thread; must not
  /// throw (a throw is a failed delivery). Required.
  std::function<std::optional<CalDavCalendar>(const InterviewerId&)> calendar_of;
  /// The domain of the events' UIDs (calendar_uid): give the email options'
  /// message_id_domain, so an interviewer's email invite and calendar event are one entry,
  /// and BusyTimeOptions::own_uid_domain, so CalendarSync knows them. Required.
  std::string uid_domain;
  /// Default: the entry is removed.
  CancelledEntry on_cancel = CancelledEntry::removed;
  /// How many times one delivery writes again after the server says the event changed
  /// under it (412: someone edited it between the read and the write). Default: 3.
  std::uint32_t conflict_retries = 3;
  /// The client's timeouts and limits (each request also ends by the delivery's deadline).
  CalDavOptions client{};
  /// DTSTAMP of the events. Default: the system clock.
  std::shared_ptr<const Clock> clock{};
};

/// Writes the interview into the calendar of the interviewer a notification is for:
///
/// - interview_scheduled, _confirmed, _rescheduled, _completed, _no_show: the event is
///   created (PUT, If-None-Match: *) or, when it exists, read and replaced (If-Match: its
///   entity tag) at the interview's current slot and status, with UID calendar_uid(id,
///   uid_domain) and SEQUENCE the interview's version. An event already holding a later
///   version is left alone (a message delivered late never undoes a newer one).
/// - interview_cancelled: the event is deleted (If-Match), or marked cancelled, as
///   `on_cancel` says; an event already gone is fine.
/// - interview_reminder, and every message to the candidate: nothing to write (delivered,
///   with a detail saying why).
///
/// A 412 (the event changed between the read and the write) is read again and retried, up
/// to `conflict_retries` times, and said in the outcome's detail. Outcomes: 401, 403, and a
/// missing calendar (404, 409) are permanent; 5xx, 507, 408, 429, timeouts, refused
/// connections and a 412 that keeps happening are retryable. Details name the server by
/// scheme, host and port only. Thread-safe (deliveries run one at a time).
class INTERVIEWKIT_EXPORT CalDavNotifier final : public Notifier {
 public:
  /// InvalidInput without calendar_of or uid_domain, or for client options CalDavClient
  /// refuses.
  [[nodiscard]] static Result<std::shared_ptr<CalDavNotifier>> make(CalDavNotifierOptions options);
  ~CalDavNotifier() override;
  CalDavNotifier(const CalDavNotifier&) = delete;
  CalDavNotifier& operator=(const CalDavNotifier&) = delete;

  /// Writes, updates or removes the interviewer's event; see the class comment.
  [[nodiscard]] DeliveryOutcome deliver(const Notification& notification,
                                        const DeliveryContext& context) override;

 private:
  struct Impl;
  explicit CalDavNotifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// The iCalendar object CalDavNotifier stores for `notification`'s interview: one VEVENT,
/// no METHOD (RFC 4791 section 4.1), times in UTC, STATUS TENTATIVE while scheduled,
/// CONFIRMED once confirmed (and after), CANCELLED when cancelled. InvalidInput when the
/// interview has no slot (nor a previous one, for a cancellation).
[[nodiscard]] INTERVIEWKIT_EXPORT Result<std::string> calendar_event(
    const Notification& notification, std::string_view uid_domain, UtcMillis now);

}  // namespace interviewkit
