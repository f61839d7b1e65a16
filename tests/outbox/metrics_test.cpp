// Outbox metrics: a dispatcher counts what it delivered, retried, gave up and expired per
// channel and kind, a process without one reads the same from the store's rows, and the
// Prometheus text they render is read back by the Prometheus project's own Python parser.
#include <condition_variable>
#include <cstdlib>
#include <fstream>
#include <future>
#include <map>
#include <sstream>
#include <thread>

#include <interviewkit/store/sqlite_store.hpp>

#include "outbox/planted.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

using K = NotificationKind;

UtcMillis march_first() {
  return UtcMillis{date::sys_days{date::year{2024} / 3 / 1}};
}

std::shared_ptr<Store> make_store(const std::string& kind, const TempDir& dir) {
  if (kind == "sqlite")
    return SqliteStore::open(dir.path() / "metrics.db").value();
  return std::make_shared<MemoryStore>();
}

// "mail" delivers with a server reply; "sms" fails once (retryable), then for good.
Dispatcher::Channels channels() {
  auto mail = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    return DeliveryOutcome::delivered("250 2.0.0 Ok: queued as 4BX1");
  });
  auto sms = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t attempt) {
    return attempt == 0 ? DeliveryOutcome::transient_failure("503 gateway busy")
                        : DeliveryOutcome::permanent_failure("400 not a mobile number");
  });
  return {{"mail", mail}, {"sms", sms}};
}

}  // namespace

TEST_CASE("a dispatcher counts real outcomes per channel and kind, and the store agrees",
          "[metrics]") {
  const auto kind = GENERATE(as<std::string>{}, "memory", "sqlite");
  CAPTURE(kind);
  TempDir dir("metrics");
  auto store = make_store(kind, dir);
  auto clock = std::make_shared<ManualClock>(march_first());
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  auto dispatcher =
      Dispatcher::make(store, channels(), log, with_clock(Fixture::fast_retries(), clock)).value();
  const auto now = clock->now();

  // Delivered 2 s late (mail), failed then dead (sms), delivered on time (reminder).
  const auto first = plant(*store, "c-1", slot(20, 9h),
                           {{"mail", K::interview_scheduled}, {"sms", K::interview_scheduled}},
                           now - std::chrono::seconds{2});
  plant(*store, "c-2", slot(21, 9h), {{"mail", K::interview_reminder}}, now);
  // Too late: the interview started yesterday. Superseded: cancelled behind its back.
  plant(*store, "c-3", TimeRange::make(at(1, 0min) - date::days{1}, 1h).value(),
        {{"mail", K::interview_scheduled}}, now);
  const auto moved = plant(*store, "c-4", slot(22, 9h), {{"mail", K::interview_scheduled}}, now);
  cancel_behind_the_back(*store, moved.interview);

  CHECK(dispatcher->drain_once().value().claimed == 5);
  clock->advance(std::chrono::milliseconds{200});  // past the sms retry (cap 100 ms)
  CHECK(dispatcher->drain_once().value().dead == 1);

  const auto stats = dispatcher->stats().value();
  using Outcomes = std::map<std::pair<std::string, NotificationKind>, OutcomeCounters>;
  const Outcomes counted = {
      {{"mail", K::interview_scheduled}, {.delivered = 1, .expired = 1, .superseded = 1}},
      {{"mail", K::interview_reminder}, {.delivered = 1}},
      {{"sms", K::interview_scheduled}, {.failed = 1, .dead = 1}},
  };
  CHECK(stats.outcomes == counted);
  const std::map<OutboxState, std::uint64_t> states = {{OutboxState::pending, 0},
                                                       {OutboxState::delivered, 2},
                                                       {OutboxState::dead, 1},
                                                       {OutboxState::expired, 2}};
  CHECK(stats.messages == states);
  CHECK(stats.due_messages == 0);
  CHECK_FALSE(stats.oldest_due_age_seconds);
  CHECK(stats.in_flight == 0);
  // Latency: 2 s for the late one, 0 for the reminder (the manual clock stood still).
  CHECK(stats.latency.count == 2);
  CHECK(stats.latency.sum_seconds == 2.0);
  REQUIRE(stats.latency.counts.size() == stats.latency.bounds_seconds.size() + 1);
  CHECK(stats.latency.counts.front() == 1);  // 0 s: the first bucket
  const auto two = std::lower_bound(stats.latency.bounds_seconds.begin(),
                                    stats.latency.bounds_seconds.end(), 2.0) -
                   stats.latency.bounds_seconds.begin();
  CHECK(stats.latency.counts[static_cast<std::size_t>(two)] == 1);

  // A delivered message keeps the receiver's reply; the dead one its reason.
  const auto mail = store->find_outbox(first.ids[0]).value().value();
  CHECK(mail.state == OutboxState::delivered);
  CHECK(mail.last_error == "250 2.0.0 Ok: queued as 4BX1");
  CHECK(store->find_outbox(first.ids[1]).value()->last_error == "400 not a mobile number");

  // A process without the dispatcher reads the same outcomes from the rows, except the
  // failed attempt, which left no row behind (the message is dead now).
  auto from_rows = store_metrics(*store, clock->now()).value();
  auto expected_rows = counted;
  expected_rows[{"sms", K::interview_scheduled}].failed = 0;
  CHECK(from_rows.outcomes == expected_rows);
  CHECK(from_rows.messages == states);
  CHECK(from_rows.in_flight == 0);
  CHECK(from_rows.latency == LatencyHistogram{});

  SECTION("due messages and the oldest one's age") {
    plant(*store, "c-5", slot(23, 9h), {{"mail", K::interview_scheduled}},
          clock->now() - std::chrono::milliseconds{90500});
    plant(*store, "c-6", slot(23, 11h), {{"mail", K::interview_scheduled}}, clock->now());
    plant(*store, "c-7", slot(23, 13h), {{"mail", K::interview_reminder}},
          clock->now() + std::chrono::hours{1});
    auto rows = store_metrics(*store, clock->now()).value();
    CHECK(rows.due_messages == 2);
    CHECK(rows.oldest_due_age_seconds == 90.5);
    CHECK(rows.messages.at(OutboxState::pending) == 3);
    const auto live = dispatcher->stats().value();
    CHECK(live.due_messages == 2);
    CHECK(live.oldest_due_age_seconds == 90.5);
  }
}

