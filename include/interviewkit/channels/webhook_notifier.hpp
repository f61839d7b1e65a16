// WebhookNotifier: POSTs a signed JSON event per notification (Standard Webhooks).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <interviewkit/domain/clock.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// Options of WebhookNotifier::make.
struct WebhookOptions {
  std::string url{};  ///< http:// or https://
  /// Signing secret: "whsec_" followed by standard base64 (the Standard Webhooks form). As in
  /// the reference libraries, a secret without the prefix is base64 as well (not raw text):
  /// the prefix is optional, the encoding is not. "=" padding may be left out; whitespace and
  /// any other character are refused. The decoded key must be at least 16 bytes.
  std::string secret{};
  /// Bound for one whole request; the dispatcher's deadline may shorten it.
  std::chrono::milliseconds timeout{std::chrono::seconds{15}};
  /// Bound for connecting, within `timeout`.
  std::chrono::milliseconds connect_timeout{std::chrono::seconds{5}};
  bool verify_peer = true;  ///< verify the receiver's TLS certificate (keep on outside tests)
  std::string user_agent = "interviewkit-webhook/1";  ///< User-Agent header of every request
  /// Most connections to the receiver open at once, so most requests in flight: what
  /// max_concurrency() reports to the Dispatcher. 20, as Postfix's default for concurrent
  /// deliveries to one destination: enough to hide a receiver's latency without looking
  /// like a flood. 1 to 1000.
  std::size_t max_connections = 20;
  /// Supplies the webhook-timestamp header and the event's "timestamp".
  /// Default: the system clock (when null).
  std::shared_ptr<const Clock> clock{};
};

/// Thread-safe: up to `max_connections` requests run at once, each on a connection of its own; a
/// call beyond that waits for a connection to come free, until the context's deadline. Within a
/// dispatcher pass (begin_batch to end_batch) a connection stays open (HTTP keep-alive) for the
/// next request sent on it; end_batch closes them, and outside a pass each request has a connection
/// of its own, closed after it. A transfer that fails (no complete reply) closes its connection.
/// Outcome details and make()'s errors name the receiver only as scheme://host:port (never the
/// URL's user info, path, query or the secret) and are at most a few hundred bytes. 2xx is
/// delivered; anything else (3xx included) fails with the status code and a body excerpt; 408, 429
/// and 5xx are retryable, other 4xx are not; a Retry-After on 429/503 sets the next attempt's time.
/// Headers: webhook-id (the outbox message token, the same on every retry), webhook-timestamp,
/// webhook-signature "v1,<base64 HMAC-SHA256 of id.timestamp.body>".
class INTERVIEWKIT_EXPORT WebhookNotifier final : public Notifier {
 public:
  /// Refused (InvalidInput): a URL that is not http(s) or holds whitespace, a malformed or
  /// short secret (see WebhookOptions::secret), a non-positive timeout, max_connections
  /// outside 1..1000.
  [[nodiscard]] static Result<std::shared_ptr<WebhookNotifier>> make(WebhookOptions options);
  ~WebhookNotifier() override;
  WebhookNotifier(const WebhookNotifier&) = delete;
  WebhookNotifier& operator=(const WebhookNotifier&) = delete;

  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;
  void begin_batch() override;
  void end_batch() noexcept override;
  /// `max_connections`.
  [[nodiscard]] std::size_t max_concurrency() const noexcept override;
  /// "http(s)://host[:port]" of the URL: no user info, path or query.
  [[nodiscard]] std::string destination() const override;

  /// The JSON event body for a notification: {"type","id","timestamp","data":{...}}.
  [[nodiscard]] static std::string event_body(const Notification& notification, std::string_view id,
                                              UtcMillis now);

 private:
  struct Impl;
  explicit WebhookNotifier(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

/// "v1,<base64 HMAC-SHA256(secret, id + '.' + timestamp + '.' + body)>". A malformed secret
/// (see WebhookOptions::secret) is InvalidInput naming what is wrong, never the secret.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<std::string> sign_webhook(std::string_view secret,
                                                                   std::string_view id,
                                                                   std::int64_t timestamp,
                                                                   std::string_view body);

/// For receivers: checks a webhook's headers against the body. The signature header may hold
/// several space-separated signatures; any valid "v1," one passes. Compared in constant time;
/// a timestamp further than `tolerance` from `now` is refused (replay protection).
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> verify_webhook(
    std::string_view secret, std::string_view id, std::string_view timestamp,
    std::string_view signature_header, std::string_view body, UtcMillis now,
    std::chrono::seconds tolerance = std::chrono::minutes{5});

}  // namespace interviewkit
