// Dispatcher: delivers outbox messages through a Notifier, with retries, and records every
// outcome in the ActionLog.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <interviewkit/domain/clock.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_log.hpp>
#include <interviewkit/notify/notifier.hpp>
#include <interviewkit/notify/retry_policy.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

struct DispatcherOptions {
  RetryPolicy retry;
  std::size_t batch_size = 64;                               ///< messages claimed per pass
  std::chrono::milliseconds lease{std::chrono::minutes{5}};  ///< how long a claim holds
  std::chrono::milliseconds delivery_timeout{std::chrono::seconds{30}};
  std::chrono::milliseconds idle_poll{std::chrono::milliseconds{500}};  ///< background wait cap
  std::uint64_t jitter_seed = 0;  ///< 0: seed from std::random_device
};

/// What one drain pass did.
struct DrainStats {
  std::size_t claimed = 0;
  std::size_t delivered = 0;
  std::size_t failed = 0;  ///< failed attempts that will be retried
  std::size_t dead = 0;
  std::size_t expired = 0;
  std::size_t fenced = 0;  ///< outcomes dropped because another worker took the message over
};

/// Use either drain_once() from the host's own loop, or start()/stop() for a background
/// thread. drain_once() may be called from several threads (each claims its own messages).
class INTERVIEWKIT_EXPORT Dispatcher {
 public:
  Dispatcher(std::shared_ptr<Store> store, std::shared_ptr<Notifier> notifier,
             std::shared_ptr<ActionLog> log, DispatcherOptions options = {},
             std::shared_ptr<const Clock> clock = nullptr);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Claims every message due now (up to batch_size), delivers, records. Never throws for
  /// a notifier failure; store failures are returned.
  Result<DrainStats> drain_once();

  /// Puts a dead message back in line (due now, attempts reset) and records
  /// notification_requeued with `actor`. False if the message is not dead.
  Result<bool> requeue(OutboxId id, const Actor& actor);

  /// Starts the background thread. No-op if running.
  void start();
  /// Stops the background thread after a last drain of what is due. No-op if not running.
  void stop();
  /// Tells the background thread that new messages may be due (BookingService calls it).
  void wake() noexcept;

  [[nodiscard]] bool running() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace interviewkit
