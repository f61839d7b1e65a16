// LogNotifier: "delivers" by writing one line per notification to a spdlog logger.
#pragma once

#include <memory>

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
/// Always reports "delivered" with the detail "logged". As thread-safe as the logger
/// (spdlog's _mt sinks are); `deliver` does not throw unless the logger does.
class INTERVIEWKIT_EXPORT LogNotifier final : public Notifier {
 public:
  /// A null logger is InvalidInput.
  [[nodiscard]] static Result<std::shared_ptr<LogNotifier>> make(
      std::shared_ptr<spdlog::logger> logger);

  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;

 private:
  explicit LogNotifier(std::shared_ptr<spdlog::logger> logger) noexcept;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace interviewkit
