// EmailTemplates: subject, plain-text and HTML bodies per notification kind (mustache), and
// the local-time formatting they use.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include <date/date.h>

#include <interviewkit/channels/email_message.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time_zone.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

/// The mustache sources for one notification kind.
struct EmailTemplate {
  std::string subject;  ///< mustache source of the Subject line
  std::string text;     ///< mustache source of the text/plain part
  std::string html;     ///< mustache source of the text/html part

  friend bool operator==(const EmailTemplate&, const EmailTemplate&) = default;
};

/// A notification rendered for its recipient.
struct RenderedEmail {
  std::string subject;  ///< one line: no CR, LF or other control characters
  std::string text;     ///< LF line breaks
  std::string html;     ///< LF line breaks
};

/// Subject, text and HTML templates for every NotificationKind, starting from built-in
/// defaults the host may override kind by kind.
///
/// Escaping is decided by where a template's output goes, not by the tag: in `html` every
/// interpolated value is HTML-escaped (& < > " ' become entities, line breaks become <br>),
/// with `{{x}}` and `{{{x}}}` alike; in `subject` and `text` no value is ever HTML-escaped,
/// with either tag. The subject is then made one line. (Values are substituted after mustache
/// has run, so mstch's own escaping, and a host's mstch::config::escape, never touch them.)
///
/// Variables (strings unless noted; empty strings are false in sections):
///   kind, interview_id, version, status, title ("Interview" when the interview has none),
///   recipient_name, recipient_email, time_zone (the recipient's IANA name),
///   is_candidate / is_interviewer (booleans), candidate_name, interviewer_names ("A, B"),
///   interviewers (list of {name, email}), others (everyone but the recipient, "A, B"),
///   start, end (format_local_time in the recipient's zone), duration ("1 hour 30 minutes"),
///   previous_start (the slot before a reschedule, recipient's zone), reason,
///   meeting_link (as given), meeting_url (the link only when it is http(s), for href),
///   sender_name (EmailOptions::from_name).
///
/// Templates may use variables, sections, inverted sections and comments; partials and
/// changed delimiters are refused so a typo cannot silently render an empty mail.
///
/// Thread safety: const member functions may be called concurrently; `set` must not race
/// with anything. Hand a finished instance to EmailOptions as shared_ptr<const EmailTemplates>.
class INTERVIEWKIT_EXPORT EmailTemplates {
 public:
  /// The built-in defaults for every kind.
  EmailTemplates();

  /// Replaces the templates of `kind`. Refused (InvalidInput naming the kind and part):
  /// invalid UTF-8, unbalanced or unterminated tags, partials, delimiter changes, and the
  /// private-use characters U+E000/U+E001, which rendering reserves.
  [[nodiscard]] Result<void> set(NotificationKind kind, EmailTemplate templates);

  /// The templates of `kind` in use: the built-in ones unless set() replaced them.
  [[nodiscard]] const EmailTemplate& get(NotificationKind kind) const noexcept;

  /// The built-in template of `kind`.
  [[nodiscard]] static const EmailTemplate& default_for(NotificationKind kind) noexcept;

  /// Renders `notification` for its recipient, times in the recipient's own zone.
  /// Errors (InvalidInput): free text that is not valid UTF-8, a template mstch rejects.
  [[nodiscard]] Result<RenderedEmail> render(const Notification& notification,
                                             const EmailOptions& options) const;

 private:
  std::array<EmailTemplate, all_notification_kinds.size()> templates_;
};

}  // namespace interviewkit
