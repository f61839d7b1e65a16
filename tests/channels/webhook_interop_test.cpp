// Webhook signatures against the Standard Webhooks reference library (npm "standardwebhooks"
// under node, see interop/): it signs and we verify; we sign (a real POST) and it verifies;
// secrets with and without the "whsec_" prefix mean the same key to both; malformed secrets
// are refused by both, and by us without echoing them.
#include <cstdlib>
#include <fstream>

#include <interviewkit/channels/webhook_notifier.hpp>

#include "message_test_support.hpp"
#include "support/fixture.hpp"
#include "support/python_server.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

// Runs interop/standard_webhooks.js on one request and returns its response.
nlohmann::json reference(const nlohmann::json& request) {
  static const bool installed = std::filesystem::exists(
      std::string(INTERVIEWKIT_INTEROP_DIR) + "/node_modules/standardwebhooks/package.json");
  INFO("the reference library is missing: run scripts/install-deps (needs node and npm)");
  REQUIRE(installed);
  TempDir dir("webhook-interop");
  const auto in = dir.path() / "request.json";
  const auto out = dir.path() / "response.json";
  std::ofstream(in) << request.dump();
  const auto command =
      fmt::format("'{}' '{}/standard_webhooks.js' '{}' '{}'", INTERVIEWKIT_TEST_NODE,
                  INTERVIEWKIT_INTEROP_DIR, in.string(), out.string());
  REQUIRE(std::system(command.c_str()) == 0);
  std::ifstream response(out);
  return nlohmann::json::parse(response);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(SystemClock{}.now().time_since_epoch())
      .count();
}

// The same keys in the forms the reference accepts: 32 bytes (no padding needed) and 20 bytes
// (padding needed), each with and without the prefix, the 20-byte one also unpadded.
const std::vector<std::string> valid_secrets = {
    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "whsec_3q2+796tvu/erb7v3q2+796tvu8=",
    "3q2+796tvu/erb7v3q2+796tvu8=",           "3q2+796tvu/erb7v3q2+796tvu8",
};

}  // namespace

TEST_CASE("the reference library signs and we verify", "[webhook][interop]") {
  const std::string body = R"({"type":"interview_scheduled","data":{"name":"Zoë"}})";
  for (const auto& secret : valid_secrets) {
    CAPTURE(secret);
    const auto timestamp = unix_now();
    const auto signed_by_reference = reference({{"op", "sign"},
                                                {"secret", secret},
                                                {"id", "msg_1"},
                                                {"timestamp", timestamp},
                                                {"body", body}});
    REQUIRE(signed_by_reference["ok"] == true);
    const std::string signature = signed_by_reference["signature"];
    CHECK(sign_webhook(secret, "msg_1", timestamp, body).value() == signature);
    CHECK(verify_webhook(secret, "msg_1", std::to_string(timestamp), signature, body,
                         SystemClock{}.now()));
    CHECK_FALSE(verify_webhook(secret, "msg_1", std::to_string(timestamp), signature, body + " ",
                               SystemClock{}.now()));
  }
}

TEST_CASE("we sign a real POST and the reference library verifies it", "[webhook][interop]") {
  const auto n = booked_notification();
  for (const auto& secret : valid_secrets) {
    CAPTURE(secret);
    PythonServer receiver("http_receiver.py", {secret});
    WebhookOptions options;
    options.url = fmt::format("http://127.0.0.1:{}/ok", receiver.port());
    options.secret = secret;
    const auto outcome = WebhookNotifier::make(options).value()->deliver(
        n, {std::chrono::steady_clock::now() + std::chrono::seconds{10}, 1, "tok"});
    REQUIRE(outcome.ok());
    const auto requests = receiver.files(".json");
    REQUIRE(requests.size() == 1);
    std::ifstream in(requests[0]);
    const auto r = nlohmann::json::parse(in);
    CHECK(r["signature_valid"] == true);  // Python's hmac agrees as well
    const auto verified = reference({{"op", "verify"},
                                     {"secret", secret},
                                     {"headers", r["headers"]},
                                     {"body_base64", r["body_base64"]}});
    CAPTURE(verified.dump());
    CHECK(verified["ok"] == true);
    // And a different key is refused by the reference, so the check above means something.
    const auto other = reference({{"op", "verify"},
                                  {"secret", "whsec_AAAAAAAAAAAAAAAAAAAAAAAA"},
                                  {"headers", r["headers"]},
                                  {"body_base64", r["body_base64"]}});
    CHECK(other["ok"] == false);
  }
}

