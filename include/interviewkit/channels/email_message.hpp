// EmailMessage: a notification rendered as one RFC 5322 / MIME message with its iCalendar
// invite, ready for any transport (SMTP, a file, the host's own).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <interviewkit/domain/email_address.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

class EmailTemplates;  // channels/templates.hpp

/// Who the mail comes from and how it is identified. Names are encoded (RFC 2047) when not
/// ASCII; addresses are EmailAddress, so they are already safe.
///
/// `from` and `message_id_domain` have no production default: a library that sent real mail
/// from a placeholder sender would be delivered as spam or spoof someone's domain. Every
/// channel's make() (and render_email) refuses options without them, naming the missing
/// one, unless `test_mode` is set.
struct EmailOptions {
  std::string from_name = "Interviews";  ///< display name in From (and the organizer's by default)
  /// The sender (From and the SMTP envelope). Required unless `test_mode`.
  std::optional<EmailAddress> from{};
  std::optional<EmailAddress> reply_to{};  ///< Reply-To, when set
  /// Right-hand side of Message-ID: `<token@message_id_domain>`, and of each invite's UID: a
  /// domain the host controls. Required unless `test_mode`.
  std::string message_id_domain{};
  /// For tests and demos: a missing `from` becomes interviews@example.invalid and a missing
  /// `message_id_domain` becomes interviewkit.invalid (RFC 2606 names that can never be a
  /// real sender). Given values are used as they are.
  bool test_mode = false;
  /// ORGANIZER of the calendar event, where attendees' answers go. Default: `from`.
  std::optional<EmailAddress> organizer{};
  /// CN of the ORGANIZER. Default: `from_name`.
  std::string organizer_name{};
  /// Subject/text/HTML per notification kind. Default: the built-in templates (when null).
  std::shared_ptr<const EmailTemplates> templates{};
};

/// Ok when `options` names a sender and a Message-ID domain (or chose `test_mode`);
/// otherwise InvalidInput naming the missing field. The channels' make() call it.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> check_email_options(const EmailOptions& options);

/// A rendered email: what render_email returns and the channels send or write.
struct EmailMessage {
  EmailAddress envelope_from;             ///< SMTP MAIL FROM: EmailOptions::from
  std::vector<EmailAddress> envelope_to;  ///< the recipient
  std::string message_id;                 ///< "<token@domain>"
  std::string data;                       ///< full message, CRLF line endings, ends in CRLF
  std::string ics;                        ///< the calendar object alone (also inside `data`)
  std::string ics_method;                 ///< "REQUEST" or "CANCEL"
};

/// Renders `notification` for its recipient. `context.message_token` becomes the Message-ID
/// (so every retry carries the same one); `now` is the Date header and DTSTAMP.
///
/// The message is multipart/mixed: a multipart/alternative of text/plain, text/html and
/// text/calendar (method= the invite's METHOD), then invite.ics as an attachment; every part
/// base64, so the message is 7-bit and its lines stay within 78 octets (only an address
/// longer than that gets a longer line, never beyond 998). Names and subjects that are
/// not plain ASCII are RFC 2047 encoded; every header-bound text is reduced to one line, so
/// CR/LF in names, titles, reasons or templates cannot start a header.
///
/// Errors (InvalidInput): what check_email_options refuses, an empty token or one outside A-Z a-z
/// 0-9 - _ . + = (at most 64), a message_id_domain that is not a domain, and whatever the templates
/// or render_ics refuse (a pending interview has no invite to send). Thread-safe.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<EmailMessage> render_email(
    const Notification& notification, const DeliveryContext& context, const EmailOptions& options,
    UtcMillis now);

}  // namespace interviewkit
