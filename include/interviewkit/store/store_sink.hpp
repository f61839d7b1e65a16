// StoreSink: the ActionLog kept in the same database as the interviews.
#pragma once

#include <memory>
#include <vector>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_log.hpp>
#include <interviewkit/log/sink.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// A store that can also keep action entries (SqliteStore, PostgresStore), so that an entry
/// can commit in the same transaction as the change it records.
///
/// Contract for implementers:
/// - Thread-safe: called concurrently by every BookingService, Dispatcher and ActionLog of
///   the process (and, for a shared database, by other processes).
/// - Failures are returned as error values, never thrown, whatever is stored.
/// - A store that implements ActionStore returns true from `Store::keeps_action_log()` and
///   accepts `StoreTransaction::append_action`, `OutboxCompletion::log` and `requeue`'s
///   `log` in the same transaction as the change; entries written either way are found by
///   `query_actions` alike.
class INTERVIEWKIT_EXPORT ActionStore {
 public:
  virtual ~ActionStore() = default;
  /// Appends one entry in a transaction of its own. The entry is copied; the caller keeps
  /// ownership of `entry`. Committed once this returns a value.
  [[nodiscard]] virtual Result<void> append_action(const ActionEntry& entry) = 0;
  /// The entries matching every set field of `query`, in the order they were appended
  /// (`since` inclusive, `until` exclusive). A stored entry this version cannot read is an
  /// error value (Unavailable), not a skipped entry.
  [[nodiscard]] virtual Result<std::vector<ActionEntry>> query_actions(
      const ActionQuery& query) const = 0;
};

/// Sink writing to an ActionStore; a failed append throws ErrorException, which ActionLog
/// catches and reports (see ActionLogSink). Shares ownership of the store. Thread-safe if
/// the store is (every ActionStore is).
class INTERVIEWKIT_EXPORT StoreSink final : public QueryableSink {
 public:
  /// A sink over `store`. A null store is InvalidInput: a wiring mistake, reported as a
  /// value like every other failure, rather than thrown from a constructor.
  [[nodiscard]] static Result<std::shared_ptr<StoreSink>> make(std::shared_ptr<ActionStore> store);

  void write(const ActionEntry& entry) override;
  /// Throws ErrorException if the store fails (QueryableSink's query returns no error value).
  [[nodiscard]] std::vector<ActionEntry> query(const ActionQuery& query) const override;
  /// Never null.
  [[nodiscard]] const std::shared_ptr<ActionStore>& store() const noexcept { return store_; }

 private:
  explicit StoreSink(std::shared_ptr<ActionStore> store);
  std::shared_ptr<ActionStore> store_;
};

/// True when `log` writes to a StoreSink over `store` itself: then an entry can commit
/// in the same transaction as the change it records (BookingService and Dispatcher do so).
[[nodiscard]] INTERVIEWKIT_EXPORT bool logs_into(const ActionLog& log, const Store& store) noexcept;

}  // namespace interviewkit
