// Notifier: the interface every delivery channel implements.
#pragma once

#include <chrono>
#include <cstddef>
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
  /// Whether the attempt got through.
  enum class Status : std::uint8_t { delivered, failed };

  Status status = Status::delivered;  ///< delivered, or failed (see `retryable`)
  /// Error text for a failure (e.g. the server's reply); optional detail for a success.
  std::string detail;
  /// For a failure: is another attempt worth making?
  bool retryable = false;
  /// For a retryable failure: when to try again, if the channel knows (e.g. Retry-After).
  std::optional<UtcMillis> retry_at;

  /// Delivered; `detail` is the receiver's reply if any (e.g. "250 OK id=..."), recorded as
  /// the message's `last_error` and in the log entry's "detail".
  [[nodiscard]] static DeliveryOutcome delivered(std::string detail = {}) {
    return {Status::delivered, std::move(detail), false, std::nullopt};
  }
  /// Failed in a way that may pass: the message is retried while its retry budget lasts, at
  /// `retry_at` if given (bounded by the retry policy), otherwise after the policy's backoff.
  [[nodiscard]] static DeliveryOutcome transient_failure(
      std::string error, std::optional<UtcMillis> retry_at = std::nullopt) {
    return {Status::failed, std::move(error), true, retry_at};
  }
  /// Failed in a way that would fail again: the message is dead-lettered at once.
  [[nodiscard]] static DeliveryOutcome permanent_failure(std::string error) {
    return {Status::failed, std::move(error), false, std::nullopt};
  }
  /// True when delivered.
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

/// Delivers notifications over one channel (email, webhook, files, ...). The Dispatcher is
/// the usual caller; a host may also call a notifier directly.
///
/// What an implementation must guarantee:
///
/// - **Thread safety.** A Dispatcher calls `deliver` from at most `max_concurrency()` threads
///   at once; with the default of 1, from one thread at a time, so a notifier used by a
///   single Dispatcher needs no locking of its own. begin_batch and end_batch come from the
///   pass's thread, never while another pass of the same Dispatcher runs. A notifier that
///   reports more than 1, or is shared by several Dispatchers or also called by the host,
///   is called concurrently and must be thread-safe; each implementation says which it is.
/// - **Failures are values.** `deliver` reports failure through DeliveryOutcome and should
///   not throw. If it throws anyway (any type), the Dispatcher records a retryable failure
///   naming the exception, so a throw costs an attempt but loses nothing. `begin_batch` may
///   throw: the Dispatcher reports it to the host's error handler and carries on with the
///   pass. `end_batch` and `destination` must not throw.
/// - **At-least-once.** The same notification may be delivered more than once: after a
///   retryable failure that in fact got through (a lost reply), after a crash between the
///   send and the recording of its outcome, or when a delivery outlives its lease and
///   another worker takes the message over. `Notification::idempotency_key` and
///   `DeliveryContext::message_token` are the same on every such repeat: pass one of them
///   to the receiver (a Message-ID, a webhook-id, a file name) so that it can drop copies.
/// - **Deadline.** `deliver` returns by `context.deadline`, bounding all its I/O by it; the
///   Dispatcher's lease assumes so, and a delivery that overruns may be repeated by another
///   worker while it still runs.
/// - **Classification.** A failure that would fail the same way on every attempt (a refused
///   recipient, a message that cannot be rendered, a bad configuration) is permanent: the
///   message is given up at once. Anything that may pass (a timeout, a refused connection,
///   a server's "try later") is retryable; `retry_at` is a hint the retry policy bounds.
/// - **Ownership.** The Dispatcher holds its notifiers by shared_ptr for its whole life; the
///   arguments of a call are only valid during it, and a notifier keeps no reference to
///   them. Outcome details are text for a log: short, no secrets (passwords, tokens in
///   URLs); they need not be valid UTF-8 (the Dispatcher makes stored text so).
///
/// An implementation that delivers nothing and returns `DeliveryOutcome::delivered()` is
/// correct: a stand-in for tests and dry runs.
class INTERVIEWKIT_EXPORT Notifier {
 public:
  virtual ~Notifier() = default;
  /// Makes one attempt to deliver `notification`. See the class comment for what it must
  /// guarantee.
  [[nodiscard]] virtual DeliveryOutcome deliver(const Notification& notification,
                                                const DeliveryContext& context) = 0;
  /// @{
  /// A dispatcher pass starts / ends: between the two come the pass's deliveries (from up
  /// to max_concurrency() threads), so a channel may keep its connections open for the
  /// whole pass (as SmtpNotifier does) and release them in end_batch. Both are hints:
  /// deliver must also work outside a batch, and the defaults do nothing. The Dispatcher
  /// calls end_batch once every delivery of the pass has returned, whatever the outcomes,
  /// and only in passes that claimed messages.
  virtual void begin_batch() {}
  virtual void end_batch() noexcept {}
  /// @}
  /// Where deliveries go, for the dispatcher's per-destination circuit breaker and for
  /// messages: e.g. "smtp://mail.example.com:587" or "https://hooks.example.com". Must never
  /// contain credentials or capability tokens (user info, paths, query strings). Empty (the
  /// default) means "the channel itself is the destination". Called before every delivery:
  /// keep it cheap, and stable for the notifier's life (a change opens a new circuit).
  [[nodiscard]] virtual std::string destination() const { return {}; }
  /// How many deliveries this notifier accepts at once (at least 1; 0 is read as 1). The
  /// Dispatcher never runs more `deliver` calls of this notifier concurrently; the default,
  /// 1, keeps an implementation that is not thread-safe correct. A channel that keeps
  /// connections (SMTP sessions, HTTP keep-alive) typically reports its connection limit.
  /// Called when a pass starts: keep it cheap and stable.
  [[nodiscard]] virtual std::size_t max_concurrency() const noexcept { return 1; }
};

}  // namespace interviewkit
