// render_email: one well-formed RFC 5322 / MIME message per notification, read back with
// Python's email package exactly as a mail client would.
#include <string>
#include <vector>

#include "message_test_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

EmailMessage render_ok(const Notification& notification,
                       const EmailOptions& options = mail_options(),
                       const DeliveryContext& context = delivery_context()) {
  auto message = render_email(notification, context, options, render_time());
  INFO((message ? std::string() : message.error().message()));
  REQUIRE(message);
  return std::move(message).value();
}

const std::vector<std::string> expected_headers{"Date",         "From",        "To",
                                                "Subject",      "Message-ID",  "Auto-Submitted",
                                                "MIME-Version", "Content-Type"};

}  // namespace

TEST_CASE("a rendered email parses back as one message with the expected headers and parts",
          "[email]") {
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  const auto message = render_ok(notification);
  CHECK(message.envelope_from.str() == "hiring@acme.example");
  REQUIRE(message.envelope_to.size() == 1);
  CHECK(message.envelope_to[0].str() == "cand-1@candidates.example.com");
  CHECK(message.message_id == "<tok-4Jq9_xYz@mail.acme.example>");
  CHECK(message.ics_method == "REQUEST");

  const auto mail = check_email(message);
  CHECK(mail["header_names"] == expected_headers);
  for (const auto* name : {"From", "To", "Subject", "Message-ID", "Date", "MIME-Version"})
    CHECK(mail["counts"][name] == 1);
  CHECK(mail["defects"].empty());
  CHECK(mail["from"] == nlohmann::json::parse(R"([{"name": "Acme Hiring",
      "rfc2047_name": "Acme Hiring", "address": "hiring@acme.example"}])"));
  CHECK(mail["to"] == nlohmann::json::parse(R"([{"name": "Candidate cand-1",
      "rfc2047_name": "Candidate cand-1", "address": "cand-1@candidates.example.com"}])"));
  CHECK(mail["reply_to"].is_null());
  CHECK(mail["message_id"] == "<tok-4Jq9_xYz@mail.acme.example>");
  CHECK(mail["date"] == "2024-03-01T08:30:00Z");
  CHECK(mail["subject"] ==
        "Interview scheduled: Technical interview, Tue 12 Mar 2024, 19:45 (UTC+5:45)");

  const auto& parts = mail["parts"];
  REQUIRE(parts.size() == 6);
  CHECK(parts[0]["content_type"] == "multipart/mixed");
  CHECK(parts[1]["content_type"] == "multipart/alternative");
  CHECK(parts[2]["content_type"] == "text/plain");
  CHECK(parts[3]["content_type"] == "text/html");
  CHECK(parts[4]["content_type"] == "text/calendar");
  CHECK(parts[4]["method"] == "REQUEST");
  CHECK(parts[5]["content_type"] == "application/ics");
  CHECK(parts[5]["disposition"] == "attachment");
  CHECK(parts[5]["filename"] == "invite.ics");
  for (std::size_t i = 2; i < 6; ++i) {
    CHECK(parts[i]["transfer_encoding"] == "base64");
    if (i < 5)
      CHECK(parts[i]["charset"] == "UTF-8");
  }

  CHECK_THAT(mail["text"].get<std::string>(), Catch::Contains("Hello Candidate cand-1,"));
  CHECK_THAT(mail["html"].get<std::string>(), Catch::Contains("<p>Hello Candidate cand-1,</p>"));
  REQUIRE(mail["calendars"].size() == 2);
  for (const auto& calendar : mail["calendars"]) {
    CHECK(calendar["method"] == "REQUEST");
    CHECK(calendar["uid"] == "interview-42@mail.acme.example");
    CHECK(calendar["sequence"] == 2);
    CHECK(calendar["dtstart"] == "2024-03-12T14:00:00Z");
    CHECK(calendar["dtend"] == "2024-03-12T15:00:00Z");
    CHECK(calendar["status"] == "TENTATIVE");
    CHECK(calendar["attendees"].size() == 2);
    CHECK(calendar["text"] == message.ics);
  }
  CHECK(mail["calendars"][0]["mime_method"] == "REQUEST");

  CHECK(mail["lines"]["max_line_octets"] <= 78);
  CHECK(mail["lines"]["bare_lf"] == 0);
  CHECK(mail["lines"]["bare_cr"] == 0);
  CHECK(mail["lines"]["ends_with_crlf"] == true);
  CHECK(mail["lines"]["non_ascii_bytes"] == 0);
}

