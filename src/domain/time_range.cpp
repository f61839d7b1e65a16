// TimeRange: construction of half-open UTC intervals, and their JSON form.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/time_range.hpp>

#include "json_detail.hpp"

namespace interviewkit {

// An empty or reversed range is refused rather than swapped or widened: it almost always
// means the caller mixed up its arguments or time zones, and a guess would book the wrong
// hour. Half-open, so start == end is empty too.
Result<TimeRange> TimeRange::make(date::sys_seconds start, date::sys_seconds end) {
  if (!(start < end)) {
    return InvalidInput{fmt::format("time range [{}, {}) must end after it starts",
                                    format_utc(start), format_utc(end))};
  }
  return TimeRange(start, end);
}

Result<TimeRange> TimeRange::make(date::sys_seconds start, std::chrono::seconds length) {
  if (length <= std::chrono::seconds::zero()) {
    return InvalidInput{fmt::format("time range starting {} must have a positive length, got {}s",
                                    format_utc(start), length.count())};
  }
  return TimeRange(start, start + length);
}

// No check: the one caller, BookingService's conflict check, passes buffers its options
// refuse to be negative, so the result cannot become empty or reversed.
TimeRange TimeRange::widened(std::chrono::seconds before, std::chrono::seconds after) const {
  return TimeRange(start_ - before, end_ + after);
}

std::ostream& operator<<(std::ostream& os, const TimeRange& range) {
  return os << fmt::format("{}", range);
}

}  // namespace interviewkit

using interviewkit::TimeRange;

TimeRange nlohmann::adl_serializer<TimeRange>::from_json(const nlohmann::json& j) {
  namespace d = interviewkit::detail;
  d::expect_object(j, "time range", {"start", "end"});
  // RFC 3339 text, as format_utc writes it. Slots are whole seconds, so a fraction is
  // refused rather than rounded: rounding could turn a valid range into an empty one, and a
  // writer that sends fractions has a bug worth hearing about.
  const auto parse = [&](const char* key) {
    const auto t = d::unwrap(interviewkit::parse_utc(d::expect_string(j.at(key), key)));
    if (t != date::floor<std::chrono::seconds>(t)) {
      d::throw_invalid(fmt::format("time range {} must be a whole second", key));
    }
    return date::floor<std::chrono::seconds>(t);
  };
  return d::unwrap(TimeRange::make(parse("start"), parse("end")));
}

void nlohmann::adl_serializer<TimeRange>::to_json(nlohmann::json& j, const TimeRange& v) {
  j = nlohmann::json::object();
  j["start"] = interviewkit::format_utc(v.start());
  j["end"] = interviewkit::format_utc(v.end());
}
