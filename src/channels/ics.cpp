// render_ics: the iCalendar (RFC 5545) invite of a notification, as an iTIP (RFC 5546)
// REQUEST or CANCEL that mail clients turn into, update or remove a calendar entry.
#include <algorithm>
#include <chrono>
#include <climits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <libical/ical.h>

#include <interviewkit/channels/ics.hpp>
#include <interviewkit/domain/status.hpp>

#include "email_options.hpp"
#include "mail_text.hpp"

namespace interviewkit {

namespace {

// PRODID (RFC 5545 section 3.7.3): a formal public identifier naming who made the object.
constexpr std::string_view product_id = "-//interviewkit//interviewkit//EN";
// RFC 5545 section 3.1: content lines SHOULD NOT be longer than 75 octets, line break aside.
constexpr std::size_t max_content_line = 75;

struct ComponentDeleter {
  void operator()(icalcomponent* c) const noexcept { icalcomponent_free(c); }
};
using ComponentPtr = std::unique_ptr<icalcomponent, ComponentDeleter>;

struct ParameterDeleter {
  void operator()(icalparameter* p) const noexcept { icalparameter_free(p); }
};

struct BufferDeleter {
  void operator()(char* s) const noexcept { icalmemory_free_buffer(s); }
};
using IcalString = std::unique_ptr<char, BufferDeleter>;

// What libical 3.0 does to a CN value by itself. It applies RFC 6868 to DQUOTE (as ^') but
// leaves '^' alone, so "A^nB" would reach an RFC 6868 reader as a line break. Probed once
// instead of assumed, so a libical that completes RFC 6868 is not escaped twice.
struct CaretEncoding {
  bool encodes_quote = false;
  bool encodes_caret = false;
};

bool serialized_cn_contains(const char* value, std::string_view needle) {
  std::unique_ptr<icalparameter, ParameterDeleter> parameter(icalparameter_new_cn(value));
  if (!parameter)
    return false;
  IcalString text(icalparameter_as_ical_string_r(parameter.get()));
  return text && std::string_view(text.get()).find(needle) != std::string_view::npos;
}

const CaretEncoding& libical_caret_encoding() {
  static const CaretEncoding encoding{serialized_cn_contains("a\"b", "^'"),
                                      serialized_cn_contains("a^b", "^^")};
  return encoding;
}

// A CN parameter value that reads back as `name` under RFC 6868, whatever libical adds.
std::string cn_value(std::string_view name) {
  const auto& libical = libical_caret_encoding();
  std::string out;
  for (const char c : mail_text::one_line(name)) {
    if (c == '^' && !libical.encodes_caret) {
      out += "^^";
    } else if (c == '"' && !libical.encodes_quote) {
      out += "^'";
    } else {
      out += c;
    }
  }
  return out;
}

// `t` as a UTC DATE-TIME; `what` names it in the error.
Result<icaltimetype> utc_time(date::sys_seconds t, std::string_view what) {
  const auto day = date::floor<date::days>(t);
  const date::year_month_day ymd{day};
  const int year = static_cast<int>(ymd.year());
  // DATE-TIME has a four-digit year.
  if (year < 1 || year > 9999) {
    return InvalidInput{
        fmt::format("{} {} cannot be written as an iCalendar DATE-TIME (years 0001..9999)", what,
                    date::format("%FT%TZ", t))};
  }
  const date::hh_mm_ss<std::chrono::seconds> time{t - day};
  icaltimetype out = icaltime_null_time();
  out.year = year;
  out.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
  out.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
  out.hour = static_cast<int>(time.hours().count());
  out.minute = static_cast<int>(time.minutes().count());
  out.second = static_cast<int>(time.seconds().count());
  out.is_date = 0;
  out.zone = icaltimezone_get_utc_timezone();
  return out;
}

// URL needs a URI; a link that is not one still goes into LOCATION, which is free text.
bool looks_like_uri(std::string_view link) {
  if (link.empty() || !mail_text::is_printable_ascii(link))
    return false;
  if (link.find_first_of(" \"<>\\^`{|}") != std::string_view::npos)
    return false;
  const auto colon = link.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return false;
  const auto scheme = link.substr(0, colon);
  const auto is_alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!is_alpha(scheme.front()))
    return false;
  return std::all_of(scheme.begin(), scheme.end(), [&](char c) {
    return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
  });
}

// libical folds too, but the guarantee (75 octets, whole UTF-8 sequences) is ours to keep
// whichever libical is loaded at run time, so its folds are undone and the text refolded.
std::string unfold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 2 < text.size() && text[i + 1] == '\n' &&
        (text[i + 2] == ' ' || text[i + 2] == '\t')) {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

// Appends `line` folded: CRLF and one space before any character that would pass the limit.
// Invalid UTF-8 bytes (which cannot occur after the input checks) count as one octet.
void fold_line(std::string& out, std::string_view line) {
  std::size_t used = 0;
  for (std::size_t i = 0; i < line.size();) {
    const auto c = mail_text::decode_utf8(line, i);
    const std::size_t length = c.length == 0 ? 1 : c.length;
    if (used + length > max_content_line) {
      out += "\r\n ";
      used = 1;
    }
    out.append(line.substr(i, length));
    used += length;
    i += length;
  }
}

// Adds properties to a component and remembers the first one libical could not create (it
// returns null when out of memory or for a value it refuses), so the caller reports one
// error after building instead of checking every line.
class EventBuilder {
 public:
  explicit EventBuilder(icalcomponent* event) : event_(event) {}

  void add(icalproperty* property, std::string_view name) {
    if (property == nullptr) {
      if (failed_.empty())
        failed_ = std::string(name);
      return;
    }
    icalcomponent_add_property(event_, property);
  }
  [[nodiscard]] const std::string& failed() const noexcept { return failed_; }

 private:
  icalcomponent* event_;
  std::string failed_;
};

// PARTSTAT and RSVP (RFC 5545 sections 3.2.12 and 3.2.17) of one attendee.
struct AttendeeRole {
  icalparameter_partstat partstat;
  bool rsvp;
};

// `property` (ORGANIZER or ATTENDEE) with the person's name as CN, so clients show a name
// rather than an address.
icalproperty* make_person(icalproperty* property, const Participant& person) {
  if (property == nullptr)
    return nullptr;
  icalproperty_add_parameter(property, icalparameter_new_cn(cn_value(person.name()).c_str()));
  return property;
}

icalproperty* make_attendee(const Participant& person, IcsMethod method, AttendeeRole role) {
  const auto address = "mailto:" + person.email().str();
  auto* attendee = make_person(icalproperty_new_attendee(address.c_str()), person);
  if (attendee == nullptr)
    return nullptr;
  icalproperty_add_parameter(attendee, icalparameter_new_cutype(ICAL_CUTYPE_INDIVIDUAL));
  icalproperty_add_parameter(attendee, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
  // A cancellation carries no participation status: there is nothing left to answer.
  if (method == IcsMethod::request)
    icalproperty_add_parameter(attendee, icalparameter_new_partstat(role.partstat));
  const bool rsvp = method == IcsMethod::request && role.rsvp;
  icalproperty_add_parameter(attendee,
                             icalparameter_new_rsvp(rsvp ? ICAL_RSVP_TRUE : ICAL_RSVP_FALSE));
  return attendee;
}

std::string names_of(const std::vector<Interviewer>& interviewers) {
  std::string out;
  for (const auto& interviewer : interviewers) {
    if (!out.empty())
      out += ", ";
    out += mail_text::one_line(interviewer.person.name());
  }
  return out;
}

// ---- render_ics's steps ---------------------------------------------------------------

// A VCALENDAR that owns one empty VEVENT, returned in `event`; null if libical has no memory.
ComponentPtr new_calendar(icalcomponent*& event) {
  ComponentPtr calendar(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
  event = icalcomponent_new(ICAL_VEVENT_COMPONENT);
  if (!calendar || event == nullptr) {
    if (event != nullptr)
      icalcomponent_free(event);
    return nullptr;
  }
  icalcomponent_add_component(calendar.get(), event);  // the calendar owns the event now
  return calendar;
}

// The slot the invite describes, once every input has been checked: a cancelled interview no
// longer holds one, so its invite (which cancels the calendar entry) names the previous one.
Result<TimeRange> checked_slot(const Notification& notification, const EmailOptions& options) {
  const Interview& interview = notification.interview;
  if (interview.status == InterviewStatus::pending) {
    return InvalidInput{fmt::format(
        "interview {} is pending: it has no slot to put in a calendar invite", interview.id)};
  }
  const auto slot = interview.slot ? interview.slot : notification.previous_slot;
  if (!slot) {
    return InvalidInput{fmt::format("interview {} ({}) has no slot to put in a calendar invite",
                                    interview.id, interview.status)};
  }
  // SEQUENCE is an INTEGER (RFC 5545 section 3.3.8): a signed 32-bit value.
  if (interview.version > static_cast<std::uint64_t>(INT_MAX)) {
    return InvalidInput{fmt::format("interview {} version {} does not fit iCalendar SEQUENCE",
                                    interview.id, interview.version)};
  }
  // The UID's right-hand side follows the Message-ID's: a domain (RFC 5545 section 3.8.4.7
  // recommends one the host controls, so UIDs from different hosts never collide).
  if (auto domain = EmailAddress::make(fmt::format("uid@{}", detail::message_id_domain(options)));
      !domain) {
    return InvalidInput{
        fmt::format("message_id_domain is not a valid domain: {}", domain.error().message())};
  }
  for (const auto& [field, text] :
       {std::pair<std::string_view, std::string_view>{"interview title", interview.title},
        {"meeting link", interview.meeting_link},
        {"reason", notification.reason},
        {"from_name", options.from_name},
        {"organizer_name", options.organizer_name}}) {
    if (auto ok = mail_text::require_utf8(field, text); !ok)
      return ok.error();
  }
  return *slot;
}

struct InviteTimes {
  icaltimetype start;
  icaltimetype end;
  icaltimetype stamp;
};

// All times in UTC ("Z" form, RFC 5545 section 3.3.5 form #2): no VTIMEZONE to get wrong,
// and every client shows them in its own zone.
Result<InviteTimes> invite_times(const TimeRange& slot, UtcMillis now) {
  auto start = utc_time(slot.start(), "interview start");
  if (!start)
    return start.error();
  auto end = utc_time(slot.end(), "interview end");
  if (!end)
    return end.error();
  auto stamp = utc_time(date::floor<std::chrono::seconds>(now), "DTSTAMP");
  if (!stamp)
    return stamp.error();
  return InviteTimes{*start, *end, *stamp};
}

// What the event says in words. The link appears only while there is a meeting to join.
std::string event_description(const Notification& notification, std::string_view title,
                              std::string_view link, IcsMethod method) {
  const Interview& interview = notification.interview;
  std::string description(title);
  description += "\nCandidate: " + mail_text::one_line(interview.candidate.person.name());
  description += (interview.interviewers.size() == 1 ? "\nInterviewer: " : "\nInterviewers: ") +
                 names_of(interview.interviewers);
  if (!link.empty() && method == IcsMethod::request)
    description += "\nJoin: " + std::string(link);
  if (!notification.reason.empty())
    description += "\nReason: " + mail_text::body_text(notification.reason);
  return description;
}

// STATUS (RFC 5545 section 3.8.1.11): TENTATIVE until the interviewers confirm, CONFIRMED
// after, CANCELLED with METHOD:CANCEL.
icalproperty_status event_status(const Interview& interview, IcsMethod method) {
  if (method == IcsMethod::cancel)
    return ICAL_STATUS_CANCELLED;
  if (interview.status == InterviewStatus::scheduled)
    return ICAL_STATUS_TENTATIVE;
  return ICAL_STATUS_CONFIRMED;
}

// The VCALENDAR's own properties. METHOD is what makes a client treat the object as an iTIP
// message (an invitation to answer, or a cancellation) rather than a file to import.
void add_calendar_properties(EventBuilder& calendar, IcsMethod method) {
  calendar.add(icalproperty_new_prodid(std::string(product_id).c_str()), "PRODID");
  calendar.add(icalproperty_new_version("2.0"), "VERSION");
  calendar.add(icalproperty_new_calscale("GREGORIAN"), "CALSCALE");
  calendar.add(icalproperty_new_method(method == IcsMethod::cancel ? ICAL_METHOD_CANCEL
                                                                   : ICAL_METHOD_REQUEST),
               "METHOD");
}

// What the event is and when. UID stays the same for every version of the interview and
// SEQUENCE grows with it (RFC 5546 section 2.1.4), so a client replaces its entry.
void add_event_properties(EventBuilder& event, const Notification& notification,
                          const InviteTimes& times, std::string_view uid, IcsMethod method) {
  const Interview& interview = notification.interview;
  const std::string title =
      interview.title.empty() ? std::string("Interview") : mail_text::one_line(interview.title);
  const std::string link = mail_text::one_line(interview.meeting_link);
  event.add(icalproperty_new_uid(std::string(uid).c_str()), "UID");
  event.add(icalproperty_new_sequence(static_cast<int>(interview.version)), "SEQUENCE");
  event.add(icalproperty_new_dtstamp(times.stamp), "DTSTAMP");
  event.add(icalproperty_new_dtstart(times.start), "DTSTART");
  event.add(icalproperty_new_dtend(times.end), "DTEND");
  // Optional and informative only: a time that cannot be written is left out, not an error.
  if (interview.created_at != date::sys_seconds{}) {
    if (auto created = utc_time(interview.created_at, "interview created_at"))
      event.add(icalproperty_new_created(*created), "CREATED");
  }
  if (interview.updated_at != date::sys_seconds{}) {
    if (auto modified = utc_time(interview.updated_at, "interview updated_at"))
      event.add(icalproperty_new_lastmodified(*modified), "LAST-MODIFIED");
  }
  event.add(icalproperty_new_summary(title.c_str()), "SUMMARY");
  event.add(
      icalproperty_new_description(event_description(notification, title, link, method).c_str()),
      "DESCRIPTION");
  if (!link.empty()) {
    event.add(icalproperty_new_location(link.c_str()), "LOCATION");
    if (looks_like_uri(link))
      event.add(icalproperty_new_url(link.c_str()), "URL");
  }
  event.add(icalproperty_new_status(event_status(interview, method)), "STATUS");
  event.add(icalproperty_new_transp(ICAL_TRANSP_OPAQUE), "TRANSP");  // the time is busy
}

// ORGANIZER is who answers go to (RFC 5546 section 2.1.1), so it is a mailbox the host
// reads: `organizer` when set, else the sender.
void add_organizer(EventBuilder& event, const EmailOptions& options) {
  const EmailAddress& organizer = options.organizer ? *options.organizer : detail::sender(options);
  const std::string name = mail_text::one_line(
      options.organizer_name.empty() ? options.from_name : options.organizer_name);
  const auto address = "mailto:" + organizer.str();
  auto* property = icalproperty_new_organizer(address.c_str());
  if (property != nullptr && !name.empty())
    icalproperty_add_parameter(property, icalparameter_new_cn(cn_value(name).c_str()));
  event.add(property, "ORGANIZER");
}

// One ATTENDEE per participant, the candidate first.
void add_attendees(EventBuilder& event, const Notification& notification, IcsMethod method) {
  const Interview& interview = notification.interview;
  // Only an interview that still holds its slot asks for an answer.
  const bool asks_for_answer = method == IcsMethod::request && holds_slot(interview.status) &&
                               notification.kind != NotificationKind::interview_completed &&
                               notification.kind != NotificationKind::interview_no_show;
  event.add(make_attendee(interview.candidate.person, method,
                          AttendeeRole{ICAL_PARTSTAT_NEEDSACTION, asks_for_answer}),
            "ATTENDEE");
  // Confirming is what the interviewers do, so a confirmed interview shows them as accepted.
  const bool interviewers_accepted = interview.status == InterviewStatus::confirmed;
  for (const auto& interviewer : interview.interviewers) {
    event.add(make_attendee(interviewer.person, method,
                            interviewers_accepted
                                ? AttendeeRole{ICAL_PARTSTAT_ACCEPTED, false}
                                : AttendeeRole{ICAL_PARTSTAT_NEEDSACTION, asks_for_answer}),
              "ATTENDEE");
  }
}

}  // namespace

std::string_view to_string(IcsMethod method) noexcept {
  switch (method) {
    case IcsMethod::request:
      return "REQUEST";
    case IcsMethod::cancel:
      return "CANCEL";
  }
  return "REQUEST";
}

IcsMethod ics_method_for(const Notification& notification) {
  if (notification.kind == NotificationKind::interview_cancelled ||
      notification.interview.status == InterviewStatus::cancelled) {
    return IcsMethod::cancel;
  }
  return IcsMethod::request;
}

std::string fold_content_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find("\r\n", pos);
    const bool has_break = end != std::string_view::npos;
    if (!has_break)
      end = text.size();
    fold_line(out, text.substr(pos, end - pos));
    if (has_break)
      out += "\r\n";
    pos = has_break ? end + 2 : end;
  }
  return out;
}

