// EmailTemplates: the subject, text and HTML of each notification kind as mustache
// templates (mstch), with built-in defaults, checks that catch a host's typos, and the
// local-time formatting the mails use.
#include <array>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <mstch/mstch.hpp>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include <interviewkit/channels/templates.hpp>

#include "mail_text.hpp"

namespace interviewkit {

namespace {

using namespace std::chrono_literals;

// Values reach mustache as numbered placeholders wrapped in private-use characters and are
// put in after rendering, escaped for the part they land in. That keeps mstch's HTML escaping
// (and any host-wide mstch::config::escape) away from them, and makes {{x}} and {{{x}}}
// behave the same.
constexpr std::string_view open_mark = "\xEE\x80\x80";   // U+E000
constexpr std::string_view close_mark = "\xEE\x80\x81";  // U+E001

enum class Escape : std::uint8_t { none, html };

// The five characters that can change the meaning of HTML text or an attribute value (OWASP's
// rule for both), and line breaks as <br> so multi-line values such as a reason keep their
// shape in the HTML body.
std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\n':
        out += "<br>\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The values of one rendering, handed to mustache as placeholders (see open_mark) and put
// back into its output by substitute().
class Values {
 public:
  // Empty values stay empty strings so sections keyed on them stay closed.
  mstch::node text(std::string value) {
    if (value.empty())
      return std::string();
    values_.push_back(std::move(value));
    return fmt::format("{}{}{}", open_mark, values_.size() - 1, close_mark);
  }

  [[nodiscard]] std::string substitute(std::string_view rendered, Escape escape) const {
    std::string out;
    out.reserve(rendered.size() * 2);
    std::size_t pos = 0;
    while (pos < rendered.size()) {
      const auto open = rendered.find(open_mark, pos);
      if (open == std::string_view::npos) {
        out.append(rendered.substr(pos));
        break;
      }
      out.append(rendered.substr(pos, open - pos));
      const auto digits = open + open_mark.size();
      const auto close = rendered.find(close_mark, digits);
      std::size_t index = values_.size();
      if (close != std::string_view::npos) {
        const auto* first = rendered.data() + digits;
        const auto* last = rendered.data() + close;
        const auto parsed = std::from_chars(first, last, index);
        if (parsed.ptr != last || parsed.ec != std::errc{})
          index = values_.size();
      }
      if (index >= values_.size()) {
        // Templates cannot contain the marks, so this is unreachable; drop the mark anyway.
        pos = digits;
        continue;
      }
      const auto& value = values_[index];
      out += escape == Escape::html ? html_escape(value) : value;
      pos = close + close_mark.size();
    }
    return out;
  }

 private:
  std::vector<std::string> values_;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

// One mustache tag: "{{name}}", "{{#name}}", "{{{name}}}"...
struct Tag {
  std::size_t at = 0;     // byte offset of its "{{"
  std::size_t end = 0;    // byte offset just past its closer
  char sigil = '\0';      // '#', '^', '/', '>', '=', '!', or '\0' for a variable
  std::string_view name;  // trimmed
};

// One template of one kind, for errors that name it: "interview_scheduled html template: ...".
struct TemplateRef {
  NotificationKind kind;
  std::string_view part;

