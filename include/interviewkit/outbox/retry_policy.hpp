// RetryPolicy: exponential backoff with full jitter, bounded by a time horizon.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include <interviewkit/export.hpp>

namespace interviewkit {

/// After failed attempt n (1-based) the next attempt waits a uniformly random time in
/// [0, min(cap, base * 2^(n-1))] ("full jitter"). A channel's Retry-After is honoured but
/// never beyond `cap`.
///
/// The budget is a time horizon, not a count: a message keeps being retried until its
/// interview starts (a late invite is expired, not sent), and at most `max_age` after its
/// first attempt; then it is dead-lettered with the reason. With the defaults (2 s base,
/// 30 min cap, 24 h horizon) an SMTP outage of minutes or hours delays invites but loses
/// none. `max_attempts` adds an optional bound by count (0, the default: none); it counts
/// claims (`OutboxMessage::attempts`), so a claim failed fast by an open circuit breaker counts
/// too, although nothing was sent: prefer the time horizon where a breaker may open.
struct RetryPolicy {
  /// Wait bound after the first failed attempt.
  std::chrono::milliseconds base{std::chrono::seconds{2}};
  std::chrono::milliseconds cap{std::chrono::minutes{30}};  ///< largest wait between attempts
  /// No retry later than this after the first attempt.
  std::chrono::milliseconds max_age{std::chrono::hours{24}};
  std::uint32_t max_attempts = 0;  ///< at most this many attempts (claims); 0: no bound by count

  /// The upper bound of the wait after failed attempt `attempt`.
  [[nodiscard]] std::chrono::milliseconds ceiling(std::uint32_t attempt) const noexcept {
    auto bound = base;
    for (std::uint32_t i = 1; i < attempt && bound < cap; ++i)
      bound *= 2;
    return bound < cap ? bound : cap;
  }
  /// The wait after failed attempt `attempt`: uniform in [0, ceiling(attempt)], drawn from `gen`
  /// (a UniformRandomBitGenerator).
  template <class Generator>
  [[nodiscard]] std::chrono::milliseconds backoff(std::uint32_t attempt, Generator& gen) const {
    std::uniform_int_distribution<std::int64_t> pick(0, ceiling(attempt).count());
    return std::chrono::milliseconds{pick(gen)};
  }
};

}  // namespace interviewkit
