// FanoutSink: one sink that writes to several, trying every child whatever the others do.
#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include <interviewkit/log/action_log.hpp>
#include <interviewkit/log/fanout_sink.hpp>

namespace interviewkit {

namespace {

// Calls `operation` on every sink, then throws one error describing every failure. Every
// child is tried even after one fails, so one broken sink never keeps an entry from the
// others; the failures are then reported as one exception, so ActionLog counts one failed
// write and its message names each child (by position) that failed.
template <class Operation>
void for_each_sink(const std::vector<std::shared_ptr<ActionLogSink>>& sinks, std::string_view doing,
                   Operation operation) {
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < sinks.size(); ++i) {
    try {
      operation(*sinks[i]);
    } catch (...) {
      failures.push_back(
          fmt::format("sink {}: {}", i, describe_exception(std::current_exception())));
    }
  }
  if (!failures.empty()) {
    throw std::runtime_error(fmt::format("{} of {} action log sinks failed to {}: {}",
                                         failures.size(), sinks.size(), doing,
                                         fmt::join(failures, "; ")));
  }
}

}  // namespace

// Nulls are refused here, once, so write and flush need no checks; the vector is never
// changed afterwards, which is why the sink needs no lock of its own.
Result<std::shared_ptr<FanoutSink>> FanoutSink::make(
    std::vector<std::shared_ptr<ActionLogSink>> sinks) {
  for (std::size_t i = 0; i < sinks.size(); ++i) {
    if (!sinks[i])
      return InvalidInput{
          fmt::format("FanoutSink: sink {} of {} is a null pointer", i, sinks.size())};
  }
  return std::shared_ptr<FanoutSink>(new FanoutSink(std::move(sinks)));
}

FanoutSink::FanoutSink(std::vector<std::shared_ptr<ActionLogSink>> sinks) noexcept
    : sinks_(std::move(sinks)) {}

void FanoutSink::write(const ActionEntry& entry) {
  for_each_sink(sinks_, "write", [&](ActionLogSink& sink) { sink.write(entry); });
}

// Each child drops what it does not want, so the fan-out drops only what none of them wants.
bool FanoutSink::wants(ActionType action) const noexcept {
  return std::any_of(sinks_.begin(), sinks_.end(),
                     [&](const auto& sink) { return sink->wants(action); });
}

void FanoutSink::flush() {
  for_each_sink(sinks_, "flush", [](ActionLogSink& sink) { sink.flush(); });
}

}  // namespace interviewkit
