#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <vector>

#include <date/date.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <interviewkit/channels/webhook_notifier.hpp>

#include "curl_util.hpp"
#include "redact.hpp"
#include "retry_after.hpp"

namespace interviewkit {

namespace {

std::string base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Standard base64 (RFC 4648 alphabet), as the Standard Webhooks reference libraries decode a
// secret: "=" padding optional, but only at the end and only as much as the length needs.
// Nothing else is allowed, whitespace included. Errors never repeat the secret.
Result<std::string> unbase64(std::string_view text) {
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=')
    ++padding;
  const auto digits = text.substr(0, text.size() - padding);
  std::string out;
  out.reserve(digits.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (const char c : digits) {
    int value = -1;
    if (c >= 'A' && c <= 'Z')
      value = c - 'A';
    else if (c >= 'a' && c <= 'z')
      value = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      value = c - '0' + 52;
    else if (c == '+')
      value = 62;
    else if (c == '/')
      value = 63;
    if (value < 0) {
      return InvalidInput{
          c == ' ' || c == '\t' || c == '\r' || c == '\n'
              ? "webhook secret is not valid base64 (it contains whitespace)"
              : "webhook secret is not valid base64 (a character outside A-Z a-z 0-9 + /)"};
    }
    bits = (bits << 6) | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  if (padding > 2 || (padding > 0 && text.size() % 4 != 0))
    return InvalidInput{"webhook secret is not valid base64 (misplaced \"=\" padding)"};
  if (digits.size() % 4 == 1)
    return InvalidInput{"webhook secret is not valid base64 (its length is impossible)"};
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

}  // namespace

// Retry-After is either delta-seconds or an HTTP-date.
std::optional<UtcMillis> parse_retry_after(std::string_view value, UtcMillis now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
    value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\r' || value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty())
    return std::nullopt;
  if (value.find_first_not_of("0123456789") == std::string_view::npos && value.size() < 10) {
    return now + std::chrono::seconds{std::stoll(std::string(value))};
  }
  // IMF-fixdate (RFC 9110): "Sun, 06 Nov 1994 08:49:37 GMT".
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
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 60)
    return std::nullopt;
  return UtcMillis{date::sys_days{ymd} + std::chrono::hours{hour} + std::chrono::minutes{minute} +
                   std::chrono::seconds{second}};
}

Result<std::string> sign_webhook(std::string_view secret, std::string_view id,
                                 std::int64_t timestamp, std::string_view body) {
  auto key = secret_bytes(secret);
  if (!key)
    return key.error();
  const auto payload = fmt::format("{}.{}.{}", id, timestamp, body);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
           reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), mac.data(),
           &length) == nullptr) {
    return Unavailable{"HMAC-SHA256 failed"};
  }
  return "v1," + base64(std::string_view(reinterpret_cast<const char*>(mac.data()), length));
}

Result<void> verify_webhook(std::string_view secret, std::string_view id,
                            std::string_view timestamp, std::string_view signature_header,
                            std::string_view body, UtcMillis now, std::chrono::seconds tolerance) {
  if (timestamp.empty() || timestamp.size() > 12 ||
      timestamp.find_first_not_of("0123456789") != std::string_view::npos) {
    // The header comes from outside: show it printable and bounded, never raw.
    std::string shown;
    for (const unsigned char c : timestamp.substr(0, 40))
      shown += (c >= 0x20 && c < 0x7F && c != '"') ? std::string(1, static_cast<char>(c))
                                                   : fmt::format("\\x{:02X}", c);
    return InvalidInput{fmt::format("webhook-timestamp \"{}{}\" is not a unix time", shown,
                                    timestamp.size() > 40 ? "..." : "")};
  }
  const auto sent = std::stoll(std::string(timestamp));
  const auto age = std::chrono::seconds{
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() - sent};
  if (age > tolerance || age < -tolerance) {
    return InvalidInput{fmt::format("webhook-timestamp {} is {} s away from now (tolerance {} s)",
                                    sent, age.count(), tolerance.count())};
  }
  auto expected = sign_webhook(secret, id, sent, body);
  if (!expected)
    return expected.error();
  std::size_t start = 0;
  while (start < signature_header.size()) {
    auto end = signature_header.find(' ', start);
    if (end == std::string_view::npos)
      end = signature_header.size();
    const auto candidate = signature_header.substr(start, end - start);
    if (candidate.size() == expected->size() &&
        CRYPTO_memcmp(candidate.data(), expected->data(), candidate.size()) == 0) {
      return {};
    }
    start = end + 1;
  }
  return InvalidInput{"no webhook-signature matches the body"};
}

struct WebhookNotifier::Impl {
  WebhookOptions options;
  std::shared_ptr<const Clock> clock;
  std::string destination;           // the URL without user info, path or query
  std::vector<std::string> secrets;  // what no outcome detail may repeat
  std::mutex mutex;
  // Connections (keep-alive) and DNS answers live in a share object; each delivery gets a
  // fresh easy handle. Debian's libcurl 7.88 keeps a pointer to the previous transfer's
  // freed header list in a reused easy handle: a reply with a folded header line after an
  // odd status line then reads freed memory (found by the webhook_reply fuzz target). A
  // fresh handle per delivery has no such state. Used under `mutex` only, so the share
  // needs no lock callbacks. Declared before `curl`: it must outlive every handle using it.
  detail::CurlShare share;
  detail::CurlHandle curl;

  std::string response;
  std::string retry_after;

