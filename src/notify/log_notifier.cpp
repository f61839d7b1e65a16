// LogNotifier: a channel that "delivers" by logging one line, for demos and development.
#include <spdlog/spdlog.h>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/notify/log_notifier.hpp>

namespace interviewkit {

// Without a logger this falls back to spdlog's default logger (as the header says), unlike
// SpdlogSink, which refuses a null one: this channel is a demo aid, chosen by name.
LogNotifier::LogNotifier(std::shared_ptr<spdlog::logger> logger)
    : logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

// Always "delivered": a log line is the whole delivery, and the outbox should see the
// message done. Values are passed as fmt arguments, never spliced into the format string.
DeliveryOutcome LogNotifier::deliver(const Notification& n, const DeliveryContext&) {
  logger_->info("notify {} to {} about interview {} ({}, version {}){}", n.kind, n.recipient.person,
                n.interview.id, n.interview.status, n.interview.version,
                n.interview.slot ? fmt::format(" slot {}", *n.interview.slot) : std::string());
  return DeliveryOutcome::delivered("logged");
}

}  // namespace interviewkit
