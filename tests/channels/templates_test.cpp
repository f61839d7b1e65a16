// Email templates: defaults for every kind, host overrides, escaping by destination, and
// times in each recipient's own zone.
#include <clocale>
#include <locale>
#include <string>

#include "message_test_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

TimeZone zone(std::string_view name) {
  return TimeZone::make(name).value();
}

bool contains(const std::string& text, std::string_view needle) {
  return text.find(needle) != std::string::npos;
}

RenderedEmail render(const Notification& notification, const EmailTemplates& templates = {}) {
  auto rendered = templates.render(notification, mail_options());
  INFO((rendered ? std::string() : rendered.error().message()));
  REQUIRE(rendered);
  return std::move(rendered).value();
}

}  // namespace

TEST_CASE("local times show the zone abbreviation and the UTC offset", "[templates][timezone]") {
  const auto t = at(12, 14h);  // 2024-03-12T14:00:00Z, two days after the US switch to DST
  CHECK(format_local_time(t, zone("America/New_York")) == "Tue 12 Mar 2024, 10:00 EDT (UTC-4)");
  CHECK(format_local_time(t, zone("Asia/Kathmandu")) == "Tue 12 Mar 2024, 19:45 (UTC+5:45)");
  CHECK(format_local_time(t, zone("Asia/Kolkata")) == "Tue 12 Mar 2024, 19:30 IST (UTC+5:30)");
  CHECK(format_local_time(t, zone("America/St_Johns")) == "Tue 12 Mar 2024, 11:30 NDT (UTC-2:30)");
  CHECK(format_local_time(t, zone("Etc/UTC")) == "Tue 12 Mar 2024, 14:00 UTC (UTC+0)");
  CHECK(format_local_time(t, zone("Europe/Berlin")) == "Tue 12 Mar 2024, 15:00 CET (UTC+1)");
  CHECK(format_local_time(t, zone("Pacific/Auckland")) == "Wed 13 Mar 2024, 03:00 NZDT (UTC+13)");
  SECTION("before the DST switch New York is on EST") {
    CHECK(format_local_time(at(1, 14h), zone("America/New_York")) ==
          "Fri 1 Mar 2024, 09:00 EST (UTC-5)");
  }
  SECTION("after the tz files' last listed transition the zone's footer rule applies") {
    const date::sys_seconds summer_2040{date::sys_days{date::year{2040} / 7 / 2} + 14h};
    CHECK(format_local_time(summer_2040, zone("America/New_York")) ==
          "Mon 2 Jul 2040, 10:00 EDT (UTC-4)");
    CHECK(format_local_time(summer_2040, zone("Europe/Berlin")) ==
          "Mon 2 Jul 2040, 16:00 CEST (UTC+2)");
  }
  SECTION("the host's global locale does not change the names") {
    const auto previous = std::locale();
    try {
      std::locale::global(std::locale("de_DE.UTF-8"));
    } catch (const std::runtime_error&) {
      // Not installed: the classic locale is all there is, and the check still holds.
    }
    const auto text = format_local_time(t, zone("America/New_York"));
    std::locale::global(previous);
    CHECK(text == "Tue 12 Mar 2024, 10:00 EDT (UTC-4)");
  }
}

TEST_CASE("each recipient sees the interview in their own time zone", "[templates]") {
  const auto interview = scheduled_interview();  // candidate Kathmandu, interviewer New York
  const auto for_candidate = render(notify(NotificationKind::interview_scheduled, interview));
  const auto for_interviewer =
      render(notify(NotificationKind::interview_scheduled, interview, false));

  const std::string kathmandu = "Tue 12 Mar 2024, 19:45 (UTC+5:45)";
  const std::string new_york = "Tue 12 Mar 2024, 10:00 EDT (UTC-4)";
  for (const auto* part : {&for_candidate.subject, &for_candidate.text, &for_candidate.html}) {
    CHECK(contains(*part, kathmandu));
    CHECK_FALSE(contains(*part, new_york));
  }
  for (const auto* part :
       {&for_interviewer.subject, &for_interviewer.text, &for_interviewer.html}) {
    CHECK(contains(*part, new_york));
    CHECK_FALSE(contains(*part, kathmandu));
  }
  CHECK(contains(for_candidate.text, "Asia/Kathmandu"));
  CHECK(contains(for_interviewer.text, "America/New_York"));
  // Each is told about the other side of the table.
  CHECK(contains(for_candidate.text, "With: Interviewer int-1"));
  CHECK(contains(for_interviewer.text, "With: Candidate cand-1"));
}

