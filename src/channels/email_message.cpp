// render_email: a notification as one RFC 5322 / MIME message (text, HTML and the
// iCalendar invite), 7-bit clean and folded, ready for any transport.
#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>

#include <interviewkit/channels/email_message.hpp>
#include <interviewkit/channels/ics.hpp>
#include <interviewkit/channels/templates.hpp>

#include "email_options.hpp"
#include "mail_text.hpp"

namespace interviewkit {

Result<void> check_email_options(const EmailOptions& options) {
  // A given domain must be one, test mode or not: every Message-ID and UID is built on it.
  if (!options.message_id_domain.empty()) {
    if (auto domain = EmailAddress::make("id@" + options.message_id_domain); !domain) {
      return InvalidInput{fmt::format("EmailOptions::message_id_domain {} is not a domain: {}",
                                      mail_text::shown(options.message_id_domain),
                                      domain.error().message())};
    }
  }
  if (options.test_mode)
    return {};
  if (!options.from) {
    return InvalidInput{
        "EmailOptions::from is required: the sender of every message (or set test_mode)"};
  }
  if (options.message_id_domain.empty()) {
    return InvalidInput{
        "EmailOptions::message_id_domain is required: a domain you control, for Message-IDs "
        "and invite UIDs (or set test_mode)"};
  }
  return {};
}

namespace detail {

const EmailAddress& sender(const EmailOptions& options) {
  static const EmailAddress placeholder = EmailAddress::make("interviews@example.invalid").value();
  return options.from ? *options.from : placeholder;
}

std::string_view message_id_domain(const EmailOptions& options) {
  // Both branches are string_views: a `const char*` beside a `std::string` would make the
  // result a temporary string, and the view would dangle.
  if (options.message_id_domain.empty())
    return std::string_view{"interviewkit.invalid"};
  return std::string_view{options.message_id_domain};
}

}  // namespace detail

namespace {

// RFC 5322 section 2.1.1: lines SHOULD stay within 78 characters.
constexpr std::size_t soft_line_limit = 78;
// Longest header name that carries words we fold ("Subject"), with its ": ".
constexpr std::size_t header_prefix = 9;
// Raw bytes per RFC 2047 encoded-word: 36 bytes are 48 base64 characters, so a word is 60
// characters and "Subject: " plus one word stays within the soft limit.
constexpr std::size_t encoded_word_bytes = 36;

// Folds a structured or unstructured header as tokens are added: a token never splits, and
// the folding white space goes before a token that would overflow the line.
class HeaderBuilder {
 public:
  explicit HeaderBuilder(std::string_view name)
      : text_(std::string(name) + ":"), line_(text_.size()) {}

  void token(std::string_view token) {
    if (!first_ && line_ + 1 + token.size() > soft_line_limit) {
      text_ += "\r\n ";
      line_ = 1;
    } else {
      text_ += ' ';
      ++line_;
    }
    text_ += token;
    line_ += token.size();
    first_ = false;
  }

  [[nodiscard]] std::string finish() && { return std::move(text_) + "\r\n"; }

 private:
  std::string text_;
  std::size_t line_;
  bool first_ = true;
};

// RFC 2047 B-encoded words, cut between whole UTF-8 characters (a word must not end inside
// one). White space between encoded-words is dropped by readers, so the original spaces are
// kept inside the words.
std::vector<std::string> encoded_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = begin;
    while (end < text.size()) {
      const auto c = mail_text::decode_utf8(text, end);
      const std::size_t length = c.length == 0 ? 1 : c.length;
      if (end + length - begin > encoded_word_bytes)
        break;
      end += length;
    }
    words.push_back("=?UTF-8?B?" + mail_text::base64(text.substr(begin, end - begin)) + "?=");
    begin = end;
  }
  return words;
}

