// SmtpNotifier and WebhookNotifier against servers that misbehave on purpose
// (tests/servers/smtp_fault_server.py, http_receiver.py's /script paths): error replies of
// every shape, hangs, closes mid-exchange, one-byte-a-second replies, Retry-After variants.
// Each outcome is checked for its class (transient or permanent, as the notifier headers
// document), for ending within the delivery deadline, for a bounded detail, and for never
// repeating credentials or capability tokens.
#include <fstream>

#include <interviewkit/channels/smtp_notifier.hpp>
#include <interviewkit/channels/webhook_notifier.hpp>

#include "message_test_support.hpp"
#include "support/fixture.hpp"
#include "support/python_server.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using namespace std::chrono_literals;

namespace {

const std::string webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr auto deadline = 3s;  // what every delivery here is given
constexpr auto margin = 2s;    // what it may overrun by
constexpr std::size_t max_detail = 420;

// Replaces the server's script; it is reread per connection (SMTP) or request (HTTP).
void script(const PythonServer& server, const nlohmann::json& behaviour) {
  const auto path = server.dir() / "script.json";
  {
    std::ofstream out(path.string() + ".tmp");
    out << behaviour.dump();
  }
  std::filesystem::rename(path.string() + ".tmp", path);
}

struct Timed {
  DeliveryOutcome outcome;
  std::chrono::steady_clock::duration took;
};

// Delivers with a deadline `deadline` from now and checks what every fault must satisfy.
Timed deliver(Notifier& notifier, const Notification& n) {
  const auto start = std::chrono::steady_clock::now();
  auto outcome = notifier.deliver(n, {start + deadline, 1, "tok123"});
  const auto took = std::chrono::steady_clock::now() - start;
  CAPTURE(outcome.detail);
  CHECK(took < deadline + margin);
  if (!outcome.ok()) {
    CHECK_FALSE(outcome.detail.empty());
    CHECK(outcome.detail.size() <= max_detail);
  }
  return {std::move(outcome), took};
}

std::shared_ptr<SmtpNotifier> smtp(const PythonServer& server,
                                   SmtpOptions::StartTls tls = SmtpOptions::StartTls::off) {
  SmtpOptions options{.email = {.test_mode = true}};
  options.url = fmt::format("smtp://127.0.0.1:{}", server.port());
  options.starttls = tls;
  options.timeout = 60s;  // the deadline is what bounds these
  options.connect_timeout = 60s;
  options.email.from = EmailAddress::make("hiring@example.com").value();
  options.email.message_id_domain = "mail.example.com";
  return SmtpNotifier::make(options).value();
}

std::shared_ptr<WebhookNotifier> webhook(const PythonServer& server,
                                         const std::string& path = "/script") {
  WebhookOptions options;
  options.url = fmt::format("http://127.0.0.1:{}{}", server.port(), path);
  options.secret = webhook_secret;
  options.timeout = 60s;
  options.connect_timeout = 60s;
  return WebhookNotifier::make(options).value();
}

std::string ten_kilobytes(char c) {
  return std::string(10 * 1024, c);
}

}  // namespace

