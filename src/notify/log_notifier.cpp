// LogNotifier: a channel that "delivers" by logging one line, for demos and development.
#include <fmt/format.h>
#include <spdlog/logger.h>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/notify/log_notifier.hpp>

namespace interviewkit {

// The logger is the host's, never spdlog's global default (as SpdlogSink): a null one is a
// wiring mistake, not "use the default".
Result<std::shared_ptr<LogNotifier>> LogNotifier::make(std::shared_ptr<spdlog::logger> logger) {
  if (!logger)
    return InvalidInput{"LogNotifier needs the host's spdlog logger, got a null pointer"};
  return std::shared_ptr<LogNotifier>(new LogNotifier(std::move(logger)));
}

LogNotifier::LogNotifier(std::shared_ptr<spdlog::logger> logger) noexcept
    : logger_(std::move(logger)) {}

// Always "delivered": a log line is the whole delivery, and the outbox should see the
// message done. Values are passed as fmt arguments, never spliced into the format string.
// The slot's text is formatted before the lock is taken, to hold it for less.
DeliveryOutcome LogNotifier::deliver(const Notification& n, const DeliveryContext&) {
  const auto slot = n.interview.slot ? fmt::format(" slot {}", *n.interview.slot) : std::string();
  std::lock_guard lock(mutex_);
  logger_->info("notify {} to {} about interview {} ({}, version {}){}", n.kind, n.recipient.person,
                n.interview.id, n.interview.status, n.interview.version, slot);
  return DeliveryOutcome::delivered("logged");
}

}  // namespace interviewkit
