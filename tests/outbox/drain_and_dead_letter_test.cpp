// The host hears about every dead letter through on_dead_letter (and a callback that throws
// cannot stop a pass), and drain_until_idle runs passes until the outbox has nothing left to
// do within its timeout, or says what is left.
#include <algorithm>
#include <limits>
#include <mutex>
#include <stdexcept>

#include "outbox/planted.hpp"
#include "support/real_time.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

using K = NotificationKind;

std::shared_ptr<ActionLog> memory_log() {
  return ActionLog::make(std::make_shared<MemorySink>()).value();
}

}  // namespace

TEST_CASE("on_dead_letter hears of every dead letter once, with its reason", "[dispatcher]") {
  auto store = std::make_shared<MemoryStore>();
  auto clock = std::make_shared<ManualClock>(UtcMillis{at(1, 0min)});
  auto refused = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    return DeliveryOutcome::permanent_failure("550 5.1.1 mailbox unavailable");
  });
  auto fine = std::make_shared<RecordingNotifier>();
  std::vector<std::pair<OutboxMessage, std::string>> heard;
  std::vector<std::string> errors;
  auto options = with_clock(Fixture::fast_retries(), clock);
  std::mutex mutex;  // the callbacks run on the delivery threads, maybe several at once
  options.on_error = [&](const std::string& message) {
    std::lock_guard lock(mutex);
    errors.push_back(message);
  };
  const bool throws = GENERATE(false, true);
  options.on_dead_letter = [&](const OutboxMessage& message, const std::string& reason) {
    std::lock_guard lock(mutex);
    heard.emplace_back(message, reason);
    if (throws)
      throw std::runtime_error("pager service down");
  };
  auto dispatcher =
      Dispatcher::make(store, {{"mail", refused}, {"files", fine}}, memory_log(), options).value();
  // Two refused, one for a channel nobody serves, and one that goes through.
  const auto planted = plant(*store, "c-1", slot(20, 9h),
                             {{"mail", K::interview_scheduled},
                              {"mail", K::interview_reminder},
                              {"pager", K::interview_scheduled},
                              {"files", K::interview_scheduled}},
                             clock->now());

  const auto stats = dispatcher->drain_once().value();
  CHECK(stats.dead == 2);
  CHECK(stats.delivered == 1);  // the pass went on after every throw
  // The reminder waited behind the invite to the same recipient on the same channel.
  CHECK(dispatcher->drain_once().value().dead == 1);
  REQUIRE(heard.size() == 3);
  for (const auto& [message, reason] : heard) {
    const auto stored = store->find_outbox(message.id).value().value();
    CHECK(stored.state == OutboxState::dead);  // recorded before the host hears of it
    CHECK(message.state == OutboxState::dead);
    CHECK(reason == stored.last_error);
    CHECK(message.last_error == reason);
  }
  // Heard in the order they ended: the pager's and the invite's in either order (they run
  // at once), the reminder's last.
  const auto pager = std::find_if(heard.begin(), heard.end(),
                                  [](const auto& h) { return h.first.channel == "pager"; });
  REQUIRE(pager != heard.end());
  CHECK(pager->second.find("no notifier for channel \"pager\"") != std::string::npos);
  const auto invite = std::find_if(heard.begin(), heard.end(),
                                   [&](const auto& h) { return h.first.id == planted.ids[0]; });
  REQUIRE(invite != heard.end());
  CHECK(invite->second == "550 5.1.1 mailbox unavailable");
  CHECK(heard[2].first.id == planted.ids[1]);
  if (throws) {
    REQUIRE(errors.size() == 3);
    CHECK(errors[0].find("on_dead_letter threw") != std::string::npos);
    CHECK(errors[0].find("pager service down") != std::string::npos);
  } else {
    CHECK(errors.empty());
  }
  CHECK(dispatcher->drain_once().value().claimed == 0);  // nothing heard twice
  CHECK(heard.size() == 3);
}

