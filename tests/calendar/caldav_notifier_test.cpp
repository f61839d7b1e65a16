// CalDavNotifier through the outbox into real Radicale calendars, read back with
// python3-caldav; races (412), later versions, and servers that refuse, fail, stall or
// answer nonsense (tests/servers/http_receiver.py, scripted).
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/calendar/busy_times.hpp>
#include <interviewkit/calendar/caldav_notifier.hpp>
#include <interviewkit/calendar/calendar_sync.hpp>

#include "calendar/calendar_support.hpp"
#include "support/fixture.hpp"
#include "support/python_server.hpp"
#include "support/radicale.hpp"

using namespace interviewkit;
using interviewkit::testing::Fixture;
using interviewkit::testing::PythonServer;
using interviewkit::testing::RadicaleServer;

namespace {

constexpr const char* uid_domain = "hire.example";

std::shared_ptr<CalDavNotifier> notifier_for(std::map<std::string, CalDavCalendar> calendars,
                                             CalDavNotifierOptions options = {}) {
  options.calendar_of = [calendars](const InterviewerId& id) -> std::optional<CalDavCalendar> {
    const auto it = calendars.find(id.str());
    return it == calendars.end() ? std::nullopt : std::optional(it->second);
  };
  options.uid_domain = uid_domain;
  return CalDavNotifier::make(std::move(options)).value();
}

// Two interviewers with a calendar each on one Radicale server; int-3 has none.
struct Panel {
  explicit Panel(CalDavNotifierOptions options = {})
      : notifier(
            notifier_for({{"int-1", {cal1, "int-1", "pw-1"}}, {"int-2", {cal2, "int-2", "pw-2"}}},
                         std::move(options))) {}

  RadicaleServer server{{"int-1", "pw-1"}, {"int-2", "pw-2"}};
  std::string cal1 = server.make_calendar("int-1", "pw-1", "work");
  std::string cal2 = server.make_calendar("int-2", "pw-2", "work");
  std::shared_ptr<CalDavNotifier> notifier;
  Fixture f{std::make_shared<MemoryStore>(), BookingOptions{}, notifier};

  nlohmann::json events(const std::string& url, const std::string& user,
                        const std::string& password) const {
    return nlohmann::json::parse(
        server.list_json(url, user, password, "2024-03-01T00:00:00Z", "2024-04-01T00:00:00Z"));
  }
  void drain_all() {
    while (f.drain().claimed > 0) {
    }
  }
};

bool holds(const nlohmann::json& event, const std::string& line) {
  return event.at("ics").get<std::string>().find(line) != std::string::npos;
}

}  // namespace

TEST_CASE("booked interviews are written into, moved in and removed from interviewers' calendars",
          "[caldav][sync]") {
  Panel p;
  const auto id = p.f.create("cand-1", {"int-1", "int-2", "int-3"}).id;
  const auto booked = p.f.service
                          ->book(id, interviewkit::testing::slot(12, std::chrono::hours{9}),
                                 interviewkit::testing::recruiter())
                          .value()
                          .interview;
  p.drain_all();
  const auto uid = calendar_uid(id, uid_domain);
  for (const auto& [url, user, password] :
       {std::tuple{p.cal1, "int-1", "pw-1"}, std::tuple{p.cal2, "int-2", "pw-2"}}) {
    const auto events = p.events(url, user, password);
    REQUIRE(events.size() == 1);
    CHECK(events[0].at("uid") == uid);
    CHECK(holds(events[0], "DTSTART:20240312T090000Z"));
    CHECK(holds(events[0], "STATUS:TENTATIVE"));
    CHECK(holds(events[0], fmt::format("SEQUENCE:{}", booked.version)));
  }
  // Every invite is delivered (the interviewers' written, the others explained); the four
  // reminders wait for their time.
  const auto counts = p.f.store->count_outbox({}).value();
  CHECK(counts.delivered == 4);
  CHECK(counts.pending == 4);

  const auto moved = p.f.service
                         ->reschedule(id, interviewkit::testing::slot(13, std::chrono::hours{14}),
                                      interviewkit::testing::recruiter())
                         .value()
                         .interview;
  p.drain_all();
  const auto after = p.events(p.cal1, "int-1", "pw-1");
  REQUIRE(after.size() == 1);
  CHECK(holds(after[0], "DTSTART:20240313T140000Z"));
  CHECK(holds(after[0], fmt::format("SEQUENCE:{}", moved.version)));

  REQUIRE(p.f.service->cancel(id, "position filled", interviewkit::testing::recruiter()));
  p.drain_all();
  CHECK(p.events(p.cal1, "int-1", "pw-1").empty());
  CHECK(p.events(p.cal2, "int-2", "pw-2").empty());
}

