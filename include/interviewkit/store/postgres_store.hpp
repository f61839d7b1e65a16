// PostgresStore: one PostgreSQL database shared by many application servers and dispatchers.
// Separate target interviewkit::postgres; this header pulls in no libpq/libpqxx header.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <interviewkit/export.hpp>
#include <interviewkit/store/store.hpp>
#include <interviewkit/store/store_sink.hpp>

namespace interviewkit {

/// Options of PostgresStore::open.
struct PostgresOptions {
  /// libpq connection string or URL, e.g. "postgresql://app@db.example.com/hiring".
  std::string url{};
  /// Connections kept open and shared between threads.
  std::size_t pool_size = 4;
  /// How long a caller waits for a free connection before Unavailable.
  std::chrono::milliseconds acquire_timeout{std::chrono::seconds{10}};
  /// Transactions that hit a serialization failure or deadlock are retried this often.
  int retries = 5;
  /// How long opening a connection may take (libpq's connect_timeout, added to the
  /// connection string unless it already sets one). Default 10 s; 0 leaves libpq's default
  /// (wait forever).
  std::chrono::seconds connect_timeout{10};
  /// Every statement, lock waits included, is cancelled after this long (the session's
  /// statement_timeout) and reported as an error. Default 30 s; 0 disables it.
  std::chrono::milliseconds statement_timeout{std::chrono::seconds{30}};
};

/// A Store on PostgreSQL. The database itself forbids double booking: an exclusion
/// constraint (btree_gist, tstzrange &&) over the people of every interview that holds a
/// slot (the store writes them next to the interview row; a trigger derives them for any
/// other writer), so even a foreign writer cannot create an overlap. Outbox claims use FOR UPDATE
/// SKIP LOCKED with a lease; completions are fenced by the attempt number, so a worker that wakes
/// after its lease cannot overwrite a newer claim. Thread-safe (a connection pool). `write`'s work
/// runs again after a serialization failure, deadlock or dropped connection, up to `retries` times.
/// Also an ActionStore. Created only by `open`.
class INTERVIEWKIT_EXPORT PostgresStore final : public Store, public ActionStore {
 public:
  /// Connects, and applies schema migrations under an advisory lock (two servers starting
  /// at once do not race). Unreachable servers and bad credentials are error values.
  [[nodiscard]] static Result<std::shared_ptr<PostgresStore>> open(PostgresOptions options);
  ~PostgresStore() override;
  PostgresStore(const PostgresStore&) = delete;
  PostgresStore& operator=(const PostgresStore&) = delete;

  /// The schema version this build writes.
  static constexpr int schema_version = 7;

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
  bool keeps_action_log() const noexcept override { return true; }

  Result<void> append_action(const ActionEntry& entry) override;
  Result<std::vector<ActionEntry>> query_actions(const ActionQuery& query) const override;

 private:
  struct Impl;
  explicit PostgresStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace interviewkit
