// FanoutSink: sends every entry to several sinks, like spdlog's dist_sink. Fan-out is
// just another sink, so ActionLog never needs to know how many places entries go.
#pragma once

#include <memory>
#include <vector>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/log/sink.hpp>

namespace interviewkit {

/// Writes each entry to every child in order. A failing child does not keep the entry from
/// the others: all are tried, then one std::runtime_error reports how many failed and why.
/// The set of children is fixed at construction, so this adds no locking of its own; it is
/// thread-safe if every child is.
class INTERVIEWKIT_EXPORT FanoutSink final : public ActionLogSink {
 public:
  /// A null child is InvalidInput naming its position.
  [[nodiscard]] static Result<std::shared_ptr<FanoutSink>> make(
      std::vector<std::shared_ptr<ActionLogSink>> sinks);

  void write(const ActionEntry& entry) override;
  void flush() override;
  /// True when any child wants entries of `action`.
  [[nodiscard]] bool wants(ActionType action) const noexcept override;

  /// The children, in the order they are written to.
  [[nodiscard]] const std::vector<std::shared_ptr<ActionLogSink>>& sinks() const noexcept {
    return sinks_;
  }

 private:
  explicit FanoutSink(std::vector<std::shared_ptr<ActionLogSink>> sinks) noexcept;
  std::vector<std::shared_ptr<ActionLogSink>> sinks_;
};

}  // namespace interviewkit