TEST_CASE("a secret means the same key with and without the whsec_ prefix", "[webhook][interop]") {
  const auto with_prefix = reference({{"op", "construct"}, {"secret", valid_secrets[0]}});
  const auto without = reference({{"op", "construct"}, {"secret", valid_secrets[1]}});
  REQUIRE(with_prefix["ok"] == true);
  CHECK(with_prefix["key_hex"] == without["key_hex"]);  // the reference's reading
  CHECK(sign_webhook(valid_secrets[0], "id", 1, "x").value() ==
        sign_webhook(valid_secrets[1], "id", 1, "x").value());  // and ours
  // Padding is optional to both.
  CHECK(reference({{"op", "construct"}, {"secret", valid_secrets[4]}})["key_hex"] ==
        reference({{"op", "construct"}, {"secret", valid_secrets[5]}})["key_hex"]);
  CHECK(sign_webhook(valid_secrets[4], "id", 1, "x").value() ==
        sign_webhook(valid_secrets[5], "id", 1, "x").value());
}

TEST_CASE("malformed webhook secrets are InvalidInput that never repeats the secret",
          "[webhook][interop]") {
  struct Case {
    std::string secret;
    std::string says;               // in our message
    bool reference_refuses = true;  // the reference library throws for it too
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {"whsec_", "empty"},
      {"whsec_====", "padding"},
      {"====", "padding"},
      {"whsec_MfKQ9r8G=KYqrTwjUPD8ILPZIo2LaLaSw", "outside"},
      {"whsec_!!!!MfKQ9r8GKYqrTwjUPD8ILPZIo2La", "outside"},
      {"whsec_MfKQ9r8GKYqrTwjU PD8ILPZIo2LaLaSw", "whitespace"},
      {"whsec_MfKQ9r8GKYqrTwjU\tPD8ILPZIo2LaLaSw", "whitespace"},
      // The reference never looks at a 33rd character here; we refuse what it would ignore.
      {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", "whitespace", false},
      {" whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whitespace"},
      {"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwX", "length", false},
  };
  for (const auto& c : cases) {
    CAPTURE(c.secret);
    const auto check_error = [&](const Error& e) {
      CHECK(e.is<InvalidInput>());
      const auto message = e.message();
      CAPTURE(message);
      CHECK(message.find(c.says) != std::string::npos);
      if (c.secret.size() > 6) {
        CHECK(message.find(c.secret) == std::string::npos);
        CHECK(message.find(c.secret.substr(6, 8)) == std::string::npos);
      }
    };
    auto signed_ = sign_webhook(c.secret, "id", 1, "body");
    REQUIRE_FALSE(signed_);
    check_error(signed_.error());
    auto verified = verify_webhook(c.secret, "id", std::to_string(unix_now()), "v1,x", "body",
                                   SystemClock{}.now());
    REQUIRE_FALSE(verified);
    check_error(verified.error());
    WebhookOptions options;
    options.url = "http://127.0.0.1:9/hook";
    options.secret = c.secret;
    auto made = WebhookNotifier::make(options);
    REQUIRE_FALSE(made);
    check_error(made.error());
    if (c.reference_refuses)
      CHECK(reference({{"op", "construct"}, {"secret", c.secret}})["ok"] == false);
  }
}
