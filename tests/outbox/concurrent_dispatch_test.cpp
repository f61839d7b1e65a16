// Concurrent dispatch: a pass keeps many deliveries in flight within every bound (overall,
// per channel, per destination), a recipient's messages still go out in the order they were
// enqueued across concurrent passes and workers, waiting messages keep their lease while
// slow deliveries run, stop() returns once the deliveries in flight end, and a dead
// destination's circuit opens with many sends in flight. Real time, real threads, a real
// MemoryStore shared by the workers.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "outbox/planted.hpp"
#include "support/real_time.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using namespace std::chrono_literals;

namespace {

using K = NotificationKind;
using steady = std::chrono::steady_clock;

// A channel whose deliveries take `latency`, counting how many run at once.
class SlowChannel final : public Notifier {
 public:
  SlowChannel(std::size_t concurrency, std::chrono::milliseconds latency,
              std::string destination = {})
      : concurrency_(concurrency), latency_(latency), destination_(std::move(destination)) {}

  struct Call {
    std::string key;
    InterviewId interview;
    steady::time_point start, end;
  };

  DeliveryOutcome deliver(const Notification& n, const DeliveryContext& /*context*/) override {
    const auto start = steady::now();
    const auto now_running = ++running_;
    auto peak = peak_.load();
    while (now_running > peak && !peak_.compare_exchange_weak(peak, now_running)) {
    }
    std::this_thread::sleep_for(latency_);
    --running_;
    std::lock_guard lock(mutex_);
    calls_.push_back({n.idempotency_key, n.interview.id, start, steady::now()});
    return fail_ ? DeliveryOutcome::transient_failure("421 4.3.2 try later")
                 : DeliveryOutcome::delivered("250 ok");
  }
  [[nodiscard]] std::size_t max_concurrency() const noexcept override { return concurrency_; }
  [[nodiscard]] std::string destination() const override { return destination_; }

  void fail(bool on) { fail_ = on; }
  [[nodiscard]] std::size_t peak() const { return peak_.load(); }
  [[nodiscard]] std::size_t running() const { return running_.load(); }
  [[nodiscard]] std::vector<Call> calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
  }

 private:
  std::size_t concurrency_;
  std::chrono::milliseconds latency_;
  std::string destination_;
  std::atomic<bool> fail_{false};
  std::atomic<std::size_t> running_{0};
  std::atomic<std::size_t> peak_{0};
  mutable std::mutex mutex_;
  std::vector<Call> calls_;
};

std::shared_ptr<ActionLog> memory_log(std::shared_ptr<MemorySink> sink) {
  return ActionLog::make(std::move(sink)).value();
}

// `count` interviews, each with one message per (channel, kind) for its candidate, due now.
std::vector<Planted> plant_many(Store& store, int count,
                                const std::vector<std::pair<std::string, K>>& messages) {
  std::vector<Planted> planted;
  for (int i = 0; i < count; ++i)
    planted.push_back(plant(store, fmt::format("c-{}", i), next_week(), messages, real_now()));
  return planted;
}

std::map<std::string, int> sends_per_key(const std::vector<SlowChannel::Call>& calls) {
  std::map<std::string, int> sends;
  for (const auto& c : calls)
    ++sends[c.key];
  return sends;
}

}  // namespace

TEST_CASE("a pass keeps many deliveries in flight, within every bound", "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(50, 40ms, "smtp://mail.example.com:25");
  auto hook = std::make_shared<SlowChannel>(50, 40ms, "https://hooks.example.com");
  plant_many(*store, 60, {{"mail", K::interview_scheduled}, {"hook", K::interview_scheduled}});
  DispatcherOptions options;
  options.batch_size = 500;
  options.max_in_flight = 24;
  options.max_per_destination = 12;
  options.max_per_channel = {{"hook", 4}};
  auto dispatcher = Dispatcher::make(store, {{"mail", mail}, {"hook", hook}},
                                     memory_log(std::make_shared<MemorySink>()), options)
                        .value();
  const auto stats = dispatcher->drain_once().value();
  CHECK(stats.claimed == 120);
  CHECK(stats.delivered == 120);
  CHECK(mail->peak() == 12);  // its destination's bound, reached
  CHECK(hook->peak() == 4);   // the host's bound for the channel, reached
  CHECK(mail->calls().size() == 60);
  CHECK(hook->calls().size() == 60);
  CHECK(store->count_outbox({}).value().delivered == 120);
}

