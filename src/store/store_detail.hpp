// Internal helpers shared by the Store implementations. Not installed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/time.hpp>

namespace interviewkit::detail {

/// "candidate:c-1", "interviewer:i-1": the calendars an interview occupies, sorted (the order
/// in which stores that lock per person take their locks, so writers never deadlock).
inline std::vector<std::string> people_of(const Interview& interview) {
  std::vector<std::string> people;
  people.reserve(interview.interviewers.size() + 1);
  people.push_back("candidate:" + interview.candidate.id.str());
  for (const auto& i : interview.interviewers)
    people.push_back("interviewer:" + i.id.str());
  std::sort(people.begin(), people.end());
  return people;
}

/// Instants as stored in database columns: milliseconds or seconds since the Unix epoch.
inline std::int64_t millis(UtcMillis t) {
  return t.time_since_epoch().count();
}
inline UtcMillis from_millis(std::int64_t ms) {
  return UtcMillis{std::chrono::milliseconds{ms}};
}
inline std::int64_t seconds(date::sys_seconds t) {
  return t.time_since_epoch().count();
}

}  // namespace interviewkit::detail