TEST_CASE("the MIME method parameter always equals the calendar METHOD", "[email][ics]") {
  const auto kind = GENERATE(from_range(all_notification_kinds));
  auto interview = scheduled_interview();
  if (kind == NotificationKind::interview_cancelled)
    interview.status = InterviewStatus::cancelled;
  if (kind == NotificationKind::interview_completed)
    interview.status = InterviewStatus::completed;
  const auto message = render_ok(notify(kind, interview));
  const auto mail = check_email(message);
  INFO(to_string(kind));
  const std::string expected = kind == NotificationKind::interview_cancelled ? "CANCEL" : "REQUEST";
  CHECK(message.ics_method == expected);
  const auto& calendars = mail["calendars"];
  REQUIRE(calendars.size() == 2);
  CHECK(calendars[0]["content_type"] == "text/calendar");
  CHECK(calendars[0]["mime_method"] == expected);
  CHECK(calendars[0]["method"] == expected);
  CHECK(calendars[1]["method"] == expected);
  if (expected == "CANCEL")
    CHECK(calendars[0]["status"] == "CANCELLED");
}

TEST_CASE("display names come out right however unusual", "[email]") {
  const std::string name =
      GENERATE(std::string("Zoë Ñúñez"), std::string("O'Brien"), std::string("李雷"),
               std::string("\"Bob\" <b@x>"), std::string("<script>alert(1)</script>"),
               std::string("Ana 😀 Lima"), std::string("Back\\slash, Comma; Semi: Colon"),
               std::string("=?UTF-8?B?SGFja2Vk?="), std::string("Mary-Jane (MJ) Watson"),
               std::string(200, 'a') + " " + std::string(50, 'b'), [] {
                 std::string long_name;
                 while (long_name.size() + 3 <= 256)
                   long_name += "李";
                 return long_name;
               }());
  auto interview = scheduled_interview();
  interview.candidate.person = person(name, "cand-1@candidates.example.com", "Asia/Kathmandu");
  auto options = mail_options();
  options.from_name = name;
  const auto message = render_ok(notify(NotificationKind::interview_scheduled, interview), options);
  const auto mail = check_email(message);
  INFO(message.data.substr(0, message.data.find("\r\n\r\n")));
  CHECK(mail["defects"].empty());
  CHECK(mail["header_names"] == expected_headers);
  REQUIRE(mail["to"].size() == 1);
  CHECK(mail["to"][0]["rfc2047_name"] == name);
  CHECK(mail["to"][0]["address"] == "cand-1@candidates.example.com");
  REQUIRE(mail["from"].size() == 1);
  CHECK(mail["from"][0]["rfc2047_name"] == name);
  CHECK(mail["from"][0]["address"] == "hiring@acme.example");
  // headerregistry keeps a space between adjacent encoded-words (see check_email.py), so it
  // agrees only on names that fit one encoded-word.
  if (name.size() <= 36) {
    CHECK(mail["to"][0]["name"] == name);
    CHECK(mail["from"][0]["name"] == name);
  }
  CHECK(mail["lines"]["max_line_octets"] <= 78);
  CHECK(mail["lines"]["non_ascii_bytes"] == 0);
  CHECK_THAT(mail["text"].get<std::string>(), Catch::Contains("Hello " + name + ","));
}