TEST_CASE("SMTP error replies are classified and kept short", "[faults][smtp]") {
  PythonServer server("smtp_fault_server.py");
  const auto n = booked_notification();
  const auto notifier = smtp(server);

  SECTION("451 to RCPT is transient, with the server's text") {
    script(server, {{"stage", "rcpt"}, {"reply", "451 4.3.0 Mailbox busy, try later"}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable);
    CHECK(r.outcome.detail.find("451 4.3.0 Mailbox busy") != std::string::npos);
  }
  SECTION("421 instead of the greeting is transient") {
    script(server, {{"stage", "greeting"}, {"reply", "421 4.3.2 Too busy"}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable);
    CHECK(r.outcome.detail.find("421") != std::string::npos);
  }
  SECTION("550 to MAIL is permanent") {
    script(server, {{"stage", "mail"}, {"reply", "550 5.7.1 Sender rejected"}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK_FALSE(r.outcome.retryable);
    CHECK(r.outcome.detail.find("550 5.7.1 Sender rejected") != std::string::npos);
  }
  SECTION("a 10 kB multi-line 554 after the message is permanent, its detail bounded") {
    std::string reply = "554 5.6.0 Message refused";
    for (int i = 0; i < 100; ++i)
      reply += "\n" + std::string(100, static_cast<char>('a' + i % 26));
    script(server, {{"stage", "message"}, {"reply", reply}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK_FALSE(r.outcome.retryable);
    CHECK(r.outcome.detail.find("554") != std::string::npos);
  }
  SECTION("a 10 kB single-line 452 is transient, its detail bounded") {
    script(server, {{"stage", "rcpt"}, {"reply", "452 4.2.2 " + ten_kilobytes('z')}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable);
    CHECK(r.outcome.detail.find("452 4.2.2 zzz") != std::string::npos);
  }
  SECTION("a reply that is not UTF-8 passes through as bytes") {
    // Latin-1 on the wire: the server sends the bytes 0xE9 0xFF 0xFE.
    script(server, {{"stage", "rcpt"}, {"reply", "450 4.2.0 caf\u00e9 \u00ff\u00fe busy"}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable);
    CHECK(r.outcome.detail.find("450 4.2.0 caf\xe9 \xff\xfe busy") != std::string::npos);
  }
  SECTION("a server that recovers: the next message goes through") {
    script(server, nlohmann::json::array({{{"stage", "rcpt"}, {"reply", "451 4.3.0 later"}},
                                          nlohmann::json::object()}));
    CHECK(deliver(*notifier, n).outcome.retryable);
    CHECK(deliver(*notifier, n).outcome.ok());
    CHECK(server.files(".eml").size() == 1);
  }
}

TEST_CASE("SMTP servers that stop answering are transient and end by the deadline",
          "[faults][smtp]") {
  PythonServer server("smtp_fault_server.py");
  const auto n = booked_notification();
  const auto notifier = smtp(server);
  for (const auto& [stage, action] : std::vector<std::pair<std::string, std::string>>{
           {"greeting", "hang"},     // accepts the connection, never says a word
           {"rcpt", "hang"},         // stops answering mid-exchange
           {"data", "hang"},         // ... at DATA
           {"message", "hang"},      // ... after the final dot
           {"message", "close"},     // closes the connection mid-DATA
           {"rcpt", "close"},        // closes it between commands
           {"greeting", "trickle"},  // the banner one byte a second
           {"message", "trickle"},   // the final reply one byte a second
       }) {
    CAPTURE(stage, action);
    script(server, {{"stage", stage},
                    {"action", action},
                    {"reply", "250 2.0.0 fine, eventually, after a long long while"}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable);
    if (action != "close")
      CHECK(r.took >= deadline - 500ms);  // it did wait: the deadline, not a quick error
  }
  CHECK(server.files(".eml").empty());
}

TEST_CASE("a reply trickled within the deadline still counts", "[faults][smtp]") {
  PythonServer server("smtp_fault_server.py");
  script(server,
         {{"stage", "rcpt"}, {"action", "trickle"}, {"interval", 0.05}, {"reply", "451 4.3.0 x"}});
  const auto r = deliver(*smtp(server), booked_notification());
  CHECK(r.outcome.retryable);
  CHECK(r.outcome.detail.find("451 4.3.0 x") != std::string::npos);
}

TEST_CASE("STARTTLS not offered", "[faults][smtp]") {
  PythonServer server("smtp_fault_server.py");
  const auto n = booked_notification();
  SECTION("required: a permanent failure that says so, before any MAIL") {
    const auto r = deliver(*smtp(server, SmtpOptions::StartTls::required), n);
    CHECK_FALSE(r.outcome.ok());
    CHECK_FALSE(r.outcome.retryable);
    CHECK(server.files(".eml").empty());
    std::ifstream log(server.dir() / "conn-0001.log");
    const std::string sent{std::istreambuf_iterator<char>(log), {}};
    CHECK(sent.find("EHLO") != std::string::npos);
    CHECK(sent.find("MAIL FROM") == std::string::npos);
  }
  SECTION("if offered, without credentials: delivered in plain text") {
    CHECK(deliver(*smtp(server, SmtpOptions::StartTls::if_offered), n).outcome.ok());
    CHECK(server.files(".eml").size() == 1);
  }
  SECTION("if offered, with credentials: the password never goes out") {
    SmtpOptions options{.email = {.test_mode = true}};
    options.url = fmt::format("smtp://127.0.0.1:{}", server.port());
    options.username = "hiring";
    options.password = "Str1pp3d-TLS-pw";
    options.email.message_id_domain = "mail.example.com";
    const auto r = deliver(*SmtpNotifier::make(options).value(), n);
    CHECK_FALSE(r.outcome.ok());
    CHECK_FALSE(r.outcome.retryable);
    std::ifstream log(server.dir() / "conn-0001.log");
    const std::string sent{std::istreambuf_iterator<char>(log), {}};
    CAPTURE(sent);
    CHECK(sent.find("EHLO") != std::string::npos);
    CHECK(sent.find("AUTH") == std::string::npos);
    CHECK(sent.find("Str1pp3d-TLS-pw") == std::string::npos);
  }
}

TEST_CASE("webhook error responses are classified and kept short", "[faults][webhook]") {
  PythonServer receiver("http_receiver.py", {webhook_secret});
  const auto n = booked_notification();
  const auto notifier = webhook(receiver);
  struct Case {
    int status;
    std::string body;
    bool retryable;
    std::string expect;
  };
  for (const auto& c : std::vector<Case>{
           {503, "down for maintenance", true, "HTTP 503"},
           {500, ten_kilobytes('e'), true, "HTTP 500"},
           {404, "no such hook", false, "no such hook"},
           {400, ten_kilobytes('b'), false, "HTTP 400"},
           {502, "bad gateway \u00ff\u00fe\u00e9", true, "bad gateway \xff\xfe\xe9"},
       }) {
    CAPTURE(c.status);
    script(receiver, {{"status", c.status}, {"body", c.body}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable == c.retryable);
    CHECK(r.outcome.detail.find(c.expect) != std::string::npos);
    CHECK_FALSE(r.outcome.retry_at);
  }
}

TEST_CASE("webhook receivers that stop answering are transient and end by the deadline",
          "[faults][webhook]") {
  PythonServer receiver("http_receiver.py", {webhook_secret});
  const auto n = booked_notification();
  const auto notifier = webhook(receiver);
  struct Case {
    std::string action;
    int after;  // bytes of the response sent first
    bool waits;
  };
  for (const auto& c : std::vector<Case>{
           {"hang", 0, true},     // reads the request, never answers
           {"hang", 30, true},    // stops in the middle of the headers
           {"hang", 70, true},    // stops in the middle of the body
           {"close", 0, false},   // closes without a word
           {"close", 70, false},  // closes in the middle of the body
           {"trickle", 0, true},  // one byte a second
       }) {
    CAPTURE(c.action, c.after);
    script(receiver, {{"action", c.action},
                      {"after", c.after},
                      {"status", 200},
                      {"body", std::string(40, 'o')}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable);
    if (c.waits)
      CHECK(r.took >= deadline - 500ms);
  }
}

TEST_CASE("Retry-After in every shape", "[faults][webhook]") {
  PythonServer receiver("http_receiver.py", {webhook_secret});
  const auto n = booked_notification();
  const auto notifier = webhook(receiver);
  const auto with_retry_after = [&](int status, const std::string& value) {
    script(receiver,
           {{"status", status}, {"body", "slow down"}, {"headers", {{"Retry-After", value}}}});
    const auto r = deliver(*notifier, n);
    CHECK_FALSE(r.outcome.ok());
    CHECK(r.outcome.retryable);
    return r.outcome;
  };
  SECTION("delta-seconds") {
    const auto before = SystemClock{}.now();
    const auto o = with_retry_after(429, "120");
    REQUIRE(o.retry_at);
    CHECK(*o.retry_at >= before + 120s);
    CHECK(*o.retry_at <= SystemClock{}.now() + 120s);
  }
  SECTION("an HTTP-date") {
    const auto o = with_retry_after(503, "Wed, 21 Oct 2099 07:28:00 GMT");
    REQUIRE(o.retry_at);
    CHECK(*o.retry_at == UtcMillis{date::sys_days{date::year{2099} / 10 / 21} + 7h + 28min});
  }
  SECTION("huge: returned as it is, for the dispatcher to bound") {
    const auto before = SystemClock{}.now();
    const auto o = with_retry_after(503, "999999999");
    REQUIRE(o.retry_at);
    CHECK(*o.retry_at >= before + 999999999s);
    CHECK(*o.retry_at <= SystemClock{}.now() + 999999999s);
  }
  SECTION("negative, garbage, empty or a malformed date: ignored, still retryable") {
    for (const auto& value : {"-5", "soon", "12abc", "", "Wed, 32 Oct 2099 07:28:00 GMT",
                              "Wed, 21 Foo 2099 07:28:00 GMT"}) {
      CAPTURE(value);
      CHECK_FALSE(with_retry_after(503, value).retry_at);
    }
  }
}

TEST_CASE("no outcome detail repeats a credential or a capability token", "[faults][redact]") {
  const auto n = booked_notification();
  const std::vector<std::string> secrets = {
      "hookuser",    "Pa55w0rd-in-url",        "tok_C4pab1l1ty",
      "Qu3ryS3cret", webhook_secret.substr(6), "sm7p-P4ssw0rd"};
  const auto clean = [&](const std::string& text) {
    CAPTURE(text);
    for (const auto& s : secrets)
      CHECK(text.find(s) == std::string::npos);
  };

  SECTION("webhooks") {
    PythonServer receiver("http_receiver.py", {webhook_secret});
    const auto url_at = [&](int port, const std::string& host = "127.0.0.1") {
      return fmt::format(
          "http://hookuser:Pa55w0rd-in-url@{}:{}/script/tok_C4pab1l1ty?key=Qu3ryS3cret", host,
          port);
    };
    WebhookOptions options;
    options.url = url_at(receiver.port());
    options.secret = webhook_secret;
    const auto notifier = WebhookNotifier::make(options).value();
    CHECK(notifier->destination() == fmt::format("http://127.0.0.1:{}", receiver.port()));
    // A receiver that echoes the request line and the credentials back in its error body.
    script(receiver, {{"status", 500},
                      {"body", "cannot POST /script/tok_C4pab1l1ty?key=Qu3ryS3cret for hookuser"}});
    clean(deliver(*notifier, n).outcome.detail);
    script(receiver, {{"status", 404}, {"body", options.url}});
    clean(deliver(*notifier, n).outcome.detail);
    script(receiver, {{"status", 401}, {"body", "wrong key " + webhook_secret.substr(6)}});
    clean(deliver(*notifier, n).outcome.detail);
    script(receiver, {{"action", "hang"}});
    clean(deliver(*notifier, n).outcome.detail);
    script(receiver, {{"action", "close"}});
    clean(deliver(*notifier, n).outcome.detail);
    for (const auto& url : {url_at(closed_port()), url_at(80, "no-such-host.invalid")}) {
      options.url = url;
      auto made = WebhookNotifier::make(options);
      REQUIRE(made);
      clean((*made)->destination());
      clean(deliver(**made, n).outcome.detail);
    }
    // A URL libcurl cannot parse is refused by make(), and its error repeats nothing either.
    options.url = "http://hookuser:Pa55w0rd-in-url@[::1/tok_C4pab1l1ty";
    auto unparsable = WebhookNotifier::make(options);
    REQUIRE_FALSE(unparsable);
    clean(unparsable.error().message());
    options.url = "ftp://hookuser:Pa55w0rd-in-url@example.com/tok_C4pab1l1ty?key=Qu3ryS3cret";
    auto refused = WebhookNotifier::make(options);
    REQUIRE_FALSE(refused);
    clean(refused.error().message());
    CHECK(refused.error().message().find("ftp://example.com") != std::string::npos);
  }
  SECTION("SMTP") {
    PythonServer server("smtp_fault_server.py");
    SmtpOptions options{.email = {.test_mode = true}};
    options.url =
        fmt::format("smtp://hookuser:Pa55w0rd-in-url@127.0.0.1:{}/tok_C4pab1l1ty", server.port());
    options.username = "hiring";
    options.password = "sm7p-P4ssw0rd";
    options.allow_plaintext_auth = true;  // the fault server has no TLS
    options.timeout = 60s;
    options.email.message_id_domain = "mail.example.com";
    const auto notifier = SmtpNotifier::make(options).value();
    CHECK(notifier->destination() == fmt::format("smtp://127.0.0.1:{}", server.port()));
    // A server that quotes the password (and what AUTH PLAIN sent) back in its replies.
    script(server, {{"stage", "auth"}, {"reply", "535 5.7.8 bad password sm7p-P4ssw0rd"}});
    clean(deliver(*notifier, n).outcome.detail);
    script(server, {{"stage", "auth"},
                    {"reply", "535 5.7.8 bad credentials AGhpcmluZwBzbTdwLVA0c3N3MHJk"}});
    const auto echoed = deliver(*notifier, n).outcome.detail;
    clean(echoed);
    CHECK(echoed.find("AGhpcmluZwBzbTdwLVA0c3N3MHJk") == std::string::npos);
    script(server, {{"stage", "rcpt"}, {"action", "hang"}});
    clean(deliver(*notifier, n).outcome.detail);
    script(server, {{"stage", "message"}, {"action", "close"}});
    clean(deliver(*notifier, n).outcome.detail);
    options.url =
        fmt::format("smtp://hookuser:Pa55w0rd-in-url@127.0.0.1:{}/tok_C4pab1l1ty", closed_port());
    const auto refused_connection = SmtpNotifier::make(options).value();
    clean(deliver(*refused_connection, n).outcome.detail);
    options.url = "smtp://hookuser:Pa55w0rd-in-url@no-such-host.invalid/tok_C4pab1l1ty";
    clean(deliver(*SmtpNotifier::make(options).value(), n).outcome.detail);
    options.url = "http://hookuser:Pa55w0rd-in-url@example.com/tok_C4pab1l1ty";
    auto refused = SmtpNotifier::make(options);
    REQUIRE_FALSE(refused);
    clean(refused.error().message());
  }
}
