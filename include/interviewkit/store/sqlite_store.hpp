// SqliteStore: the embedded default Store, on one SQLite file. Separate target
// interviewkit::sqlite; this header pulls in no SQLite header.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>

#include <interviewkit/export.hpp>
#include <interviewkit/store/store.hpp>
#include <interviewkit/store/store_sink.hpp>

namespace interviewkit {

/// Options of SqliteStore::open.
struct SqliteOptions {
  /// How hard a commit waits for the disk (SQLite's `PRAGMA synchronous`).
  enum class Synchronous : std::uint8_t {
    /// fsync on every commit: a committed booking survives power loss. The default.
    full,
    /// fsync only at WAL checkpoints: faster, still safe against a process crash, but the
    /// last commits may be lost if the machine loses power.
    normal,
  };
  Synchronous synchronous = Synchronous::full;  ///< durability of commits
  /// How long a writer waits for another process's write transaction before giving up.
  std::chrono::milliseconds busy_timeout{std::chrono::seconds{10}};
};

/// A Store on a SQLite file in WAL mode. Several processes may open the same file: write
/// transactions start with BEGIN IMMEDIATE, so the conflict check and the write are atomic
/// across processes too. Thread-safe: one connection per instance, used under a mutex, so
/// `write`'s work runs once and must not call back into the store. A writer that waits
/// longer than `busy_timeout` for another process gets Unavailable. Also an ActionStore:
/// StoreSink keeps the ActionLog in the same file. Created only by `open`.
class INTERVIEWKIT_EXPORT SqliteStore final : public Store, public ActionStore {
 public:
  /// Opens (creating if needed) and migrates the database. A file that is not a SQLite
  /// database, is corrupt, or was written by a newer schema version is an error value.
  /// A path that cannot name a database file (empty, a directory, in a directory that does
  /// not exist: directories are not created) is InvalidInput.
  [[nodiscard]] static Result<std::shared_ptr<SqliteStore>> open(const std::filesystem::path& path,
                                                                 SqliteOptions options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  /// The schema version this build writes.
  static constexpr int schema_version = 4;

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

  /// Runs PRAGMA integrity_check; "ok" when the file is sound.
  [[nodiscard]] Result<std::string> integrity_check() const;

 private:
  struct Impl;
  explicit SqliteStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace interviewkit
