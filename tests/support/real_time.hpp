// Instants on the system clock, for tests whose dispatcher or service runs on real time.
#pragma once

#include <chrono>

#include <date/date.h>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/time_range.hpp>

namespace interviewkit::testing {

inline UtcMillis real_now() {
  return date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

/// A one-hour slot starting a week from now, on a whole minute.
inline TimeRange next_week() {
  const auto start = date::floor<std::chrono::minutes>(std::chrono::system_clock::now()) +
                     std::chrono::hours{24 * 7};
  return TimeRange::make(start, std::chrono::hours{1}).value();
}

}  // namespace interviewkit::testing