  [[nodiscard]] Error fail(std::string_view what) const {
    return InvalidInput{fmt::format("{} {} template: {}", kind, part, what)};
  }
};

// The tag starting at `pos` (where "{{" is), or what is wrong with it.
Result<Tag> read_tag(const TemplateRef& ref, std::string_view source, std::size_t pos) {
  const bool triple = source.substr(pos, 3) == "{{{";
  const std::string_view closer = triple ? "}}}" : "}}";
  const auto begin = pos + (triple ? 3 : 2);
  const auto end = source.find(closer, begin);
  if (end == std::string_view::npos)
    return ref.fail(fmt::format("tag at byte {} is never closed", pos));
  const auto tag = trim(source.substr(begin, end - begin));
  if (tag.empty())
    return ref.fail(fmt::format("empty tag at byte {}", pos));
  const char sigil = triple ? '\0' : tag.front();
  return Tag{pos, end + closer.size(), sigil, trim(tag.substr(sigil == '\0' ? 0 : 1))};
}

// Follows sections as they open and close; refuses what mstch would silently render as
// nothing (a stray or mismatched close, a partial) or cannot check (new delimiters).
Result<void> track_section(const TemplateRef& ref, std::vector<std::string_view>& open_sections,
                           const Tag& tag) {
  switch (tag.sigil) {
    case '#':
    case '^':
      open_sections.push_back(tag.name);
      return {};
    case '/':
      if (open_sections.empty()) {
        return ref.fail(fmt::format("{{{{/{}}}}} closes a section that is not open", tag.name));
      }
      if (open_sections.back() != tag.name) {
        return ref.fail(fmt::format("{{{{/{}}}}} closes a section, but \"{}\" is the one open",
                                    tag.name, open_sections.back()));
      }
      open_sections.pop_back();
      return {};
    case '>':
      return ref.fail(fmt::format("partials ({{{{>{}}}}}) are not supported", tag.name));
    case '=':
      return ref.fail("changing the delimiters is not supported");
    default:
      return {};
  }
}

// mstch renders unbalanced sections and unknown partials as nothing, without an error; a
// host's typo would then send an empty mail. This catches those before they are used.
Result<void> check_template(NotificationKind kind, std::string_view part, std::string_view source) {
  const TemplateRef ref{kind, part};
  if (auto ok = mail_text::require_utf8(fmt::format("{} {} template", kind, part), source); !ok)
    return ok.error();
  if (source.find(open_mark) != std::string_view::npos ||
      source.find(close_mark) != std::string_view::npos) {
    return ref.fail("U+E000 and U+E001 are reserved for rendering");
  }
  std::vector<std::string_view> open_sections;
  std::size_t pos = 0;
  while ((pos = source.find("{{", pos)) != std::string_view::npos) {
    const auto tag = read_tag(ref, source, pos);
    if (!tag)
      return tag.error();
    if (auto ok = track_section(ref, open_sections, *tag); !ok)
      return ok.error();
    pos = tag->end;
  }
  if (!open_sections.empty())
    return ref.fail(fmt::format("section \"{}\" is never closed", open_sections.back()));
  return {};
}

// mstch throws on templates it cannot parse; that is a value here, never an exception out
// of render (the dispatcher would count it as a retryable failure when it never passes).
Result<std::string> run_mustache(NotificationKind kind, std::string_view part,
                                 const std::string& source, const mstch::map& data) {
  try {
    return mstch::render(source, data);
  } catch (const std::exception& e) {
    return InvalidInput{fmt::format("{} {} template cannot be rendered: {}", kind, part, e.what())};
  }
}

// "1 hour 30 minutes": the length in words, to the minute.
std::string describe_duration(std::chrono::seconds length) {
  const auto minutes = date::floor<std::chrono::minutes>(length).count();
  const auto hours = minutes / 60;
  const auto rest = minutes % 60;
  const auto unit = [](long long n, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", n, n == 1 ? one : many);
  };
  if (hours == 0 && rest == 0)
    return "under a minute";
  if (hours == 0)
    return unit(rest, "minute", "minutes");
  if (rest == 0)
    return unit(hours, "hour", "hours");
  return unit(hours, "hour", "hours") + " " + unit(rest, "minute", "minutes");
}

// The http(s) link alone may go into an href: any other scheme (javascript:, data:) could run
// code in a mail client that renders HTML.
bool is_web_link(std::string_view link) {
  const auto starts_with_ci = [&](std::string_view prefix) {
    if (link.size() <= prefix.size())
      return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
      const char c = link[i];
      const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
      if (lower != prefix[i])
        return false;
    }
    return true;
  };
  if (!starts_with_ci("https://") && !starts_with_ci("http://"))
    return false;
  return mail_text::is_printable_ascii(link) &&
         link.find_first_of(" \"'<>\\^`{|}") == std::string_view::npos;
}

// --- built-in templates -------------------------------------------------------------------

struct DefaultSpec {
  std::string_view subject;
  std::string_view lead;  ///< first paragraph; the same text in both bodies
  bool join = true;       ///< show the meeting link
};

// What differs between the kinds' built-in mails; the layout around it is shared. Every
// kind of NotificationKind has a case, and -Wswitch says so when one is added.
DefaultSpec spec_for(NotificationKind kind) {
  switch (kind) {
    case NotificationKind::interview_scheduled:
      return {"Interview scheduled: {{title}}, {{start}}",
              "{{title}} has been scheduled. The attached invitation adds it to your calendar.",
              true};
    case NotificationKind::interview_confirmed:
      return {"Interview confirmed: {{title}}, {{start}}", "{{title}} is confirmed.", true};
    case NotificationKind::interview_rescheduled:
      return {"Interview rescheduled: {{title}}, now {{start}}",
              "{{title}} has moved to a new time. The attached invitation updates your calendar.",
              true};
    case NotificationKind::interview_cancelled:
      return {"Interview cancelled: {{title}}, {{start}}",
              "{{title}} has been cancelled. The attached update removes it from your calendar.",
              false};
    case NotificationKind::interview_completed:
      return {"Interview completed: {{title}}", "{{title}} is complete. Thank you for taking part.",
              false};
    case NotificationKind::interview_no_show:
      return {"Interview missed: {{title}}, {{start}}",
              "{{#is_candidate}}We missed you at {{title}}.{{/is_candidate}}"
              "{{^is_candidate}}The candidate did not attend {{title}}.{{/is_candidate}}",
              false};
    case NotificationKind::interview_reminder:
      return {"Reminder: {{title}}, {{start}}", "{{title}} is coming up.", true};
  }
  return {"{{title}}", "{{title}}", true};
}

// The rows a built-in template shows besides What/When/Length/With.
struct DefaultRows {
  bool was = false;     // the previous time, after a reschedule
  bool join = false;    // the meeting link
  bool reason = false;  // the cancellation reason
};

// Each optional row sits in a section on its variable, so an empty value drops the row.
std::string default_text(std::string_view lead, DefaultRows rows) {
  std::string text = fmt::format("Hello {{{{recipient_name}}}},\n\n{}\n\n", lead);
  text +=
      "What: {{title}}\n"
      "When: {{start}}\n"
      "Length: {{duration}}\n";
  if (rows.was)
    text += "{{#previous_start}}\nWas: {{previous_start}}\n{{/previous_start}}\n";
  text += "With: {{others}}\n";
  if (rows.join)
    text += "{{#meeting_link}}\nJoin: {{meeting_link}}\n{{/meeting_link}}\n";
  if (rows.reason)
    text += "{{#reason}}\nReason: {{reason}}\n{{/reason}}\n";
  // "-- " (with the space) is the signature separator mail clients recognise.
  text +=
      "\nTimes are in your time zone, {{time_zone}}.\n"
      "\n-- \n{{sender_name}}\n";
  return text;
}

// The HTML body: a presentation table, which renders alike in every mail client. Only
// meeting_url (an http(s) link) goes into an href; any other link is shown as text.
std::string default_html(std::string_view lead, DefaultRows rows) {
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\"></head>\n<body>\n"
      "<p>Hello {{{{recipient_name}}}},</p>\n<p>{}</p>\n<table role=\"presentation\">\n",
      lead);
  const auto row = [](std::string_view label, std::string_view value) {
    return fmt::format("<tr><th align=\"left\">{}</th><td>{}</td></tr>\n", label, value);
  };
  html += row("What", "{{title}}");
  html += row("When", "{{start}}");
  html += row("Length", "{{duration}}");
  if (rows.was)
    html += "{{#previous_start}}\n" + row("Was", "{{previous_start}}") + "{{/previous_start}}\n";
  html += row("With", "{{others}}");
  if (rows.join) {
    html += "{{#meeting_url}}\n" + row("Join", "<a href=\"{{meeting_url}}\">{{meeting_url}}</a>") +
            "{{/meeting_url}}\n{{^meeting_url}}\n{{#meeting_link}}\n" +
            row("Join", "{{meeting_link}}") + "{{/meeting_link}}\n{{/meeting_url}}\n";
  }
  if (rows.reason)
    html += "{{#reason}}\n" + row("Reason", "{{reason}}") + "{{/reason}}\n";
  html +=
      "</table>\n<p>Times are in your time zone, {{time_zone}}.</p>\n"
      "<p>{{sender_name}}</p>\n</body>\n</html>\n";
  return html;
}

EmailTemplate make_default(NotificationKind kind) {
  const auto spec = spec_for(kind);
  const DefaultRows rows{.was = kind == NotificationKind::interview_rescheduled,
                         .join = spec.join,
                         .reason = kind == NotificationKind::interview_cancelled};
  return EmailTemplate{std::string(spec.subject), default_text(spec.lead, rows),
                       default_html(spec.lead, rows)};
}

const std::array<EmailTemplate, all_notification_kinds.size()>& defaults() {
  static const auto all = [] {
    std::array<EmailTemplate, all_notification_kinds.size()> out;
    for (const auto kind : all_notification_kinds)
      out[static_cast<std::size_t>(kind)] = make_default(kind);
    return out;
  }();
  return all;
}

// A kind outside the enum (a cast from a bad integer) reads the first templates instead of
// past the end of the array.
std::size_t index_of(NotificationKind kind) noexcept {
  const auto index = static_cast<std::size_t>(kind);
  return index < all_notification_kinds.size() ? index : 0;
}

// ---- EmailTemplates::render's steps -----------------------------------------------------

// Free text must be UTF-8 before it is cleaned: invalid bytes are refused with the field's
// name rather than quietly replaced in a mail that then looks right.
Result<void> require_utf8_text(const Notification& notification, const EmailOptions& options) {
  const Interview& interview = notification.interview;
  for (const auto& [field, text] :
       {std::pair<std::string_view, std::string_view>{"interview title", interview.title},
        {"meeting link", interview.meeting_link},
        {"reason", notification.reason},
        {"from_name", options.from_name}}) {
    if (auto ok = mail_text::require_utf8(field, text); !ok)
      return ok.error();
  }
  return {};
}

// What the interview is and who receives this mail.
void add_interview_values(Values& values, mstch::map& data, const Notification& notification) {
  const Interview& interview = notification.interview;
  const Recipient& recipient = notification.recipient;
  const auto one_line = mail_text::one_line;
  data.emplace("kind", values.text(std::string(to_string(notification.kind))));
  data.emplace("interview_id", values.text(std::to_string(interview.id.value())));
  data.emplace("version", values.text(std::to_string(interview.version)));
  data.emplace("status", values.text(std::string(to_string(interview.status))));
  data.emplace("title", values.text(interview.title.empty() ? std::string("Interview")
                                                            : one_line(interview.title)));
  data.emplace("recipient_name", values.text(one_line(recipient.person.name())));
  data.emplace("recipient_email", values.text(recipient.person.email().str()));
  data.emplace("time_zone", values.text(std::string(recipient.person.time_zone().name())));
  data.emplace("is_candidate", recipient.is_candidate());
  data.emplace("is_interviewer", !recipient.is_candidate());
  data.emplace("candidate_name", values.text(one_line(interview.candidate.person.name())));
}

// The interviewers, and "others": everyone taking part except the recipient, the people the
// recipient will meet.
void add_people_values(Values& values, mstch::map& data, const Notification& notification) {
  const Interview& interview = notification.interview;
  const Recipient& recipient = notification.recipient;
  const auto one_line = mail_text::one_line;
  std::string interviewer_names;
  std::string others =
      recipient.is_candidate() ? std::string() : one_line(interview.candidate.person.name());
  mstch::array interviewers;
  for (const auto& interviewer : interview.interviewers) {
    const auto name = one_line(interviewer.person.name());
    interviewers.emplace_back(mstch::map{{"name", values.text(name)},
                                         {"email", values.text(interviewer.person.email().str())}});
    interviewer_names += (interviewer_names.empty() ? "" : ", ") + name;
    const bool is_recipient =
        !recipient.is_candidate() && std::get<InterviewerId>(recipient.id) == interviewer.id;
    if (!is_recipient)
      others += (others.empty() ? "" : ", ") + name;
  }
  data.emplace("interviewers", std::move(interviewers));
  data.emplace("interviewer_names", values.text(interviewer_names));
  data.emplace("others", values.text(others));
}

// Times on the recipient's own wall clock. A cancelled interview no longer holds its slot,
// so the mail names the one it had.
void add_time_values(Values& values, mstch::map& data, const Notification& notification) {
  const Interview& interview = notification.interview;
  const TimeZone& zone = notification.recipient.person.time_zone();
  const auto slot = interview.slot ? interview.slot : notification.previous_slot;
  if (slot) {
    data.emplace("start", values.text(format_local_time(slot->start(), zone)));
    data.emplace("end", values.text(format_local_time(slot->end(), zone)));
    data.emplace("duration", values.text(describe_duration(slot->duration())));
  } else {
    data.emplace("start", values.text("not yet scheduled"));
    data.emplace("end", std::string());
    data.emplace("duration", std::string());
  }
  const bool moved = notification.previous_slot && notification.previous_slot != interview.slot;
  data.emplace("previous_start",
               moved ? values.text(format_local_time(notification.previous_slot->start(), zone))
                     : mstch::node(std::string()));
}

// The reason, the meeting link (as given, and as an href only when it is http(s)), the sender.
void add_message_values(Values& values, mstch::map& data, const Notification& notification,
                        const EmailOptions& options) {
  const auto one_line = mail_text::one_line;
  data.emplace("reason", values.text(mail_text::body_text(notification.reason)));
  const auto link = one_line(notification.interview.meeting_link);
  data.emplace("meeting_link", values.text(link));
  data.emplace("meeting_url", values.text(is_web_link(link) ? link : std::string()));
  data.emplace("sender_name", values.text(one_line(options.from_name)));
}

}  // namespace

