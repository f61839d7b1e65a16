// Clock: where "now" comes from, so hosts and tests can control time.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Source of the current UTC time. Implementations must be safe to call from any thread.
class INTERVIEWKIT_EXPORT Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual UtcMillis now() const = 0;
};

/// The system clock.
class INTERVIEWKIT_EXPORT SystemClock final : public Clock {
 public:
  [[nodiscard]] UtcMillis now() const override;
};

/// A clock that only moves when told to. Thread-safe.
class INTERVIEWKIT_EXPORT ManualClock final : public Clock {
 public:
  explicit ManualClock(UtcMillis start) : now_(start.time_since_epoch().count()) {}
  [[nodiscard]] UtcMillis now() const override {
    return UtcMillis{std::chrono::milliseconds{now_.load()}};
  }
  void set(UtcMillis t) { now_.store(t.time_since_epoch().count()); }
  void advance(std::chrono::milliseconds d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace interviewkit
