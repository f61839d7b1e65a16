// WebhookNotifier against a real HTTP receiver on loopback that verifies signatures itself.
#include <fstream>

#include <interviewkit/channels/webhook_notifier.hpp>

#include "message_test_support.hpp"
#include "support/fixture.hpp"
#include "support/python_server.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

const std::string secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

std::shared_ptr<WebhookNotifier> webhook(const PythonServer& server, const std::string& path,
                                         std::chrono::milliseconds timeout = std::chrono::seconds{
                                             5}) {
  WebhookOptions options;
  options.url = fmt::format("http://127.0.0.1:{}{}", server.port(), path);
  options.secret = secret;
  options.timeout = timeout;
  return WebhookNotifier::make(options).value();
}

DeliveryContext context(std::string token = "tok123") {
  return {std::chrono::steady_clock::now() + std::chrono::seconds{10}, 1, std::move(token)};
}

}  // namespace

TEST_CASE("a webhook is a signed JSON event the receiver can verify", "[webhook]") {
  PythonServer receiver("http_receiver.py", {secret});
  const auto n = booked_notification();
  auto outcome = webhook(receiver, "/ok")->deliver(n, context("abc"));
  REQUIRE(outcome.ok());
  CHECK(outcome.detail == "HTTP 200");
  const auto requests = receiver.files(".json");
  REQUIRE(requests.size() == 1);
  const auto r = read_json(requests[0]);
  CHECK(r["signature_valid"] == true);
  CHECK(r["headers"]["webhook-id"] == "msg_abc");
  CHECK(r["headers"]["content-type"] == "application/json");
  const auto body = nlohmann::json::parse(r["body"].get<std::string>());
  CHECK(body["type"] == "interview_scheduled");
  CHECK(body["id"] == "msg_abc");
  CHECK(body["data"]["interview"].get<Interview>() == n.interview);
  CHECK(body["data"]["recipient"]["email"] == n.recipient.person.email().str());

  // Our own verifier agrees, and refuses tampering and stale timestamps.
  const auto& h = r["headers"];
  const auto now = SystemClock{}.now();
  const std::string raw = r["body"];
  CHECK(verify_webhook(secret, h["webhook-id"].get<std::string>(),
                       h["webhook-timestamp"].get<std::string>(),
                       h["webhook-signature"].get<std::string>(), raw, now));
  CHECK_FALSE(verify_webhook(secret, h["webhook-id"].get<std::string>(),
                             h["webhook-timestamp"].get<std::string>(),
                             h["webhook-signature"].get<std::string>(), raw + " ", now));
  CHECK_FALSE(verify_webhook("whsec_" + std::string("AAAAAAAAAAAAAAAAAAAAAAAA"),
                             h["webhook-id"].get<std::string>(),
                             h["webhook-timestamp"].get<std::string>(),
                             h["webhook-signature"].get<std::string>(), raw, now));
  auto stale = verify_webhook(
      secret, h["webhook-id"].get<std::string>(), h["webhook-timestamp"].get<std::string>(),
      h["webhook-signature"].get<std::string>(), raw, now + std::chrono::minutes{10});
  REQUIRE_FALSE(stale);
  CHECK(stale.error().message().find("tolerance") != std::string::npos);
}

TEST_CASE("webhook failures are classified by status", "[webhook]") {
  PythonServer receiver("http_receiver.py", {secret});
  const auto n = booked_notification();
  struct Case {
    std::string path;
    bool retryable;
  };
  for (const auto& c :
       {Case{"/status/500", true}, Case{"/status/502", true}, Case{"/status/408", true},
        Case{"/status/429", true}, Case{"/status/404", false}, Case{"/status/400", false},
        Case{"/status/410", false}, Case{"/redirect", false}}) {
    CAPTURE(c.path);
    auto outcome = webhook(receiver, c.path)->deliver(n, context());
    REQUIRE_FALSE(outcome.ok());
    CHECK(outcome.retryable == c.retryable);
    CHECK(outcome.detail.find("HTTP ") != std::string::npos);
  }
  auto with_body = webhook(receiver, "/status/404")->deliver(n, context());
  CHECK(with_body.detail.find("receiver says: status 404") != std::string::npos);
}