TEST_CASE("every kind has a default subject text and HTML", "[templates]") {
  const auto kind = GENERATE(from_range(all_notification_kinds));
  auto interview = scheduled_interview();
  if (kind == NotificationKind::interview_cancelled)
    interview.status = InterviewStatus::cancelled;
  const auto rendered = render(notify(kind, interview));
  INFO(to_string(kind));
  CHECK_FALSE(rendered.subject.empty());
  CHECK(contains(rendered.subject, "Technical interview"));
  CHECK(contains(rendered.text, "Hello Candidate cand-1,"));
  CHECK(contains(rendered.text, "Technical interview"));
  CHECK(contains(rendered.html, "<p>Hello Candidate cand-1,</p>"));
  CHECK(contains(rendered.html, "</html>"));
  CHECK_FALSE(contains(rendered.text, "{{"));
  CHECK_FALSE(contains(rendered.html, "{{"));
  CHECK_FALSE(contains(rendered.text, "\xEE\x80"));  // no placeholder left behind
  CHECK(EmailTemplates().get(kind) == EmailTemplates::default_for(kind));
}

TEST_CASE("HTML escapes every interpolated value while text and subject keep it verbatim",
          "[templates]") {
  auto interview = scheduled_interview();
  interview.title = "<b>Bold</b> & \"quoted\" 'single'";
  interview.candidate.person =
      person("<script>alert('x')</script>", "cand-1@candidates.example.com", "Asia/Kathmandu");
  const auto rendered = render(notify(NotificationKind::interview_scheduled, interview));

  CHECK(contains(rendered.subject, "<b>Bold</b> & \"quoted\" 'single'"));
  CHECK(contains(rendered.text, "Hello <script>alert('x')</script>,"));
  CHECK(contains(rendered.text, "<b>Bold</b> & \"quoted\" 'single'"));
  CHECK_FALSE(contains(rendered.text, "&lt;"));
  CHECK_FALSE(contains(rendered.text, "&amp;"));

  CHECK_FALSE(contains(rendered.html, "<script>"));
  CHECK_FALSE(contains(rendered.html, "<b>Bold"));
  CHECK(contains(rendered.html, "Hello &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;,"));
  CHECK(
      contains(rendered.html, "&lt;b&gt;Bold&lt;/b&gt; &amp; &quot;quoted&quot; &#39;single&#39;"));
}

TEST_CASE("escaping depends on the part and not on double or triple mustache", "[templates]") {
  EmailTemplates templates;
  REQUIRE(templates.set(NotificationKind::interview_scheduled,
                        {"{{title}} | {{{title}}} | {{&title}}", "{{title}} | {{{title}}}",
                         "<p>{{title}} | {{{title}}} | {{&title}}</p>"}));
  auto interview = scheduled_interview();
  interview.title = "A<B & C/D";
  const auto rendered = render(notify(NotificationKind::interview_scheduled, interview), templates);
  CHECK(rendered.subject == "A<B & C/D | A<B & C/D | A<B & C/D");
  CHECK(rendered.text == "A<B & C/D | A<B & C/D");
  CHECK(rendered.html == "<p>A&lt;B &amp; C/D | A&lt;B &amp; C/D | A&lt;B &amp; C/D</p>");
}

TEST_CASE("host templates replace the defaults for one kind only", "[templates]") {
  EmailTemplates templates;
  REQUIRE(templates.set(NotificationKind::interview_reminder,
                        {"Soon: {{title}}",
                         "{{#interviewers}}- {{name}} <{{email}}>\n{{/interviewers}}"
                         "{{#is_candidate}}candidate{{/is_candidate}}"
                         "{{^is_candidate}}interviewer{{/is_candidate}}\n",
                         "<ul>{{#interviewers}}<li>{{name}}</li>{{/interviewers}}</ul>"}));
  auto interview = scheduled_interview();
  interview.interviewers.push_back(interviewer("int-2", "Europe/Berlin"));
  const auto reminder = render(notify(NotificationKind::interview_reminder, interview), templates);
  CHECK(reminder.subject == "Soon: Technical interview");
  CHECK(reminder.text ==
        "- Interviewer int-1 <int-1@staff.example.com>\n"
        "- Interviewer int-2 <int-2@staff.example.com>\n"
        "candidate\n");
  CHECK(reminder.html == "<ul><li>Interviewer int-1</li><li>Interviewer int-2</li></ul>");
  CHECK(templates.get(NotificationKind::interview_scheduled) ==
        EmailTemplates::default_for(NotificationKind::interview_scheduled));
}

