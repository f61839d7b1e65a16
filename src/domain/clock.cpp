// SystemClock: the wall clock, the default Clock of every component.
#include <interviewkit/domain/clock.hpp>

namespace interviewkit {

// std::chrono::system_clock is the wall clock (not steady: it may be stepped back or
// forward), and it counts Unix time, which is UTC without leap seconds, as sys_time does.
// Truncated to milliseconds, the finest unit log entries and schedules keep, so two reads
// compare equal exactly when their stored forms do. Stateless, so thread-safe.
UtcMillis SystemClock::now() const {
  return date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace interviewkit
