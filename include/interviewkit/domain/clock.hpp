// Clock: where "now" comes from, so hosts and tests can control time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Source of the current UTC time. Every component takes one in its options
/// (BookingOptions::clock, DispatcherOptions::clock, the channels' options) and
/// defaults to SystemClock, so a host or a test can decide what "now" is.
///
/// Contract for implementers:
/// - Thread-safe: `now()` may be called at the same time from every thread that calls a
///   BookingService operation, from the Dispatcher's background thread and drain_once()
///   callers, and from the channels. It is const, so an implementation that keeps state
///   must synchronise it itself (ManualClock uses an atomic).
/// - Should not throw. If it does, no exception reaches the host: a BookingService
///   operation or Dispatcher::requeue fails with Unavailable naming what was thrown (a
///   store transaction it was called in is rolled back); in a Dispatcher pass (background
///   or drain_once) it is caught, reported (DispatcherOptions::on_error or drain_once's
///   error) and the message is tried again once its lease runs out.
/// - Quick and not re-entrant: it is called while the Dispatcher holds its internal locks
///   and inside store transactions, so it must not block for long nor call back into the
///   library.
/// - Need not be monotonic: SystemClock follows the wall clock, which may be stepped.
///
/// Ownership: components share the clock (std::shared_ptr<const Clock>), so it lives as
/// long as the last of them.
class INTERVIEWKIT_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  /// The current instant, in whole milliseconds.
  [[nodiscard]] virtual UtcMillis now() const = 0;
  /// Waits about `d` before something is tried again (the Dispatcher's short pauses
  /// between attempts to store an outcome). Default: sleeps that long in real time.
  virtual void pause(std::chrono::milliseconds d) const;
};

/// The system clock.
class INTERVIEWKIT_EXPORT SystemClock final : public Clock {
 public:
  [[nodiscard]] UtcMillis now() const override;
};

/// A clock that only moves when told to. Thread-safe.
class INTERVIEWKIT_EXPORT ManualClock final : public Clock {
 public:
  /// Starts at `start`.
  explicit ManualClock(UtcMillis start) : now_(start.time_since_epoch().count()) {}
  [[nodiscard]] UtcMillis now() const override {
    return UtcMillis{std::chrono::milliseconds{now_.load()}};
  }
  /// Moves the clock to `t` (backwards too).
  void set(UtcMillis t) { now_.store(t.time_since_epoch().count()); }
  /// Moves the clock on by `d` (a negative `d` moves it back).
  void advance(std::chrono::milliseconds d) { now_.fetch_add(d.count()); }
  /// Returns at once: this clock's time moves only when told to, so waiting on it would
  /// wait for nothing (and a test would sleep for real).
  void pause(std::chrono::milliseconds /*d*/) const override {}

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace interviewkit