TEST_CASE("drain_until_idle waits for retries due within its timeout", "[dispatcher]") {
  auto store = std::make_shared<MemoryStore>();
  // Each message fails twice, then goes through: retries 10 to 50 ms apart on real time.
  auto flaky = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t attempt) {
    return attempt < 6 ? DeliveryOutcome::transient_failure("451 try again later")
                       : DeliveryOutcome::delivered("250 ok");
  });
  DispatcherOptions options;
  options.retry.base = std::chrono::milliseconds{10};
  options.retry.cap = std::chrono::milliseconds{50};
  options.idle_poll = std::chrono::milliseconds{20};
  options.breaker.failure_threshold = 0;  // every retry is a real attempt
  auto dispatcher = Dispatcher::make(store, flaky, memory_log(), options).value();
  plant(*store, "c-1", next_week(),
        {{"default", K::interview_scheduled},
         {"default", K::interview_confirmed},
         {"default", K::interview_reminder}},
        real_now());
  // A reminder due next week is no unfinished work.
  plant(*store, "c-2", next_week(), {{"default", K::interview_reminder}},
        real_now() + date::days{6});

  const bool background = GENERATE(false, true);
  if (background)
    dispatcher->start();  // the passes take turns with the background thread's
  const auto drained = dispatcher->drain_until_idle(std::chrono::seconds{10});
  dispatcher->stop();
  REQUIRE(drained);
  if (!background) {
    CHECK(drained->delivered == 3);
    CHECK(drained->failed == 6);
  }
  const auto counts = store->count_outbox({}).value();
  CHECK(counts.delivered == 3);
  CHECK(counts.pending == 1);  // next week's
}

TEST_CASE("drain_until_idle says what is left when it cannot finish in time", "[dispatcher]") {
  auto store = std::make_shared<MemoryStore>();
  std::vector<std::string> errors;
  DispatcherOptions options;
  options.on_error = [&](const std::string& message) { errors.push_back(message); };
  options.retry.base = std::chrono::milliseconds{5};
  options.idle_poll = std::chrono::milliseconds{10};
  options.retry.max_attempts = 0;         // never give up on attempts: only time ends this
  options.breaker.failure_threshold = 0;  // every retry is a real attempt

  SECTION("a channel asks to come back in an hour: no waiting for it") {
    options.retry.cap = std::chrono::hours{2};
    auto busy = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
      return DeliveryOutcome::transient_failure("429 slow down",
                                                real_now() + std::chrono::hours{1});
    });
    auto dispatcher = Dispatcher::make(store, busy, memory_log(), options).value();
    plant(*store, "c-1", next_week(), {{"default", K::interview_scheduled}}, real_now());
    const auto started = std::chrono::steady_clock::now();
    const auto drained = dispatcher->drain_until_idle(std::chrono::seconds{30});
    REQUIRE_FALSE(drained);
    CHECK(drained.error().is<Unavailable>());
    const auto& why = drained.error().message();
    CAPTURE(why);
    CHECK(why.find("1 pending messages remain") != std::string::npos);
    CHECK(why.find("1 waiting for a retry after it") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds{10});
    CHECK(busy->attempts() == 1);
  }
  SECTION("a channel keeps failing fast: the timeout ends it") {
    options.retry.cap = std::chrono::milliseconds{20};
    auto down = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
      return DeliveryOutcome::transient_failure("connection refused");
    });
    auto dispatcher = Dispatcher::make(store, down, memory_log(), options).value();
    plant(*store, "c-1", next_week(), {{"default", K::interview_scheduled}}, real_now());
    const auto started = std::chrono::steady_clock::now();
    const auto drained = dispatcher->drain_until_idle(std::chrono::milliseconds{300});
    REQUIRE_FALSE(drained);
    CHECK(drained.error().is<Unavailable>());
    // It kept going until the timeout, or until the next retry (at most the 20 ms cap away)
    // fell beyond it.
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds{250});
    CHECK(drained.error().message().find("1 pending messages remain") != std::string::npos);
    CHECK(down->attempts() > 2);  // it did keep trying meanwhile
  }
  CHECK(errors.empty());
}

TEST_CASE("latency buckets that cannot make a histogram are refused", "[dispatcher][metrics]") {
  auto store = std::make_shared<MemoryStore>();
  auto notifier = std::make_shared<RecordingNotifier>();
  const auto with_buckets = [](std::vector<double> bounds) {
    DispatcherOptions options;
    options.latency_buckets_seconds = std::move(bounds);
    return options;
  };
  for (auto bad : {std::vector<double>{1, 0.5}, std::vector<double>{0, 1},
                   std::vector<double>{1, std::numeric_limits<double>::quiet_NaN()},
                   std::vector<double>{1, 1}, std::vector<double>(65, 1.0)}) {
    const auto made = Dispatcher::make(store, notifier, memory_log(), with_buckets(bad));
    REQUIRE_FALSE(made);
    CHECK(made.error().is<InvalidInput>());
    CHECK(made.error().message().find("latency_buckets_seconds") != std::string::npos);
  }
  // No bounds at all: one +Inf bucket.
  auto plain = Dispatcher::make(store, notifier, memory_log(), with_buckets({})).value();
  const auto stats = plain->stats().value();
  CHECK(stats.latency.bounds_seconds.empty());
  CHECK(stats.latency.counts == std::vector<std::uint64_t>{0});
  CHECK(render_prometheus(stats).find(
            "interviewkit_delivery_latency_seconds_bucket{le=\"+Inf\"} 0") != std::string::npos);
}