TEST_CASE("the sequential mode delivers one message at a time", "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(50, 5ms);
  plant_many(*store, 20, {{"mail", K::interview_scheduled}});
  DispatcherOptions options;
  options.max_in_flight = 1;
  auto dispatcher =
      Dispatcher::make(store, {{"mail", mail}}, memory_log(std::make_shared<MemorySink>()), options)
          .value();
  CHECK(dispatcher->drain_once().value().delivered == 20);
  CHECK(mail->peak() == 1);
}

TEST_CASE("a channel that reports no concurrency is called one at a time",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(1, 5ms);
  auto zero = std::make_shared<SlowChannel>(0, 5ms);  // 0 reads as 1
  plant_many(*store, 15, {{"mail", K::interview_scheduled}, {"zero", K::interview_scheduled}});
  auto dispatcher = Dispatcher::make(store, {{"mail", mail}, {"zero", zero}},
                                     memory_log(std::make_shared<MemorySink>()))
                        .value();
  CHECK(dispatcher->drain_once().value().delivered == 30);
  CHECK(mail->peak() == 1);
  CHECK(zero->peak() == 1);
}

TEST_CASE("a recipient's messages go out in order across concurrent passes and workers",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(16, 3ms);
  const auto planted = plant_many(*store, 30,
                                  {{"mail", K::interview_scheduled},
                                   {"mail", K::interview_reminder},
                                   {"mail", K::interview_confirmed}});
  DispatcherOptions options;
  options.max_in_flight = 8;
  options.idle_poll = 5ms;
  std::vector<std::unique_ptr<Dispatcher>> workers;
  for (int i = 0; i < 2; ++i) {
    workers.push_back(Dispatcher::make(store, {{"mail", mail}},
                                       memory_log(std::make_shared<MemorySink>()), options)
                          .value());
    workers.back()->start();
  }
  REQUIRE(workers.front()->drain_until_idle(20s));
  for (auto& w : workers)
    w->stop();
  const auto calls = mail->calls();
  REQUIRE(calls.size() == 90);
  for (const auto& p : planted) {
    std::vector<SlowChannel::Call> mine;
    std::copy_if(calls.begin(), calls.end(), std::back_inserter(mine),
                 [&](const auto& c) { return c.interview == p.interview.id; });
    REQUIRE(mine.size() == 3);
    std::sort(mine.begin(), mine.end(), [](auto& a, auto& b) { return a.start < b.start; });
    for (std::size_t i = 0; i < mine.size(); ++i) {
      const auto message = store->find_outbox(p.ids[i]).value().value();
      CHECK(mine[i].key + "/mail" == message.idempotency_key);  // enqueue order
      if (i > 0)
        CHECK(mine[i].start >= mine[i - 1].end);  // one at a time
    }
  }
}

TEST_CASE("waiting messages keep their lease while slow deliveries run",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(2, 120ms);
  plant_many(*store, 12, {{"mail", K::interview_scheduled}});
  DispatcherOptions options;
  options.max_in_flight = 2;
  options.batch_size = 12;
  options.lease = 400ms;  // the batch takes about 720 ms
  options.delivery_timeout = 150ms;
  auto log = memory_log(std::make_shared<MemorySink>());
  auto slow = Dispatcher::make(store, {{"mail", mail}}, log, options).value();
  auto rival = Dispatcher::make(store, {{"mail", mail}}, log, options).value();
  DrainStats stats;
  std::thread pass([&] { stats = slow->drain_once().value(); });
  while (mail->running() == 0)  // the slow pass holds the whole batch now
    std::this_thread::sleep_for(1ms);
  std::size_t rival_claims = 0;
  while (mail->calls().size() < 12) {  // a rival worker keeps polling meanwhile
    rival_claims += rival->drain_once().value().claimed;
    std::this_thread::sleep_for(10ms);
  }
  pass.join();
  CHECK(stats.delivered == 12);
  CHECK(stats.fenced == 0);
  CHECK(rival_claims == 0);
  for (const auto& [key, sends] : sends_per_key(mail->calls()))
    CHECK(sends == 1);
}