TEST_CASE("broken templates are refused with a message naming the kind and part", "[templates]") {
  const std::string source =
      GENERATE(std::string("{{#title}}never closed"), std::string("{{/title}} closes nothing"),
               std::string("{{#a}}{{#b}}{{/a}}{{/b}}"), std::string("{{> partial}}"),
               std::string("{{=<% %>=}}<% title %>"), std::string("unterminated {{title"),
               std::string("empty {{ }} tag"), std::string("reserved \xEE\x80\x80 mark"),
               std::string("not UTF-8 \xFF"));
  EmailTemplates templates;
  const auto ok =
      templates.set(NotificationKind::interview_confirmed, {"Subject {{title}}", source, "<p/>"});
  INFO(source);
  REQUIRE_FALSE(ok);
  CHECK(ok.error().is<InvalidInput>());
  CHECK_THAT(ok.error().message(), Catch::Contains("interview_confirmed text template"));
  CHECK(templates.get(NotificationKind::interview_confirmed) ==
        EmailTemplates::default_for(NotificationKind::interview_confirmed));
}

TEST_CASE("a subject is one line whatever the template or the values produce", "[templates]") {
  EmailTemplates templates;
  REQUIRE(templates.set(NotificationKind::interview_scheduled,
                        {"Hi\r\nBcc: victim@example.com\n\t{{title}}\x0B{{reason}}", "x", "y"}));
  auto notification = notify(NotificationKind::interview_scheduled, scheduled_interview());
  notification.reason = "why\r\nX-Injected: 1";
  const auto rendered = render(notification, templates);
  CHECK(rendered.subject == "Hi Bcc: victim@example.com Technical interview why X-Injected: 1");
}

TEST_CASE("only an http or https meeting link becomes a link in HTML", "[templates]") {
  auto interview = scheduled_interview();
  SECTION("https") {
    const auto rendered = render(notify(NotificationKind::interview_scheduled, interview));
    CHECK(contains(rendered.html, "<a href=\"https://meet.example.com/s/abc123\">"));
    CHECK(contains(rendered.text, "Join: https://meet.example.com/s/abc123"));
  }
  SECTION("javascript") {
    interview.meeting_link = "javascript:alert(document.cookie)";
    const auto rendered = render(notify(NotificationKind::interview_scheduled, interview));
    CHECK_FALSE(contains(rendered.html, "href"));
    CHECK(contains(rendered.html, "javascript:alert(document.cookie)"));
  }
  SECTION("a link with a quote cannot break out of the attribute") {
    interview.meeting_link = "https://meet.example.com/\"onmouseover=\"alert(1)";
    const auto rendered = render(notify(NotificationKind::interview_scheduled, interview));
    CHECK_FALSE(contains(rendered.html, "href"));
    CHECK_FALSE(contains(rendered.html, "\"onmouseover"));
  }
}

TEST_CASE("a rescheduled mail shows the new and the previous time", "[templates]") {
  auto interview = scheduled_interview();
  interview.slot = TimeRange::make(at(13, 15h), 90min).value();
  auto notification = notify(NotificationKind::interview_rescheduled, interview, false);
  notification.previous_slot = TimeRange::make(at(12, 14h), 60min).value();
  const auto rendered = render(notification);
  CHECK(contains(rendered.subject, "now Wed 13 Mar 2024, 11:00 EDT (UTC-4)"));
  CHECK(contains(rendered.text,
                 "When: Wed 13 Mar 2024, 11:00 EDT (UTC-4)\nLength: 1 hour 30 minutes\n"));
  CHECK(contains(rendered.text, "Was: Tue 12 Mar 2024, 10:00 EDT (UTC-4)"));
  CHECK(contains(rendered.html, "Tue 12 Mar 2024, 10:00 EDT (UTC-4)"));
}

TEST_CASE("a cancellation mail carries the whole reason and no join link", "[templates]") {
  auto interview = scheduled_interview();
  interview.status = InterviewStatus::cancelled;
  auto notification = notify(NotificationKind::interview_cancelled, interview);
  std::string reason;
  while (reason.size() + 8 <= 2000)
    reason += "Zoë <&> ";
  notification.reason = reason;
  const auto rendered = render(notification);
  CHECK(contains(rendered.subject, "Interview cancelled: Technical interview"));
  CHECK(contains(rendered.text, "Reason: " + reason));
  CHECK_FALSE(contains(rendered.text, "Join:"));
  CHECK(contains(rendered.html, "Zoë &lt;&amp;&gt; Zoë"));
  CHECK_FALSE(contains(rendered.html, "<&>"));
}

TEST_CASE("text that is not UTF-8 is an error value", "[templates]") {
  auto interview = scheduled_interview();
  interview.title = "\xC0\xAF";  // an overlong "/"
  const auto rendered = EmailTemplates().render(
      notify(NotificationKind::interview_scheduled, interview), mail_options());
  REQUIRE_FALSE(rendered);
  CHECK_THAT(rendered.error().message(), Catch::Contains("interview title is not valid UTF-8"));
}