TEST_CASE("a cancelled interview can stay in calendars, marked cancelled", "[caldav][sync]") {
  CalDavNotifierOptions options;
  options.on_cancel = CancelledEntry::marked_cancelled;
  Panel p(options);
  const auto id = p.f.create("cand-1", {"int-1"}).id;
  REQUIRE(p.f.service->book(id, interviewkit::testing::slot(12, std::chrono::hours{9}),
                            interviewkit::testing::recruiter()));
  REQUIRE(p.f.service->cancel(id, "", interviewkit::testing::recruiter()));
  p.drain_all();
  const auto events = p.events(p.cal1, "int-1", "pw-1");
  REQUIRE(events.size() == 1);
  CHECK(holds(events[0], "STATUS:CANCELLED"));
  // Read back as busy time, it blocks nothing.
  const auto busy = read_busy_times(
      events[0].at("ics").get<std::string>(), "x",
      interviewkit::testing::slot(12, std::chrono::hours{0}, std::chrono::hours{24}), {});
  CHECK(busy.busy.empty());
}

TEST_CASE("an event someone else holds is read and replaced; a later version is kept",
          "[caldav][sync]") {
  Panel p;
  const auto id = p.f.create("cand-1", {"int-1"}).id;
  const auto uid = calendar_uid(id, uid_domain);
  // An event with our UID already there (an earlier delivery whose answer was lost, or
  // the host's own write), with a SEQUENCE far ahead of ours.
  p.server.put(p.cal1, "int-1", "pw-1",
               interviewkit::testing::vcalendar(
                   fmt::format("BEGIN:VEVENT\nUID:{}\nSEQUENCE:99\nDTSTART:20240320T090000Z\n"
                               "DURATION:PT1H\nEND:VEVENT\n",
                               uid)));
  REQUIRE(p.f.service->book(id, interviewkit::testing::slot(12, std::chrono::hours{9}),
                            interviewkit::testing::recruiter()));
  p.drain_all();
  auto events = p.events(p.cal1, "int-1", "pw-1");
  REQUIRE(events.size() == 1);
  CHECK(holds(events[0], "SEQUENCE:99"));  // left alone
  const auto entries = p.f.memory_log->entries();
  CHECK(std::ranges::any_of(entries, [](const ActionEntry& e) {
    return e.action == ActionType::notification_delivered &&
           e.details.json().value("detail", "").find("already holds version 99") !=
               std::string::npos;
  }));
}

namespace {

// One interviewer whose calendar is the scripted HTTP receiver: each request to it answers
// with the next item of `script` (see tests/servers/http_receiver.py).
struct Scripted {
  PythonServer http{"http_receiver.py", {"whsec_dGVzdA=="}};
  std::shared_ptr<CalDavNotifier> notifier;
  std::unique_ptr<Fixture> f;

  explicit Scripted(const nlohmann::json& script, std::string url = "") {
    if (url.empty())
      url = fmt::format("http://127.0.0.1:{}/script/int-1/work/", http.port());
    std::ofstream(http.dir() / "script.json") << script.dump();
    notifier = notifier_for({{"int-1", {url, "int-1", "s3cret-pw"}}});
    f = std::make_unique<Fixture>(std::make_shared<MemoryStore>(), BookingOptions{}, notifier);
    const auto id = f->create("cand-1", {"int-1"}).id;
    REQUIRE(f->service->book(id, interviewkit::testing::slot(12, std::chrono::hours{9}),
                             interviewkit::testing::recruiter()));
  }

  // The interviewer's scheduled-message after one pass.
  OutboxMessage after_one_pass() {
    (void)f->drain();
    for (const auto& m : f->store->list_outbox({.limit = 100}).value()) {
      if (m.recipient == "interviewer:int-1" && m.kind == NotificationKind::interview_scheduled)
        return m;
    }
    FAIL("no message for int-1");
    return {};
  }
};

nlohmann::json reply(int status, nlohmann::json headers = nlohmann::json::object(),
                     std::string body = "") {
  return {{"status", status}, {"headers", std::move(headers)}, {"body", std::move(body)}};
}

}  // namespace

