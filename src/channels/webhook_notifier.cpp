// WebhookNotifier: POSTs each notification as a signed JSON event (Standard Webhooks,
// https://www.standardwebhooks.com), and the receiver-side check of such a signature.
#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <interviewkit/channels/webhook_notifier.hpp>

#include "connection_pool.hpp"
#include "mail_text.hpp"
#include "net/curl_util.hpp"
#include "net/redact.hpp"
#include "retry_after.hpp"

namespace interviewkit {

namespace {

// ---- The signing secret ------------------------------------------------------------------

// What is wrong with `digits` (a secret without its "=" padding) as base64, if anything. The
// message names the kind of fault, never a character of the secret.
std::optional<std::string_view> base64_alphabet_problem(std::string_view digits) {
  for (const char c : digits) {
    const bool in_alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                             (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (in_alphabet)
      continue;
    // Whitespace gets its own message: it is the usual fault (a secret pasted with a line
    // break) and the one a reader of the message could not see.
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
      return "webhook secret is not valid base64 (it contains whitespace)";
    return "webhook secret is not valid base64 (a character outside A-Z a-z 0-9 + /)";
  }
  return std::nullopt;
}

// Standard base64 (RFC 4648 alphabet), as the Standard Webhooks reference libraries decode a
// secret: "=" padding optional, but only at the end and only as much as the length needs.
// Nothing else is allowed, whitespace included. Errors never repeat the secret.
//
// EVP_DecodeBlock is laxer than that (it skips leading and trailing white space and needs a
// multiple of four characters), so the strict checks come first and it only ever sees
// canonical, padded input; it also counts padding as zero bytes, hence the resize.
Result<std::string> unbase64(std::string_view text) {
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=')
    ++padding;
  const auto digits = text.substr(0, text.size() - padding);
  if (const auto problem = base64_alphabet_problem(digits))
    return InvalidInput{std::string(*problem)};
  if (padding > 2 || (padding > 0 && text.size() % 4 != 0))
    return InvalidInput{"webhook secret is not valid base64 (misplaced \"=\" padding)"};
  if (digits.size() % 4 == 1)  // 6 bits cannot make a byte
    return InvalidInput{"webhook secret is not valid base64 (its length is impossible)"};
  std::string padded(digits);
  padded.append((4 - digits.size() % 4) % 4, '=');
  std::string out(padded.size() / 4 * 3, '\0');  // 3 bytes per 4 characters
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0)  // unreachable after the checks above
    return InvalidInput{"webhook secret is not valid base64"};
  out.resize(digits.size() * 3 / 4);  // every 4 digits are 3 bytes; 2 are 1, 3 are 2
  return out;
}

// The Standard Webhooks form is "whsec_" + base64; the reference libraries strip the prefix
// when present and base64-decode the rest either way, so a secret without the prefix is
// base64 too (not raw text).
Result<std::string> secret_bytes(std::string_view secret) {
  if (secret.starts_with("whsec_"))
    secret.remove_prefix(6);
  if (secret.empty())
    return InvalidInput{"webhook secret must not be empty"};
  auto key = unbase64(secret);
  if (key && key->empty())
    return InvalidInput{"webhook secret must not be empty"};
  return key;
}

// ---- Receiving -----------------------------------------------------------------------------

// The webhook-timestamp header as unix seconds. It comes from outside: an error shows it
// printable and bounded, never raw.
Result<std::int64_t> parse_timestamp(std::string_view timestamp) {
  // 12 digits reach the year 33658: enough, and std::stoll can never overflow.
  if (!timestamp.empty() && timestamp.size() <= 12 &&
      timestamp.find_first_not_of("0123456789") == std::string_view::npos) {
    return std::stoll(std::string(timestamp));
  }
  std::string shown;
  for (const unsigned char c : timestamp.substr(0, 40))
    shown += (c >= 0x20 && c < 0x7F && c != '"') ? std::string(1, static_cast<char>(c))
                                                 : fmt::format("\\x{:02X}", c);
  return InvalidInput{fmt::format("webhook-timestamp \"{}{}\" is not a unix time", shown,
                                  timestamp.size() > 40 ? "..." : "")};
}

// True if one of the space-separated signatures in `header` is `expected`. Every candidate
// of the right length is compared in constant time, so the time taken says nothing about
// how much of a forged signature was right.
bool has_signature(std::string_view header, std::string_view expected) {
  std::size_t start = 0;
  while (start < header.size()) {
    auto end = header.find(' ', start);
    if (end == std::string_view::npos)
      end = header.size();
    const auto candidate = header.substr(start, end - start);
    if (candidate.size() == expected.size() &&
        CRYPTO_memcmp(candidate.data(), expected.data(), candidate.size()) == 0) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// IMF-fixdate (RFC 9110 section 5.6.7): "Sun, 06 Nov 1994 08:49:37 GMT". The obsolete
// RFC 850 and asctime forms, which a recipient "MUST" also accept, are not read: servers
// rarely send them, and a date left unread only means our own backoff applies.
std::optional<UtcMillis> parse_http_date(std::string_view value) {
  int day = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  char month_name[4] = {};
  const std::string text(value);
  if (std::sscanf(text.c_str(), "%*3s, %2d %3s %4d %2d:%2d:%2d GMT", &day, month_name, &year, &hour,
                  &minute, &second) != 6) {
    return std::nullopt;
  }
  constexpr std::string_view months = "JanFebMarAprMayJunJulAugSepOctNovDec";
  const auto at = months.find(month_name);
  if (at == std::string_view::npos || at % 3 != 0)
    return std::nullopt;
  const date::year_month_day ymd{date::year{year}, date::month{static_cast<unsigned>(at / 3 + 1)},
                                 date::day{static_cast<unsigned>(day)}};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60)  // 60: a leap second
    return std::nullopt;
  // System time has no leap seconds: :60 is read as :59, the last second of that minute in
  // it. Read as the next minute, 31 Dec 9999 23:59:60 was a time in the year 10000, which no
  // store can keep (found by the retry_after fuzz target).
  return UtcMillis{date::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                   std::chrono::seconds{std::min(second, 59)}};
}

}  // namespace

// Retry-After (RFC 9110 section 10.2.3) is either delta-seconds or an HTTP-date.
std::optional<UtcMillis> parse_retry_after(std::string_view value, UtcMillis now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r' || value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty())
    return std::nullopt;
  // Fewer than 10 digits: std::stoll cannot overflow, and over 31 years is no real answer.
  if (value.find_first_not_of("0123456789") == std::string_view::npos && value.size() < 10) {
    return now + std::chrono::seconds{std::stoll(std::string(value))};
  }
  return parse_http_date(value);
}

Result<std::string> sign_webhook(std::string_view secret, std::string_view id,
                                 std::int64_t timestamp, std::string_view body) {
  auto key = secret_bytes(secret);
  if (!key)
    return key.error();
  // The id and timestamp are signed with the body so a captured request cannot be replayed
  // under another id (defeating the receiver's deduplication) or at another time.
  const auto payload = fmt::format("{}.{}.{}", id, timestamp, body);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
           reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac.data(),
           &length) == nullptr) {
    return Unavailable{"HMAC-SHA256 failed"};
  }
  return "v1," +
         mail_text::base64(std::string_view(reinterpret_cast<const char*>(mac.data()), length));
}