TEST_CASE("stop() with many deliveries in flight waits for them and gives the rest back",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(10, 200ms);
  plant_many(*store, 100, {{"mail", K::interview_scheduled}});
  auto sink = std::make_shared<MemorySink>();
  DispatcherOptions options;
  options.max_in_flight = 10;
  options.batch_size = 100;
  auto dispatcher = Dispatcher::make(store, {{"mail", mail}}, memory_log(sink), options).value();
  dispatcher->start();
  const auto began = steady::now();
  while (mail->running() < 10 && steady::now() - began < 5s)
    std::this_thread::sleep_for(1ms);
  REQUIRE(mail->running() == 10);
  const auto stopping = steady::now();
  dispatcher->stop();
  CHECK(steady::now() - stopping < 1s);  // the sends in flight, not the batch
  const auto sent = mail->calls();
  CHECK(sent.size() >= 10);
  CHECK(sent.size() < 100);
  const auto counts = store->count_outbox({}).value();
  CHECK(counts.delivered == sent.size());
  CHECK(counts.pending == 100 - sent.size());
  for (const auto& m : store->list_outbox({.state = OutboxState::pending}).value()) {
    CHECK(m.attempts == 0);  // given back: the claim counts as no attempt
    CHECK_FALSE(m.claimed_until);
  }
  CHECK(sink->query({.action = ActionType::notification_delivered}).size() == sent.size());
  for (const auto& [key, sends] : sends_per_key(sent))
    CHECK(sends == 1);
}

TEST_CASE("a dead destination's circuit opens with many sends in flight",
          "[concurrency][dispatch][faults]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(10, 20ms, "smtp://down.example.com:25");
  mail->fail(true);
  plant_many(*store, 60, {{"mail", K::interview_scheduled}});
  auto sink = std::make_shared<MemorySink>();
  DispatcherOptions options;
  options.max_in_flight = 10;
  options.batch_size = 60;
  options.breaker.failure_threshold = 5;
  auto dispatcher = Dispatcher::make(store, {{"mail", mail}}, memory_log(sink), options).value();
  const auto stats = dispatcher->drain_once().value();
  CHECK(stats.failed == 60);  // every one scheduled for a retry
  // At most the threshold plus what was already in flight when it opened was tried.
  CHECK(mail->calls().size() >= 5);
  CHECK(mail->calls().size() <= 5 + 10);
  CHECK(sink->query({.action = ActionType::channel_circuit_opened}).size() == 1);
  const auto failures = sink->query({.action = ActionType::notification_failed});
  const auto fast = std::count_if(failures.begin(), failures.end(), [](const ActionEntry& e) {
    return e.details.contains("circuit_open");
  });
  CHECK(static_cast<std::size_t>(fast) == 60 - mail->calls().size());
}

TEST_CASE("stop() from a callback on a delivery thread does not wait for itself",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto refused = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    std::this_thread::sleep_for(5ms);
    return DeliveryOutcome::permanent_failure("550 5.1.1 no such user");
  });
  plant_many(*store, 40, {{"mail", K::interview_scheduled}});
  DispatcherOptions options;
  options.max_in_flight = 8;
  Dispatcher* self = nullptr;
  std::atomic<int> heard{0};
  options.on_dead_letter = [&](const OutboxMessage&, const std::string&) {
    ++heard;
    self->stop();  // on a delivery thread of the background thread's pass
  };
  auto dispatcher = Dispatcher::make(store, {{"mail", refused}},
                                     memory_log(std::make_shared<MemorySink>()), options)
                        .value();
  self = dispatcher.get();
  dispatcher->start();
  const auto began = steady::now();
  while (heard.load() == 0 && steady::now() - began < 5s)
    std::this_thread::sleep_for(1ms);
  REQUIRE(heard.load() > 0);
  dispatcher->stop();  // joins the background thread, which ended after its pass
  CHECK(steady::now() - began < 5s);
  const auto counts = store->count_outbox({}).value();
  CHECK(counts.dead + counts.pending == 40);
  CHECK(counts.dead < 40);  // the pass stopped early: the rest was given back
}

