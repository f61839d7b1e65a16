#include <interviewkit/domain/clock.hpp>

namespace interviewkit {

UtcMillis SystemClock::now() const {
  return date::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

}  // namespace interviewkit
