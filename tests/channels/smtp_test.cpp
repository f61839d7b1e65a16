// SmtpNotifier against a real SMTP server (aiosmtpd) on loopback, through the dispatcher.
#include <fstream>
#include <set>

#include <interviewkit/channels/smtp_notifier.hpp>

#include "channels/message_test_support.hpp"
#include "support/fixture.hpp"
#include "support/python_server.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

std::shared_ptr<SmtpNotifier> smtp(int port, bool reuse = true,
                                   std::chrono::milliseconds timeout = std::chrono::seconds{10},
                                   std::size_t connections = 20) {
  SmtpOptions options{.email = {.test_mode = true}};
  options.max_connections = connections;
  options.url = fmt::format("smtp://127.0.0.1:{}", port);
  options.starttls = SmtpOptions::StartTls::off;
  options.timeout = timeout;
  options.reuse_connection = reuse;
  options.email.from = EmailAddress::make("hiring@example.com").value();
  options.email.from_name = "Hiring Team";
  options.email.message_id_domain = "mail.example.com";
  return SmtpNotifier::make(options).value();
}

// A fixture whose clock is the real one, so Date headers and expiry behave as in production.
struct MailFixture : Fixture {
  explicit MailFixture(std::shared_ptr<Notifier> channel)
      : Fixture(std::make_shared<MemoryStore>(), options(), std::move(channel)) {
    clock->set(SystemClock{}.now());
  }
  static BookingOptions options() {
    BookingOptions o{.test_mode = true};
    o.policy = NotificationPolicy::defaults(std::nullopt);
    return o;
  }
  TimeRange next_week() const {
    const auto start = date::floor<std::chrono::seconds>(clock->now()) + std::chrono::hours{168};
    return TimeRange::make(start, std::chrono::hours{1}).value();
  }
  InterviewId book(const std::string& cand, const std::string& interviewer_id) {
    CreateRequest request{
        "Systems design",
        {CandidateId::make(cand).value(),
         Participant::make("Zoë Ñúñez", cand + "@example.com", "Asia/Kathmandu").value()},
        {{InterviewerId::make(interviewer_id).value(),
          Participant::make("Ann O'Brien", interviewer_id + "@example.com", "America/New_York")
              .value()}}};
    const auto id = service->create(request, recruiter()).value().id;
    REQUIRE(service->book(id, next_week(), recruiter()));
    return id;
  }
};

}  // namespace

TEST_CASE("booking sends a real email with a calendar invite to each participant",
          "[smtp][outbox]") {
  PythonServer server("smtp_server.py");
  MailFixture f(smtp(server.port()));
  const auto id = f.book("cand-1", "int-1");
  const auto stats = f.drain();
  CHECK(stats.delivered == 2);
  const auto messages = server.files(".eml");
  REQUIRE(messages.size() == 2);
  std::set<std::string> recipients;
  for (const auto& path : server.files(".json")) {
    std::ifstream in(path);
    const auto envelope = nlohmann::json::parse(in);
    CHECK(envelope["mail_from"] == "hiring@example.com");
    for (const auto& r : envelope["rcpt_tos"])
      recipients.insert(r.get<std::string>());
  }
  CHECK(recipients == std::set<std::string>{"cand-1@example.com", "int-1@example.com"});
  // What the server received, read back by Python's email package and icalendar.
  const auto interview = f.service->get(id).value();
  std::set<std::string> message_ids;
  for (const auto& path : messages) {
    const auto parsed = check_file(path, "--eml");
    CHECK(parsed["counts"]["From"] == 1);
    CHECK(parsed["counts"]["To"] == 1);
    CHECK(parsed["counts"]["Subject"] == 1);
    CHECK(parsed["defects"].empty());
    CHECK(parsed["from"][0]["name"] == "Hiring Team");
    const std::string message_id = parsed["message_id"];
    CHECK(message_id.ends_with("@mail.example.com>"));
    message_ids.insert(message_id);
    REQUIRE(parsed["calendars"].size() >= 1);
    const auto& calendar = parsed["calendars"][0];
    CHECK(calendar["method"] == "REQUEST");
    CHECK(calendar["mime_method"] == "REQUEST");
    CHECK(calendar["uid"] == fmt::format("interview-{}@mail.example.com", id.value()));
    CHECK(calendar["sequence"] == interview.version);
    CHECK(calendar["dtstart"] == format_utc(interview.slot->start()));
    CHECK(calendar["dtend"] == format_utc(interview.slot->end()));
  }
  CHECK(message_ids.size() == 2);
  const auto stored = f.store->list_outbox({.interview = id}).value();
  for (const auto& m : stored) {  // the Message-ID is the token fixed at enqueue
    CHECK(message_ids.count(fmt::format("<{}@mail.example.com>", m.message_token)) == 1);
  }
  const auto delivered = f.entries(ActionType::notification_delivered, id);
  REQUIRE(delivered.size() == 2);
  CHECK(delivered[0].details.at("detail").get<std::string>().find("250") == 0);
}

