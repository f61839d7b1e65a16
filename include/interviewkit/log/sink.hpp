// ActionLogSink: where action entries go. Modelled on spdlog's sink: a tiny interface and
// one small implementation per file.
#pragma once

#include <vector>

#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>

namespace interviewkit {

/// Receives action entries. `write` may throw to report that the entry was not recorded;
/// ActionLog catches it, reports it to its error handler and carries on, so a failing sink
/// never breaks a booking. Implementations say whether they are thread-safe; all the sinks
/// the library ships are.
class INTERVIEWKIT_EXPORT ActionLogSink {
 public:
  virtual ~ActionLogSink() = default;
  virtual void write(const ActionEntry& entry) = 0;
  virtual void flush() {}
};

/// A sink that can also answer queries ("all failed notifications for interview X").
class INTERVIEWKIT_EXPORT QueryableSink : public ActionLogSink {
 public:
  /// Matching entries in the order they were written.
  [[nodiscard]] virtual std::vector<ActionEntry> query(const ActionQuery& query) const = 0;
};

}  // namespace interviewkit
