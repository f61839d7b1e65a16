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
  [[nodiscard]] static Result<TimeRange> make(date::sys_seconds start, date::sys_seconds end);
  [[nodiscard]] static Result<TimeRange> make(date::sys_seconds start, std::chrono::seconds length);

  [[nodiscard]] date::sys_seconds start() const noexcept { return start_; }
  [[nodiscard]] date::sys_seconds end() const noexcept { return end_; }
  [[nodiscard]] std::chrono::seconds duration() const noexcept { return end_ - start_; }

  [[nodiscard]] bool overlaps(const TimeRange& other) const noexcept {
    return start_ < other.end_ && other.start_ < end_;
  }
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

INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const TimeRange& range);

}  // namespace interviewkit

// JSON: TimeRange has no default state, so it serializes through adl_serializer; from_json
// throws interviewkit::ErrorException (or nlohmann::json::type_error) on invalid input.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::TimeRange> {
  static interviewkit::TimeRange from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::TimeRange& value);
};

template <>
struct fmt::formatter<interviewkit::TimeRange> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const interviewkit::TimeRange& r, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "[{}, {})", date::format("%FT%TZ", r.start()),
                          date::format("%FT%TZ", r.end()));
  }
};