TEST_CASE("one connection per slot and pass when reusing, one per message otherwise",
          "[smtp][concurrency]") {
  for (bool reuse : {true, false}) {
    CAPTURE(reuse);
    PythonServer server("smtp_server.py");
    // Two connection slots, each kept for the whole pass when reusing.
    MailFixture f(smtp(server.port(), reuse, std::chrono::seconds{10}, 2));
    for (int i = 0; i < 5; ++i)
      f.book(fmt::format("cand-{}", i), fmt::format("int-{}", i));
    CHECK(f.drain().delivered == 10);
    std::ifstream sessions(server.dir() / "sessions");
    int count = 0;
    for (std::string line; std::getline(sessions, line);)
      ++count;
    if (reuse) {
      CHECK(count >= 1);
      CHECK(count <= 2);
    } else {
      CHECK(count == 10);
    }
    CHECK(server.files(".eml").size() == 10);
  }
}

TEST_CASE("transient SMTP failures are retried until delivered", "[smtp][outbox]") {
  PythonServer server("smtp_server.py");
  MailFixture f(smtp(server.port()));
  SECTION("451 twice, then accepted") {
    f.book("tempfail2-cand", "int-1");
  }
  SECTION("421 twice, then accepted") {
    f.book("busy2-cand", "int-1");
  }
  for (int pass = 0; pass < 6; ++pass) {
    f.drain();
    f.clock->advance(std::chrono::seconds{1});
  }
  CHECK(f.store->list_outbox({.state = OutboxState::delivered}).value().size() == 2);
  const auto failed = f.entries(ActionType::notification_failed);
  REQUIRE(failed.size() == 2);
  for (const auto& e : failed) {
    const std::string error = e.details.at("error");
    CAPTURE(error);
    CHECK((error.find("451 4.3.0") != std::string::npos ||
           error.find("421 4.3.2") != std::string::npos));
    CHECK(e.details.at("retryable") == true);
  }
}

TEST_CASE("a rejected recipient is dead at once with the server's reply on record",
          "[smtp][outbox]") {
  PythonServer server("smtp_server.py");
  MailFixture f(smtp(server.port()));
  const auto id = f.book("reject-cand", "int-1");
  f.drain();
  const auto dead = f.store->list_outbox({.state = OutboxState::dead}).value();
  REQUIRE(dead.size() == 1);
  CHECK(dead[0].attempts == 1);
  CHECK(dead[0].last_error.find("550 5.1.1") != std::string::npos);
  const auto entries = f.entries(ActionType::notification_dead_lettered, id);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].details.at("error").get<std::string>().find("no such user") !=
        std::string::npos);
  CHECK(server.files(".eml").size() == 1);  // the interviewer's copy went out
}

TEST_CASE("a server that is down or too slow fails retryably and nothing is lost",
          "[smtp][outbox]") {
  SECTION("connection refused, then the server comes up") {
    const int port = closed_port();
    MailFixture f(smtp(port));
    f.book("cand-1", "int-1");
    const auto first = f.drain();
    CHECK(first.failed == 2);
    const auto failed = f.entries(ActionType::notification_failed);
    REQUIRE(failed.size() == 2);
    CHECK(failed[0].details.at("error").get<std::string>().find("failed") != std::string::npos);
    // Nothing was lost: the messages are pending and go out through a working server.
    PythonServer server("smtp_server.py");
    f.dispatcher = Dispatcher::make(f.store, smtp(server.port()), f.log,
                                    with_clock(Fixture::fast_retries(), f.clock))
                       .value();
    f.clock->advance(std::chrono::seconds{1});
    CHECK(f.drain().delivered == 2);
    CHECK(server.files(".eml").size() == 2);
  }
  SECTION("slower than the timeout") {
    PythonServer server("smtp_server.py");
    MailFixture f(smtp(server.port(), true, std::chrono::milliseconds{700}));
    f.book("slow3-cand", "int-1");
    f.drain();
    const auto failed = f.entries(ActionType::notification_failed);
    REQUIRE_FALSE(failed.empty());
    CHECK(failed[0].details.at("retryable") == true);
    CAPTURE(failed[0].details.at("error").get<std::string>());
    CHECK(failed[0].details.at("error").get<std::string>().find("timeout") != std::string::npos);
  }
}

