// RecordingNotifier: keeps every notification it is given. Handy in a host's own tests.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <vector>

#include <interviewkit/export.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit {

/// Records notifications and answers with a scripted outcome (delivered by default).
/// Thread-safe.
class INTERVIEWKIT_EXPORT RecordingNotifier final : public Notifier {
 public:
  /// Decides each attempt's outcome; may throw to simulate a misbehaving channel.
  using Script = std::function<DeliveryOutcome(const Notification&, std::size_t attempt_index)>;

  RecordingNotifier() = default;
  explicit RecordingNotifier(Script script) : script_(std::move(script)) {}

  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;

  /// Every notification passed to deliver, in call order (including failed attempts).
  [[nodiscard]] std::vector<Notification> received() const;
  /// Only those whose attempt was reported delivered.
  [[nodiscard]] std::vector<Notification> delivered() const;
  [[nodiscard]] std::size_t attempts() const;

 private:
  mutable std::mutex mutex_;
  Script script_;
  std::vector<Notification> received_;
  std::vector<Notification> delivered_;
};

}  // namespace interviewkit
