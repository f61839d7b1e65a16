// StoreWrapper: a Store that forwards every call to another one, for overriding a part.
#pragma once

#include <memory>
#include <utility>

#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Forwards every call to `target` (which must not be null). Derive and override the calls
/// to change, in the spirit of leveldb's EnvWrapper: fault injection, metrics, tracing.
/// Thread-safe if the target is and the overrides are.
class StoreWrapper : public Store {
 public:
  explicit StoreWrapper(std::shared_ptr<Store> target) : target_(std::move(target)) {}

  [[nodiscard]] const std::shared_ptr<Store>& target() const noexcept { return target_; }

  Result<void> write(const Work& work) override { return target_->write(work); }
  Result<Interview> find(InterviewId id) const override { return target_->find(id); }
  Result<std::vector<BusyInterval>> busy_intervals(std::span<const InterviewerId> interviewers,
                                                   const TimeRange& window) const override {
    return target_->busy_intervals(interviewers, window);
  }
  Result<std::vector<OutboxMessage>> claim_due(UtcMillis now, std::size_t limit,
                                               std::chrono::milliseconds lease) override {
    return target_->claim_due(now, limit, lease);
  }
  Result<bool> renew(OutboxId id, std::uint64_t claim, UtcMillis until, UtcMillis now) override {
    return target_->renew(id, claim, until, now);
  }
  Result<bool> release(OutboxId id, std::uint64_t claim, UtcMillis now) override {
    return target_->release(id, claim, now);
  }
  Result<bool> complete(OutboxId id, std::uint64_t claim, const OutboxCompletion& completion,
                        UtcMillis now) override {
    return target_->complete(id, claim, completion, now);
  }
  Result<std::optional<OutboxMessage>> find_outbox(OutboxId id) const override {
    return target_->find_outbox(id);
  }
  Result<std::vector<OutboxMessage>> list_outbox(const OutboxQuery& query) const override {
    return target_->list_outbox(query);
  }
  Result<bool> requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) override {
    return target_->requeue(id, now, log);
  }
  Result<std::optional<UtcMillis>> next_due() const override { return target_->next_due(); }
  /// False: a wrapper is a different object from the store that keeps the log.
  bool keeps_action_log() const noexcept override { return false; }

 private:
  std::shared_ptr<Store> target_;
};

}  // namespace interviewkit
