// RetryPolicy: exponential backoff with full jitter.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

#include <interviewkit/export.hpp>

namespace interviewkit {

/// After failed attempt n (1-based) the next attempt waits a uniformly random time in
/// [0, min(cap, base * 2^(n-1))] ("full jitter"). After `max_attempts` attempts a message
/// is dead.
struct RetryPolicy {
  std::chrono::milliseconds base{std::chrono::seconds{2}};
  std::chrono::milliseconds cap{std::chrono::minutes{30}};
  std::uint32_t max_attempts = 8;

  /// The upper bound of the wait after failed attempt `attempt`.
  [[nodiscard]] std::chrono::milliseconds ceiling(std::uint32_t attempt) const noexcept {
    auto bound = base;
    for (std::uint32_t i = 1; i < attempt && bound < cap; ++i)
      bound *= 2;
    return bound < cap ? bound : cap;
  }
  template <class Generator>
  [[nodiscard]] std::chrono::milliseconds backoff(std::uint32_t attempt, Generator& gen) const {
    std::uniform_int_distribution<std::int64_t> pick(0, ceiling(attempt).count());
    return std::chrono::milliseconds{pick(gen)};
  }
};

}  // namespace interviewkit
