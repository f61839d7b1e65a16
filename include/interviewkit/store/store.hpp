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
#include <interviewkit/store/calendar_cache.hpp>
#include <interviewkit/store/outbox.hpp>

namespace interviewkit {

/// A remembered request: the same key with the same request returns `result` again.
struct IdempotencyRecord {
  std::string key;      ///< OperationOptions::idempotency_key
  std::string request;  ///< canonical description of the request, to detect key reuse
  Interview result;     ///< the interview as the first request left it
};

/// An interviewer's time held by an interview: its slot while it is scheduled or confirmed.
struct BusyInterval {
  InterviewerId interviewer;  ///< whose time
  TimeRange range;            ///< the interview's slot
  InterviewId interview;      ///< the interview that holds it

  friend bool operator==(const BusyInterval&, const BusyInterval&) = default;
};

/// A candidate's time held by an interview: its slot while it is scheduled or confirmed.
struct CandidateBusyInterval {
  TimeRange range;        ///< the interview's slot
  InterviewId interview;  ///< the interview that holds it

  friend bool operator==(const CandidateBusyInterval&, const CandidateBusyInterval&) = default;
};

/// The operations available inside one write transaction. Valid only inside Store::write,
/// on the thread that runs the work, and only until the work returns: never keep a pointer
/// or reference to it.
///
/// Contract for implementers:
/// - Reads see this transaction's own writes (`load` after `update`, `find_conflict` after
///   an `insert` that holds a slot, `supersede` after `enqueue`), as a database
///   transaction sees its own rows.
/// - Every method reports a database failure as an error value, or lets it end the whole
///   transaction (the SQL stores unwind the work and `write` returns the error); never as
///   an exception that reaches the host. Once one has failed, the transaction is doomed
///   and `work` should return that error.
/// - Arguments are read during the call and never kept: spans, strings and interviews
///   belong to the caller.
class INTERVIEWKIT_EXPORT StoreTransaction {
 public:
  virtual ~StoreTransaction() = default;