TEST_CASE("a subject that is not ASCII is RFC 2047 encoded and decodes to the rendered one",
          "[email]") {
  auto interview = scheduled_interview();
  SECTION("accents CJK and emoji in a long title") {
    interview.title.clear();
    while (interview.title.size() + 12 <= 512)
      interview.title += "Zoë 李雷 🎉 ";
    interview.title.pop_back();
  }
  SECTION("a long ASCII title with one word longer than a line") {
    interview.title = "Round " + std::string(300, 'x') + " end";
  }
  SECTION("ASCII that looks like an encoded-word") {
    interview.title = "=?UTF-8?B?SGFja2Vk?= title";
  }
  SECTION("plain ASCII is left readable") {
    interview.title = "System design";
  }
  REQUIRE(validate(interview));
  const auto notification = notify(NotificationKind::interview_scheduled, interview);
  const auto rendered = EmailTemplates().render(notification, mail_options());
  REQUIRE(rendered);
  const auto message = render_ok(notification);
  const auto mail = check_email(message);
  CHECK(mail["subject"] == rendered->subject);
  CHECK(mail["counts"]["Subject"] == 1);
  CHECK(mail["defects"].empty());
  CHECK(mail["lines"]["max_line_octets"] <= 78);
  CHECK(mail["lines"]["non_ascii_bytes"] == 0);
  if (interview.title == "System design")
    CHECK_THAT(message.data, Catch::Contains("Subject: Interview scheduled: System design,"));
}

TEST_CASE("CR and LF in header-bound fields cannot inject headers", "[email]") {
  auto interview = scheduled_interview();
  interview.title = "Title\r\nBcc: title@evil.example";
  auto notification = notify(NotificationKind::interview_cancelled, interview);
  notification.interview.status = InterviewStatus::cancelled;
  notification.reason = "Reason\r\nBcc: reason@evil.example\r\n\r\nbody";
  auto options = mail_options();
  options.from_name = "Sender\r\nBcc: from@evil.example";
  options.organizer_name = "Organizer\nBcc: organizer@evil.example";
  auto templates = std::make_shared<EmailTemplates>();
  REQUIRE(templates->set(NotificationKind::interview_cancelled,
                         {"Cancelled\r\nBcc: subject@evil.example\r\n{{title}} {{reason}}",
                          "{{reason}}\n", "<p>{{reason}}</p>"}));
  options.templates = templates;

  const auto message = render_ok(notification, options);
  const auto headers = message.data.substr(0, message.data.find("\r\n\r\n") + 2);
  CHECK(headers.find("\r\nBcc:") == std::string::npos);
  const auto mail = check_email(message);
  CHECK(mail["header_names"] == expected_headers);
  CHECK(mail["counts"]["Bcc"] == 0);
  CHECK(mail["defects"].empty());
  CHECK(mail["subject"] ==
        "Cancelled Bcc: subject@evil.example Title Bcc: title@evil.example Reason Bcc: "
        "reason@evil.example body");
  CHECK(mail["from"][0]["name"] == "Sender Bcc: from@evil.example");
  CHECK(mail["from"][0]["address"] == "hiring@acme.example");
  // In a body the line breaks are content, not structure.
  CHECK(mail["text"] == "Reason\r\nBcc: reason@evil.example\r\n\r\nbody\r\n");
  CHECK(mail["calendars"][0]["organizer"]["cn"] == "Organizer Bcc: organizer@evil.example");
}

TEST_CASE("10 kB of hostile text keeps the message well-formed and single", "[email]") {
  auto interview = scheduled_interview();
  interview.title = "<script>alert(\"t\")</script> ";
  while (interview.title.size() + 4 <= 512)
    interview.title += "😀";
  interview.candidate.person =
      person("<img src=x onerror=alert(1)> Zoë", "cand-1@candidates.example.com", "Asia/Kathmandu");
  REQUIRE(validate(interview));
  auto notification = notify(NotificationKind::interview_cancelled, interview);
  notification.interview.status = InterviewStatus::cancelled;
  std::string reason;
  while (reason.size() < 10 * 1024)
    reason += "; , \\ <b>é李🎉</b> ";
  notification.reason = reason;

  const auto message = render_ok(notification);
  const auto mail = check_email(message);
  CHECK(mail["header_names"] == expected_headers);
  CHECK(mail["defects"].empty());
  CHECK(mail["lines"]["max_line_octets"] <= 78);
  CHECK(mail["lines"]["non_ascii_bytes"] == 0);
  CHECK_THAT(mail["text"].get<std::string>(), Catch::Contains(reason));
  CHECK_THAT(mail["text"].get<std::string>(), Catch::Contains(interview.title));
  const std::string html = mail["html"];
  CHECK(html.find("<script>") == std::string::npos);
  CHECK(html.find("<img") == std::string::npos);
  CHECK(html.find("<b>") == std::string::npos);
  CHECK_THAT(html, Catch::Contains("&lt;b&gt;é李🎉&lt;/b&gt;"));
  REQUIRE(mail["calendars"].size() == 2);
  const auto& calendar = mail["calendars"][0];
  CHECK(calendar["summary"] == interview.title);
  CHECK_THAT(calendar["description"].get<std::string>(), Catch::EndsWith(reason));
  CHECK(calendar["lines"]["max_line_octets"] <= 75);
  CHECK(calendar["lines"]["every_line_utf8"] == true);
  CHECK(calendar["attendees"][0]["cn"] == "<img src=x onerror=alert(1)> Zoë");
}