TEST_CASE("SMTP options are validated", "[smtp]") {
  SmtpOptions bad{.email = {.test_mode = true}};
  bad.url = "http://127.0.0.1";
  CHECK_FALSE(SmtpNotifier::make(bad));
  bad.url = "smtp://127.0.0.1\r\n";
  CHECK_FALSE(SmtpNotifier::make(bad));
  bad.url = "smtp://127.0.0.1";
  bad.timeout = std::chrono::milliseconds{0};
  CHECK_FALSE(SmtpNotifier::make(bad));
}

TEST_CASE("channel option structs take designated initializers naming one field",
          "[smtp][package]") {
  // Built with our warnings as errors (-Wextra): every member needs a default.
  const SmtpOptions smtp{.url = "smtp://mail.example.com:587"};
  const WebhookOptions webhook{.url = "https://hooks.example.com/x"};
  const FileNotifierOptions file{.directory = "/tmp"};
  const EmailOptions email{.organizer_name = "Hiring"};
  CHECK(smtp.username.empty());
  CHECK(webhook.secret.empty());
  CHECK_FALSE(file.clock);
  CHECK_FALSE(email.templates);
}

TEST_CASE("an SMTP URL without a usable host or port is refused by make, naming the problem",
          "[smtp][package]") {
  const auto refused = [](std::string url) {
    SmtpOptions options{.email = {.test_mode = true}};
    options.url = std::move(url);
    auto made = SmtpNotifier::make(options);
    REQUIRE_FALSE(made);
    CHECK(made.error().is<InvalidInput>());
    return made.error().message();
  };
  CHECK_THAT(refused("smtp://"), Catch::Contains("smtp://") && Catch::Contains("host"));
  CHECK_THAT(refused("smtp://:25"), Catch::Contains("host"));
  CHECK_THAT(refused("smtp://mail.example.com:0"), Catch::Contains("port 0"));
  CHECK_THAT(refused("smtp://mail.example.com:99999"), Catch::Contains("cannot be parsed"));
  CHECK_THAT(refused("smtp://mail.example.com:2x5"), Catch::Contains("cannot be parsed"));
  // Credentials in a URL that fails are not repeated.
  const auto message = refused("smtp://user:s3cret-pass@:25");
  CHECK(message.find("s3cret-pass") == std::string::npos);
  for (const auto* good : {"smtp://127.0.0.1", "smtps://mail.example.com:465", "smtp://[::1]:2525",
                           "smtp://mail.example.com/helo.example.com"}) {
    SmtpOptions options{.email = {.test_mode = true}};
    options.url = good;
    CAPTURE(good);
    CHECK(SmtpNotifier::make(options));
  }
}

TEST_CASE("STARTTLS with a verified certificate and AUTH", "[smtp]") {
  TempDir certs("smtp-tls");
  const auto cert = (certs.path() / "cert.pem").string();
  const auto key = (certs.path() / "key.pem").string();
  REQUIRE(std::system(fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -keyout '{}' -out "
                                  "'{}' -days 1 -subj /CN=127.0.0.1 -addext "
                                  "subjectAltName=IP:127.0.0.1 >/dev/null 2>&1",
                                  key, cert)
                          .c_str()) == 0);
  PythonServer server("smtp_server.py", {"--tls", cert, key, "--auth", "hiring:s3cret"});
  const auto notifier = [&](SmtpOptions::StartTls tls, const std::string& password) {
    SmtpOptions options{.email = {.test_mode = true}};
    options.url = fmt::format("smtp://127.0.0.1:{}", server.port());
    options.starttls = tls;
    options.ca_file = cert;  // verified against our own CA, not switched off
    options.username = "hiring";
    options.password = password;
    options.timeout = std::chrono::seconds{10};
    options.email.message_id_domain = "mail.example.com";
    return SmtpNotifier::make(options).value();
  };

  SECTION("required STARTTLS and the right password: delivered") {
    MailFixture f(notifier(SmtpOptions::StartTls::required, "s3cret"));
    f.book("cand-1", "int-1");
    CHECK(f.drain().delivered == 2);
    CHECK(server.files(".eml").size() == 2);
  }
  SECTION("by default credentials go over TLS only: STARTTLS if offered means required") {
    MailFixture f(notifier(SmtpOptions::StartTls::if_offered, "s3cret"));
    f.book("cand-1", "int-1");
    CHECK(f.drain().delivered == 2);
    std::ifstream auth(server.dir() / "auth");
    for (std::string line; std::getline(auth, line);)
      CHECK(nlohmann::json::parse(line)["tls"] == true);
  }
  SECTION("without TLS the server refuses, and nothing is sent in the clear") {
    SmtpOptions options{.email = {.test_mode = true}};
    options.url = fmt::format("smtp://127.0.0.1:{}", server.port());
    options.starttls = SmtpOptions::StartTls::off;
    options.username = "hiring";
    options.password = "s3cret";
    options.allow_plaintext_auth = true;  // the host insists; this server still refuses
    MailFixture f(SmtpNotifier::make(options).value());
    f.book("cand-1", "int-1");
    f.drain();
    CHECK(f.store->list_outbox({.state = OutboxState::delivered}).value().empty());
    CHECK(server.files(".eml").empty());
  }
}

