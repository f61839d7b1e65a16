// verify_webhook, the receiver-side check of the webhook headers. Input: secret, webhook-id,
// webhook-timestamp and webhook-signature header, one per line, then the body (the rest).
// Nothing throws; a refusal has a message; a header passes only if one of its signatures is
// the one sign_webhook computes; what sign_webhook produces verifies, and only for its body.
#include <chrono>
#include <string>

#include <interviewkit/channels/webhook_notifier.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

namespace {

constexpr std::int64_t now_s = 1'700'000'000;
const UtcMillis now{std::chrono::seconds{now_s}};

bool header_has(std::string_view header, std::string_view signature) {
  std::size_t start = 0;
  while (start <= header.size()) {
    auto end = header.find(' ', start);
    if (end == std::string_view::npos)
      end = header.size();
    if (header.substr(start, end - start) == signature)
      return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

INTERVIEWKIT_FUZZ_TARGET(webhook_verify) {
  const auto f = split_fields(as_text(data, size), '\n', 5);
  const auto secret = f[0], id = f[1], timestamp = f[2], header = f[3], body = f[4];
  no_exception("verify_webhook", [&] {
    const auto verdict = verify_webhook(secret, id, timestamp, header, body, now);
    if (!verdict) {
      require_message(verdict.error(), "verify_webhook");
    } else {
      const auto sent = std::stoll(std::string(timestamp));
      const auto expected = sign_webhook(secret, id, sent, body);
      require(expected.has_value(), "verify_webhook passed a webhook that sign_webhook refuses");
      require(header_has(header, *expected),
              "verify_webhook passed a header without the expected signature");
      require(sent >= now_s - 300 && sent <= now_s + 300,
              "verify_webhook passed a timestamp outside the tolerance");
    }
  });
  no_exception("sign_webhook + verify_webhook", [&] {
    const auto signature = sign_webhook(secret, id, now_s, body);
    if (!signature) {
      require_message(signature.error(), "sign_webhook");
      return;
    }
    require(signature->starts_with("v1,") && signature->size() == 3 + 44,
            "sign_webhook did not give \"v1,\" + 44 base64 characters: " + *signature);
    const auto ts = std::to_string(now_s);
    const auto both = "v1,bm9wZQ== " + *signature;
    require(verify_webhook(secret, id, ts, both, body, now).has_value(),
            "verify_webhook refuses what sign_webhook signed");
    const auto tampered = std::string(body) + "x";
    require(!verify_webhook(secret, id, ts, *signature, tampered, now).has_value(),
            "verify_webhook passed a tampered body");
    require(
        !verify_webhook(secret, id, std::to_string(now_s - 301), *signature, body, now).has_value(),
        "verify_webhook passed a stale timestamp");
  });
}
