// Dispatcher: delivers outbox messages through their channels' Notifiers, with retries, and
// records every outcome in the ActionLog.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <interviewkit/domain/clock.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/log/action_log.hpp>
#include <interviewkit/log/error_handler.hpp>
#include <interviewkit/notify/notifier.hpp>
#include <interviewkit/outbox/metrics.hpp>
#include <interviewkit/outbox/retry_policy.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit {

/// Fails deliveries fast while a destination keeps failing, instead of waiting for its
/// timeout once per message. Opens after `failure_threshold` consecutive retryable
/// failures to one destination (a channel's `Notifier::destination()`); while open every
/// delivery to it fails at once as retryable; after `open_for` one delivery is tried again
/// and a success (or a permanent failure: the destination did answer) closes it. Opening and
/// closing are recorded in the ActionLog (channel_circuit_opened, channel_circuit_closed).
struct CircuitBreakerOptions {
  std::uint32_t failure_threshold = 5;  ///< 0 disables the breaker
  /// How long it stays open before a probe; above 0, at most 24 h.
  std::chrono::milliseconds open_for{std::chrono::seconds{30}};
};

/// Every field has a default; `Dispatcher::make` refuses values that cannot work.
struct DispatcherOptions {
  /// Backoff and budget: base above 0, base <= cap <= 24 h, max_age above 0 and at most a year.
  RetryPolicy retry{};
  /// Messages claimed per pass (1 to 10,000). A pass keeps the messages of its batch that
  /// wait for a delivery slot under their lease, renewing them together when needed. Keep
  /// it above `max_in_flight`, or slots stay idle. Default 64.
  std::size_t batch_size = 64;
  /// Deliveries in flight at once, across channels (1 to 1,024). 1 is the sequential mode:
  /// the thread running the pass delivers one message after another. Above 1 the
  /// dispatcher keeps `max_in_flight - 1` delivery threads (made on the first pass that
  /// has more than one message) and the pass's own thread delivers too. A pass ends when
  /// its last delivery ends. Default 32.
  std::size_t max_in_flight = 32;
  /// Deliveries in flight at once to one destination (a channel's `Notifier::destination()`),
  /// as a mail server bounds its deliveries per destination. 0: no bound but the others.
  /// Default 20.
  std::size_t max_per_destination = 20;
  /// The host's own bound on deliveries in flight per channel name (at least 1), on top of
  /// the channel notifier's `max_concurrency()`, which always applies.
  std::map<std::string, std::size_t, std::less<>> max_per_channel{};
  /// How long a claim holds. Before each send the dispatcher makes sure its lease covers
  /// the delivery (renewing the batch's leases in the store when they run short), so it
  /// must be at least twice `delivery_timeout`. Default 5 min.
  std::chrono::milliseconds lease{std::chrono::minutes{5}};
  /// Bound for one delivery; channels bound their I/O by it. Default 30 s.
  std::chrono::milliseconds delivery_timeout{std::chrono::seconds{30}};
  /// Longest sleep of the background thread between passes (1 ms to 1 h). Default 500 ms.
  std::chrono::milliseconds idle_poll{std::chrono::milliseconds{500}};
  /// A message claimed this many times without any recorded outcome (its worker crashed or
  /// hung while delivering it) is dead-lettered instead of being tried again. Default 3.
  std::uint32_t max_unfinished_claims = 3;
  CircuitBreakerOptions breaker{};  ///< per-destination circuit breaker
  /// Seeds the generator that draws retry jitter (which needs no secrecy). Default 0:
  /// seeded from std::random_device.
  std::uint64_t jitter_seed = 0;
  /// Time source for leases, retries, deadlines and log entries. Default: the system clock.
  std::shared_ptr<const Clock> clock{};
  /// Told about failures that have no interview to be recorded against (the store is
  /// unreachable while claiming, an outcome could not be stored). Called from whichever
  /// thread meets the failure, possibly several at once. Default: report_to_stderr.
  ErrorHandler on_error{};
  /// Told about every message given up (dead-lettered), once, after its dead state and log
  /// entry were stored, with the reason stored as its `last_error`. Called on the delivery
  /// thread that handled the message, possibly on several at once, so keep it short and
  /// thread-safe (log it, page someone). An
  /// exception it throws is caught and reported to `on_error`; the pass goes on. Must not
  /// destroy the dispatcher. Default: none.
  std::function<void(const OutboxMessage& message, const std::string& reason)> on_dead_letter{};
  /// Upper bounds (seconds) of the delivery latency histogram of `Dispatcher::stats`:
  /// positive, finite, strictly increasing, at most 64. Latency here runs from a message
  /// becoming due to its delivery, so the buckets span a poll interval up to a day of
  /// retries.
  std::vector<double> latency_buckets_seconds{0.05, 0.1, 0.25, 0.5, 1,    2.5,   5,    10,
                                              30,   60,  300,  900, 3600, 14400, 86400};
};