TEST_CASE("credentials need TLS unless plaintext authentication is allowed", "[smtp][auth]") {
  SmtpOptions options{.email = {.test_mode = true}};
  options.url = "smtp://relay.example.com:25";
  options.username = "hiring";
  options.password = "pl41n-t3xt-pw";
  options.starttls = SmtpOptions::StartTls::off;
  auto refused = SmtpNotifier::make(options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().is<InvalidInput>());
  CAPTURE(refused.error().message());
  CHECK(refused.error().message().find("allow_plaintext_auth") != std::string::npos);
  CHECK(refused.error().message().find("StartTls::required") != std::string::npos);
  CHECK(refused.error().message().find("pl41n-t3xt-pw") == std::string::npos);
  options.allow_plaintext_auth = true;
  CHECK(SmtpNotifier::make(options));
  options.allow_plaintext_auth = false;
  for (auto tls : {SmtpOptions::StartTls::if_offered, SmtpOptions::StartTls::required})
    CHECK(SmtpNotifier::make([&] {
      auto o = options;
      o.starttls = tls;
      return o;
    }()));
  options.url = "smtps://relay.example.com:465";
  options.starttls = SmtpOptions::StartTls::off;  // implicit TLS: nothing to upgrade
  CHECK(SmtpNotifier::make(options));
}

TEST_CASE("a server without STARTTLS never receives the password", "[smtp][auth]") {
  // The real aiosmtpd server with AUTH and no TLS at all: it would take AUTH in the clear.
  PythonServer server("smtp_server.py", {"--auth", "hiring:pl41n-t3xt-pw"});
  const auto notifier = [&](bool allow_plaintext) {
    SmtpOptions options{.email = {.test_mode = true}};
    options.url = fmt::format("smtp://127.0.0.1:{}", server.port());
    options.username = "hiring";
    options.password = "pl41n-t3xt-pw";
    options.allow_plaintext_auth = allow_plaintext;
    options.timeout = std::chrono::seconds{10};
    options.email.message_id_domain = "mail.example.com";
    return SmtpNotifier::make(options).value();  // the default: StartTls::if_offered
  };
  const auto auth_lines = [&] {
    std::vector<std::string> lines;
    std::ifstream auth(server.dir() / "auth");
    for (std::string line; std::getline(auth, line);)
      lines.push_back(line);
    return lines;
  };

  MailFixture f(notifier(false));
  f.book("cand-1", "int-1");
  f.drain();
  CHECK(f.store->list_outbox({.state = OutboxState::delivered}).value().empty());
  // A permanent failure: each attempt's one entry is the dead letter itself.
  const auto failed = f.entries(ActionType::notification_dead_lettered);
  REQUIRE_FALSE(failed.empty());
  for (const auto& e : failed) {
    const std::string error = e.details.at("error");
    CAPTURE(error);
    CHECK(e.details.at("retryable") == false);  // configuration, not weather
    CHECK(error.find("pl41n-t3xt-pw") == std::string::npos);
  }
  CHECK(std::filesystem::exists(server.dir() / "sessions"));  // it did connect and say EHLO
  CHECK(auth_lines().empty());                                // but never sent AUTH
  CHECK(server.files(".eml").empty());

  // The same server does receive it when the host allows plaintext authentication: the
  // record above would have shown a leak.
  MailFixture allowed(notifier(true));
  allowed.book("cand-2", "int-2");
  CHECK(allowed.drain().delivered == 2);
  const auto lines = auth_lines();
  REQUIRE_FALSE(lines.empty());
  CHECK(nlohmann::json::parse(lines[0])["password"] == "pl41n-t3xt-pw");
}
