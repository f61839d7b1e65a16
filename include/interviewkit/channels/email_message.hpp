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
struct EmailOptions {
  std::string from_name = "Interviews";
  EmailAddress from = EmailAddress::make("interviews@example.com").value();
  std::optional<EmailAddress> reply_to;
  /// Right-hand side of Message-ID: <token@message_id_domain>.
  std::string message_id_domain = "interviewkit.invalid";
  /// ORGANIZER of the calendar event; defaults to `from`.
  std::optional<EmailAddress> organizer;
  std::string organizer_name;
  /// Subject/text/HTML per notification kind; null means the built-in defaults.
  std::shared_ptr<const EmailTemplates> templates;
};

struct EmailMessage {
  EmailAddress envelope_from;
  std::vector<EmailAddress> envelope_to;  ///< the recipient
  std::string message_id;                 ///< "<token@domain>"
  std::string data;                       ///< full message, CRLF line endings, ends in CRLF
  std::string ics;                        ///< the calendar object alone (also inside `data`)
  std::string ics_method;                 ///< "REQUEST" or "CANCEL"
};

/// Renders `notification` for its recipient. `context.message_token` becomes the Message-ID
/// (so every retry carries the same one); `now` is the Date header and DTSTAMP.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<EmailMessage> render_email(
    const Notification& notification, const DeliveryContext& context,
    const EmailOptions& options, UtcMillis now);

}  // namespace interviewkit