Result<void> verify_webhook(std::string_view secret, std::string_view id,
                            std::string_view timestamp, std::string_view signature_header,
                            std::string_view body, UtcMillis now, std::chrono::seconds tolerance) {
  const auto sent = parse_timestamp(timestamp);
  if (!sent)
    return sent.error();
  // Replay protection: a request captured on the way is only good for `tolerance`.
  const auto age = std::chrono::seconds{
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() - *sent};
  if (age > tolerance || age < -tolerance) {
    return InvalidInput{fmt::format("webhook-timestamp {} is {} s away from now (tolerance {} s)",
                                    *sent, age.count(), tolerance.count())};
  }
  auto expected = sign_webhook(secret, id, *sent, body);
  if (!expected)
    return expected.error();
  // Several signatures let a sender rotate its secret without a window of failures.
  if (has_signature(signature_header, *expected))
    return {};
  return InvalidInput{"no webhook-signature matches the body"};
}

// One signed request: what is POSTed and the headers that prove who sent it.
struct SignedEvent {
  std::string id;
  std::int64_t timestamp = 0;  // unix seconds
  std::string body;
  std::string signature;
};

namespace {

// One connection slot (see connection_pool.hpp): a connection cache of its own, which keeps
// the HTTP keep-alive connection between deliveries, and what the current delivery's reply
// said. Each delivery gets a fresh easy handle on the cache: Debian's libcurl 7.88 keeps a
// pointer to the previous transfer's freed header list in a reused easy handle, and a reply
// with a folded header line after an odd status line then reads freed memory (found by the
// webhook_reply fuzz target); a fresh handle has no such state. Used by one delivery at a
// time, so the share object needs no lock callbacks.
struct WebhookSession {
  // Declared before `curl`: it must outlive every handle using it. Without it (curl has no
  // memory) deliveries still work, only without keep-alive.
  detail::CurlShare share{curl_share_init()};
  detail::CurlHandle curl;

