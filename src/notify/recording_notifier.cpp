// RecordingNotifier: a test double that remembers every attempt and answers from a script.
#include <interviewkit/notify/recording_notifier.hpp>

namespace interviewkit {

DeliveryOutcome RecordingNotifier::deliver(const Notification& notification,
                                           const DeliveryContext&) {
  // Recorded before the script runs, so an attempt that throws or blocks is still seen by
  // received(); `index` numbers the attempts across all threads.
  std::size_t index = 0;
  {
    std::lock_guard lock(mutex_);
    index = received_.size();
    received_.push_back(notification);
  }
  // The script runs unlocked: it may block or throw like a real channel.
  auto outcome = script_ ? script_(notification, index) : DeliveryOutcome::delivered();
  // Only an attempt the script calls delivered counts as delivered; a throwing script never
  // gets here, as a real channel that threw would not have delivered.
  if (outcome.ok()) {
    std::lock_guard lock(mutex_);
    delivered_.push_back(notification);
  }
  return outcome;
}

// Copies under the lock: a test may read while the dispatcher is still delivering.
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
