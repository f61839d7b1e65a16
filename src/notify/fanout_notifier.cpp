#include <stdexcept>

#include <fmt/format.h>

#include <interviewkit/log/action_log.hpp>
#include <interviewkit/notify/fanout_notifier.hpp>

namespace interviewkit {

FanoutNotifier::FanoutNotifier(std::vector<std::shared_ptr<Notifier>> children)
    : children_(std::move(children)) {
  for (const auto& child : children_) {
    if (!child)
      throw std::invalid_argument("FanoutNotifier: a child notifier is null");
  }
}

DeliveryOutcome FanoutNotifier::deliver(const Notification& notification,
                                        const DeliveryContext& context) {
  std::string errors;
  bool retryable = false;
  std::optional<UtcMillis> retry_at;
  for (std::size_t i = 0; i < children_.size(); ++i) {
    DeliveryOutcome outcome;
    try {
      outcome = children_[i]->deliver(notification, context);
    } catch (...) {
      outcome = DeliveryOutcome::transient_failure(
          fmt::format("threw: {}", describe_exception(std::current_exception())));
    }
    if (outcome.ok())
      continue;
    errors += fmt::format("{}channel {}: {}", errors.empty() ? "" : "; ", i, outcome.detail);
    retryable = retryable || outcome.retryable;
    if (outcome.retry_at && (!retry_at || *outcome.retry_at > *retry_at)) {
      retry_at = outcome.retry_at;
    }
  }
  if (errors.empty())
    return DeliveryOutcome::delivered();
  if (retryable)
    return DeliveryOutcome::transient_failure(std::move(errors), retry_at);
  return DeliveryOutcome::permanent_failure(std::move(errors));
}

void FanoutNotifier::begin_batch() {
  for (const auto& child : children_)
    child->begin_batch();
}

void FanoutNotifier::end_batch() noexcept {
  for (const auto& child : children_)
    child->end_batch();
}

}  // namespace interviewkit