  std::string response;
  std::string retry_after;

  WebhookSession() {
    if (share) {
      curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
      curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    }
  }

  // A new easy handle on this slot's connection cache; null if curl has no memory.
  CURL* fresh_handle() {
    curl.reset(curl_easy_init());
    if (curl && share)
      curl_easy_setopt(curl.get(), CURLOPT_SHARE, share.get());
    return curl.get();
  }

  static std::size_t write(char* data, std::size_t size, std::size_t count, void* self) {
    auto* session = static_cast<WebhookSession*>(self);
    constexpr std::size_t keep = 4096;  // only an excerpt goes into the log
    if (session->response.size() < keep) {
      session->response.append(data, std::min(size * count, keep - session->response.size()));
    }
    return size * count;  // the rest is read and dropped: a short count would abort
  }
  static std::size_t header(char* data, std::size_t size, std::size_t count, void* self) {
    std::string_view line(data, size * count);
    constexpr std::string_view name = "retry-after:";  // field names are case-insensitive
    if (line.size() > name.size()) {
      bool match = true;
      for (std::size_t i = 0; i < name.size(); ++i) {
        match = match && std::tolower(static_cast<unsigned char>(line[i])) == name[i];
      }
      if (match)
        static_cast<WebhookSession*>(self)->retry_after = std::string(line.substr(name.size()));
    }
    return size * count;
  }
};

}  // namespace

struct WebhookNotifier::Impl {
  WebhookOptions options;     // options.clock is never null
  detail::Redactor redactor;  // the receiver's name and what no detail may repeat
  detail::ConnectionPool<WebhookSession> pool;

  explicit Impl(std::size_t max_connections) : pool(max_connections) {}

  // The event for `notification`, signed at `now`. The id is the outbox message's token, the
  // same on every retry, so a receiver can drop the copies at-least-once delivery makes.
  [[nodiscard]] Result<SignedEvent> sign(const Notification& notification,
                                         const DeliveryContext& context, UtcMillis now) const {
    SignedEvent event;
    event.id = context.message_token.empty() ? notification.idempotency_key
                                             : "msg_" + context.message_token;
    event.body = event_body(notification, event.id, now);
    event.timestamp =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    auto signature = sign_webhook(options.secret, event.id, event.timestamp, event.body);
    if (!signature)
      return signature.error();
    event.signature = std::move(*signature);
    return event;
  }

