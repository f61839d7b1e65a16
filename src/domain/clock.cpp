// SystemClock: the wall clock, the default Clock of every component.
#include <thread>

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

namespace interviewkit {

// Real time, whatever the clock's own time does: the pause gives a store a moment to
// recover, which only real time can give.
void Clock::pause(std::chrono::milliseconds d) const {
  std::this_thread::sleep_for(d);
}

}  // namespace interviewkit
