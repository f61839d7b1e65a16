// Notifications follow from transitions via the policy table: who is told what, with keys
// that stay stable, in a payload that round-trips.
#include <atomic>
#include <cstdint>
#include <limits>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "../../src/notify/notification_json.hpp"
#include "../../src/store/store_detail.hpp"
#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {
std::multiset<std::pair<NotificationKind, std::string>> sent(const RecordingNotifier& r) {
  std::multiset<std::pair<NotificationKind, std::string>> out;
  for (const auto& n : r.delivered())
    out.insert({n.kind, n.recipient.key()});
  return out;
}
using K = NotificationKind;

// Interview 42, scheduled: what the notifier tests deliver about.
Interview onsite() {
  return Interview{.id = InterviewId{42},
                   .title = "Onsite",
                   .candidate = candidate("c-1"),
                   .interviewers = {interviewer("i-1")},
                   .slot = slot(12, 9h),
                   .status = InterviewStatus::scheduled,
                   .version = 2,
                   .meeting_link = {},
                   .created_at = at(1, 0min),
                   .updated_at = at(1, 0min)};
}

}  // namespace

TEST_CASE("the default policy sends what each transition calls for", "[notify]") {
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);  // no reminders here
  Fixture f(std::make_shared<MemoryStore>(), options);
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;

  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.drain();
  CHECK(sent(*f.recorder) ==
        std::multiset<std::pair<K, std::string>>{{K::interview_scheduled, "candidate:cand-1"},
                                                 {K::interview_scheduled, "interviewer:int-1"},
                                                 {K::interview_scheduled, "interviewer:int-2"}});

  REQUIRE(f.service->confirm(id, recruiter()));
  f.drain();
  CHECK(sent(*f.recorder).count({K::interview_confirmed, "interviewer:int-1"}) == 1);
  CHECK(sent(*f.recorder).count({K::interview_confirmed, "interviewer:int-2"}) == 1);
  CHECK(sent(*f.recorder).count({K::interview_confirmed, "candidate:cand-1"}) == 0);

  REQUIRE(f.service->reschedule(id, slot(13, 9h), recruiter()));
  f.drain();
  CHECK(sent(*f.recorder).count({K::interview_rescheduled, "candidate:cand-1"}) == 1);
  const auto moved = f.recorder->delivered().back();
  CHECK(moved.previous_slot == slot(12, 9h));
  CHECK(moved.interview.slot == slot(13, 9h));

  REQUIRE(f.service->cancel(id, "position filled", recruiter()));
  f.drain();
  CHECK(sent(*f.recorder).count({K::interview_cancelled, "interviewer:int-2"}) == 1);
  CHECK(f.recorder->delivered().back().reason == "position filled");
  CHECK(f.recorder->delivered().size() == 3 + 2 + 3 + 3);
}

TEST_CASE("cancelling a pending interview notifies nobody; completing sends nothing", "[notify]") {
  Fixture f;
  const auto a = f.create().id;
  REQUIRE(f.service->cancel(a, "duplicate", recruiter()));
  CHECK(f.store->list_outbox({})->empty());
  const auto b = f.create("cand-2", {"int-2"}).id;
  REQUIRE(f.service->book(b, slot(12, 9h), recruiter()));
  const auto before = f.store->list_outbox({})->size();
  f.clock->set(UtcMillis{at(12, 9h)});
  REQUIRE(f.service->complete(b, recruiter()));
  CHECK(f.store->list_outbox({.state = OutboxState::pending})->size() <= before);
}

TEST_CASE("hosts can replace or extend the policy", "[notify]") {
  BookingOptions options{.test_mode = true};
  options.policy =
      NotificationPolicy::defaults(std::nullopt)
          .remove(K::interview_scheduled)
          .add(NotificationRule{InterviewEvent::complete, std::nullopt, K::interview_completed,
                                Audience::candidate, std::nullopt});
  Fixture f(std::make_shared<MemoryStore>(), options);
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.clock->set(UtcMillis{at(12, 10h)});
  REQUIRE(f.service->complete(id, recruiter()));
  f.drain();
  CHECK(sent(*f.recorder) ==
        std::multiset<std::pair<K, std::string>>{{K::interview_completed, "candidate:cand-1"}});
}

TEST_CASE("idempotency keys are stable and distinct", "[notify]") {
  const auto c = Recipient::of(candidate("cand-1"));
  const auto i = Recipient::of(interviewer("int-1"));
  CHECK(make_idempotency_key(InterviewId{42}, 3, c, K::interview_scheduled) ==
        "interview/42/v3/candidate:cand-1/interview_scheduled");
  CHECK(make_idempotency_key(InterviewId{42}, 3, i, K::interview_scheduled) ==
        "interview/42/v3/interviewer:int-1/interview_scheduled");
  constexpr auto most = std::numeric_limits<std::uint64_t>::max();
  CHECK(make_idempotency_key(InterviewId{most}, most, i, K::interview_reminder) ==
        fmt::format("interview/{}/v{}/interviewer:int-1/interview_reminder", most, most));

  Fixture f;
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  const auto messages = f.store->list_outbox({}).value();
  std::set<std::string> keys;
  for (const auto& m : messages) {
    keys.insert(m.idempotency_key);
    CHECK(m.payload.get<Notification>().idempotency_key == m.idempotency_key);
    CHECK(m.message_token.size() >= 22);
  }
  CHECK(keys.size() == messages.size());
}