  // Points the session's handle at this request. `headers` and `error` must outlive the
  // transfer.
  void set_request(WebhookSession& session, const SignedEvent& event, const curl_slist* headers,
                   char* error, const DeliveryContext& context) const {
    CURL* easy = session.curl.get();
    session.response.clear();
    session.retry_after.clear();
    curl_easy_setopt(easy, CURLOPT_URL, options.url.c_str());
    curl_easy_setopt(easy, CURLOPT_POST, 1L);
    curl_easy_setopt(easy, CURLOPT_POSTFIELDS, event.body.c_str());
    curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(event.body.size()));
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &WebhookSession::write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, &session);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &WebhookSession::header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, &session);
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, error);
    // No signals: the host's threads and handlers are not ours to disturb (and DNS
    // timeouts via SIGALRM are not thread-safe).
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    // A redirect is a failure, not a hop: following it would send the signed event to a
    // receiver nobody configured, and 301/302 would turn the POST into a GET.
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS,
                     detail::remaining_ms(context, options.connect_timeout));
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, detail::remaining_ms(context, options.timeout));
    detail::verify_server(easy, options.verify_peer);
  }

  // A transfer that got no HTTP status: the connection, TLS or time failed. The caller
  // closes the session, connection and all.
  DeliveryOutcome transfer_failure(CURLcode rc, const char* error) const {
    // libcurl's error text may quote the URL: scrub it like everything else.
    const auto detail =
        redactor.clean(fmt::format("POST {} failed: {}", redactor.destination,
                                   error[0] != '\0' ? error : curl_easy_strerror(rc)));
    return detail::transient_curl_error(rc) ? DeliveryOutcome::transient_failure(detail)
                                            : DeliveryOutcome::permanent_failure(detail);
  }

  // What the receiver's status says (RFC 9110 section 15). 2xx is delivered. 408 (the
  // receiver timed out), 429 (rate limited) and 5xx (its fault) may pass, so they are
  // retried; any other 4xx says this very request is wrong and would be refused again.
  // Retry-After is only read on 429 and 503, the statuses it is defined for besides 3xx.
  DeliveryOutcome reply_outcome(const WebhookSession& session, long status, UtcMillis now) const {
    if (status >= 200 && status < 300)
      return DeliveryOutcome::delivered(fmt::format("HTTP {}", status));
    auto excerpt = session.response.substr(0, 200);
    for (auto& c : excerpt) {
      if (static_cast<unsigned char>(c) < 0x20)
        c = ' ';  // one log line
    }
    // The receiver's body may echo the request (and so the token in its path): scrub it too.
    const auto detail =
        redactor.clean(fmt::format("HTTP {} from {}: {}", status, redactor.destination, excerpt));
    if (status == 408 || status == 429 || status >= 500) {
      std::optional<UtcMillis> retry_at;
      if (status == 429 || status == 503)
        retry_at = parse_retry_after(session.retry_after, now);
      return DeliveryOutcome::transient_failure(detail, retry_at);
    }
    return DeliveryOutcome::permanent_failure(detail);
  }
};