  static std::size_t write(char* data, std::size_t size, std::size_t count, void* self) {
    auto* impl = static_cast<Impl*>(self);
    constexpr std::size_t keep = 4096;  // only an excerpt goes into the log
    if (impl->response.size() < keep) {
      impl->response.append(data, std::min(size * count, keep - impl->response.size()));
    }
    return size * count;
  }
  static std::size_t header(char* data, std::size_t size, std::size_t count, void* self) {
    std::string_view line(data, size * count);
    constexpr std::string_view name = "retry-after:";
    if (line.size() > name.size()) {
      bool match = true;
      for (std::size_t i = 0; i < name.size(); ++i) {
        match = match && std::tolower(static_cast<unsigned char>(line[i])) == name[i];
      }
      if (match)
        static_cast<Impl*>(self)->retry_after = std::string(line.substr(name.size()));
    }
    return size * count;
  }
};

Result<std::shared_ptr<WebhookNotifier>> WebhookNotifier::make(WebhookOptions options,
                                                               std::shared_ptr<const Clock> clock) {
  if (!(options.url.starts_with("http://") || options.url.starts_with("https://")) ||
      options.url.find_first_of(" \r\n\t") != std::string::npos) {
    return InvalidInput{fmt::format("webhook URL \"{}\" must be an http(s) URL without whitespace",
                                    detail::redact_url(options.url))};
  }
  auto key = secret_bytes(options.secret);
  if (!key)
    return key.error();
  if (key->size() < 16)
    return InvalidInput{"webhook secret must be at least 16 bytes"};
  if (options.timeout.count() <= 0)
    return InvalidInput{"webhook timeout must be positive"};
  detail::curl_global();
  auto impl = std::make_unique<Impl>();
  impl->destination = detail::redact_url(options.url);
  impl->secrets = detail::url_secrets(options.url);
  impl->secrets.push_back(options.secret);
  if (options.secret.starts_with("whsec_"))
    impl->secrets.push_back(options.secret.substr(6));  // as a receiver might quote it
  impl->options = std::move(options);
  impl->clock = clock ? std::move(clock) : std::make_shared<SystemClock>();
  return std::shared_ptr<WebhookNotifier>(new WebhookNotifier(std::move(impl)));
}

WebhookNotifier::WebhookNotifier(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebhookNotifier::~WebhookNotifier() = default;

std::string WebhookNotifier::destination() const {
  return impl_->destination;
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

DeliveryOutcome WebhookNotifier::deliver(const Notification& notification,
                                         const DeliveryContext& context) {
  std::lock_guard lock(impl_->mutex);
  const auto& o = impl_->options;
  const auto now = impl_->clock->now();
  const auto id =
      context.message_token.empty() ? notification.idempotency_key : "msg_" + context.message_token;
  const auto body = event_body(notification, id, now);
  const auto timestamp =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  auto signature = sign_webhook(o.secret, id, timestamp, body);
  if (!signature)
    return DeliveryOutcome::permanent_failure(signature.error().message());  // never the secret

  if (!impl_->share) {
    impl_->share.reset(curl_share_init());
    if (impl_->share) {
      curl_share_setopt(impl_->share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
      curl_share_setopt(impl_->share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    }
  }
  impl_->curl.reset(curl_easy_init());
  CURL* curl = impl_->curl.get();
  if (curl == nullptr)
    return DeliveryOutcome::transient_failure("curl_easy_init failed");
  if (impl_->share)
    curl_easy_setopt(curl, CURLOPT_SHARE, impl_->share.get());
  detail::CurlList headers;
  for (const auto& h :
       {std::string("Content-Type: application/json"), "webhook-id: " + id,
        fmt::format("webhook-timestamp: {}", timestamp), "webhook-signature: " + *signature}) {
    auto* list = curl_slist_append(headers.get(), h.c_str());
    if (list == nullptr)
      return DeliveryOutcome::transient_failure("out of memory");
    (void)headers.release();
    headers.reset(list);
  }
  char error[CURL_ERROR_SIZE] = {};
  impl_->response.clear();
  impl_->retry_after.clear();
  curl_easy_setopt(curl, CURLOPT_URL, o.url.c_str());
  curl_easy_setopt(curl, CURLOPT_POST, 1L);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_USERAGENT, o.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Impl::write);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, impl_.get());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &Impl::header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, impl_.get());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is a failure, not a hop
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   detail::remaining_ms(context, o.connect_timeout));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, detail::remaining_ms(context, o.timeout));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, o.verify_peer ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, o.verify_peer ? 2L : 0L);
  const CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

  if (rc != CURLE_OK) {
    impl_->curl.reset();
    // libcurl's error text may quote the URL: scrub it like everything else.
    const auto detail =
        detail::bound(detail::scrub(fmt::format("POST {} failed: {}", impl_->destination,
                                                error[0] != '\0' ? error : curl_easy_strerror(rc)),
                                    impl_->secrets));
    return detail::transient_curl_error(rc) ? DeliveryOutcome::transient_failure(detail)
                                            : DeliveryOutcome::permanent_failure(detail);
  }
  if (status >= 200 && status < 300)
    return DeliveryOutcome::delivered(fmt::format("HTTP {}", status));
  auto excerpt = impl_->response.substr(0, 200);
  for (auto& c : excerpt) {
    if (static_cast<unsigned char>(c) < 0x20)
      c = ' ';
  }
  // The receiver's body may echo the request (and so the token in its path): scrub it too.
  const auto detail = detail::bound(detail::scrub(
      fmt::format("HTTP {} from {}: {}", status, impl_->destination, excerpt), impl_->secrets));
  if (status == 408 || status == 429 || status >= 500) {
    std::optional<UtcMillis> retry_at;
    if (status == 429 || status == 503)
      retry_at = parse_retry_after(impl_->retry_after, now);
    return DeliveryOutcome::transient_failure(detail, retry_at);
  }
  return DeliveryOutcome::permanent_failure(detail);
}

}  // namespace interviewkit
