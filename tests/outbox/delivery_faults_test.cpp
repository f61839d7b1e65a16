// The delivery core under faults: each test is one way the dispatcher used to lose, repeat
// or silently drop a notification, tried against the real Dispatcher and MemoryStore.
#include <algorithm>
#include <atomic>
#include <thread>

#include "support/faulty_store.hpp"
#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using K = NotificationKind;

namespace {

std::size_t count_state(Store& store, OutboxState state) {
  return store.list_outbox({.state = state}).value().size();
}

}  // namespace

TEST_CASE("a store that fails or throws never takes a dispatcher pass down", "[faults][outbox]") {
  auto faulty = std::make_shared<FaultyStore>(std::make_shared<MemoryStore>(), 7);
  Fixture f(faulty);
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  const auto call = GENERATE(StoreCall::claim_due, StoreCall::find, StoreCall::complete);
  const bool throws = GENERATE(false, true);
  faulty->set(call, throws ? StoreFaults{.exception = 1} : StoreFaults{.error = 1});
  Result<DrainStats> pass = DrainStats{};
  REQUIRE_NOTHROW(pass = f.dispatcher->drain_once());
  if (call == StoreCall::claim_due) {
    CHECK_FALSE(pass);  // nothing claimed: the error is returned, not thrown
  } else {
    REQUIRE(pass);
    // Every attempt is on record even though the store failed around it.
    const auto recorded = f.entries(ActionType::notification_failed, id).size() +
                          f.entries(ActionType::notification_delivered, id).size();
    CHECK(recorded == pass->claimed);
    CHECK(f.log->failed_writes() == 0);
  }
  faulty->heal();
  for (int i = 0; i < 10; ++i) {
    f.clock->advance(std::chrono::minutes{5});
    REQUIRE(f.dispatcher->drain_once());
  }
  // Nothing lost: the two booking emails end delivered (a failed completion may resend).
  CHECK(count_state(*faulty, OutboxState::delivered) == 2);
}

TEST_CASE("a retried invite is not sent after a cancel or reschedule, even after requeue",
          "[faults][outbox]") {
  std::atomic<bool> up{false};
  auto notifier = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
    return up ? DeliveryOutcome::delivered() : DeliveryOutcome::transient_failure("421 busy");
  });
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  Fixture f(std::make_shared<MemoryStore>(), options, notifier);
  auto second =
      Dispatcher::make(f.store, notifier, f.log, with_clock(Fixture::fast_retries(), f.clock));
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.drain();  // the invites fail and wait for a retry
  const bool reschedule = GENERATE(false, true);
  if (reschedule) {
    REQUIRE(f.service->reschedule(id, slot(13, 9h), recruiter()));
  } else {
    REQUIRE(f.service->cancel(id, "position filled", recruiter()));
  }
  up = true;
  f.clock->advance(std::chrono::seconds{1});
  REQUIRE((*second)->drain_once());  // another dispatcher picks the retries up
  f.drain();
  for (const auto& n : notifier->delivered()) {
    CHECK(n.interview.version == 3);  // only the change that stands goes out
  }
  const auto expired = f.entries(ActionType::notification_expired, id);
  REQUIRE(expired.size() == 2);
  CHECK(expired[0].details.at("superseded_by_version") == 3);
  // An operator requeues an old dead invite: it is expired again, not sent.
  auto stale = f.store->list_outbox({.state = OutboxState::expired}).value();
  REQUIRE_FALSE(stale.empty());
  CHECK(stale[0].last_error.find("superseded by revision 3") != std::string::npos);
}

TEST_CASE("a slow batch never lets two dispatchers send the same message",
          "[faults][outbox][concurrency]") {
  // Deliveries take 30 ms; the lease covers two of them. Without a lease check per message,
  // the second dispatcher would claim the tail of the first one's batch and send it again.
  std::mutex mutex;
  std::map<std::string, int> sends;
  auto slow = std::make_shared<RecordingNotifier>([&](const Notification& n, std::size_t) {
    std::this_thread::sleep_for(30ms);
    std::lock_guard lock(mutex);
    ++sends[n.idempotency_key];
    return DeliveryOutcome::delivered();
  });
  auto store = std::make_shared<MemoryStore>();
  auto clock = std::make_shared<SystemClock>();
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  auto service = BookingService::make(store, log, {.test_mode = true}).value();
  const auto start = date::floor<std::chrono::hours>(clock->now()) + std::chrono::hours{72};
  for (int i = 0; i < 8; ++i) {
    auto created =
        service->create({"x", candidate(fmt::format("c-{}", i)), {interviewer("i-1")}}, recruiter())
            .value();
    REQUIRE(service->book(
        created.id,
        TimeRange::make(date::floor<std::chrono::seconds>(start) + std::chrono::hours{i * 2}, 1h)
            .value(),
        recruiter()));
  }
  DispatcherOptions options;
  options.batch_size = 16;
  options.delivery_timeout = 30ms;
  options.lease = 60ms;
  std::vector<std::thread> workers;
  for (int w = 0; w < 2; ++w) {
    workers.emplace_back([&] {
      auto d = Dispatcher::make(store, slow, log, options).value();
      const auto until = std::chrono::steady_clock::now() + 1500ms;
      while (std::chrono::steady_clock::now() < until) {
        if (d->drain_once().value().claimed == 0)
          std::this_thread::sleep_for(5ms);
      }
    });
  }
  for (auto& t : workers)
    t.join();
  CHECK(sends.size() == 16);
  for (const auto& [key, n] : sends) {
    INFO(key);
    CHECK(n == 1);
  }
}

