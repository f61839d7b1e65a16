// TimeZone: an IANA zone validated against the system tz database.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include <date/tz.h>
#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// How a local wall-clock time that does not exist (DST gap) or exists twice (DST overlap)
/// maps to UTC. The library's rule: a gap resolves to the first valid instant after it, an
/// overlap to the earlier of the two instants.
enum class LocalTimeRule : std::uint8_t { earliest_valid };

/// A named IANA time zone ("Europe/Berlin"). Cheap to copy: it refers to the process-wide
/// tz database, which lives for the whole program.
class INTERVIEWKIT_EXPORT TimeZone {
 public:
  [[nodiscard]] static Result<TimeZone> make(std::string_view name);
  [[nodiscard]] static TimeZone utc();

  [[nodiscard]] std::string_view name() const;
  [[nodiscard]] const date::time_zone* get() const noexcept { return zone_; }

  /// UTC -> local wall clock.
  [[nodiscard]] date::local_seconds to_local(date::sys_seconds t) const;
  /// Local wall clock -> UTC, resolving gaps and overlaps by LocalTimeRule::earliest_valid.
  [[nodiscard]] date::sys_seconds to_utc(date::local_seconds t) const;

  friend bool operator==(const TimeZone& a, const TimeZone& b) noexcept {
    return a.zone_ == b.zone_;
  }

 private:
  explicit TimeZone(const date::time_zone* zone) : zone_(zone) {}
  const date::time_zone* zone_;
};

INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const TimeZone& zone);

}  // namespace interviewkit

// JSON: TimeZone has no default state, so it serializes through adl_serializer; from_json
// throws interviewkit::ErrorException (or nlohmann::json::type_error) on invalid input.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::TimeZone> {
  static interviewkit::TimeZone from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::TimeZone& value);
};

template <>
struct fmt::formatter<interviewkit::TimeZone> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const interviewkit::TimeZone& zone, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(zone.name(), ctx);
  }
};
