// ActionLog: the front the library writes through. Never throws on a sink failure.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/error_handler.hpp>
#include <interviewkit/log/sink.hpp>

namespace interviewkit {

/// Options of ActionLog::make.
struct ActionLogOptions {
  /// Told when the sink fails to write or flush an entry, with a description of the entry
  /// (not its details: they may be what broke the sink) and of the failure. Called on the
  /// thread that recorded the entry. Default: report_to_stderr.
  ErrorHandler on_error{};
};

/// Wraps one sink (use FanoutSink for several). `record` never throws: when the sink
/// fails, the error handler gets a description of the entry and the failure, and
/// `failed_writes()` counts it. Thread-safe if the sink is.
class INTERVIEWKIT_EXPORT ActionLog {
 public:
  /// A null sink is InvalidInput: that is a wiring mistake.
  [[nodiscard]] static Result<std::shared_ptr<ActionLog>> make(std::shared_ptr<ActionLogSink> sink,
                                                               ActionLogOptions options = {});

  /// Writes `entry` to the sink, on the calling thread. Never throws: a sink failure goes to
  /// the error handler and is counted in failed_writes().
  void record(const ActionEntry& entry) noexcept;
  /// Asks the sink to make what it was given durable (ActionLogSink::flush). Never throws: a
  /// failure goes to the error handler (not counted in failed_writes()).
  void flush() noexcept;
  /// Whether the sink keeps entries of `action` (ActionLogSink::wants): when false, a caller
  /// may skip building such an entry, since `record` would hand it to a sink that drops it.
  [[nodiscard]] bool wants(ActionType action) const noexcept { return sink_->wants(action); }

  /// How many record() calls the sink failed, since make().
  [[nodiscard]] std::uint64_t failed_writes() const noexcept { return failed_writes_.load(); }
  /// The sink given to make().
  [[nodiscard]] const std::shared_ptr<ActionLogSink>& sink() const noexcept { return sink_; }

  ActionLog(const ActionLog&) = delete;
  ActionLog& operator=(const ActionLog&) = delete;

 private:
  ActionLog(std::shared_ptr<ActionLogSink> sink, ActionLogOptions options);
  void report(const std::string& message) noexcept;

  std::shared_ptr<ActionLogSink> sink_;
  ActionLogOptions options_;
  std::atomic<std::uint64_t> failed_writes_{0};
};

/// Describes an exception whatever its type: what() for a std::exception, the text for a
/// thrown std::string or C string, a fixed description for anything else, and
/// "no exception" for a null pointer.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string describe_exception(std::exception_ptr error);

}  // namespace interviewkit
