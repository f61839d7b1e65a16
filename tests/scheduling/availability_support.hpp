// Helpers shared by the availability tests: zones, instants and slots in a form that reads
// well in a test and prints well when it fails.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>

namespace interviewkit::testing {

using namespace std::chrono_literals;

inline TimeZone zone(std::string_view name) {
  return TimeZone::make(name).value();
}

inline date::sys_seconds utc(date::year_month_day day, std::chrono::minutes time_of_day = 0min) {
  return date::sys_days{day} + time_of_day;
}

inline TimeRange between(date::sys_seconds start, date::sys_seconds end) {
  return TimeRange::make(start, end).value();
}

/// One interviewer working `hours` Monday to Friday in `zone_name`.
inline InterviewerAvailability working(const std::string& id, std::string_view zone_name,
                                       std::vector<WorkingHours> hours = {{9h, 17h}}) {
  return InterviewerAvailability{.id = InterviewerId::make(id).value(),
                                 .time_zone = zone(zone_name),
                                 .weekly = WeeklyHours::monday_to_friday(std::move(hours))};
}

/// A query for `duration` slots every `step` in `window`, asked at the window's start.
inline SlotQuery query(TimeRange window, std::chrono::minutes duration, std::chrono::minutes step,
                       SlotMode mode = SlotMode::all) {
  return SlotQuery{
      .mode = mode, .window = window, .duration = duration, .step = step, .now = window.start()};
}

inline std::vector<Slot> search(const SlotQuery& q,
                                const std::vector<InterviewerAvailability>& people) {
  return find_slots(q, people).value();
}

/// Slot starts as "2024-03-12 14:00" (UTC), the easiest form to check by hand.
inline std::vector<std::string> starts(const std::vector<Slot>& slots) {
  std::vector<std::string> out;
  for (const auto& s : slots)
    out.push_back(date::format("%F %R", s.range.start()));
  return out;
}

/// Slot starts as "14:00 by 1" for round-robin results.
inline std::vector<std::string> starts_by(const std::vector<Slot>& slots) {
  std::vector<std::string> out;
  for (const auto& s : slots) {
    out.push_back(fmt::format("{} by {}", date::format("%F %R", s.range.start()),
                              s.interviewer ? fmt::format("{}", *s.interviewer) : "-"));
  }
  return out;
}

/// The candidate's local start times, "2024-03-12 09:00".
inline std::vector<std::string> local_starts(const std::vector<Slot>& slots) {
  std::vector<std::string> out;
  for (const auto& s : slots)
    out.push_back(s.candidate_local ? date::format("%F %R", s.candidate_local->start) : "-");
  return out;
}

}  // namespace interviewkit::testing
