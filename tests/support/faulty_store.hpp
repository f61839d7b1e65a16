// FaultyStore: a StoreWrapper that injects errors, exceptions, latency and "committed but
// reported as failed" outcomes into any Store, chosen per call by a seeded generator.
#pragma once

#include <array>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include <interviewkit/store/store_wrapper.hpp>

namespace interviewkit::testing {

enum class StoreCall : std::uint8_t {
  write, find, claim_due, renew, release, complete, find_outbox, list_outbox, requeue, next_due,
};
inline constexpr std::size_t store_call_count = 10;

struct StoreFaults {
  double error = 0;             ///< returns Unavailable without touching the store
  double exception = 0;         ///< throws (a store breaking its contract)
  double after_commit = 0;      ///< does the work, then reports Unavailable (in-doubt commit)
  std::chrono::milliseconds latency{0};
};

class FaultyStore final : public StoreWrapper {
 public:
  FaultyStore(std::shared_ptr<Store> target, std::uint64_t seed)
      : StoreWrapper(std::move(target)), rng_(seed) {}

  void set(StoreCall call, StoreFaults faults) {
    std::lock_guard lock(mutex_);
    faults_[static_cast<std::size_t>(call)] = faults;
  }
  void set_all(StoreFaults faults) {
    std::lock_guard lock(mutex_);
    faults_.fill(faults);
  }
  void heal() { set_all({}); }
  /// Injected faults by kind: errors, exceptions, after-commit errors.
  [[nodiscard]] std::array<std::size_t, 3> injected() const {
    std::lock_guard lock(mutex_);
    return injected_;
  }

  Result<void> write(const Work& work) override {
    return run(StoreCall::write, [&] { return target()->write(work); });
  }
  Result<Interview> find(InterviewId id) const override {
    return run(StoreCall::find, [&] { return target()->find(id); });
  }
  Result<std::vector<OutboxMessage>> claim_due(UtcMillis now, std::size_t limit,
                                               std::chrono::milliseconds lease) override {
    return run(StoreCall::claim_due, [&] { return target()->claim_due(now, limit, lease); });
  }
  Result<bool> renew(OutboxId id, std::uint64_t claim, UtcMillis until, UtcMillis now) override {
    return run(StoreCall::renew, [&] { return target()->renew(id, claim, until, now); });
  }
  Result<bool> release(OutboxId id, std::uint64_t claim, UtcMillis now) override {
    return run(StoreCall::release, [&] { return target()->release(id, claim, now); });
  }
  Result<bool> complete(OutboxId id, std::uint64_t claim, const OutboxCompletion& completion,
                        UtcMillis now) override {
    return run(StoreCall::complete,
               [&] { return target()->complete(id, claim, completion, now); });
  }
  Result<std::optional<OutboxMessage>> find_outbox(OutboxId id) const override {
    return run(StoreCall::find_outbox, [&] { return target()->find_outbox(id); });
  }
  Result<std::vector<OutboxMessage>> list_outbox(const OutboxQuery& query) const override {
    return run(StoreCall::list_outbox, [&] { return target()->list_outbox(query); });
  }
  Result<bool> requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) override {
    return run(StoreCall::requeue, [&] { return target()->requeue(id, now, log); });
  }
  Result<std::optional<UtcMillis>> next_due() const override {
    return run(StoreCall::next_due, [&] { return target()->next_due(); });
  }

 private:
  enum class Pick : std::uint8_t { none, error, exception, after_commit };

  Pick pick(StoreCall call, std::chrono::milliseconds& latency) const {
    std::lock_guard lock(mutex_);
    const auto& f = faults_[static_cast<std::size_t>(call)];
    latency = f.latency;
    const double x = std::uniform_real_distribution<double>(0, 1)(rng_);
    Pick p = Pick::none;
    if (x < f.error)
      p = Pick::error;
    else if (x < f.error + f.exception)
      p = Pick::exception;
    else if (x < f.error + f.exception + f.after_commit)
      p = Pick::after_commit;
    if (p != Pick::none)
      ++injected_[static_cast<std::size_t>(p) - 1];
    return p;
  }

  template <class F>
  auto run(StoreCall call, F&& f) const -> decltype(f()) {
    std::chrono::milliseconds latency{0};
    const auto p = pick(call, latency);
    if (latency.count() > 0)
      std::this_thread::sleep_for(latency);
    const auto name = static_cast<int>(call);
    switch (p) {
      case Pick::error:
        return Unavailable{fmt::format("injected fault in store call {}", name)};
      case Pick::exception:
        throw std::runtime_error(fmt::format("injected exception in store call {}", name));
      case Pick::after_commit: {
        (void)f();
        return Unavailable{fmt::format("injected in-doubt commit in store call {}", name)};
      }
      case Pick::none:
        break;
    }
    return f();
  }

  mutable std::mutex mutex_;
  mutable std::mt19937_64 rng_;
  std::array<StoreFaults, store_call_count> faults_{};
  mutable std::array<std::size_t, 3> injected_{};
};

}  // namespace interviewkit::testing