Result<CalendarInvite> render_ics(const Notification& notification, const EmailOptions& options,
                                  UtcMillis now) {
  // ---- Check the inputs: nothing is built from text or times that cannot be written.
  if (auto ok = check_email_options(options); !ok)
    return ok.error();
  const Interview& interview = notification.interview;
  const auto slot = checked_slot(notification, options);
  if (!slot)
    return slot.error();
  const auto times = invite_times(*slot, now);
  if (!times)
    return times.error();
  const IcsMethod method = ics_method_for(notification);
  const std::string uid = calendar_uid(interview.id, detail::message_id_domain(options));

  // ---- Build: one VCALENDAR holding one VEVENT.
  icalcomponent* event = nullptr;
  ComponentPtr calendar = new_calendar(event);
  if (!calendar)
    return Unavailable{"libical could not allocate a calendar component"};
  EventBuilder cal(calendar.get());
  add_calendar_properties(cal, method);
  EventBuilder ev(event);
  add_event_properties(ev, notification, *times, uid, method);
  add_organizer(ev, options);
  add_attendees(ev, notification, method);
  for (const auto* builder : {&cal, &ev}) {
    if (!builder->failed().empty()) {
      return Unavailable{
          fmt::format("libical could not build the {} property of interview {}'s invite",
                      builder->failed(), interview.id)};
    }
  }

  // ---- Serialize: CRLF lines (RFC 5545 section 3.1), folded by us (see unfold()).
  IcalString serialized(icalcomponent_as_ical_string_r(calendar.get()));
  if (!serialized) {
    return Unavailable{
        fmt::format("libical could not serialize interview {}'s invite", interview.id)};
  }
  return CalendarInvite{
      .text = fold_content_lines(unfold(mail_text::crlf_lines(serialized.get()))),
      .method = method,
      .uid = uid,
  };
}

}  // namespace interviewkit