TEST_CASE("an open circuit lets one probe through, however many are in flight",
          "[concurrency][dispatch][faults]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(10, 20ms, "smtp://down.example.com:25");
  mail->fail(true);
  plant_many(*store, 40, {{"mail", K::interview_scheduled}});
  auto clock = std::make_shared<ManualClock>(real_now());  // every message is due
  DispatcherOptions options;
  options.clock = clock;
  options.max_in_flight = 10;
  options.batch_size = 100;
  options.breaker.failure_threshold = 3;
  options.breaker.open_for = 30s;
  auto dispatcher =
      Dispatcher::make(store, {{"mail", mail}}, memory_log(std::make_shared<MemorySink>()), options)
          .value();
  REQUIRE(dispatcher->drain_once().value().failed == 40);
  const auto tried = mail->calls().size();
  clock->advance(31s);  // the circuit may close: the ones it failed fast are due again
  const auto again = dispatcher->drain_once().value();
  CHECK(again.claimed >= 20);
  CHECK(mail->calls().size() == tried + 1);  // one probe; the rest still failed fast
}

TEST_CASE("deliveries beside a probe wait for it and go out in the same pass when it succeeds",
          "[concurrency][dispatch][faults]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(10, 50ms, "smtp://flaky.example.com:25");
  mail->fail(true);
  plant_many(*store, 40, {{"mail", K::interview_scheduled}});
  auto clock = std::make_shared<ManualClock>(real_now());
  auto sink = std::make_shared<MemorySink>();
  DispatcherOptions options;
  options.clock = clock;
  options.max_in_flight = 10;
  options.batch_size = 100;
  options.breaker.failure_threshold = 3;
  options.breaker.open_for = 30s;
  options.retry.base = 1s;
  options.retry.cap = 10s;
  auto dispatcher = Dispatcher::make(store, {{"mail", mail}}, memory_log(sink), options).value();
  REQUIRE(dispatcher->drain_once().value().failed == 40);
  const auto fast_before = sink->query({.action = ActionType::notification_failed}).size();
  mail->fail(false);
  clock->advance(31s);  // every message is due; the first to go is the probe
  const auto again = dispatcher->drain_once().value();
  CHECK(again.claimed == 40);
  CHECK(again.delivered == 40);  // none parked behind the probe until its deadline
  CHECK(sink->query({.action = ActionType::notification_failed}).size() == fast_before);
  CHECK(sink->query({.action = ActionType::channel_circuit_closed}).size() == 1);
  CHECK(store->count_outbox({}).value().delivered == 40);
}

TEST_CASE("deliveries beside a failing probe fail fast once it fails, untried",
          "[concurrency][dispatch][faults]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(10, 50ms, "smtp://down.example.com:25");
  mail->fail(true);
  plant_many(*store, 40, {{"mail", K::interview_scheduled}});
  auto clock = std::make_shared<ManualClock>(real_now());
  DispatcherOptions options;
  options.clock = clock;
  options.max_in_flight = 10;
  options.batch_size = 100;
  options.breaker.failure_threshold = 3;
  options.breaker.open_for = 30s;
  options.retry.base = 1s;
  options.retry.cap = 10s;
  auto dispatcher =
      Dispatcher::make(store, {{"mail", mail}}, memory_log(std::make_shared<MemorySink>()), options)
          .value();
  REQUIRE(dispatcher->drain_once().value().failed == 40);
  const auto tried = mail->calls().size();
  clock->advance(31s);
  const auto began = steady::now();
  const auto again = dispatcher->drain_once().value();
  CHECK(again.claimed == 40);
  CHECK(again.failed == 40);
  CHECK(mail->calls().size() == tried + 1);                 // the probe alone was sent
  CHECK(steady::now() - began < options.delivery_timeout);  // nobody waited out a timeout
  const auto counts = store->count_outbox({}).value();
  CHECK(counts.pending == 40);
}

TEST_CASE("one notifier serving two channel names is bounded across both",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(1, 10ms);  // not thread-safe
  plant_many(*store, 15, {{"mail", K::interview_scheduled}, {"urgent", K::interview_scheduled}});
  auto dispatcher = Dispatcher::make(store, {{"mail", mail}, {"urgent", mail}},
                                     memory_log(std::make_shared<MemorySink>()))
                        .value();
  CHECK(dispatcher->drain_once().value().delivered == 30);
  CHECK(mail->peak() == 1);
}