TEST_CASE("dispatcher options that cannot work are refused with the reason", "[faults][outbox]") {
  auto store = std::make_shared<MemoryStore>();
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  auto notifier = std::make_shared<RecordingNotifier>();
  const auto refused = [&](DispatcherOptions o, const std::string& words) {
    auto made = Dispatcher::make(store, notifier, log, o);
    INFO(words);
    return !made && made.error().message().find(words) != std::string::npos;
  };
  DispatcherOptions o;
  o.idle_poll = 0ms;
  CHECK(refused(o, "idle_poll"));
  o = {};
  o.lease = 10s;  // delivery_timeout 30 s
  CHECK(refused(o, "twice delivery_timeout"));
  o = {};
  o.batch_size = 0;
  CHECK(refused(o, "batch_size"));
  o = {};
  o.retry.cap = 1ms;
  CHECK(refused(o, "retry.cap"));
  o = {};
  o.max_unfinished_claims = 0;
  CHECK(refused(o, "max_unfinished_claims"));
  CHECK_FALSE(Dispatcher::make(store, nullptr, log));
  CHECK(Dispatcher::make(store, notifier, log));
}

TEST_CASE("the default retry budget outlasts a five-minute outage", "[faults][outbox]") {
  // No test overrides here: the library's own defaults, a clock that moves in real steps.
  std::atomic<bool> up{false};
  auto notifier = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
    return up ? DeliveryOutcome::delivered("250 ok")
              : DeliveryOutcome::transient_failure("421 4.3.2 service not available");
  });
  Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
  auto dispatcher =
      Dispatcher::make(f.store, notifier, f.log, with_clock(DispatcherOptions{}, f.clock)).value();
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  // Backoff is full jitter under a 30-minute cap, so the last failure (before minute 5) is
  // followed by a try at minute 35 at the latest, whatever the random draw.
  for (int second = 0; second < 36 * 60; second += 5) {
    up = second >= 5 * 60;  // the SMTP server is back after five minutes
    (void)dispatcher->drain_once();
    f.clock->advance(std::chrono::seconds{5});
  }
  const auto messages = f.store->list_outbox({.interview = id}).value();
  std::size_t delivered = 0;
  for (const auto& m : messages)
    delivered += m.kind == K::interview_scheduled && m.state == OutboxState::delivered;
  CHECK(delivered == 2);
  CHECK(f.entries(ActionType::notification_dead_lettered, id).empty());
}

TEST_CASE("each channel's outcome is its own: a down webhook never resends the email",
          "[faults][outbox]") {
  auto email = std::make_shared<RecordingNotifier>();
  auto webhook = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    return DeliveryOutcome::transient_failure("503 down");
  });
  BookingOptions options{.test_mode = true};
  options.channels = {"email", "webhook"};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  Fixture f(std::make_shared<MemoryStore>(), options);
  auto dispatcher = Dispatcher::make(f.store, {{"email", email}, {"webhook", webhook}}, f.log,
                                     with_clock(Fixture::fast_retries(), f.clock))
                        .value();
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  for (int pass = 0; pass < 8; ++pass) {
    (void)dispatcher->drain_once();
    f.clock->advance(200ms);
  }
  CHECK(email->delivered().size() == 2);  // once per recipient, never again
  CHECK(email->received().size() == 2);
  const auto messages = f.store->list_outbox({.interview = id}).value();
  for (const auto& m : messages) {
    CHECK(m.state == (m.channel == "email" ? OutboxState::delivered : OutboxState::dead));
  }
}

