// A delivery that waited for a circuit's probe checks everything again before it sends:
// the message may have been superseded, or its interview may have started, meanwhile. Real
// Dispatcher, real MemoryStore, real threads.
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "outbox/planted.hpp"
#include "support/real_time.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using namespace std::chrono_literals;

namespace {

using K = NotificationKind;

// Fails while `failing`; otherwise the first call (the probe) blocks until release().
class GateChannel final : public Notifier {
 public:
  DeliveryOutcome deliver(const Notification& n, const DeliveryContext& /*context*/) override {
    std::unique_lock lock(mutex_);
    calls_.push_back(n.interview.id);
    if (failing_)
      return DeliveryOutcome::transient_failure("421 4.3.2 try later");
    if (!probe_seen_) {
      probe_seen_ = true;
      probe_ = n.interview.id;
      changed_.notify_all();
      changed_.wait(lock, [&] { return released_; });
    }
    return DeliveryOutcome::delivered("250 ok");
  }
  [[nodiscard]] std::size_t max_concurrency() const noexcept override { return 10; }
  [[nodiscard]] std::string destination() const override { return "smtp://flaky.example.com:25"; }

  void heal() {
    std::lock_guard lock(mutex_);
    failing_ = false;
  }
  InterviewId wait_for_probe() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return probe_seen_; });
    return probe_;
  }
  void release() {
    std::lock_guard lock(mutex_);
    released_ = true;
    changed_.notify_all();
  }
  std::size_t calls_for(InterviewId id) {
    std::lock_guard lock(mutex_);
    return static_cast<std::size_t>(std::count(calls_.begin(), calls_.end(), id));
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<InterviewId> calls_;
  bool failing_ = true;
  bool probe_seen_ = false;
  bool released_ = false;
  InterviewId probe_{};
};

}  // namespace

TEST_CASE("a message superseded while it waits for a circuit's probe is not sent",
          "[dispatch][concurrency][faults]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<GateChannel>();
  const auto a = plant(*store, "c-a", next_week(), {{"mail", K::interview_scheduled}}, real_now());
  const auto b = plant(*store, "c-b", next_week(), {{"mail", K::interview_scheduled}}, real_now());
  auto clock = std::make_shared<ManualClock>(real_now());
  DispatcherOptions options;
  options.clock = clock;
  options.max_in_flight = 10;
  options.batch_size = 100;
  options.breaker.failure_threshold = 2;
  options.breaker.open_for = 30s;
  options.retry.base = 1s;
  options.retry.cap = 10s;
  auto dispatcher =
      Dispatcher::make(store, {{"mail", mail}},
                       ActionLog::make(std::make_shared<MemorySink>()).value(), options)
          .value();
  REQUIRE(dispatcher->drain_once().value().failed == 2);  // the circuit is open
  mail->heal();
  clock->advance(31s);
  std::optional<Result<DrainStats>> pass;
  std::thread t([&] { pass = dispatcher->drain_once(); });
  const auto probe = mail->wait_for_probe();
  const auto other = probe == a.interview.id ? b.interview.id : a.interview.id;
  std::this_thread::sleep_for(300ms);  // the other delivery is now waiting for the probe
  // The invite beside the probe is superseded (StoreTransaction::supersede: "a superseded
  // message is never sent"), as a host's SupersedeRule would do in a BookingService change.
  std::size_t superseded = 0;
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    auto s =
        tx.supersede(other, K::interview_scheduled, "superseded by a later change", clock->now());
    if (!s)
      return s.error();
    superseded = s->size();
    return {};
  }));
  REQUIRE(superseded == 1);
  mail->release();
  t.join();
  REQUIRE(pass);
  CHECK(mail->calls_for(other) == 1);  // its failed first attempt only: never sent after
  const auto counts = store->count_outbox({}).value();
  CHECK(counts.delivered == 1);  // the probe alone
}

TEST_CASE("an invite whose interview starts while it waits for a probe is not sent late",
          "[dispatch][concurrency][faults]") {
  auto store = std::make_shared<MemoryStore>();
  auto mail = std::make_shared<GateChannel>();
  const auto t0 = real_now();
  const auto start = date::floor<std::chrono::minutes>(t0) + 2min;  // 60 to 120 s away
  const auto slot = TimeRange::make(start, 1h).value();
  // Both interviews start soon; whichever invite is not the probe waits for it.
  const auto a = plant(*store, "c-a", slot, {{"mail", K::interview_scheduled}}, t0);
  const auto b = plant(*store, "c-b", slot, {{"mail", K::interview_scheduled}}, t0);
  auto clock = std::make_shared<ManualClock>(t0);
  DispatcherOptions options;
  options.clock = clock;
  options.max_in_flight = 10;
  options.batch_size = 100;
  options.breaker.failure_threshold = 2;
  options.breaker.open_for = 30s;
  options.retry.base = 1s;
  options.retry.cap = 10s;
  options.delivery_timeout = 5min;
  options.lease = 20min;
  auto dispatcher =
      Dispatcher::make(store, {{"mail", mail}},
                       ActionLog::make(std::make_shared<MemorySink>()).value(), options)
          .value();
  REQUIRE(dispatcher->drain_once().value().failed == 2);
  mail->heal();
  clock->advance(31s);  // before the start of a's interview
  REQUIRE(clock->now() < UtcMillis{start});
  std::optional<Result<DrainStats>> pass;
  std::thread t([&] { pass = dispatcher->drain_once(); });
  const auto probe = mail->wait_for_probe();
  const auto other = probe == a.interview.id ? b.interview.id : a.interview.id;
  std::this_thread::sleep_for(300ms);                    // the other invite now waits for the probe
  clock->advance(UtcMillis{start} - clock->now() + 1s);  // its interview has started
  mail->release();
  t.join();
  REQUIRE(pass);
  // precheck: "interview started at ...; not sent late". Sent after its start anyway:
  CHECK(mail->calls_for(other) == 1);  // its failed first attempt only
}
