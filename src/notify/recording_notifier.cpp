#include <interviewkit/notify/recording_notifier.hpp>

namespace interviewkit {

DeliveryOutcome RecordingNotifier::deliver(const Notification& notification,
                                           const DeliveryContext&) {
  std::size_t index = 0;
  {
    std::lock_guard lock(mutex_);
    index = received_.size();
    received_.push_back(notification);
  }
  // The script runs unlocked: it may block or throw like a real channel.
  auto outcome = script_ ? script_(notification, index) : DeliveryOutcome::delivered();
  if (outcome.ok()) {
    std::lock_guard lock(mutex_);
    delivered_.push_back(notification);
  }
  return outcome;
}

std::vector<Notification> RecordingNotifier::received() const {
  std::lock_guard lock(mutex_);
  return received_;
}

std::vector<Notification> RecordingNotifier::delivered() const {
  std::lock_guard lock(mutex_);
  return delivered_;
}

std::size_t RecordingNotifier::attempts() const {
  std::lock_guard lock(mutex_);
  return received_.size();
}

}  // namespace interviewkit