TEST_CASE("a message that keeps crashing its worker is dead-lettered, not retried forever",
          "[faults][outbox]") {
  Fixture f;
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  for (int crash = 0; crash < 3; ++crash) {  // three workers die holding the claims
    REQUIRE(f.store->claim_due(f.clock->now(), 10, 1min).value().size() == 2);
    f.clock->advance(2min);
  }
  f.drain();
  const auto dead = f.entries(ActionType::notification_dead_lettered, id);
  REQUIRE(dead.size() == 2);
  CHECK(dead[0].details.at("error").get<std::string>().find("without a recorded outcome") !=
        std::string::npos);
  CHECK(f.recorder->received().empty());
}

TEST_CASE("stop() starts no send after it is called and returns within a delivery timeout",
          "[faults][outbox][concurrency]") {
  std::atomic<int> sends{0};
  std::atomic<bool> stopping{false};
  std::atomic<int> after_stop{0};
  auto hanging = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
    if (stopping)
      ++after_stop;
    ++sends;
    std::this_thread::sleep_for(200ms);  // a server that answers only at the timeout
    return DeliveryOutcome::transient_failure("timeout");
  });
  auto store = std::make_shared<MemoryStore>();
  auto log = ActionLog::make(std::make_shared<MemorySink>()).value();
  auto service = BookingService::make(store, log, {.test_mode = true}).value();
  const auto later = date::floor<std::chrono::hours>(std::chrono::system_clock::now()) + 72h;
  for (int i = 0; i < 10; ++i) {
    auto c =
        service
            ->create(
                {"x", candidate(fmt::format("c-{}", i)), {interviewer(fmt::format("i-{}", i))}},
                recruiter())
            .value();
    REQUIRE(service->book(
        c.id, TimeRange::make(date::floor<std::chrono::seconds>(later), 1h).value(), recruiter()));
  }
  DispatcherOptions options;
  options.delivery_timeout = 200ms;
  options.lease = 1s;
  options.batch_size = 20;
  auto dispatcher = Dispatcher::make(store, hanging, log, options).value();
  dispatcher->start();
  while (sends == 0)
    std::this_thread::sleep_for(1ms);
  // A send that had passed its last check when stop() was called may still reach the
  // notifier a moment later; after stop() has surely set its flag (50 ms on), none may.
  const auto begin = std::chrono::steady_clock::now();
  std::thread stopper([&] { dispatcher->stop(); });
  std::this_thread::sleep_for(50ms);
  stopping = true;
  stopper.join();
  const auto took = std::chrono::steady_clock::now() - begin;
  CHECK(took < options.delivery_timeout + 150ms);
  CHECK(after_stop == 0);
  // What was claimed and not attempted is claimable again at once, not stuck under a lease.
  // (A message that was sent may be due again too: full jitter can draw a retry delay near
  // zero. Its claim now is its second.)
  const auto again =
      store
          ->claim_due(
              date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now()) + 1ms, 100,
              1s)
          .value();
  const auto never_sent =
      std::ranges::count_if(again, [](const OutboxMessage& m) { return m.attempts == 1; });
  CHECK(never_sent == 20 - sends.load());  // all but those in flight
}

TEST_CASE("a destination that keeps failing opens its circuit, recorded, and closes it",
          "[faults][outbox]") {
  std::atomic<bool> up{false};
  auto notifier = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
    return up ? DeliveryOutcome::delivered() : DeliveryOutcome::transient_failure("timeout");
  });
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  Fixture f(std::make_shared<MemoryStore>(), options, notifier);
  auto opts = Fixture::fast_retries();
  opts.retry.max_attempts = 0;
  opts.breaker = {.failure_threshold = 3, .open_for = std::chrono::minutes{1}};
  opts.batch_size = 100;
  // One delivery at a time, so the count is exact; with many in flight, the sends already
  // started beside the third failure still end (concurrent_dispatch_test covers that).
  opts.max_in_flight = 1;
  auto dispatcher = Dispatcher::make(f.store, notifier, f.log, with_clock(opts, f.clock)).value();
  for (int i = 0; i < 5; ++i) {
    const auto id = f.create(fmt::format("c-{}", i), {fmt::format("i-{}", i)}).id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  }
  (void)dispatcher->drain_once();
  // Three failures open it; everything after them fails fast without a send.
  const auto sent = notifier->received().size();
  CHECK(sent == 3);
  const auto failed = f.memory_log->query({.action = ActionType::notification_failed});
  CHECK(static_cast<std::size_t>(std::count_if(failed.begin(), failed.end(), [](const auto& e) {
          return e.details.contains("circuit_open");
        })) == 10 - sent);
  const auto opened = f.memory_log->query({.action = ActionType::channel_circuit_opened});
  REQUIRE(opened.size() == 1);
  CHECK(opened[0].details.at("destination") == "default");
  up = true;
  f.clock->advance(std::chrono::minutes{2});
  for (int pass = 0; pass < 5; ++pass)
    (void)dispatcher->drain_once();
  CHECK(f.memory_log->query({.action = ActionType::channel_circuit_closed}).size() == 1);
  CHECK(count_state(*f.store, OutboxState::delivered) == 10);
}