TEST_CASE("a Retry-After on 429 and 503 sets the next attempt", "[webhook]") {
  PythonServer receiver("http_receiver.py", {secret});
  const auto n = booked_notification();
  const auto before = SystemClock{}.now();
  auto outcome = webhook(receiver, "/retry-after/503/120")->deliver(n, context());
  REQUIRE_FALSE(outcome.ok());
  CHECK(outcome.retryable);
  REQUIRE(outcome.retry_at);
  CHECK(*outcome.retry_at >= before + std::chrono::seconds{119});
  CHECK(*outcome.retry_at <= SystemClock{}.now() + std::chrono::seconds{121});
  auto dated = webhook(receiver, "/retry-after/429/Wed,%2021%20Oct%202099%2007:28:00%20GMT")
                   ->deliver(n, context());
  CHECK(dated.retryable);
  REQUIRE(dated.retry_at);
  CHECK(*dated.retry_at == UtcMillis{date::sys_days{date::year{2099} / 10 / 21} +
                                     std::chrono::hours{7} + std::chrono::minutes{28}});
  // A leap second is the last second of its minute: system time has no 23:59:60, and the
  // next minute would be the year 10000 here.
  auto leap = webhook(receiver, "/retry-after/429/Fri,%2031%20Dec%209999%2023:59:60%20GMT")
                  ->deliver(n, context());
  REQUIRE(leap.retry_at);
  CHECK(*leap.retry_at ==
        UtcMillis{date::sys_days{date::year{9999} / 12 / 31} + std::chrono::hours{23} +
                  std::chrono::minutes{59} + std::chrono::seconds{59}});
}

TEST_CASE("an unreachable or slow receiver is a retryable failure", "[webhook]") {
  const auto n = booked_notification();
  WebhookOptions options;
  options.url = fmt::format("http://127.0.0.1:{}/ok", closed_port());
  options.secret = secret;
  auto refused = WebhookNotifier::make(options).value()->deliver(n, context());
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.retryable);

  PythonServer receiver("http_receiver.py", {secret});
  auto slow = webhook(receiver, "/slow/3", std::chrono::milliseconds{500})->deliver(n, context());
  REQUIRE_FALSE(slow.ok());
  CHECK(slow.retryable);
  CAPTURE(slow.detail);
  CHECK(slow.detail.find("timed out") != std::string::npos);
}

TEST_CASE("a flaky receiver gets every message through the dispatcher with one id per message",
          "[webhook][outbox]") {
  PythonServer receiver("http_receiver.py", {secret});
  Fixture f(std::make_shared<MemoryStore>(), {}, webhook(receiver, "/flaky/2"));
  f.clock->set(SystemClock{}.now());
  const auto id = f.create("cand-1", {"int-1"}).id;
  const auto start = date::floor<std::chrono::seconds>(f.clock->now()) + std::chrono::hours{72};
  REQUIRE(f.service->book(id, TimeRange::make(start, std::chrono::hours{1}).value(), recruiter()));
  for (int pass = 0; pass < 6; ++pass) {
    f.drain();
    f.clock->advance(std::chrono::seconds{1});
  }
  const auto delivered = f.store->list_outbox({.state = OutboxState::delivered}).value();
  CHECK(delivered.size() == 2);
  CHECK(f.entries(ActionType::notification_failed, id).size() == 2);
  std::map<std::string, int> per_id;
  for (const auto& file : receiver.files(".json")) {
    const auto r = read_json(file);
    CHECK(r["signature_valid"] == true);
    ++per_id[r["headers"]["webhook-id"].get<std::string>()];
  }
  CHECK(per_id.size() == 2);  // retries keep their webhook-id
}

TEST_CASE("webhook options are validated", "[webhook]") {
  WebhookOptions bad;
  bad.url = "ftp://x";
  bad.secret = secret;
  CHECK_FALSE(WebhookNotifier::make(bad));
  bad.url = "http://127.0.0.1/";
  bad.secret = "short";
  CHECK_FALSE(WebhookNotifier::make(bad));
  bad.secret = "whsec_!!!!";
  CHECK_FALSE(WebhookNotifier::make(bad));
}

TEST_CASE("a webhook URL without a usable host or port is refused by make", "[webhook][package]") {
  for (const auto* url : {"https://", "https:///path", "http://:8080/hook",
                          "https://hooks.example.com:0/x", "https://hooks.example.com:70000/x"}) {
    WebhookOptions options;
    options.url = url;
    options.secret = secret;
    CAPTURE(url);
    auto made = WebhookNotifier::make(options);
    REQUIRE_FALSE(made);
    CHECK(made.error().is<InvalidInput>());
    CHECK_THAT(made.error().message(), Catch::Contains("webhook URL"));
  }
  WebhookOptions fine;
  fine.url = "https://hooks.example.com/receive?team=7";
  fine.secret = secret;
  CHECK(WebhookNotifier::make(fine));
}
