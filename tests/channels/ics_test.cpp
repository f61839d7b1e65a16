// iCalendar invites: what calendar clients need to add, update and cancel one entry per
// interview, checked by reading the output back with python3-icalendar.
#include <string>
#include <vector>

#include "message_test_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

std::vector<std::string> physical_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto end = text.find("\r\n", pos);
    if (end == std::string_view::npos)
      end = text.size();
    lines.emplace_back(text.substr(pos, end - pos));
    pos = end + 2;
  }
  return lines;
}

std::string unfold(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 3) == "\r\n ") {
      i += 2;
      continue;
    }
    out += text[i];
  }
  return out;
}

Interview confirmed_interview() {
  auto interview = scheduled_interview();
  interview.status = InterviewStatus::confirmed;
  interview.version = 3;
  return interview;
}

}  // namespace

TEST_CASE("an invite is one VEVENT with a stable UID and the interview version as SEQUENCE",
          "[ics]") {
  auto interview = scheduled_interview();
  interview.interviewers.push_back(interviewer("int-2", "Europe/Berlin"));
  const auto invite = render_ics(notify(NotificationKind::interview_scheduled, interview),
                                 mail_options(), render_time());
  REQUIRE(invite);
  CHECK(invite->method == IcsMethod::request);
  CHECK(invite->uid == "interview-42@mail.acme.example");

  const auto ics = check_ics(invite->text);
  CHECK(ics["method"] == "REQUEST");
  CHECK(ics["version"] == "2.0");
  CHECK(ics["vevent_count"] == 1);
  CHECK(ics["uid"] == "interview-42@mail.acme.example");
  CHECK(ics["sequence"] == 2);
  CHECK(ics["dtstart"] == "2024-03-12T14:00:00Z");
  CHECK(ics["dtend"] == "2024-03-12T15:00:00Z");
  CHECK(ics["dtstamp"] == "2024-03-01T08:30:00Z");
  CHECK(ics["status"] == "TENTATIVE");
  CHECK(ics["summary"] == "Technical interview");
  CHECK(ics["location"] == "https://meet.example.com/s/abc123");
  CHECK(ics["url"] == "https://meet.example.com/s/abc123");
  const std::string description = ics["description"];
  CHECK(description.find("Join: https://meet.example.com/s/abc123") != std::string::npos);
  CHECK(description.find("Candidate: Candidate cand-1") != std::string::npos);
  CHECK(ics["organizer"]["address"] == "mailto:hiring@acme.example");
  CHECK(ics["organizer"]["cn"] == "Acme Hiring");

  const auto& attendees = ics["attendees"];
  REQUIRE(attendees.size() == 3);
  CHECK(attendees[0]["address"] == "mailto:cand-1@candidates.example.com");
  CHECK(attendees[0]["cn"] == "Candidate cand-1");
  CHECK(attendees[1]["address"] == "mailto:int-1@staff.example.com");
  CHECK(attendees[2]["cn"] == "Interviewer int-2");
  for (const auto& attendee : attendees) {
    CHECK(attendee["role"] == "REQ-PARTICIPANT");
    CHECK(attendee["partstat"] == "NEEDS-ACTION");
    CHECK(attendee["rsvp"] == "TRUE");
    CHECK(attendee["cutype"] == "INDIVIDUAL");
  }
  CHECK(ics["lines"]["max_line_octets"] <= 75);
  CHECK(ics["lines"]["bare_lf"] == 0);
  CHECK(ics["lines"]["ends_with_crlf"] == true);
}

TEST_CASE("the organizer can differ from the sender", "[ics]") {
  auto options = mail_options();
  options.organizer = EmailAddress::make("recruiter@acme.example").value();
  options.organizer_name = "Rita Recruiter";
  const auto invite = render_ics(
      notify(NotificationKind::interview_scheduled, scheduled_interview()), options, render_time());
  REQUIRE(invite);
  const auto ics = check_ics(invite->text);
  CHECK(ics["organizer"]["address"] == "mailto:recruiter@acme.example");
  CHECK(ics["organizer"]["cn"] == "Rita Recruiter");
}

TEST_CASE("a confirmed interview is CONFIRMED with the interviewers accepted", "[ics]") {
  const auto invite =
      render_ics(notify(NotificationKind::interview_confirmed, confirmed_interview(), false),
                 mail_options(), render_time());
  REQUIRE(invite);
  const auto ics = check_ics(invite->text);
  CHECK(ics["method"] == "REQUEST");
  CHECK(ics["status"] == "CONFIRMED");
  CHECK(ics["sequence"] == 3);
  REQUIRE(ics["attendees"].size() == 2);
  CHECK(ics["attendees"][0]["partstat"] == "NEEDS-ACTION");
  CHECK(ics["attendees"][1]["partstat"] == "ACCEPTED");
  CHECK(ics["attendees"][1]["rsvp"] == "FALSE");
}