TEST_CASE("a failure text with invalid UTF-8 or NUL is recorded, never dropped",
          "[faults][outbox]") {
  auto notifier = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    return DeliveryOutcome::transient_failure(std::string("451 \xC3( cut\0mid", 14) +
                                              std::string(5000, 'x'));
  });
  Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.drain();
  const auto failed = f.entries(ActionType::notification_failed, id);
  REQUIRE(failed.size() == 2);
  const auto error = failed[0].details.at("error").get<std::string>();
  CHECK(error.starts_with("451 \xEF\xBF\xBD( cut\xEF\xBF\xBDmid"));
  CHECK(error.size() <= 2003);
  CHECK_NOTHROW(nlohmann::json(failed[0]).dump());
  CHECK(f.log->failed_writes() == 0);
}

TEST_CASE("the send-time check expires a stale invite even without a supersede rule",
          "[faults][outbox]") {
  std::atomic<bool> up{false};
  auto notifier = std::make_shared<RecordingNotifier>([&](const Notification&, std::size_t) {
    return up ? DeliveryOutcome::delivered() : DeliveryOutcome::transient_failure("421 busy");
  });
  BookingOptions options{.test_mode = true};
  const auto defaults = NotificationPolicy::defaults(std::nullopt);
  options.policy = NotificationPolicy(
      std::vector<NotificationRule>(defaults.rules().begin(), defaults.rules().end()), {});
  Fixture f(std::make_shared<MemoryStore>(), options, notifier);
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.drain();  // both invites fail and wait
  REQUIRE(f.service->cancel(id, "filled", recruiter()));
  up = true;
  f.clock->advance(std::chrono::seconds{1});
  f.drain();
  f.drain();
  const auto delivered = notifier->delivered();
  REQUIRE(delivered.size() == 2);  // the cancellations only
  for (const auto& n : delivered)
    CHECK(n.kind == K::interview_cancelled);
  const auto expired = f.entries(ActionType::notification_expired, id);
  REQUIRE(expired.size() == 2);
  CHECK(expired[0].details.at("superseded_by_version") == 3);
}

TEST_CASE("a Retry-After of zero or in the past waits at least the base delay",
          "[faults][outbox]") {
  auto notifier = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    return DeliveryOutcome::transient_failure("429", UtcMillis{});  // 1970
  });
  Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.drain();
  for (const auto& m : f.store->list_outbox({.state = OutboxState::pending}).value()) {
    if (m.kind == K::interview_scheduled)
      CHECK(m.due == f.clock->now() + Fixture::fast_retries().retry.base);
  }
}

TEST_CASE("an open circuit defers messages without using up their attempts", "[faults][outbox]") {
  auto notifier = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
    return DeliveryOutcome::transient_failure("timeout");
  });
  BookingOptions options{.test_mode = true};
  options.policy = NotificationPolicy::defaults(std::nullopt);
  Fixture f(std::make_shared<MemoryStore>(), options, notifier);
  auto opts = Fixture::fast_retries();  // max_attempts = 3
  opts.breaker = {.failure_threshold = 1, .open_for = std::chrono::hours{1}};
  auto dispatcher = Dispatcher::make(f.store, notifier, f.log, with_clock(opts, f.clock)).value();
  for (int i = 0; i < 3; ++i) {
    const auto id = f.create(fmt::format("c-{}", i), {fmt::format("i-{}", i)}).id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  }
  for (int pass = 0; pass < 10; ++pass) {
    (void)dispatcher->drain_once();
    f.clock->advance(std::chrono::minutes{1});
  }
  CHECK(notifier->received().size() == 1);  // the one that opened the circuit
  CHECK(f.store->list_outbox({.state = OutboxState::dead}).value().empty());
  for (const auto& m : f.store->list_outbox({.state = OutboxState::pending}).value())
    CHECK(m.due >= UtcMillis{at(1, 1h)});  // deferred to when the circuit may close
}

TEST_CASE("a channel named twice is refused", "[faults][outbox]") {
  BookingOptions options{.test_mode = true};
  options.channels = {"email", "webhook", "email"};
  auto made =
      BookingService::make(std::make_shared<MemoryStore>(),
                           ActionLog::make(std::make_shared<MemorySink>()).value(), options);
  REQUIRE_FALSE(made);
  CHECK(made.error().message().find("\"email\" twice") != std::string::npos);
}