  /// The interview as this transaction sees it; NotFound for an unknown id. Stores shared
  /// by several processes lock the row, so concurrent writers of one interview queue up.
  [[nodiscard]] virtual Result<Interview> load(InterviewId id) = 0;
  /// `load(held.id)` for a caller that already holds `held`, a revision it read earlier. A
  /// store that reads across a network (PostgreSQL) may return `held` without reading, and
  /// check with the statements that follow that the stored row is exactly `held` (locking
  /// it, as `load` does); if it is not, Store::write fails with StaleVersion (`expected` is
  /// `held.version`, `actual` the stored version) or NotFound, and nothing is written. The
  /// store may also refuse a held revision that is the stored one (StaleVersion with
  /// `expected` equal to `actual`; PostgresStore when another process enqueued messages for
  /// the interview since it drew its outbox ids): the caller then runs the work again with
  /// `load`, as BookingService does. So the work must not act on this result outside the
  /// transaction before Store::write succeeds. The default loads, which is always correct.
  [[nodiscard]] virtual Result<Interview> load_held(const Interview& held) { return load(held.id); }
  /// Stores a new interview; returns its id (the `id` field of `interview` is ignored).
  /// Ids are never zero, and never the id of another committed interview.
  [[nodiscard]] virtual Result<InterviewId> insert(const Interview& interview) = 0;
  /// Replaces the stored interview with the same id; NotFound if there is none. No version
  /// check: the caller compares versions after `load`.
  [[nodiscard]] virtual Result<void> update(const Interview& interview) = 0;
  /// Another interview holding a slot (scheduled or confirmed) that shares a person with
  /// `interview` and whose slot overlaps `window` (half-open: touching is no overlap), if
  /// any; `interview` itself (same id) never conflicts. `SlotConflict::person` is the
  /// person's key, "candidate:<id>" or "interviewer:<id>", the same in every store. Stores
  /// shared by several processes must make the check and the write that follows one
  /// atomic step (PostgreSQL locks each person here).
  [[nodiscard]] virtual Result<std::optional<SlotConflict>> find_conflict(
      const Interview& interview, const TimeRange& window) = 0;
  /// The same check as a guard: the SlotConflict `find_conflict` would name fails the
  /// transaction, with the same atomicity. A store may check at once (the default, through
  /// `find_conflict`) or later, with the statements that follow, before the commit
  /// (PostgreSQL does, saving a round trip); then this returns success and Store::write
  /// returns the SlotConflict. So the work must not act on its success outside the
  /// transaction.
  [[nodiscard]] virtual Result<void> require_free(const Interview& interview,
                                                  const TimeRange& window);
  /// Adds messages to the outbox and returns their ids, in the order given; ids are
  /// assigned by the store (the `id`, `claim`, lease, `recipient` and `revision` fields
  /// given are ignored: the last two are derived from the payload). An idempotency key
  /// already in the outbox fails the transaction.
  [[nodiscard]] virtual Result<std::vector<OutboxId>> enqueue(
      std::span<const OutboxMessage> messages) = 0;
  /// As `enqueue`, for a caller that needs back only what a report of the messages says
  /// (`recipient`, `kind`, `channel`, `due`): the store may move each message's `payload`,
  /// `idempotency_key` and `message_token` out instead of copying them (each is then left
  /// moved-from: do not read it; every other field is left as given). Nothing is taken when
  /// the call returns an error; should it throw (std::bad_alloc), some messages may have
  /// been taken. A store that keeps messages as objects (MemoryStore) saves a copy of each;
  /// the default copies, as `enqueue` does. Since the work passed to Store::write may run
  /// more than once, build the messages inside it, as BookingService does: messages built
  /// outside would be enqueued emptied on a second run.
  [[nodiscard]] virtual Result<std::vector<OutboxId>> enqueue_taking(
      std::span<OutboxMessage> messages) {
    return enqueue(messages);
  }
  /// Marks pending and dead messages of `kind` for `interview` expired with `reason` (a
  /// superseded message is never sent, nor requeued); returns them as changed, in id order.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> supersede(InterviewId interview,
                                                                     NotificationKind kind,
                                                                     const std::string& reason,
                                                                     UtcMillis now) = 0;
  /// The record for `key`. Stores shared by several processes must make a concurrent
  /// request with the same key wait until the first one's transaction ends, so that the
  /// second sees its record (PostgreSQL takes a lock on the key here).
  [[nodiscard]] virtual Result<std::optional<IdempotencyRecord>> find_idempotency(
      const std::string& key) = 0;
  /// Saves a new record; a record for the same key must not exist (an error if it does,
  /// never an overwrite).
  [[nodiscard]] virtual Result<void> save_idempotency(const IdempotencyRecord& record) = 0;
  /// Records that `transition` made the interview's current revision (call it after the
  /// `insert` or `update` that wrote the revision). Reconciliation reads it back through
  /// `Store::revisions`; a later `update` without it leaves the revision unexplained.
  [[nodiscard]] virtual Result<void> record_transition(InterviewId interview,
                                                       const RecordedTransition& transition) = 0;
  /// Appends to the store's own action log, in this transaction. Only called when
  /// `Store::keeps_action_log()` is true; the default refuses.
  [[nodiscard]] virtual Result<void> append_action(const ActionEntry& entry);
};