TEST_CASE(
    "a cancellation is METHOD:CANCEL with STATUS:CANCELLED the same UID and a higher "
    "SEQUENCE",
    "[ics]") {
  const auto booked =
      render_ics(notify(NotificationKind::interview_scheduled, scheduled_interview()),
                 mail_options(), render_time());
  auto interview = scheduled_interview();
  interview.status = InterviewStatus::cancelled;
  interview.version = 3;
  auto cancellation = notify(NotificationKind::interview_cancelled, interview);
  cancellation.reason = "position filled";
  const auto cancelled = render_ics(cancellation, mail_options(), render_time());
  REQUIRE(booked);
  REQUIRE(cancelled);
  CHECK(cancelled->method == IcsMethod::cancel);
  CHECK(to_string(cancelled->method) == "CANCEL");

  const auto before = check_ics(booked->text);
  const auto after = check_ics(cancelled->text);
  CHECK(after["method"] == "CANCEL");
  CHECK(after["status"] == "CANCELLED");
  CHECK(after["uid"] == before["uid"]);
  CHECK(after["sequence"].get<int>() > before["sequence"].get<int>());
  CHECK(after["dtstart"] == before["dtstart"]);
  CHECK(after["attendees"].size() == 2);
  for (const auto& attendee : after["attendees"])
    CHECK(attendee["rsvp"] == "FALSE");
  const std::string description = after["description"];
  CHECK(description.find("Reason: position filled") != std::string::npos);
  CHECK(description.find("Join:") == std::string::npos);
}

TEST_CASE("a cancelled interview without a slot uses the slot it had", "[ics]") {
  auto interview = scheduled_interview();
  interview.status = InterviewStatus::cancelled;
  interview.slot.reset();
  auto notification = notify(NotificationKind::interview_cancelled, interview);
  SECTION("with the previous slot the invite cancels it") {
    notification.previous_slot = TimeRange::make(at(12, 14h), 60min).value();
    const auto invite = render_ics(notification, mail_options(), render_time());
    REQUIRE(invite);
    CHECK(check_ics(invite->text)["dtstart"] == "2024-03-12T14:00:00Z");
  }
  SECTION("without any slot it is an error value") {
    const auto invite = render_ics(notification, mail_options(), render_time());
    REQUIRE_FALSE(invite);
    CHECK(invite.error().is<InvalidInput>());
    CHECK_THAT(invite.error().message(), Catch::Contains("no slot"));
  }
}

TEST_CASE("completed and no-show invites keep the entry and ask nobody to answer", "[ics]") {
  const auto kind =
      GENERATE(NotificationKind::interview_completed, NotificationKind::interview_no_show);
  auto interview = scheduled_interview();
  interview.status = kind == NotificationKind::interview_completed ? InterviewStatus::completed
                                                                   : InterviewStatus::no_show;
  interview.version = 4;
  const auto notification = notify(kind, interview);
  CHECK(ics_method_for(notification) == IcsMethod::request);
  const auto invite = render_ics(notification, mail_options(), render_time());
  REQUIRE(invite);
  const auto ics = check_ics(invite->text);
  CHECK(ics["method"] == "REQUEST");
  CHECK(ics["status"] == "CONFIRMED");
  CHECK(ics["sequence"] == 4);
  for (const auto& attendee : ics["attendees"])
    CHECK(attendee["rsvp"] == "FALSE");
}

TEST_CASE("a pending interview yields an error value and no invite", "[ics]") {
  auto interview = scheduled_interview();
  interview.status = InterviewStatus::pending;
  interview.slot.reset();
  const auto invite = render_ics(notify(NotificationKind::interview_scheduled, interview),
                                 mail_options(), render_time());
  REQUIRE_FALSE(invite);
  CHECK(invite.error().is<InvalidInput>());
  CHECK_THAT(invite.error().message(), Catch::Contains("pending"));
}

TEST_CASE("inputs an invite cannot carry are error values", "[ics]") {
  auto interview = scheduled_interview();
  auto options = mail_options();
  SECTION("a version beyond SEQUENCE") {
    interview.version = 1ULL << 40U;
  }
  SECTION("a title that is not UTF-8") {
    interview.title = "bad \xC3\x28 title";
  }
  SECTION("a UID domain that is not a domain") {
    options.message_id_domain = "not a domain>";
  }
  const auto invite =
      render_ics(notify(NotificationKind::interview_scheduled, interview), options, render_time());
  REQUIRE_FALSE(invite);
  CHECK(invite.error().is<InvalidInput>());
}

TEST_CASE("RFC 5545 escaping keeps backslash semicolon comma and newline intact", "[ics]") {
  auto interview = scheduled_interview();
  interview.title = R"(Design; review, round\2 \n not-a-newline)";
  auto notification = notify(NotificationKind::interview_cancelled, interview);
  notification.interview.status = InterviewStatus::cancelled;
  notification.reason = "line one\nline two; with, commas \\ and a backslash\r\nline three";
  const auto invite = render_ics(notification, mail_options(), render_time());
  REQUIRE(invite);
  const std::string unfolded = unfold(invite->text);
  CHECK(unfolded.find(R"(SUMMARY:Design\; review\, round\\2 \\n not-a-newline)") !=
        std::string::npos);
  CHECK(unfolded.find(R"(line one\nline two\; with\, commas \\ and a backslash\nline three)") !=
        std::string::npos);

  const auto ics = check_ics(invite->text);
  CHECK(ics["summary"] == interview.title);
  CHECK_THAT(ics["description"].get<std::string>(),
             Catch::Contains("Reason: line one\nline two; with, commas \\ and a backslash\n"
                             "line three"));
}

