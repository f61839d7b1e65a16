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

/// A store that can also keep action entries (SqliteStore, PostgresStore).
class INTERVIEWKIT_EXPORT ActionStore {
 public:
  virtual ~ActionStore() = default;
  [[nodiscard]] virtual Result<void> append_action(const ActionEntry& entry) = 0;
  [[nodiscard]] virtual Result<std::vector<ActionEntry>> query_actions(
      const ActionQuery& query) const = 0;
};

/// Sink writing to an ActionStore; a failed append throws (ActionLog reports it).
/// Thread-safe if the store is.
class INTERVIEWKIT_EXPORT StoreSink final : public QueryableSink {
 public:
  explicit StoreSink(std::shared_ptr<ActionStore> store);
  void write(const ActionEntry& entry) override;
  [[nodiscard]] std::vector<ActionEntry> query(const ActionQuery& query) const override;
  [[nodiscard]] const std::shared_ptr<ActionStore>& store() const noexcept { return store_; }

 private:
  std::shared_ptr<ActionStore> store_;
};

/// True when `log` writes to a StoreSink over `store` itself: then an entry can commit
/// in the same transaction as the change it records (BookingService and Dispatcher do so).
[[nodiscard]] INTERVIEWKIT_EXPORT bool logs_into(const ActionLog& log, const Store& store) noexcept;

}  // namespace interviewkit