EmailTemplates::EmailTemplates() : templates_(defaults()) {}

Result<void> EmailTemplates::set(NotificationKind kind, EmailTemplate templates) {
  if (static_cast<std::size_t>(kind) >= all_notification_kinds.size())
    return InvalidInput{"unknown notification kind"};
  for (const auto& [part, source] :
       {std::pair<std::string_view, const std::string&>{"subject", templates.subject},
        {"text", templates.text},
        {"html", templates.html}}) {
    if (auto ok = check_template(kind, part, source); !ok)
      return ok.error();
  }
  templates_[static_cast<std::size_t>(kind)] = std::move(templates);
  return {};
}

const EmailTemplate& EmailTemplates::get(NotificationKind kind) const noexcept {
  return templates_[index_of(kind)];
}

const EmailTemplate& EmailTemplates::default_for(NotificationKind kind) noexcept {
  return defaults()[index_of(kind)];
}

Result<RenderedEmail> EmailTemplates::render(const Notification& notification,
                                             const EmailOptions& options) const {
  if (auto ok = require_utf8_text(notification, options); !ok)
    return ok.error();

  // ---- The variables: placeholders for mustache, the values kept aside (see Values).
  Values values;
  mstch::map data;
  add_interview_values(values, data, notification);
  add_people_values(values, data, notification);
  add_time_values(values, data, notification);
  add_message_values(values, data, notification, options);

  // ---- Run the three templates, then put the values in, escaped for where they land.
  const auto& sources = get(notification.kind);
  auto subject = run_mustache(notification.kind, "subject", sources.subject, data);
  if (!subject)
    return subject.error();
  auto text = run_mustache(notification.kind, "text", sources.text, data);
  if (!text)
    return text.error();
  auto html = run_mustache(notification.kind, "html", sources.html, data);
  if (!html)
    return html.error();
  return RenderedEmail{
      .subject = mail_text::one_line(values.substitute(*subject, Escape::none)),
      .text = mail_text::body_text(values.substitute(*text, Escape::none)),
      .html = mail_text::body_text(values.substitute(*html, Escape::html)),
  };
}

}  // namespace interviewkit
