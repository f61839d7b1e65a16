// MemoryStore: the Store in process memory. For tests, demos and hosts that persist elsewhere.
#pragma once

#include <memory>

#include <interviewkit/export.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Thread-safe: every call is serialised by one mutex, so `write`'s work runs exactly once
/// and must not call back into the store. Nothing survives the process. Keeps no action log
/// (`keeps_action_log()` is false): `complete`'s and `requeue`'s log entries are ignored and
/// callers record them through their ActionLog. Constructing one cannot fail.
class INTERVIEWKIT_EXPORT MemoryStore final : public Store {
 public:
  MemoryStore();
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  Result<void> write(const Work& work) override;
  Result<Interview> find(InterviewId id) const override;
  Result<std::vector<BusyInterval>> busy_intervals(std::span<const InterviewerId> interviewers,
                                                   const TimeRange& window) const override;
  Result<std::vector<CandidateBusyInterval>> candidate_busy_intervals(
      const CandidateId& candidate, const TimeRange& window) const override;
  Result<std::vector<OutboxMessage>> claim_due(UtcMillis now, std::size_t limit,
                                               std::chrono::milliseconds lease) override;
  Result<bool> renew(OutboxId id, std::uint64_t claim, UtcMillis until, UtcMillis now) override;
  Result<bool> release(OutboxId id, std::uint64_t claim, UtcMillis now) override;
  Result<bool> complete(OutboxId id, std::uint64_t claim, const OutboxCompletion& completion,
                        UtcMillis now) override;
  Result<std::optional<OutboxMessage>> find_outbox(OutboxId id) const override;
  Result<std::vector<OutboxMessage>> list_outbox(const OutboxQuery& query) const override;
  Result<OutboxCounts> count_outbox(const OutboxQuery& query) const override;
  Result<std::vector<RevisionDigest>> revisions(const RevisionQuery& query) const override;
  Result<PurgeResult> purge(const PurgeRequest& request, std::span<const ActionEntry> log) override;
  Result<std::optional<UtcMillis>> purged_before() const override;
  Result<bool> requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) override;
  Result<std::optional<UtcMillis>> next_due() const override;
  Result<std::optional<CachedCalendar>> load_calendar(const std::string& key) const override;
  Result<void> save_calendar(const CachedCalendar& calendar) override;
  Result<std::vector<TimeRange>> calendar_busy(const InterviewerId& interviewer,
                                               const TimeRange& window) const override;

 private:
  struct State;
  class Transaction;
  std::unique_ptr<State> state_;
};

}  // namespace interviewkit