TEST_CASE("the Message-ID comes from the message token and survives retries", "[email]") {
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  const auto first =
      render_email(notification, delivery_context("AbC-123_x"), mail_options(), render_time());
  const auto retry = render_email(notification, delivery_context("AbC-123_x"), mail_options(),
                                  render_time() + std::chrono::minutes{5});
  const auto other =
      render_email(notification, delivery_context("ZzZ-999_y"), mail_options(), render_time());
  REQUIRE(first);
  REQUIRE(retry);
  REQUIRE(other);
  CHECK(first->message_id == "<AbC-123_x@mail.acme.example>");
  CHECK(retry->message_id == first->message_id);
  CHECK(other->message_id == "<ZzZ-999_y@mail.acme.example>");
  CHECK(check_email(*retry)["date"] == "2024-03-01T08:35:00Z");
  CHECK(retry->ics.find("UID:interview-42@mail.acme.example") != std::string::npos);
}

TEST_CASE("an empty or unsafe message token is refused", "[email]") {
  const std::string token = GENERATE(
      std::string(), std::string("has space"), std::string("cr\r\nlf"), std::string("<angle>"),
      std::string("at@sign"), std::string(".leading"), std::string("double..dot"),
      std::string(65, 'x'), std::string("é"), std::string("slash/"), std::string("nul\0x", 5));
  const auto message =
      render_email(notify(NotificationKind::interview_scheduled, scheduled_interview()),
                   delivery_context(token), mail_options(), render_time());
  REQUIRE_FALSE(message);
  CHECK(message.error().is<InvalidInput>());
  CHECK_THAT(message.error().message(), Catch::Contains("Message-ID"));
}

TEST_CASE("a Message-ID domain that is not a domain is refused", "[email]") {
  auto options = mail_options();
  options.message_id_domain =
      GENERATE(std::string(), std::string("bad domain"), std::string("x>\r\nBcc: a@b"));
  const auto message =
      render_email(notify(NotificationKind::interview_scheduled, scheduled_interview()),
                   delivery_context(), options, render_time());
  REQUIRE_FALSE(message);
  CHECK(message.error().is<InvalidInput>());
}

TEST_CASE("Reply-To appears only when configured", "[email]") {
  auto options = mail_options();
  options.reply_to = EmailAddress::make("recruiter@acme.example").value();
  const auto message =
      render_ok(notify(NotificationKind::interview_scheduled, scheduled_interview()), options);
  const auto mail = check_email(message);
  CHECK(mail["counts"]["Reply-To"] == 1);
  CHECK(mail["reply_to"] ==
        nlohmann::json::parse(
            R"([{"name": "", "rfc2047_name": "", "address": "recruiter@acme.example"}])"));
}

TEST_CASE("a pending interview cannot be rendered as an email", "[email]") {
  auto interview = scheduled_interview();
  interview.status = InterviewStatus::pending;
  interview.slot.reset();
  const auto message = render_email(notify(NotificationKind::interview_scheduled, interview),
                                    delivery_context(), mail_options(), render_time());
  REQUIRE_FALSE(message);
  CHECK(message.error().is<InvalidInput>());
}

TEST_CASE("rendering one message costs", "[.benchmark][email]") {
  const auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  const auto options = mail_options();
  const auto context = delivery_context();
  constexpr int rounds = 2000;
  std::size_t bytes = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i)
    bytes += render_email(notification, context, options, render_time())->data.size();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const auto per_message = std::chrono::duration<double, std::micro>(elapsed).count() / rounds;
  WARN("render_email: " << per_message << " us per message, " << bytes / rounds << " bytes");
  CHECK(bytes > 0);
}
