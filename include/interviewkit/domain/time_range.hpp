// TimeRange: a half-open interval [start, end) of UTC instants.
#pragma once

#include <chrono>
#include <iosfwd>

#include <date/date.h>
#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Half-open [start, end) in UTC, end strictly after start. Touching ranges
/// ([9:00, 10:00) and [10:00, 11:00)) do not overlap.
class INTERVIEWKIT_EXPORT TimeRange {
 public:
  /// [start, end); InvalidInput unless end is after start.
  [[nodiscard]] static Result<TimeRange> make(date::sys_seconds start, date::sys_seconds end);
  /// [start, start + length); InvalidInput unless length is positive.
  [[nodiscard]] static Result<TimeRange> make(date::sys_seconds start, std::chrono::seconds length);

  /// First instant in the range.
  [[nodiscard]] date::sys_seconds start() const noexcept { return start_; }
  /// First instant after the range.
  [[nodiscard]] date::sys_seconds end() const noexcept { return end_; }
  /// end() - start(), always positive.
  [[nodiscard]] std::chrono::seconds duration() const noexcept { return end_ - start_; }

  /// True when the ranges share an instant (touching ranges do not).
  [[nodiscard]] bool overlaps(const TimeRange& other) const noexcept {
    return start_ < other.end_ && other.start_ < end_;
  }
  /// True when start() <= t < end().
  [[nodiscard]] bool contains(date::sys_seconds t) const noexcept {
    return start_ <= t && t < end_;
  }
  /// The range widened by `before` at the start and `after` at the end.
  [[nodiscard]] TimeRange widened(std::chrono::seconds before, std::chrono::seconds after) const;

  friend bool operator==(const TimeRange&, const TimeRange&) = default;

 private:
  TimeRange(date::sys_seconds start, date::sys_seconds end) : start_(start), end_(end) {}
  date::sys_seconds start_;
  date::sys_seconds end_;
};

/// Writes "[2024-03-12T09:00:00Z, 2024-03-12T10:00:00Z)", as the fmt formatter does.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const TimeRange& range);

}  // namespace interviewkit

/// JSON: TimeRange has no default state, so it serializes through adl_serializer; from_json
/// throws interviewkit::ErrorException (or nlohmann::json::type_error) on invalid input.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::TimeRange> {
  /// Reads `{"start", "end"}` (UTC text) and validates as make() does.
  static interviewkit::TimeRange from_json(const nlohmann::json& j);
  /// Writes `{"start": "2024-03-12T09:00:00Z", "end": "2024-03-12T10:00:00Z"}`.
  static void to_json(nlohmann::json& j, const interviewkit::TimeRange& value);
};

/// Formats a TimeRange as "[start, end)" in UTC text.
template <>
struct fmt::formatter<interviewkit::TimeRange> : fmt::formatter<std::string_view> {
  /// Writes "[2024-03-12T09:00:00Z, 2024-03-12T10:00:00Z)".
  template <class FormatContext>
  auto format(const interviewkit::TimeRange& r, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "[{}, {})", date::format("%FT%TZ", r.start()),
                          date::format("%FT%TZ", r.end()));
  }
};
