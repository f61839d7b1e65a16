// LogNotifier: "delivers" by writing one line per notification to a spdlog logger.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>

// Declared, not included: the host that passes a logger has spdlog's headers already, and
// everyone else is spared them.
namespace spdlog {
class logger;
}  // namespace spdlog

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// Writes each notification, at info, to the logger the host gives it, and never to
/// spdlog's global default logger (a library must not write to the host's logs unasked).
/// Always reports "delivered" with the detail "logged". Thread-safe: its own calls to the
/// logger are made one at a time, so even a logger with single-threaded (_st) sinks is safe
/// as long as nothing else uses it meanwhile (spdlog's _mt sinks are safe anyway).
/// `deliver` does not throw unless the logger does.
class INTERVIEWKIT_EXPORT LogNotifier final : public Notifier {
 public:
  /// A null logger is InvalidInput.
  [[nodiscard]] static Result<std::shared_ptr<LogNotifier>> make(
      std::shared_ptr<spdlog::logger> logger);

  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;
  /// 64: a log line takes microseconds, so deliveries waiting for the lock cost little.
  [[nodiscard]] std::size_t max_concurrency() const noexcept override { return 64; }

 private:
  explicit LogNotifier(std::shared_ptr<spdlog::logger> logger) noexcept;
  std::shared_ptr<spdlog::logger> logger_;
  std::mutex mutex_;  // one call to the logger at a time
};

}  // namespace interviewkit