namespace {

// A host channel whose destination() throws, counting its batches.
class NoDestination final : public Notifier {
 public:
  DeliveryOutcome deliver(const Notification&, const DeliveryContext&) override {
    ++calls;
    return DeliveryOutcome::delivered();
  }
  void begin_batch() override { ++begins; }
  void end_batch() noexcept override { ++ends; }
  [[nodiscard]] std::string destination() const override {
    throw std::runtime_error("no destination configured");
  }
  [[nodiscard]] std::size_t max_concurrency() const noexcept override { return 4; }
  std::atomic<int> calls{0}, begins{0}, ends{0};
};

}  // namespace

TEST_CASE("a destination() that throws costs neither the pass nor its end_batch",
          "[concurrency][dispatch][faults]") {
  auto store = std::make_shared<MemoryStore>();
  auto odd = std::make_shared<NoDestination>();
  auto mail = std::make_shared<SlowChannel>(4, 1ms);
  plant_many(*store, 4, {{"odd", K::interview_scheduled}, {"mail", K::interview_scheduled}});
  std::vector<std::string> errors;
  std::mutex mutex;
  DispatcherOptions options;
  options.on_error = [&](const std::string& e) {
    std::lock_guard lock(mutex);
    errors.push_back(e);
  };
  auto dispatcher = Dispatcher::make(store, {{"odd", odd}, {"mail", mail}},
                                     memory_log(std::make_shared<MemorySink>()), options)
                        .value();
  const auto stats = dispatcher->drain_once().value();
  CHECK(mail->calls().size() == 4);  // the other channel is unaffected
  CHECK(odd->begins.load() == odd->ends.load());
  CHECK(stats.claimed == 8);
  CHECK(store->count_outbox({}).value().pending + stats.delivered == 8);
  std::lock_guard lock(mutex);
  REQUIRE_FALSE(errors.empty());
  CHECK(errors.front().find("no destination configured") != std::string::npos);
}

TEST_CASE("a dispatcher stopped from its own callback can be started again",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto refused = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    return DeliveryOutcome::permanent_failure("550 5.1.1 no such user");
  });
  auto mail = std::make_shared<SlowChannel>(4, 1ms);
  plant_many(*store, 1, {{"refused", K::interview_scheduled}});
  DispatcherOptions options;
  options.max_in_flight = GENERATE(1, 8);
  Dispatcher* self = nullptr;
  std::atomic<int> heard{0};
  options.on_dead_letter = [&](const OutboxMessage&, const std::string&) {
    ++heard;
    self->stop();  // on a thread of the pass: only asks the thread to end
  };
  auto dispatcher = Dispatcher::make(store, {{"refused", refused}, {"mail", mail}},
                                     memory_log(std::make_shared<MemorySink>()), options)
                        .value();
  self = dispatcher.get();
  dispatcher->start();
  const auto began = steady::now();
  while ((heard.load() == 0 || dispatcher->running()) && steady::now() - began < 5s)
    std::this_thread::sleep_for(1ms);
  REQUIRE(heard.load() == 1);
  CHECK_FALSE(dispatcher->running());  // its thread has ended
  plant_many(*store, 5, {{"mail", K::interview_scheduled}});
  CHECK(dispatcher->drain_once().value().delivered == 5);  // not given back as if stopping
  dispatcher->start();
  CHECK(dispatcher->running());
  dispatcher->stop();
}

TEST_CASE("a lane of messages not yet due keeps nothing from being idle",
          "[concurrency][dispatch]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<SlowChannel>(4, 1ms);
  plant(*store, "c-1", next_week(),
        {{"mail", K::interview_scheduled}, {"mail", K::interview_reminder}},
        real_now() + std::chrono::hours{24});
  auto dispatcher =
      Dispatcher::make(store, {{"mail", mail}}, memory_log(std::make_shared<MemorySink>())).value();
  const auto idle = dispatcher->drain_until_idle(200ms);
  CHECK(idle);
}