TEST_CASE("a write that loses a race (412) is read again and retried, and says so",
          "[caldav][sync]") {
  const std::string old_event = interviewkit::testing::vcalendar(
      "BEGIN:VEVENT\nUID:x\nSEQUENCE:0\nDTSTART:20240312T090000Z\nEND:VEVENT\n");
  Scripted s(nlohmann::json::array({reply(412), reply(200, {{"ETag", "\"e1\""}}, old_event),
                                    reply(412), reply(200, {{"ETag", "\"e2\""}}, old_event),
                                    reply(204, {{"ETag", "\"e3\""}})}));
  const auto m = s.after_one_pass();
  CHECK(m.state == OutboxState::delivered);
  CHECK_THAT(m.last_error, Catch::Contains("after 1 concurrent edit(s) (412)"));

  // Every write refused with 412, each read answering with an entity tag and a body that
  // is not even iCalendar: after conflict_retries (3) more tries, a retryable failure.
  auto script = nlohmann::json::array({reply(412)});
  for (int i = 0; i < 6; ++i) {
    script.push_back(reply(200, {{"ETag", "\"e1\""}}, "not a calendar at all"));
    script.push_back(reply(412));
  }
  Scripted endless(script);
  const auto busy = endless.after_one_pass();
  CHECK(busy.state == OutboxState::pending);  // retried later
  CHECK_THAT(busy.last_error, Catch::Contains("kept changing"));
}

TEST_CASE("refused, missing, full, slow and absent calendar servers", "[caldav][sync]") {
  struct Case {
    int status;
    OutboxState state;
    const char* says;
  };
  for (const auto& c : {Case{401, OutboxState::dead, "refused the calendar's account (401)"},
                        Case{403, OutboxState::dead, "refused the calendar's account (403)"},
                        Case{404, OutboxState::dead, "no calendar at this URL (404)"},
                        Case{409, OutboxState::dead, "no calendar at this URL (409)"},
                        Case{507, OutboxState::pending, "cannot take the event now (507)"},
                        Case{503, OutboxState::pending, "the server failed (503)"}}) {
    INFO(c.status);
    Scripted s(reply(c.status));
    const auto m = s.after_one_pass();
    CHECK(m.state == c.state);
    CHECK_THAT(m.last_error, Catch::Contains(c.says));
    CHECK_THAT(m.last_error, !Catch::Contains("s3cret-pw"));
    CHECK_THAT(m.last_error, !Catch::Contains("/script"));
  }

  Scripted stalled(nlohmann::json{{"action", "hang"}});
  const auto slow = stalled.after_one_pass();
  CHECK(slow.state == OutboxState::pending);
  CHECK_THAT(slow.last_error, Catch::Contains("imeout"));

  Scripted down(reply(200),
                fmt::format("http://127.0.0.1:{}/cal/", interviewkit::testing::closed_port()));
  const auto absent = down.after_one_pass();
  CHECK(absent.state == OutboxState::pending);
}

TEST_CASE("an event removed between the failed create and the read is created again",
          "[caldav][sync]") {
  Scripted s(nlohmann::json::array({reply(412), reply(404), reply(201, {{"ETag", "\"n1\""}})}));
  const auto m = s.after_one_pass();
  CHECK(m.state == OutboxState::delivered);
  CHECK_THAT(m.last_error, Catch::Contains("event created (201)"));
}

TEST_CASE("the interviews written into a calendar are not read back as busy time twice",
          "[caldav][sync]") {
  Panel p;
  const auto id = p.f.create("cand-1", {"int-1"}).id;
  const auto slot = interviewkit::testing::slot(12, std::chrono::hours{9});
  REQUIRE(p.f.service->book(id, slot, interviewkit::testing::recruiter()));
  p.drain_all();
  REQUIRE(p.events(p.cal1, "int-1", "pw-1").size() == 1);

  // The slot search already has the interview as booked; the calendar's copy of it is known
  // by its UID and leaves no busy time of its own.
  BusyTimeOptions busy;
  busy.own_uid_domain = uid_domain;
  auto sync = CalendarSync::make(p.f.store, CalDavClient::make().value(), {.busy = busy}).value();
  const auto report = sync->sync({p.cal1, "int-1", "pw-1"}, InterviewerId::make("int-1").value(),
                                 slot.widened(std::chrono::hours{24}, std::chrono::hours{24}))
                          .value();
  CHECK(report.own == 1);
  CHECK(report.busy == 0);
}