TEST_CASE("a notification round-trips through its outbox JSON", "[notify]") {
  Fixture f;
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  REQUIRE(f.service->reschedule(id, slot(12, 11h), recruiter()));
  for (const auto& m : f.store->list_outbox({}).value()) {
    const auto n = m.payload.get<Notification>();
    CHECK(nlohmann::json(n) == m.payload);
  }
  auto broken = f.store->list_outbox({}).value().front().payload;
  broken["kind"] = "interview_sheduled";
  CHECK_THROWS_WITH(broken.get<Notification>(), Catch::Contains("not a notification kind"));
}

TEST_CASE("a deferred payload reads as the JSON it stands for, and derives the same keys",
          "[notify][dispatch]") {
  Fixture f;  // a MemoryStore: the payloads stay deferred
  const auto id = f.create("cand-1", {"int-1", "int-2"}).id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  REQUIRE(f.service->reschedule(id, slot(12, 11h), recruiter()));
  REQUIRE(f.service->cancel(id, "the role is filled", recruiter()));
  const auto outbox = f.store->list_outbox({}).value();
  REQUIRE(outbox.size() >= 12);
  for (const auto& m : outbox) {
    const auto* deferred = detail::notification_payload(m.payload);
    REQUIRE(deferred != nullptr);
    const auto notification = deferred->notification();  // what the dispatcher reads
    const JsonValue as_json(m.payload.json());           // what a SQL store writes
    CHECK(detail::notification_payload(as_json) == nullptr);
    CHECK(as_json.get<Notification>() == notification);
    CHECK(nlohmann::json(notification) == as_json);
    // The keys derived without JSON are those a store derives from the JSON.
    auto written = m;
    written.payload = as_json;
    CHECK(detail::with_keys(written).recipient == m.recipient);
    CHECK(detail::with_keys(written).revision == m.revision);
    CHECK(m.recipient == notification.recipient.key());
    CHECK(m.revision == notification.interview.version);
  }
}

TEST_CASE("LogNotifier writes to the host's logger, never to spdlog's default one", "[notify]") {
  CHECK(LogNotifier::make(nullptr).error().is<InvalidInput>());

  const auto logger = [](const std::string& name, std::ostringstream& out) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_pattern("%n %l %v");
    return std::make_shared<spdlog::logger>(name, std::move(sink));
  };
  std::ostringstream host_out;
  std::ostringstream default_out;
  const auto previous = spdlog::default_logger();
  spdlog::set_default_logger(logger("default", default_out));  // watched: nothing may reach it
  auto notifier = LogNotifier::make(logger("hiring", host_out)).value();
  const auto interview = onsite();
  const Notification n{K::interview_scheduled,
                       Recipient::of(interview.candidate),
                       interview,
                       std::nullopt,
                       {},
                       "key-1"};
  const auto outcome = notifier->deliver(n, DeliveryContext{});
  spdlog::set_default_logger(previous);

  CHECK(outcome.ok());
  CHECK(outcome.detail == "logged");
  CHECK(host_out.str().starts_with("hiring info notify interview_scheduled to "));
  CHECK(host_out.str().find("about interview 42") != std::string::npos);
  CHECK(default_out.str().empty());
}

TEST_CASE("LogNotifier and RecordingNotifier take concurrent deliveries", "[notify][concurrency]") {
  // A single-threaded sink: only LogNotifier's own lock keeps its lines whole.
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
  sink->set_pattern("%v");
  auto log = LogNotifier::make(std::make_shared<spdlog::logger>("hiring", std::move(sink))).value();
  RecordingNotifier recording;
  CHECK(log->max_concurrency() == 64);
  CHECK(recording.max_concurrency() == 64);

  const auto interview = onsite();
  const Notification n{
      K::interview_scheduled, Recipient::of(interview.candidate), interview, std::nullopt, {}, "k"};
  std::atomic<int> ok{0};  // Catch's assertions are not thread-safe: counted, checked after
  std::vector<std::thread> workers;
  for (int t = 0; t < 8; ++t) {
    workers.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        ok += log->deliver(n, DeliveryContext{}).ok() ? 1 : 0;
        ok += recording.deliver(n, DeliveryContext{}).ok() ? 1 : 0;
      }
    });
  }
  for (auto& worker : workers)
    worker.join();

  std::istringstream lines(out.str());
  int count = 0;
  for (std::string line; std::getline(lines, line); ++count)
    CHECK(line.starts_with("notify interview_scheduled to "));
  CHECK(count == 400);
  CHECK(ok == 800);
  CHECK(recording.attempts() == 400);
  CHECK(recording.delivered().size() == 400);
}