Result<std::shared_ptr<WebhookNotifier>> WebhookNotifier::make(WebhookOptions options) {
  if (!(options.url.starts_with("http://") || options.url.starts_with("https://")) ||
      options.url.find_first_of(" \r\n\t") != std::string::npos) {
    return InvalidInput{fmt::format("webhook URL \"{}\" must be an http(s) URL without whitespace",
                                    detail::redact_url(options.url))};
  }
  if (auto problem = detail::url_problem(options.url)) {
    return InvalidInput{
        fmt::format("webhook URL \"{}\" {}", detail::redact_url(options.url), *problem)};
  }
  auto key = secret_bytes(options.secret);
  if (!key)
    return key.error();
  // RFC 2104 section 3: keys shorter than the hash output (32 bytes here) weaken the MAC;
  // 16 bytes (128 bits) is the floor below which we refuse to sign at all.
  if (key->size() < 16)
    return InvalidInput{"webhook secret must be at least 16 bytes"};
  if (options.timeout.count() <= 0)
    return InvalidInput{"webhook timeout must be positive"};
  if (auto problem = detail::check_max_connections("webhook", options.max_connections))
    return *problem;
  detail::curl_global();
  auto impl = std::make_unique<Impl>(options.max_connections);
  impl->redactor = detail::Redactor(options.url);
  impl->redactor.secrets.push_back(options.secret);
  if (options.secret.starts_with("whsec_"))
    impl->redactor.secrets.push_back(options.secret.substr(6));  // as a receiver might quote it
  if (!options.clock)
    options.clock = std::make_shared<SystemClock>();
  impl->options = std::move(options);
  return std::shared_ptr<WebhookNotifier>(new WebhookNotifier(std::move(impl)));
}

WebhookNotifier::WebhookNotifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookNotifier::~WebhookNotifier() = default;

std::string WebhookNotifier::destination() const {
  return impl_->redactor.destination;
}

std::string WebhookNotifier::event_body(const Notification& notification, std::string_view id,
                                        UtcMillis now) {
  return nlohmann::json{
      {"type", to_string(notification.kind)},
      {"id", id},
      {"timestamp", format_utc(now)},
      {"data",
       {{"interview", notification.interview},
        {"recipient", notification.recipient},
        {"previous_slot", notification.previous_slot ? nlohmann::json(*notification.previous_slot)
                                                     : nlohmann::json()},
        {"reason", notification.reason},
        {"idempotency_key", notification.idempotency_key}}},
  }
      .dump();
}

std::size_t WebhookNotifier::max_concurrency() const noexcept {
  return impl_->pool.limit();
}

void WebhookNotifier::begin_batch() {
  impl_->pool.begin_batch();
}

void WebhookNotifier::end_batch() noexcept {
  impl_->pool.end_batch();  // idle keep-alive connections would only wait for the receiver
}

DeliveryOutcome WebhookNotifier::deliver(const Notification& notification,
                                         const DeliveryContext& context) {
  const auto now = impl_->options.clock->now();

  // ---- Sign. make() checked the secret, so this is not expected to fail; a secret that did
  // not decode would fail the same way on every attempt: permanent.
  auto event = impl_->sign(notification, context, now);
  if (!event)
    return DeliveryOutcome::permanent_failure(event.error().message());  // never the secret

  // ---- Send, on a connection slot of our own: concurrent deliveries share nothing but the
  // pool's lock, which is not held while the request runs.
  auto session = impl_->pool.checkout(context.deadline);
  if (!session) {
    return DeliveryOutcome::transient_failure(
        fmt::format("POST {} failed: all {} connections stayed busy until the deadline",
                    impl_->redactor.destination, impl_->pool.limit()));
  }
  CURL* curl = session->fresh_handle();
  if (curl == nullptr)
    return DeliveryOutcome::transient_failure("curl_easy_init failed");
  detail::CurlList headers;
  for (const auto& line :
       {std::string("Content-Type: application/json"), "webhook-id: " + event->id,
        fmt::format("webhook-timestamp: {}", event->timestamp),
        "webhook-signature: " + event->signature}) {
    if (!detail::append(headers, line))
      return DeliveryOutcome::transient_failure("out of memory");
  }
  char error[CURL_ERROR_SIZE] = {};
  impl_->set_request(*session, *event, headers.get(), error, context);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  // Drop references to this call's buffers before they go out of scope.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

  // ---- Classify. A whole reply, whatever its status, leaves the connection usable (libcurl
  // closes it itself when the receiver said so); after a failed transfer the lease closes it.
  if (rc != CURLE_OK)
    return impl_->transfer_failure(rc, error);
  session.keep();
  return impl_->reply_outcome(*session, status, now);
}

}  // namespace interviewkit