/// What one drain pass did.
struct DrainStats {
  std::size_t claimed = 0;       ///< messages claimed by this pass
  std::size_t delivered = 0;     ///< messages delivered
  std::size_t failed = 0;        ///< failed attempts that will be retried
  std::size_t dead = 0;          ///< messages given up (dead-lettered)
  std::size_t expired = 0;       ///< too late, or superseded by a later change
  std::size_t fenced = 0;        ///< not sent or not recorded: another worker took it over
  std::size_t released = 0;      ///< given back unattempted because stop() was called
  std::size_t store_errors = 0;  ///< outcomes the store could not record (logged instead)
};

/// Delivers what the outbox holds. Each message names its channel; the dispatcher holds
/// one Notifier per channel name (messages for a channel it does not know are
/// dead-lettered, so every dispatcher sharing a store must serve every channel).
///
/// Guarantees: no exception escapes `drain_once` or a thread the dispatcher owns; every
/// attempt ends in exactly one ActionLog entry (committed with the outcome when the log
/// lives in the store, see `logs_into`); a message whose interview has moved on (cancelled,
/// rescheduled) since it was enqueued is expired as superseded instead of being sent; no
/// message is sent without a live lease; a recipient gets a channel's messages of one
/// interview in the order they were enqueued, however many deliveries run at once and on
/// however many workers (the stores' claim rule and each pass keep the order).
///
/// Concurrency: a pass delivers up to `max_in_flight` messages at once, bounded per channel
/// (its notifier's `max_concurrency()`, `max_per_channel`) and per destination
/// (`max_per_destination`). The circuit breaker counts outcomes as they end, so up to a
/// destination's bound of deliveries may time out together before its circuit opens.
///
/// Thread safety: drain_once(), drain_until_idle(), requeue() and stats() may be called
/// from several threads at once (passes take turns); a notifier is called from at most its
/// `max_concurrency()` threads at once. Callbacks (on_error, on_dead_letter) run on the
/// pass's delivery threads, possibly several at once: they must be thread-safe.
class INTERVIEWKIT_EXPORT Dispatcher {
 public:
  /// The notifier of each channel name (the names messages are enqueued with, e.g. "email").
  using Channels = std::map<std::string, std::shared_ptr<Notifier>, std::less<>>;

  /// Validates the options; every notifier, the store and the log must be set.
  [[nodiscard]] static Result<std::unique_ptr<Dispatcher>> make(std::shared_ptr<Store> store,
                                                                Channels channels,
                                                                std::shared_ptr<ActionLog> log,
                                                                DispatcherOptions options = {});
  /// One notifier for the channel named "default".
  [[nodiscard]] static Result<std::unique_ptr<Dispatcher>> make(std::shared_ptr<Store> store,
                                                                std::shared_ptr<Notifier> notifier,
                                                                std::shared_ptr<ActionLog> log,
                                                                DispatcherOptions options = {});
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Claims every message due now (up to batch_size), delivers, records. Notifier
  /// failures are recorded, never returned; a store failure while claiming is returned.
  Result<DrainStats> drain_once();

  /// Runs passes until the outbox is idle, summing their stats; for tests and an orderly
  /// shutdown. Idle: no pending message is due now, none becomes due within the timeout,
  /// and none is waiting for a retry after a failed attempt. Messages that become due
  /// within `timeout` (retries included) are waited for and delivered, as are the outcomes
  /// of deliveries another pass (the background thread, another worker) is making; one not
  /// yet due and never attempted (a reminder for next week) does not keep it from being
  /// idle.
  /// When the timeout elapses first, or a retry is scheduled beyond it, the result is
  /// Unavailable saying how many messages remain and when the next is due (the passes'
  /// work stands). A store failure while claiming or reading is returned as its error.
  /// Works whether or not the background thread runs (passes take turns); reads the
  /// pending messages after each pass, so it is no hot path. Call it from the host's
  /// thread, never from a callback of this dispatcher.
  Result<DrainStats> drain_until_idle(std::chrono::milliseconds timeout);

  /// Counters since this dispatcher was made (outcomes per channel and kind, counted when
  /// stored; the delivery latency histogram), the deliveries in flight now, and the
  /// outbox gauges read from the store (`messages`, `due_messages`,
  /// `oldest_due_age_seconds`, as `store_metrics` reads them, but not its row count of
  /// outcomes). Thread-safe; any thread, any time. A store failure is returned as its
  /// error value.
  [[nodiscard]] Result<MetricsSnapshot> stats() const;

  /// Puts a dead message back in line (due now, attempts reset) and records
  /// notification_requeued with `actor`. False if the message is not dead.
  Result<bool> requeue(OutboxId id, const Actor& actor);

  /// Starts the background thread. No-op if running.
  void start();
  /// Stops the background thread: no send starts after this is called, claimed messages
  /// not yet attempted are given back, and it returns once the deliveries in flight end
  /// (within `delivery_timeout`, plus the store calls that give the claims back). No-op if
  /// not running. Called from a callback on the thread itself it only asks the thread to
  /// end; a Dispatcher must not be destroyed from its own callbacks.
  void stop();
  /// Tells the background thread that new messages may be due (BookingService calls it).
  void wake() noexcept;

  /// True while the background thread started by start() runs (it has not stopped or ended).
  [[nodiscard]] bool running() const noexcept;

 private:
  struct Impl;
  explicit Dispatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace interviewkit