TEST_CASE("control characters in free text never reach the calendar raw", "[ics]") {
  auto interview = scheduled_interview();
  interview.title =
      "Tab\there\x01 bell\x7F"
      " end";
  auto notification = notify(NotificationKind::interview_scheduled, interview);
  notification.reason = std::string("nul\0inside", 10);
  const auto invite = render_ics(notification, mail_options(), render_time());
  REQUIRE(invite);
  for (const char c : invite->text) {
    const auto byte = static_cast<unsigned char>(c);
    CHECK((byte >= 0x20 || c == '\r' || c == '\n'));
    CHECK(byte != 0x7F);
  }
  const auto ics = check_ics(invite->text);
  CHECK(ics["summary"] == "Tab here bell end");
  CHECK_THAT(ics["description"].get<std::string>(), Catch::Contains("nul\xEF\xBF\xBDinside"));
}

TEST_CASE("content lines fold at 75 octets without splitting a UTF-8 sequence", "[ics]") {
  SECTION("a line of exactly 75 octets is left alone and 76 is folded") {
    const std::string exact = "SUMMARY:" + std::string(75 - 8, 'x');
    CHECK(fold_content_lines(exact + "\r\n") == exact + "\r\n");
    const std::string longer = exact + "y";
    CHECK(fold_content_lines(longer + "\r\n") == exact + "\r\n y\r\n");
  }
  SECTION("multi-byte characters straddling the boundary move whole to the next line") {
    const std::string character = GENERATE(std::string("\xC3\xA9"), std::string("\xE6\x9D\x8E"),
                                           std::string("\xF0\x9F\x98\x80"));  // é, 李, 😀
    for (std::size_t prefix = 60; prefix <= 80; ++prefix) {
      std::string line = "DESCRIPTION:" + std::string(prefix - 12, 'a');
      for (int i = 0; i < 60; ++i)
        line += character;
      const auto folded = fold_content_lines(line + "\r\n");
      INFO("prefix " << prefix << " character " << character);
      CHECK(unfold(folded) == line + "\r\n");
      const auto lines = physical_lines(folded);
      for (std::size_t i = 0; i < lines.size(); ++i) {
        CHECK(lines[i].size() <= 75);
        CHECK(is_utf8(lines[i]));
        if (i > 0)
          CHECK(lines[i].front() == ' ');
        // Full lines only end early when the next character would not fit.
        if (i + 1 < lines.size())
          CHECK(lines[i].size() + character.size() > 75);
      }
    }
  }
}

TEST_CASE("long titles with multi-byte characters parse back intact", "[ics]") {
  const std::string character = GENERATE(std::string("\xC3\xB1"), std::string("\xE9\x9B\xB7"),
                                         std::string("\xF0\x9F\x8E\x89"));  // ñ, 雷, 🎉
  for (std::size_t offset = 0; offset < 4; ++offset) {
    auto interview = scheduled_interview();
    interview.title = "Title" + std::string(offset, '.');
    while (interview.title.size() + character.size() + 1 <= 512)
      interview.title += (interview.title.size() % 7 == 0 ? " " : "") + character;
    REQUIRE(validate(interview));
    auto notification = notify(NotificationKind::interview_cancelled, interview);
    notification.reason = std::string(1990, 'r').substr(0, 1990 - character.size()) + character;
    const auto invite = render_ics(notification, mail_options(), render_time());
    REQUIRE(invite);
    const auto ics = check_ics(invite->text);
    INFO("offset " << offset);
    CHECK(ics["lines"]["max_line_octets"] <= 75);
    CHECK(ics["lines"]["every_line_utf8"] == true);
    CHECK(ics["summary"] == interview.title);
    CHECK_THAT(ics["description"].get<std::string>(), Catch::EndsWith(notification.reason));
  }
}

TEST_CASE("participant names come back verbatim as CN", "[ics]") {
  const std::string name =
      GENERATE(std::string("\"Bob\" <b@x>"), std::string("O'Brien"), std::string("李雷"),
               std::string("Zoë Ñúñez"), std::string("<script>alert(1)</script>"),
               std::string("Caret ^n ^' ^^ name"), std::string("semi;colon, comma: colon"),
               std::string("Ana 😀 Lima"));
  auto interview = scheduled_interview();
  interview.candidate.person = person(name, "cand-1@candidates.example.com", "Asia/Kathmandu");
  const auto invite = render_ics(notify(NotificationKind::interview_scheduled, interview),
                                 mail_options(), render_time());
  REQUIRE(invite);
  const auto ics = check_ics(invite->text);
  INFO(invite->text);
  REQUIRE(ics["attendees"].size() == 2);
  CHECK(ics["attendees"][0]["cn"] == name);
  CHECK(ics["attendees"][0]["address"] == "mailto:cand-1@candidates.example.com");
}
