// StoreWrapper: a Store that forwards every call to another one, for overriding a part.
#pragma once

#include <memory>
#include <utility>

#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Forwards every call to `target`. Derive and override the calls to change, in the spirit
/// of leveldb's EnvWrapper: fault injection, metrics, tracing.
///
/// Contract:
/// - `target` must not be null (a precondition, not checked); the wrapper shares ownership
///   of it for its whole life, and `target()` never changes.
/// - A wrapper is a Store like any other and owes its callers the whole Store contract: an
///   override is thread-safe, returns failures as values (an injected fault too; a wrapper
///   that throws breaks the contract, which is useful only to test a caller against such
///   a store), and lets `write`'s work run more than once. An override of `write` must
///   run the caller's work through the target's transaction (or one that honours the
///   StoreTransaction contract), never around it.
/// - Thread-safe if the target is and the overrides are.
class StoreWrapper : public Store {
 public:
  /// Forwards every call to `target`, which must not be null.
  explicit StoreWrapper(std::shared_ptr<Store> target) : target_(std::move(target)) {}

  /// The wrapped store.
  [[nodiscard]] const std::shared_ptr<Store>& target() const noexcept { return target_; }

  Result<void> write(const Work& work) override { return target_->write(work); }
  Result<Interview> find(InterviewId id) const override { return target_->find(id); }
  Result<std::vector<BusyInterval>> busy_intervals(std::span<const InterviewerId> interviewers,
                                                   const TimeRange& window) const override {
    return target_->busy_intervals(interviewers, window);
  }
  Result<std::vector<CandidateBusyInterval>> candidate_busy_intervals(
      const CandidateId& candidate, const TimeRange& window) const override {
    return target_->candidate_busy_intervals(candidate, window);
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
  Result<OutboxCounts> count_outbox(const OutboxQuery& query) const override {
    return target_->count_outbox(query);
  }
  Result<std::vector<RevisionDigest>> revisions(const RevisionQuery& query) const override {
    return target_->revisions(query);
  }
  Result<PurgeResult> purge(const PurgeRequest& request,
                            std::span<const ActionEntry> log) override {
    return target_->purge(request, log);
  }
  Result<std::optional<UtcMillis>> purged_before() const override {
    return target_->purged_before();
  }
  Result<bool> requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) override {
    return target_->requeue(id, now, log);
  }
  Result<std::optional<UtcMillis>> next_due() const override { return target_->next_due(); }
  Result<std::optional<CachedCalendar>> load_calendar(const std::string& key) const override {
    return target_->load_calendar(key);
  }
  Result<void> save_calendar(const CachedCalendar& calendar) override {
    return target_->save_calendar(calendar);
  }
  Result<std::vector<TimeRange>> calendar_busy(const InterviewerId& interviewer,
                                               const TimeRange& window) const override {
    return target_->calendar_busy(interviewer, window);
  }
  /// False even over a store that keeps one: `logs_into` compares the store with the sink's
  /// store by identity, and a wrapper is a different object, so the callers log through
  /// their ActionLog instead of committing entries through a transaction they cannot see.
  bool keeps_action_log() const noexcept override { return false; }

 private:
  std::shared_ptr<Store> target_;
};

}  // namespace interviewkit
