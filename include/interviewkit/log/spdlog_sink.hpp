// SpdlogSink: writes action entries to the host's own spdlog logger, so the audit trail
// shows up wherever the host already sends its logs.
#pragma once

#include <memory>
#include <string>

// Declared, not included (spdlog's headers bring all of fmt/format.h): the host that passes a
// logger has them already. level_enum has a fixed underlying type, so it can be declared.
namespace spdlog {
class logger;
namespace level {
enum level_enum : int;
}  // namespace level
}  // namespace spdlog

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/log/sink.hpp>

namespace interviewkit {

/// One log message per entry, e.g.
///   interview_booked interview=42 actor=recruiter:r-1 pending->scheduled
///   time=2024-03-12T14:00:00.250Z details={"slot":"..."}
/// (on one line; the transition is left out when the entry has none, "interview=none" marks
/// an entry about no single interview, and details are left out when empty).
/// Failed notifications log at warn and dead-lettered ones at error, or at `level` if that is
/// higher, so an operator's alerting on warnings sees them.
/// Thread-safe if the logger is (spdlog's *_mt sinks are). Write-only: it cannot be queried.
class INTERVIEWKIT_EXPORT SpdlogSink final : public ActionLogSink {
 public:
  /// A null logger is InvalidInput.
  [[nodiscard]] static Result<std::shared_ptr<SpdlogSink>> make(
      std::shared_ptr<spdlog::logger> logger);
  /// As above, writing ordinary entries at `level` (default: info).
  [[nodiscard]] static Result<std::shared_ptr<SpdlogSink>> make(
      std::shared_ptr<spdlog::logger> logger, spdlog::level::level_enum level);

  void write(const ActionEntry& entry) override;
  void flush() override;

  /// The message written for `entry`, without spdlog's own prefix.
  [[nodiscard]] static std::string format(const ActionEntry& entry);
  /// The level `entry` is written at.
  [[nodiscard]] spdlog::level::level_enum level_for(const ActionEntry& entry) const noexcept;

  /// The logger given to make().
  [[nodiscard]] const std::shared_ptr<spdlog::logger>& logger() const noexcept { return logger_; }

 private:
  SpdlogSink(std::shared_ptr<spdlog::logger> logger, spdlog::level::level_enum level) noexcept;
  std::shared_ptr<spdlog::logger> logger_;
  spdlog::level::level_enum level_;
};

}  // namespace interviewkit