/// Where interviews, their outbox and idempotency records live.
///
/// Contract for implementers (the conformance suite in tests/conformance/ checks it; every
/// store must give the same answer to every call):
/// - Thread-safe: one Store is shared by every BookingService and Dispatcher of a process,
///   and several processes may share one database. Every method may be called concurrently.
/// - Every database failure (busy, disk full, read-only, timeouts, lost connections, rows
///   this version cannot read) is returned as an error value, never thrown; no method
///   throws for any stored content. The one exception that crosses `write` is one thrown by
///   the caller's own work.
/// - `write`'s work may run more than once: a store may retry it after a serialization
///   failure, deadlock or dropped connection (PostgreSQL does). Work must therefore derive
///   everything from what it reads through the transaction and reset any state it keeps
///   outside it on entry; only the last run's writes are committed.
/// - Arguments (spans, log entries, queries) are read during the call and never kept;
///   results are copies the caller owns.
/// - Outbox fencing: `claim` is a fencing token that only ever grows for a message (claims,
///   releases and requeues never lower it). `renew`, `release` and `complete` change a
///   message only while it is pending under the caller's claim, so a worker whose lease ran
///   out and was taken over can change nothing. An unknown outbox id is InvalidInput from
///   every fenced method, so a caller can tell "fenced off" (false) from "no such message".
class INTERVIEWKIT_EXPORT Store {
 public:
  /// What write() runs: reads and writes through the transaction, returns an error to roll
  /// back.
  using Work = std::function<Result<void>(StoreTransaction&)>;

  virtual ~Store() = default;

  /// Runs `work` in one atomic write transaction: everything it wrote is committed if it
  /// returns a value, and nothing if it returns an error or throws (an exception thrown by
  /// `work` itself propagates; database failures are error values). Writers are
  /// serialised, so a check followed by a write inside `work` is one atomic step. `work`
  /// may run more than once (see above) and must not call back into this store.
  [[nodiscard]] virtual Result<void> write(const Work& work) = 0;

  /// The committed interview; NotFound for an unknown id.
  [[nodiscard]] virtual Result<Interview> find(InterviewId id) const = 0;

  /// The slots of interviews holding one (scheduled or confirmed) that overlap `window`, for
  /// each of `interviewers` they include: grouped by interviewer in the order given, each
  /// group ordered by slot start. What availability search needs to know.
  [[nodiscard]] virtual Result<std::vector<BusyInterval>> busy_intervals(
      std::span<const InterviewerId> interviewers, const TimeRange& window) const = 0;
  /// The slots of `candidate`'s interviews holding one that overlap `window`, ordered by
  /// slot start: so a slot search never offers a time the candidate is already booked.
  [[nodiscard]] virtual Result<std::vector<CandidateBusyInterval>> candidate_busy_intervals(
      const CandidateId& candidate, const TimeRange& window) const = 0;