TEST_CASE("the in-flight gauge counts a delivery while it runs", "[metrics][concurrency]") {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  auto slow = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
    entered.set_value();
    released.wait();
    return DeliveryOutcome::delivered();
  });
  auto store = std::make_shared<MemoryStore>();
  auto clock = std::make_shared<ManualClock>(march_first());
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  auto dispatcher =
      Dispatcher::make(store, slow, log, with_clock(Fixture::fast_retries(), clock)).value();
  plant(*store, "c-1", slot(20, 9h), {{"default", K::interview_scheduled}}, clock->now());

  std::thread pass([&] { (void)dispatcher->drain_once(); });
  entered.get_future().wait();
  CHECK(dispatcher->stats().value().in_flight == 1);
  release.set_value();
  pass.join();
  const auto after = dispatcher->stats().value();
  CHECK(after.in_flight == 0);
  CHECK(after.outcomes.at({"default", K::interview_scheduled}).delivered == 1);
}

namespace {

struct ParsedSample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct ParsedFamily {
  std::string type;
  std::string help;
  std::vector<ParsedSample> samples;
};

// `text` through prometheus_client.parser.text_string_to_metric_families (Debian's
// python3-prometheus-client), in a child process: families by name. Values travel as
// Python's repr, which round-trips, and is what strtod reads ("inf", "nan" included).
std::map<std::string, ParsedFamily> parse_with_prometheus_client(const std::string& text) {
  TempDir dir("prometheus");
  const auto in = dir.path() / "metrics.txt";
  const auto out = dir.path() / "parsed.json";
  std::ofstream(in, std::ios::binary) << text;
  const auto status = wait_for(
      spawn({"/usr/bin/python3", INTERVIEWKIT_PROMETHEUS_PARSER, in.string(), out.string()}));
  INFO("python3 " INTERVIEWKIT_PROMETHEUS_PARSER
       " failed: is python3-prometheus-client "
       "installed (scripts/install-deps)?");
  REQUIRE(status == 0);
  std::ifstream file(out, std::ios::binary);
  const auto json = nlohmann::json::parse(file);
  std::map<std::string, ParsedFamily> families;
  for (const auto& f : json) {
    ParsedFamily family{f.at("type").get<std::string>(), f.at("help").get<std::string>(), {}};
    for (const auto& s : f.at("samples")) {
      family.samples.push_back({s.at("name").get<std::string>(),
                                s.at("labels").get<std::map<std::string, std::string>>(),
                                std::strtod(s.at("value").get<std::string>().c_str(), nullptr)});
    }
    families[f.at("name").get<std::string>()] = std::move(family);
  }
  return families;
}

MetricsSnapshot hostile_snapshot() {
  MetricsSnapshot s;
  s.outcomes[{"mail", K::interview_scheduled}] = {7, 3, 1, 2, 4};
  s.outcomes[{"a \"quoted\" \\back\\slashed\nnew-lined chännel – 李雷 }{=,",
              K::interview_reminder}] = {18446744073709551615ULL, 0, 0, 0, 1};
  s.messages = {{OutboxState::pending, 5},
                {OutboxState::delivered, 123456},
                {OutboxState::dead, 1},
                {OutboxState::expired, 0}};
  s.due_messages = 3;
  s.oldest_due_age_seconds = 0.1 + 0.2;  // 0.30000000000000004: must round-trip exactly
  s.in_flight = 2;
  s.latency.bounds_seconds = {0.05, 0.1, 1, 60};
  s.latency.counts = {4, 0, 2, 1, 3};
  s.latency.sum_seconds = 1234.5678901234567;
  s.latency.count = 10;
  return s;
}

}  // namespace

