// SmtpNotifier: delivers notifications as email with an iCalendar invite over SMTP
// (libcurl), with STARTTLS or implicit TLS, AUTH, timeouts and connection reuse.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include <interviewkit/channels/email_message.hpp>
#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// Options of SmtpNotifier::make.
struct SmtpOptions {
  /// "smtp://host:port" (plain, or STARTTLS per `starttls`) or "smtps://host:port"
  /// (implicit TLS).
  std::string url = "smtp://127.0.0.1:25";
  /// With credentials set, `if_offered` behaves as `required` and `off` is refused by make()
  /// (see `allow_plaintext_auth`): otherwise a server that does not offer STARTTLS, or
  /// anyone on the path who strips it from the EHLO reply, would receive the password.
  enum class StartTls : std::uint8_t { off, if_offered, required };
  StartTls starttls = StartTls::if_offered;  ///< whether smtp:// upgrades to TLS (see above)
  /// AUTH credentials; no AUTH when the user name is empty.
  std::string username{};
  std::string password{};  ///< AUTH password (see allow_plaintext_auth)
  /// Send the credentials over a connection that may not be encrypted (smtp:// with
  /// StartTls::off or if_offered). Only for a relay on a trusted network, e.g. localhost.
  bool allow_plaintext_auth = false;
  /// Verify the server's certificate (keep on outside tests). `ca_file` overrides the
  /// system's CA bundle.
  bool verify_peer = true;
  std::string ca_file{};  ///< PEM CA bundle to verify against; empty: the system's
  /// Bound for connecting (and the TLS handshake).
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{10}};
  /// Bound for one whole message exchange; the dispatcher's deadline may shorten it.
  std::chrono::milliseconds timeout{std::chrono::seconds{60}};
  /// Keep each connection open between the messages of one dispatcher pass (between
  /// begin_batch and end_batch), for the next message sent on it.
  bool reuse_connection = true;
  /// Most SMTP connections open at once, so most messages sent at once: what
  /// max_concurrency() reports to the Dispatcher. 20 is Postfix's default for concurrent
  /// deliveries to one destination; a server limiting connections per client (Postfix's
  /// smtpd_client_connection_count_limit, 50 by default) refuses more. 1 to 1000.
  std::size_t max_connections = 20;
  EmailOptions email{};  ///< how messages are rendered
  /// Supplies the Date header and the invite's DTSTAMP.
  /// Default: the system clock (when null).
  std::shared_ptr<const Clock> clock{};
};

/// Thread-safe: up to `max_connections` messages are sent at once, each on a connection of
/// its own; a call beyond that waits for a connection to come free, until the context's
/// deadline. Within a dispatcher pass (begin_batch to end_batch) a connection that sent a
/// message stays open for the next one, so a pass holds at most `max_connections` SMTP
/// sessions open and no more than needed; end_batch closes them (QUIT), and outside a pass
/// each message has a session of its own, closed after it. A failed exchange closes its
/// connection. Transient failures (4xx replies, refused or lost connections, timeouts, a
/// server that hangs or answers too slowly) are retryable; permanent
/// ones (5xx, bad recipient, STARTTLS required but not offered) are not. The server's reply
/// text is the outcome's detail, so it reaches the ActionLog: cut to a few hundred bytes and
/// passed through as bytes (not necessarily UTF-8). Every exchange ends by the context's
/// deadline (or `timeout`, if sooner). Details and make()'s errors name the server only as
/// scheme://host:port: never the URL's user info, path or query, nor the password.
class INTERVIEWKIT_EXPORT SmtpNotifier final : public Notifier {
 public:
  /// Refused (InvalidInput): a URL that is not smtp:// or smtps:// or holds whitespace,
  /// non-positive timeouts, credentials that would travel unencrypted, max_connections
  /// outside 1..1000.
  [[nodiscard]] static Result<std::shared_ptr<SmtpNotifier>> make(SmtpOptions options);
  ~SmtpNotifier() override;
  SmtpNotifier(const SmtpNotifier&) = delete;
  SmtpNotifier& operator=(const SmtpNotifier&) = delete;

  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;
  /// Sends an already rendered message.
  DeliveryOutcome send(const EmailMessage& message, const DeliveryContext& context);
  void begin_batch() override;
  void end_batch() noexcept override;
  /// `max_connections`.
  [[nodiscard]] std::size_t max_concurrency() const noexcept override;
  /// "smtp(s)://host[:port]" of the URL: no user info, path or query.
  [[nodiscard]] std::string destination() const override;

 private:
  struct Impl;
  explicit SmtpNotifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace interviewkit
