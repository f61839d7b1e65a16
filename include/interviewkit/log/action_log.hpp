// ActionLog: the front the library writes through. Never throws on a sink failure.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>

#include <interviewkit/export.hpp>
#include <interviewkit/log/sink.hpp>

namespace interviewkit {

/// Wraps one sink (use FanoutSink for several). `record` never throws: when the sink
/// fails, the error handler gets a description of the entry and the failure, and
/// `failed_writes()` counts it. The default handler reports to spdlog's default logger at
/// error level, the way spdlog reports its own sink failures. Thread-safe if the sink is.
class INTERVIEWKIT_EXPORT ActionLog {
 public:
  using ErrorHandler = std::function<void(const std::string& message)>;

  /// Throws std::invalid_argument for a null sink: that is a wiring mistake, not a failure.
  explicit ActionLog(std::shared_ptr<ActionLogSink> sink);

  void record(const ActionEntry& entry) noexcept;
  void flush() noexcept;

  /// Replaces the handler told about sink failures; an empty handler restores the default.
  /// A handler that throws is caught and the message goes to the default logger instead.
  /// Not thread-safe against record(): set it before sharing the ActionLog.
  void set_error_handler(ErrorHandler handler);

  [[nodiscard]] std::uint64_t failed_writes() const noexcept { return failed_writes_.load(); }
  [[nodiscard]] const std::shared_ptr<ActionLogSink>& sink() const noexcept { return sink_; }

 private:
  void report(const std::string& message) noexcept;

  std::shared_ptr<ActionLogSink> sink_;
  ErrorHandler error_handler_;
  std::atomic<std::uint64_t> failed_writes_{0};
};

/// Describes an exception whatever its type: what() for a std::exception, the text for a
/// thrown std::string or C string, a fixed description for anything else, and
/// "no exception" for a null pointer.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string describe_exception(std::exception_ptr error);

}  // namespace interviewkit
