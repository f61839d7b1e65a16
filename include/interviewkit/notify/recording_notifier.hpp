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
/// Thread-safe: the records are kept under a lock, and may be read while deliveries run.
/// The script runs outside that lock, on the delivering thread, so several run at once when
/// deliveries do: a script that keeps state of its own must guard it.
class INTERVIEWKIT_EXPORT RecordingNotifier final : public Notifier {
 public:
  /// Decides each attempt's outcome; may throw to simulate a misbehaving channel.
  using Script = std::function<DeliveryOutcome(const Notification&, std::size_t attempt_index)>;

  RecordingNotifier() = default;
  /// Answers each attempt with what `script` returns (or throws).
  explicit RecordingNotifier(Script script) : script_(std::move(script)) {}

  DeliveryOutcome deliver(const Notification& notification,
                          const DeliveryContext& context) override;
  /// 64: as many deliveries at once as a test is likely to want, so a Dispatcher using this
  /// notifier runs its passes as concurrently as it would with a real channel.
  [[nodiscard]] std::size_t max_concurrency() const noexcept override { return 64; }

  /// Every notification passed to deliver, in call order (including failed attempts).
  [[nodiscard]] std::vector<Notification> received() const;
  /// Only those whose attempt was reported delivered.
  [[nodiscard]] std::vector<Notification> delivered() const;
  /// How many times deliver was called.
  [[nodiscard]] std::size_t attempts() const;

 private:
  mutable std::mutex mutex_;
  Script script_;
  std::vector<Notification> received_;
  std::vector<Notification> delivered_;
};

}  // namespace interviewkit