  /// Pending messages due at `now` and not leased by another worker, oldest first (by due
  /// time, then id), at most `limit`. Each is leased until now + lease; its `attempts`,
  /// `claim` and `unfinished_claims` counters are incremented, and the returned copies carry
  /// the new values. A row that cannot be decoded is returned with `unreadable` set. Two
  /// concurrent callers never claim the same message.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> claim_due(
      UtcMillis now, std::size_t limit, std::chrono::milliseconds lease) = 0;
  /// Extends the lease of a message this worker still holds (pending, same `claim`) to
  /// `until`. False if another worker has claimed it since, or it is no longer pending.
  [[nodiscard]] virtual Result<bool> renew(OutboxId id, std::uint64_t claim, UtcMillis until,
                                           UtcMillis now) = 0;
  /// Gives back a claim under which nothing was attempted (the dispatcher is stopping): the
  /// message is claimable again at once and the claim counts neither as an attempt nor as
  /// an unfinished claim. False if the claim is no longer this worker's.
  [[nodiscard]] virtual Result<bool> release(OutboxId id, std::uint64_t claim, UtcMillis now) = 0;
  /// Records how the attempt made under `claim` ended, with `completion.log` appended to
  /// the store's action log in the same transaction (if it keeps one), and resets
  /// `unfinished_claims`. Fenced: returns false and changes nothing if the message is no
  /// longer pending under that claim. An unknown id is InvalidInput.
  [[nodiscard]] virtual Result<bool> complete(OutboxId id, std::uint64_t claim,
                                              const OutboxCompletion& completion,
                                              UtcMillis now) = 0;
  /// One message by id (an index lookup), or nullopt (an unknown id is not an error here).
  [[nodiscard]] virtual Result<std::optional<OutboxMessage>> find_outbox(OutboxId id) const = 0;
  /// One page: the messages matching every set field of `query` with ids above
  /// `query.after`, in id order, at most `query.limit` (1..10,000; anything else is
  /// InvalidInput). See `page_outbox` for paging with a cursor.
  [[nodiscard]] virtual Result<std::vector<OutboxMessage>> list_outbox(
      const OutboxQuery& query) const = 0;
  /// How many messages match `query` (its `after` and `limit` are ignored), by state.
  [[nodiscard]] virtual Result<OutboxCounts> count_outbox(const OutboxQuery& query) const = 0;
  /// The current revision of the interviews `query` selects, with their outbox messages of
  /// that revision (see RevisionDigest). What reconciliation and delivery fate read.
  [[nodiscard]] virtual Result<std::vector<RevisionDigest>> revisions(
      const RevisionQuery& query) const = 0;
  /// Retention: deletes delivered and expired messages last changed before
  /// `request.delivered_before` and action log entries before `request.log_before` (if
  /// the store keeps the log), then appends `log` (if it keeps the log), all in one
  /// transaction. Pending and dead messages are never purged.
  [[nodiscard]] virtual Result<PurgeResult> purge(const PurgeRequest& request,
                                                  std::span<const ActionEntry> log) = 0;
  /// The latest `delivered_before` any purge used, if any: messages of revisions made before
  /// it may be missing because retention removed them, not because they were never sent.
  [[nodiscard]] virtual Result<std::optional<UtcMillis>> purged_before() const = 0;
  /// Puts a dead message back to pending, due now, with `attempts` reset (its `claim`
  /// counter keeps growing), and appends `log` to the store's action log in the same
  /// transaction (if it keeps one). False if the message is not dead; unknown id is
  /// InvalidInput.
  [[nodiscard]] virtual Result<bool> requeue(OutboxId id, UtcMillis now,
                                             std::span<const ActionEntry> log) = 0;
  /// The earliest moment a pending message becomes claimable (its due time, or its lease's
  /// end if that is later), if any: lets a dispatcher sleep.
  [[nodiscard]] virtual Result<std::optional<UtcMillis>> next_due() const = 0;

  /// The external calendar cached under `key`, or nullopt if none is.
  [[nodiscard]] virtual Result<std::optional<CachedCalendar>> load_calendar(
      const std::string& key) const;
  /// Replaces whatever is cached under `calendar.key` with `calendar`, atomically: a reader
  /// sees the old copy or the new one, never a mix. InvalidInput for an empty or overlong
  /// key, or busy time outside `covered`.
  [[nodiscard]] virtual Result<void> save_calendar(const CachedCalendar& calendar);
  /// The busy time of `interviewer` in all their cached calendars that overlaps `window`,
  /// sorted by start (overlapping ranges of different calendars are not merged). What slot
  /// search adds to InterviewerAvailability::busy.
  [[nodiscard]] virtual Result<std::vector<TimeRange>> calendar_busy(
      const InterviewerId& interviewer, const TimeRange& window) const;

  /// True if this store also keeps the action log (it is an `ActionStore`), so entries can
  /// commit in the same transaction as the change they record. A store that answers true
  /// must accept `StoreTransaction::append_action` and keep `complete`'s and `requeue`'s
  /// log entries; one that answers false ignores them (the caller logs them elsewhere).
  [[nodiscard]] virtual bool keeps_action_log() const noexcept { return false; }
};

/// One page of `store.list_outbox(query)` and the cursor of the next page, if there is one.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<OutboxPage> page_outbox(const Store& store,
                                                                 OutboxQuery query);

}  // namespace interviewkit