TEST_CASE("render_prometheus is read back exactly by the Prometheus client's parser", "[metrics]") {
  const auto snapshot = hostile_snapshot();
  const auto text = render_prometheus(snapshot);
  CAPTURE(text);
  auto families = parse_with_prometheus_client(text);

  // The text format's counter family is named with _total; the parser reports it without.
  const auto& outcomes = families.at("interviewkit_notifications");
  CHECK(outcomes.type == "counter");
  CHECK_FALSE(outcomes.help.empty());
  std::map<std::tuple<std::string, std::string, std::string>, double> parsed;
  for (const auto& s : outcomes.samples) {
    CHECK(s.name == "interviewkit_notifications_total");
    CHECK(s.labels.size() == 3);
    parsed[{s.labels.at("channel"), s.labels.at("kind"), s.labels.at("outcome")}] = s.value;
  }
  std::map<std::tuple<std::string, std::string, std::string>, double> expected;
  for (const auto& [key, c] : snapshot.outcomes) {
    const std::string kind(to_string(key.second));
    expected[{key.first, kind, "delivered"}] = static_cast<double>(c.delivered);
    expected[{key.first, kind, "failed"}] = static_cast<double>(c.failed);
    expected[{key.first, kind, "dead"}] = static_cast<double>(c.dead);
    expected[{key.first, kind, "expired"}] = static_cast<double>(c.expired);
    expected[{key.first, kind, "superseded"}] = static_cast<double>(c.superseded);
  }
  CHECK(parsed == expected);

  const auto& states = families.at("interviewkit_outbox_messages");
  CHECK(states.type == "gauge");
  std::map<std::string, double> by_state;
  for (const auto& s : states.samples)
    by_state[s.labels.at("state")] = s.value;
  CHECK(by_state == std::map<std::string, double>{
                        {"pending", 5}, {"delivered", 123456}, {"dead", 1}, {"expired", 0}});

  const auto single = [&](const std::string& name) {
    const auto& f = families.at(name);
    CHECK(f.type == "gauge");
    REQUIRE(f.samples.size() == 1);
    CHECK(f.samples[0].labels.empty());
    return f.samples[0].value;
  };
  CHECK(single("interviewkit_outbox_due_messages") == 3);
  CHECK(single("interviewkit_outbox_oldest_due_age_seconds") == 0.1 + 0.2);
  CHECK(single("interviewkit_deliveries_in_flight") == 2);

  // Buckets come back cumulative, the +Inf one equal to the count.
  const auto& latency = families.at("interviewkit_delivery_latency_seconds");
  CHECK(latency.type == "histogram");
  std::vector<std::pair<double, double>> buckets;
  double sum = -1;
  double count = -1;
  for (const auto& s : latency.samples) {
    if (s.name == "interviewkit_delivery_latency_seconds_bucket")
      buckets.emplace_back(std::strtod(s.labels.at("le").c_str(), nullptr), s.value);
    else if (s.name == "interviewkit_delivery_latency_seconds_sum")
      sum = s.value;
    else if (s.name == "interviewkit_delivery_latency_seconds_count")
      count = s.value;
  }
  const std::vector<std::pair<double, double>> cumulative = {
      {0.05, 4}, {0.1, 4}, {1, 6}, {60, 7}, {HUGE_VAL, 10}};
  CHECK(buckets == cumulative);
  CHECK(sum == 1234.5678901234567);
  CHECK(count == 10);
}

TEST_CASE("render_prometheus leaves out what a snapshot does not know", "[metrics]") {
  MetricsSnapshot s;  // as store_metrics returns it for an empty outbox
  s.messages = {{OutboxState::pending, 0}};
  s.outcomes[{"bad \xff byte", K::interview_scheduled}] = {1, 0, 0, 0, 0};
  const auto text = render_prometheus(s);
  CAPTURE(text);
  auto families = parse_with_prometheus_client(text);
  CHECK(families.at("interviewkit_outbox_oldest_due_age_seconds").samples.empty());
  CHECK_FALSE(families.contains("interviewkit_delivery_latency_seconds"));
  CHECK(families.at("interviewkit_outbox_messages").samples.size() == 4);  // every state
  // Invalid UTF-8 in a label value becomes U+FFFD: the format requires UTF-8.
  CHECK(families.at("interviewkit_notifications").samples.at(0).labels.at("channel") ==
        "bad \xef\xbf\xbd byte");
}
