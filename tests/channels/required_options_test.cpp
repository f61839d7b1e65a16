// No production defaults that could send real mail from a placeholder: the sender, the
// Message-ID domain and the meeting base URL must be given, or test mode chosen explicitly.
// Test mode's placeholders are checked in what a real mail parser reads back.
#include <interviewkit/channels/smtp_notifier.hpp>

#include "message_test_support.hpp"
#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

bool names(const Error& error, std::string_view text) {
  return error.kind() == ErrorKind::invalid_input &&
         error.message().find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("a channel without a sender or a Message-ID domain is refused by make, naming it",
          "[package][email]") {
  EmailOptions email;
  const auto smtp = [&] {
    return SmtpNotifier::make({.url = "smtp://127.0.0.1:25", .email = email});
  };
  const auto file = [&] { return FileNotifier::make({.directory = "/tmp", .email = email}); };
  REQUIRE_FALSE(smtp());
  CHECK(names(smtp().error(), "EmailOptions::from is required"));
  REQUIRE_FALSE(file());
  CHECK(names(file().error(), "EmailOptions::from is required"));

  email.from = EmailAddress::make("hiring@acme.example").value();
  REQUIRE_FALSE(smtp());
  CHECK(names(smtp().error(), "EmailOptions::message_id_domain is required"));
  CHECK(names(file().error(), "EmailOptions::message_id_domain is required"));

  email.message_id_domain = "mail.acme.example";
  CHECK(smtp());
  CHECK(file());
  CHECK(names(FileNotifier::make({.email = email}).error(), "directory is required"));
}

TEST_CASE("a channel whose Message-ID domain is not a domain is refused by make",
          "[package][email]") {
  // render_email refuses such a domain for every message, so a channel made with it could
  // never send one: every delivery would fail permanently, found only when mail is due.
  EmailOptions email;
  email.from = EmailAddress::make("hiring@acme.example").value();
  email.message_id_domain = "mail acme example";
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  REQUIRE_FALSE(render_email(notification, delivery_context(), email, render_time()));

  const auto smtp = SmtpNotifier::make({.url = "smtp://127.0.0.1:25", .email = email});
  CHECK_FALSE(smtp);
  const auto file = FileNotifier::make({.directory = "/tmp", .email = email});
  CHECK_FALSE(file);
  email.test_mode = true;  // "given values are used as they are": the same domain
  CHECK_FALSE(SmtpNotifier::make({.url = "smtp://127.0.0.1:25", .email = email}));
}

TEST_CASE("render_email and render_ics refuse options without a sender", "[package][email]") {
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  const auto message = render_email(notification, delivery_context(), {}, render_time());
  REQUIRE_FALSE(message);
  CHECK(names(message.error(), "EmailOptions::from is required"));
  const auto invite = render_ics(notification, {}, render_time());
  REQUIRE_FALSE(invite);
  CHECK(names(invite.error(), "EmailOptions::from is required"));
}

TEST_CASE("email test mode uses RFC 2606 placeholders that a mail parser reads back",
          "[package][email]") {
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  const auto message =
      render_email(notification, delivery_context(), {.test_mode = true}, render_time());
  REQUIRE(message);
  CHECK(message->envelope_from.str() == "interviews@example.invalid");
  const auto parsed = check_email(*message);
  CHECK(parsed["from"][0]["address"] == "interviews@example.invalid");
  CHECK(parsed["message_id"] == "<tok-4Jq9_xYz@interviewkit.invalid>");
  CHECK(check_ics(message->ics)["uid"] == "interview-42@interviewkit.invalid");

  // Values given in test mode are used as they are.
  EmailOptions given{.from = EmailAddress::make("hr@acme.example").value(), .test_mode = true};
  const auto own = render_email(notification, delivery_context(), given, render_time());
  REQUIRE(own);
  CHECK(own->envelope_from.str() == "hr@acme.example");
  CHECK(check_email(*own)["message_id"] == "<tok-4Jq9_xYz@interviewkit.invalid>");
}

TEST_CASE("a booking service without a meeting base URL is refused unless in test mode",
          "[package][booking]") {
  auto store = std::make_shared<MemoryStore>();
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  const auto refused = BookingService::make(store, log);
  REQUIRE_FALSE(refused);
  CHECK(names(refused.error(), "BookingOptions::meeting_base_url is required"));

  Fixture f;  // test mode: placeholder links that never resolve
  const auto id = f.create("cand-1", {"int-1"}).id;
  const auto booked = f.service->book(id, slot(4, 9h), recruiter());
  REQUIRE(booked);
  CHECK_THAT(booked->interview.meeting_link, Catch::StartsWith("https://meet.invalid/"));
  BookingOptions own{.meeting_base_url = "https://meet.acme.example/r/"};
  Fixture g(std::make_shared<MemoryStore>(), own);
  const auto other = g.create("cand-2", {"int-2"}).id;
  CHECK_THAT(g.service->book(other, slot(4, 9h), recruiter())->interview.meeting_link,
             Catch::StartsWith("https://meet.acme.example/r/"));
}
