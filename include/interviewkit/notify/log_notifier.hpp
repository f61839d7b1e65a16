// LogNotifier: "delivers" by writing one line per notification to a spdlog logger.
#pragma once

#include <memory>

// Declared, not included: the host that passes a logger has spdlog's headers already, and
// everyone else is spared them.
namespace spdlog {
class logger;
}  // namespace spdlog

#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// Writes each notification to the host's logger (spdlog's default logger if none is given).
/// As thread-safe as the logger (spdlog's _mt sinks are).
class INTERVIEWKIT_EXPORT LogNotifier final : public Notifier {
 public:
  explicit LogNotifier(std::shared_ptr<spdlog::logger> logger = nullptr);
  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;

 private:
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace interviewkit
