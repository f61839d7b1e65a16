// Notifier: the interface every delivery channel implements.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

/// Monotonic deadline for one delivery; channels bound their I/O by it.
using Deadline = std::chrono::steady_clock::time_point;

/// What happened to one delivery attempt.
struct DeliveryOutcome {
  enum class Status : std::uint8_t { delivered, failed };

  Status status = Status::delivered;
  /// Error text for a failure (e.g. the server's reply); optional detail for a success.
  std::string detail;
  /// For a failure: is another attempt worth making?
  bool retryable = false;
  /// For a retryable failure: when to try again, if the channel knows (e.g. Retry-After).
  std::optional<UtcMillis> retry_at;

  [[nodiscard]] static DeliveryOutcome delivered(std::string detail = {}) {
    return {Status::delivered, std::move(detail), false, std::nullopt};
  }
  [[nodiscard]] static DeliveryOutcome transient_failure(
      std::string error, std::optional<UtcMillis> retry_at = std::nullopt) {
    return {Status::failed, std::move(error), true, retry_at};
  }
  [[nodiscard]] static DeliveryOutcome permanent_failure(std::string error) {
    return {Status::failed, std::move(error), false, std::nullopt};
  }
  [[nodiscard]] bool ok() const noexcept { return status == Status::delivered; }
};

/// What a channel is told about one attempt besides the notification itself.
struct DeliveryContext {
  Deadline deadline;          ///< bound all I/O by this
  std::uint32_t attempt = 1;  ///< 1 for the first attempt
  /// Random, unguessable, fixed when the message was enqueued and the same on every retry
  /// (e.g. the local part of an email's Message-ID).
  std::string message_token;
};

/// Delivers notifications over one channel. `deliver` should return a failure value rather
/// than throw, but the library copes with both: a throw (of any type) is recorded as a
/// retryable failure. Implementations document their thread safety; the Dispatcher calls a
/// notifier from one thread at a time.
class INTERVIEWKIT_EXPORT Notifier {
 public:
  virtual ~Notifier() = default;
  [[nodiscard]] virtual DeliveryOutcome deliver(const Notification& notification,
                                                const DeliveryContext& context) = 0;
  /// A dispatcher pass starts / ends: channels may keep a connection open in between.
  virtual void begin_batch() {}
  virtual void end_batch() noexcept {}
  /// Where deliveries go, for the dispatcher's per-destination circuit breaker and for
  /// messages: e.g. "smtp://mail.example.com:587" or "https://hooks.example.com". Must never
  /// contain credentials or capability tokens (user info, paths, query strings). Empty (the
  /// default) means "the channel itself is the destination".
  [[nodiscard]] virtual std::string destination() const { return {}; }
};

}  // namespace interviewkit
