#include <spdlog/spdlog.h>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/notify/log_notifier.hpp>

namespace interviewkit {

LogNotifier::LogNotifier(std::shared_ptr<spdlog::logger> logger)
    : logger_(logger ? std::move(logger) : spdlog::default_logger()) {}

DeliveryOutcome LogNotifier::deliver(const Notification& n, const DeliveryContext&) {
  logger_->info("notify {} to {} about interview {} ({}, version {}){}", n.kind, n.recipient.person,
                n.interview.id, n.interview.status, n.interview.version,
                n.interview.slot ? fmt::format(" slot {}", *n.interview.slot) : std::string());
  return DeliveryOutcome::delivered("logged");
}

}  // namespace interviewkit
