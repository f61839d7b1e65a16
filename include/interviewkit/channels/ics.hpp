// iCalendar (RFC 5545 / iTIP RFC 5546) invites for interview notifications.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <interviewkit/channels/email_message.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

/// The iTIP method of an invite. It is also the MIME `method=` parameter of the
/// text/calendar part, so the two can never disagree.
enum class IcsMethod : std::uint8_t { request, cancel };

/// "REQUEST" or "CANCEL".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(IcsMethod method) noexcept;

/// CANCEL for an interview_cancelled notification or a cancelled interview, REQUEST for
/// everything else.
///
/// completed and no_show stay REQUEST with STATUS:CONFIRMED and RSVP=FALSE: the slot was
/// held, so the entry remains in calendars as a record of what took place (a CANCEL would
/// delete that history), and nobody is asked to answer again.
[[nodiscard]] INTERVIEWKIT_EXPORT IcsMethod ics_method_for(const Notification& notification);

/// A rendered calendar object.
struct CalendarInvite {
  std::string text;  ///< one VCALENDAR with one VEVENT; CRLF lines, folded at 75 octets
  IcsMethod method = IcsMethod::request;  ///< the METHOD it carries (ics_method_for)
  std::string uid;  ///< "interview-42@<message_id_domain>", the same for every version
};

/// Builds the invite for `notification` with libical: UID from the interview id, SEQUENCE =
/// interview version, DTSTAMP = `now`, DTSTART/DTEND in UTC, SUMMARY (the title), DESCRIPTION
/// (title, people, meeting link, cancellation reason), LOCATION and URL (the meeting link),
/// ORGANIZER (`options.organizer`, else `options.from`), one ATTENDEE per participant and
/// STATUS (TENTATIVE while scheduled, CONFIRMED once confirmed, CANCELLED with METHOD:CANCEL).
///
/// Errors (InvalidInput): what check_email_options refuses, the interview has no slot (pending; a
/// cancelled interview falls back to `previous_slot`), a version beyond what SEQUENCE can hold,
/// text that is not UTF-8, or a `message_id_domain` that is not a valid domain. Control characters
/// in free text are replaced, never passed through. Thread-safe.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<CalendarInvite> render_ics(
    const Notification& notification, const EmailOptions& options, UtcMillis now);

/// Folds every content line of `text` (CRLF-separated, already unfolded) to at most 75 octets
/// excluding the line break, as RFC 5545 section 3.1 asks, never splitting a UTF-8 sequence:
/// continuation lines start with one space. Lines are only cut where they are too long.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string fold_content_lines(std::string_view text);

}  // namespace interviewkit
