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

#include "mail_text.hpp"

namespace interviewkit {

namespace {

constexpr std::string_view product_id = "-//interviewkit//interviewkit//EN";
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

struct AttendeeRole {
  icalparameter_partstat partstat;
  bool rsvp;
};

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

std::string calendar_uid(InterviewId id, std::string_view domain) {
  return fmt::format("interview-{}@{}", id.value(), domain);
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
  if (interview.version > static_cast<std::uint64_t>(INT_MAX)) {
    return InvalidInput{fmt::format("interview {} version {} does not fit iCalendar SEQUENCE",
                                    interview.id, interview.version)};
  }
  if (auto domain = EmailAddress::make("uid@" + options.message_id_domain); !domain) {
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
  const auto start = utc_time(slot->start(), "interview start");
  const auto end = utc_time(slot->end(), "interview end");
  const auto stamp = utc_time(date::floor<std::chrono::seconds>(now), "DTSTAMP");
  for (const auto* t : {&start, &end, &stamp}) {
    if (!*t)
      return t->error();
  }

  const IcsMethod method = ics_method_for(notification);
  const std::string uid = calendar_uid(interview.id, options.message_id_domain);
  const std::string title =
      interview.title.empty() ? std::string("Interview") : mail_text::one_line(interview.title);
  const std::string link = mail_text::one_line(interview.meeting_link);

  std::string description = title;
  description += "\nCandidate: " + mail_text::one_line(interview.candidate.person.name());
  description += (interview.interviewers.size() == 1 ? "\nInterviewer: " : "\nInterviewers: ") +
                 names_of(interview.interviewers);
  if (!link.empty() && method == IcsMethod::request)
    description += "\nJoin: " + link;
  if (!notification.reason.empty())
    description += "\nReason: " + mail_text::body_text(notification.reason);

  ComponentPtr calendar(icalcomponent_new(ICAL_VCALENDAR_COMPONENT));
  icalcomponent* event = icalcomponent_new(ICAL_VEVENT_COMPONENT);
  if (!calendar || event == nullptr) {
    if (event != nullptr)
      icalcomponent_free(event);
    return Unavailable{"libical could not allocate a calendar component"};
  }
  icalcomponent_add_component(calendar.get(), event);

  EventBuilder cal(calendar.get());
  cal.add(icalproperty_new_prodid(std::string(product_id).c_str()), "PRODID");
  cal.add(icalproperty_new_version("2.0"), "VERSION");
  cal.add(icalproperty_new_calscale("GREGORIAN"), "CALSCALE");
  cal.add(icalproperty_new_method(method == IcsMethod::cancel ? ICAL_METHOD_CANCEL
                                                              : ICAL_METHOD_REQUEST),
          "METHOD");

  EventBuilder ev(event);
  ev.add(icalproperty_new_uid(uid.c_str()), "UID");
  ev.add(icalproperty_new_sequence(static_cast<int>(interview.version)), "SEQUENCE");
  ev.add(icalproperty_new_dtstamp(*stamp), "DTSTAMP");
  ev.add(icalproperty_new_dtstart(*start), "DTSTART");
  ev.add(icalproperty_new_dtend(*end), "DTEND");
  if (interview.created_at != date::sys_seconds{}) {
    if (auto created = utc_time(interview.created_at, "interview created_at"))
      ev.add(icalproperty_new_created(*created), "CREATED");
  }
  if (interview.updated_at != date::sys_seconds{}) {
    if (auto modified = utc_time(interview.updated_at, "interview updated_at"))
      ev.add(icalproperty_new_lastmodified(*modified), "LAST-MODIFIED");
  }
  ev.add(icalproperty_new_summary(title.c_str()), "SUMMARY");
  ev.add(icalproperty_new_description(description.c_str()), "DESCRIPTION");
  if (!link.empty()) {
    ev.add(icalproperty_new_location(link.c_str()), "LOCATION");
    if (looks_like_uri(link))
      ev.add(icalproperty_new_url(link.c_str()), "URL");
  }

  icalproperty_status status = ICAL_STATUS_CONFIRMED;
  if (method == IcsMethod::cancel) {
    status = ICAL_STATUS_CANCELLED;
  } else if (interview.status == InterviewStatus::scheduled) {
    status = ICAL_STATUS_TENTATIVE;
  }
  ev.add(icalproperty_new_status(status), "STATUS");
  ev.add(icalproperty_new_transp(ICAL_TRANSP_OPAQUE), "TRANSP");

  const EmailAddress& organizer = options.organizer ? *options.organizer : options.from;
  const std::string organizer_name = mail_text::one_line(
      options.organizer_name.empty() ? options.from_name : options.organizer_name);
  const auto organizer_address = "mailto:" + organizer.str();
  auto* organizer_property = icalproperty_new_organizer(organizer_address.c_str());
  if (organizer_property != nullptr && !organizer_name.empty()) {
    icalproperty_add_parameter(organizer_property,
                               icalparameter_new_cn(cn_value(organizer_name).c_str()));
  }
  ev.add(organizer_property, "ORGANIZER");

  // Only an interview that still holds its slot asks for an answer.
  const bool asks_for_answer = method == IcsMethod::request && holds_slot(interview.status) &&
                               notification.kind != NotificationKind::interview_completed &&
                               notification.kind != NotificationKind::interview_no_show;
  ev.add(make_attendee(interview.candidate.person, method,
                       AttendeeRole{ICAL_PARTSTAT_NEEDSACTION, asks_for_answer}),
         "ATTENDEE");
  // Confirming is what the interviewers do, so a confirmed interview shows them as accepted.
  const bool interviewers_accepted = interview.status == InterviewStatus::confirmed;
  for (const auto& interviewer : interview.interviewers) {
    ev.add(make_attendee(interviewer.person, method,
                         interviewers_accepted
                             ? AttendeeRole{ICAL_PARTSTAT_ACCEPTED, false}
                             : AttendeeRole{ICAL_PARTSTAT_NEEDSACTION, asks_for_answer}),
           "ATTENDEE");
  }
  for (const auto* builder : {&cal, &ev}) {
    if (!builder->failed().empty()) {
      return Unavailable{
          fmt::format("libical could not build the {} property of interview {}'s invite",
                      builder->failed(), interview.id)};
    }
  }

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
