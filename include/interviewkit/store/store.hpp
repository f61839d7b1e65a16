// Store: where interviews, their outbox and idempotency records live, behind transactions.
//
// The interface is small on purpose so that an in-memory map, a SQLite file and a
// PostgreSQL server can all implement it with the same guarantees.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/store/outbox.hpp>

namespace interviewkit {

/// A remembered request: the same key with the same request returns `result` again.
struct IdempotencyRecord {
  std::string key;
  std::string request;  ///< canonical description of the request, to detect key reuse
  Interview result;
};

/// An interviewer's time held by an interview: its slot while it is scheduled or confirmed.
struct BusyInterval {
  InterviewerId interviewer;
  TimeRange range;
  InterviewId interview;

  friend bool operator==(const BusyInterval&, const BusyInterval&) = default;
};

/// The operations available inside one write transaction. Valid only inside Store::write.
class INTERVIEWKIT_EXPORT StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;

  [[nodiscard]] virtual Result<Interview> load(InterviewId id) = 0;
  /// Stores a new interview; returns its id (the `id` field of `interview` is ignored).
  [[nodiscard]] virtual Result<InterviewId> insert(const Interview& interview) = 0;
  /// Replaces the stored interview with the same id.
  [[nodiscard]] virtual Result<void> update(const Interview& interview) = 0;
  /// Another interview holding a slot (scheduled or confirmed) that shares a person with
  /// `interview` and whose slot overlaps `window`, if any.
  [[nodiscard]] virtual Result<std::optional<SlotConflict>> find_conflict(
      const Interview& interview, const TimeRange& window) = 0;
  /// Adds messages to the outbox; ids are assigned by the store.
  [[nodiscard]] virtual Result<void> enqueue(std::span<const OutboxMessage> messages) = 0;
  /// Marks pending messages of `kind` for `interview` expired with `reason`; returns them.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> supersede(InterviewId interview,
                                                                     NotificationKind kind,
                                                                     const std::string& reason,
                                                                     UtcMillis now) = 0;
  [[nodiscard]] virtual Result<std::optional<IdempotencyRecord>> find_idempotency(
      const std::string& key) = 0;
  [[nodiscard]] virtual Result<void> save_idempotency(const IdempotencyRecord& record) = 0;
};

/// Thread-safe: one Store is shared by every BookingService and Dispatcher of a process.
class INTERVIEWKIT_EXPORT Store {
 public:
  using Work = std::function<Result<void>(StoreTransaction&)>;

  virtual ~Store() = default;

  /// Runs `work` in one atomic write transaction: everything it wrote is committed if it
  /// returns a value, and nothing if it returns an error or throws (the exception
  /// propagates). Writers are serialised, so a check followed by a write inside `work` is
  /// one atomic step.
  [[nodiscard]] virtual Result<void> write(const Work& work) = 0;

  [[nodiscard]] virtual Result<Interview> find(InterviewId id) const = 0;

  /// The slots of interviews holding one (scheduled or confirmed) that overlap `window`, for
  /// each of `interviewers` they include: grouped by interviewer in the order given, each
  /// group ordered by slot start. What availability search needs to know.
  [[nodiscard]] virtual Result<std::vector<BusyInterval>> busy_intervals(
      std::span<const InterviewerId> interviewers, const TimeRange& window) const = 0;

  /// Pending messages due at `now` and not leased by another worker, oldest first, at most
  /// `limit`. Each is leased until now + lease and its attempt counter incremented; the
  /// returned copies carry the new counter.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> claim_due(
      UtcMillis now, std::size_t limit, std::chrono::milliseconds lease) = 0;
  /// Records how the attempt numbered `attempt` ended. Fenced: returns false and changes
  /// nothing if the message is no longer pending at that attempt (another worker took it
  /// over after the lease ran out).
  [[nodiscard]] virtual Result<bool> complete(OutboxId id, std::uint32_t attempt,
                                              const OutboxCompletion& completion,
                                              UtcMillis now) = 0;
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> list_outbox(
      const OutboxQuery& query) const = 0;
  /// Puts a dead message back to pending, due now, with its attempt counter reset.
  /// Returns false if the message is not dead.
  [[nodiscard]] virtual Result<bool> requeue(OutboxId id, UtcMillis now) = 0;
  /// The earliest due time among pending messages, if any (lets a dispatcher sleep).
  [[nodiscard]] virtual Result<std::optional<UtcMillis>> next_due() const = 0;
};

}  // namespace interviewkit