// atext (RFC 5322 section 3.2.3): what an atom may hold without quoting.
bool is_atext(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
    return true;
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

// Text a reader could take for an encoded-word must be encoded itself to come out verbatim.
bool looks_encoded(std::string_view text) {
  return text.find("=?") != std::string_view::npos;
}

void add_words(HeaderBuilder& header, std::string_view text) {
  for (const auto& word : encoded_words(text))
    header.token(word);
}

// `text` cut at each space: a header may only be folded at white space, so these are the
// tokens of an unencoded phrase or subject.
std::vector<std::string_view> words_of(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto space = text.find(' ', pos);
    const auto end = space == std::string_view::npos ? text.size() : space;
    words.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  return words;
}

// A word that fits on a folded line after the longest header name we fold.
bool fits_a_line(std::string_view word) {
  return word.size() + header_prefix <= soft_line_limit;
}

// True when `name` can be written as plain atoms (RFC 5322 section 3.2.3): atext words
// separated by spaces, none too long for a line. REQUIRES: `name` is printable ASCII.
bool is_atom_phrase(std::string_view name) {
  const auto words = words_of(name);
  return std::all_of(words.begin(), words.end(), [](std::string_view word) {
    return fits_a_line(word) && std::all_of(word.begin(), word.end(), is_atext);
  });
}

// A quoted-string (RFC 5322 section 3.2.4): DQUOTE and backslash are the only characters
// that need a backslash.
std::string quoted_string(std::string_view name) {
  std::string quoted = "\"";
  for (const char c : name) {
    if (c == '"' || c == '\\')
      quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

// A display name as a phrase: plain atoms when possible, a quoted-string for other ASCII,
// encoded-words for anything else (non-ASCII, very long, or "=?"-looking). A quoted-string
// cannot be folded, so one too long for a line is encoded as well.
void add_display_name(HeaderBuilder& header, std::string_view name) {
  if (!mail_text::is_printable_ascii(name) || looks_encoded(name)) {
    add_words(header, name);
    return;
  }
  if (is_atom_phrase(name)) {
    for (const auto word : words_of(name))
      header.token(word);
    return;
  }
  const auto quoted = quoted_string(name);
  if (quoted.size() + header_prefix > soft_line_limit) {
    add_words(header, name);
    return;
  }
  header.token(quoted);
}

// From/To/Reply-To: `"Name" <address>`, or the bare address when there is no name. The name
// is made one line first, so no CR/LF in it can start a header of its own.
std::string mailbox_header(std::string_view field, std::string_view name,
                           const EmailAddress& address) {
  HeaderBuilder header(field);
  const auto display = mail_text::one_line(name);
  if (display.empty()) {
    header.token(address.str());
  } else {
    add_display_name(header, display);
    header.token("<" + address.str() + ">");
  }
  return std::move(header).finish();
}

// Subject: plain words when it is printable ASCII whose words each fit a line, else
// RFC 2047 encoded-words (unstructured text may carry them, section 5 rule (1)).
std::string subject_header(std::string_view subject) {
  HeaderBuilder header("Subject");
  const auto words = words_of(subject);
  const bool plain = mail_text::is_printable_ascii(subject) && !looks_encoded(subject) &&
                     std::all_of(words.begin(), words.end(), fits_a_line);
  if (plain) {
    for (const auto word : words)
      header.token(word);
  } else {
    add_words(header, subject);
  }
  return std::move(header).finish();
}

// RFC 5322 date-time in UTC, with English names whatever the global locale.
std::string rfc5322_date(UtcMillis now) {
  static constexpr std::array<std::string_view, 7> weekdays{"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto seconds = date::floor<std::chrono::seconds>(now);
  const auto day = date::floor<date::days>(seconds);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<std::chrono::seconds> time{seconds - day};
  return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
                     weekdays[date::weekday{day}.c_encoding()], static_cast<unsigned>(ymd.day()),
                     months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

// One MIME part, always base64 (RFC 2045 section 6.8): the message stays 7-bit whatever the
// text, every line is within 76 characters, and no body line can look like a boundary.
std::string part(std::string_view headers, std::string_view body) {
  return std::string(headers) + "Content-Transfer-Encoding: base64\r\n\r\n" +
         mail_text::base64_lines(body);
}

// ---- render_email's steps --------------------------------------------------------------

// The Message-ID's address, <token@message_id_domain>. Message-ID is id-left "@" id-right
// with both in dot-atom form (RFC 5322 section 3.6.4), exactly the rules of an EmailAddress;
// the token also ends up in file names, hence the narrower character set.
Result<EmailAddress> message_id_address(std::string_view token, const EmailOptions& options) {
  if (token.empty())
    return InvalidInput{"message token is empty: a Message-ID needs one"};
  const bool token_chars_safe = std::all_of(token.begin(), token.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '+' || c == '=';
  });
  if (!token_chars_safe) {
    return InvalidInput{fmt::format(
        "message token {} cannot be part of a Message-ID: only A-Z a-z 0-9 - _ . + = allowed",
        mail_text::shown(token))};
  }
  auto address =
      EmailAddress::make(fmt::format("{}@{}", token, detail::message_id_domain(options)));
  if (!address) {
    return InvalidInput{
        fmt::format("message token {} and message_id_domain {} do not make a valid Message-ID: {}",
                    mail_text::shown(token), mail_text::shown(detail::message_id_domain(options)),
                    address.error().message())};
  }
  return address;
}

// The top-level header section (RFC 5322 section 3.6), up to the blank line.
std::string message_headers(const Notification& notification, const EmailOptions& options,
                            std::string_view subject, std::string_view message_id,
                            std::string_view mixed_boundary, UtcMillis now) {
  const auto& to = notification.recipient.person;
  std::string data;
  data += "Date: " + rfc5322_date(now) + "\r\n";
  data += mailbox_header("From", options.from_name, detail::sender(options));
  data += mailbox_header("To", to.name(), to.email());
  if (options.reply_to)
    data += mailbox_header("Reply-To", {}, *options.reply_to);
  data += subject_header(subject);
  data += "Message-ID: " + std::string(message_id) + "\r\n";
  // RFC 3834: tells auto-responders (vacation replies) not to answer.
  data += "Auto-Submitted: auto-generated\r\n";
  data += "MIME-Version: 1.0\r\n";
  data += "Content-Type: multipart/mixed;\r\n boundary=\"" + std::string(mixed_boundary) + "\"\r\n";
  data += "\r\n";
  return data;
}

// The MIME body (RFC 2046 section 5.1). The invite is in the multipart/alternative as
// text/calendar with method= (iMIP, RFC 6047 section 2.4): that is how mail clients recognise
// an iTIP message and offer to accept or decline it. It comes again as an .ics attachment for
// the clients that only offer to open a file.
std::string mime_body(const RenderedEmail& rendered, const CalendarInvite& invite,
                      std::string_view method, std::string_view mixed,
                      std::string_view alternative) {
  const auto open = [](std::string_view boundary) { return "--" + std::string(boundary) + "\r\n"; };
  const auto close = [](std::string_view boundary) {
    return "--" + std::string(boundary) + "--\r\n";
  };
  std::string data;
  data += open(mixed);
  data += "Content-Type: multipart/alternative;\r\n boundary=\"" + std::string(alternative) +
          "\"\r\n\r\n";
  // RFC 2046 section 5.1.4: alternatives go from the plainest to the richest.
  data += open(alternative);
  data += part("Content-Type: text/plain; charset=UTF-8\r\n", mail_text::crlf_lines(rendered.text));
  data += open(alternative);
  data += part("Content-Type: text/html; charset=UTF-8\r\n", mail_text::crlf_lines(rendered.html));
  data += open(alternative);
  data += part("Content-Type: text/calendar; charset=UTF-8; method=" + std::string(method) + "\r\n",
               invite.text);
  data += close(alternative);
  data += open(mixed);
  data += part(
      "Content-Type: application/ics; name=\"invite.ics\"\r\n"
      "Content-Disposition: attachment; filename=\"invite.ics\"\r\n",
      invite.text);
  data += close(mixed);
  return data;
}

}  // namespace

Result<EmailMessage> render_email(const Notification& notification, const DeliveryContext& context,
                                  const EmailOptions& options, UtcMillis now) {
  // ---- Render the parts: Message-ID, subject and bodies, the invite.
  if (auto ok = check_email_options(options); !ok)
    return ok.error();
  const auto& token = context.message_token;
  auto message_address = message_id_address(token, options);
  if (!message_address)
    return message_address.error();
  static const EmailTemplates built_in;
  const EmailTemplates& templates = options.templates ? *options.templates : built_in;
  auto rendered = templates.render(notification, options);
  if (!rendered)
    return rendered.error();
  auto invite = render_ics(notification, options, now);
  if (!invite)
    return invite.error();

  // ---- Assemble the message. Boundaries start with "=_", which base64 never produces, so
  // no part can contain them; derived from the token, a retry renders the same bytes.
  const auto method = std::string(to_string(invite->method));
  const auto message_id = "<" + message_address->str() + ">";
  const auto tag = fmt::format("{:016x}", mail_text::fnv1a64(token));
  const auto mixed = "=_ik_mixed_" + tag;
  const auto alternative = "=_ik_alt_" + tag;
  std::string data;
  data.reserve(4096 +
               (rendered->text.size() + rendered->html.size() + invite->text.size() * 2) * 4 / 3);
  data += message_headers(notification, options, rendered->subject, message_id, mixed, now);
  data += mime_body(*rendered, *invite, method, mixed, alternative);

  return EmailMessage{
      .envelope_from = detail::sender(options),
      .envelope_to = {notification.recipient.person.email()},
      .message_id = message_id,
      .data = std::move(data),
      .ics = std::move(invite->text),
      .ics_method = method,
  };
}

}  // namespace interviewkit
