// MemorySink: keeps every entry in memory. For tests, examples and hosts that read the
// log back in-process.
#pragma once

#include <cstddef>
#include <mutex>
#include <vector>

#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/log/sink.hpp>

namespace interviewkit {

/// Holds the entries in the order they were written; grows without bound until clear().
/// Thread-safe: every member may be called from any thread.
class INTERVIEWKIT_EXPORT MemorySink final : public QueryableSink {
 public:
  MemorySink() = default;

  void write(const ActionEntry& entry) override;
  [[nodiscard]] std::vector<ActionEntry> query(const ActionQuery& query) const override;

  /// A copy of every entry, oldest first.
  [[nodiscard]] std::vector<ActionEntry> entries() const;
  /// How many entries it holds.
  [[nodiscard]] std::size_t size() const;
  /// Drops every entry.
  void clear();

 private:
  mutable std::mutex mutex_;
  std::vector<ActionEntry> entries_;
};

}  // namespace interviewkit
