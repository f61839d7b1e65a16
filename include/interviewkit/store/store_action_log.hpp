// StoreActionLog: the ActionLog kept in the same database as the interviews.
#pragma once

#include <memory>
#include <vector>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/sink.hpp>

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
class INTERVIEWKIT_EXPORT StoreActionLog final : public QueryableActionLog {
 public:
  explicit StoreActionLog(std::shared_ptr<ActionStore> store);
  void write(const ActionEntry& entry) override;
  [[nodiscard]] std::vector<ActionEntry> query(const ActionQuery& query) const override;

 private:
  std::shared_ptr<ActionStore> store_;
};

}  // namespace interviewkit
