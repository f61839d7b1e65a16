// TimeZone: an IANA zone validated against the tz database, and local time conversion.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include <date/date.h>
#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/formatting.hpp>
#include <interviewkit/domain/posix_tz.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// How a local wall-clock time that does not exist (DST gap) or exists twice (DST overlap)
/// maps to UTC. The library's rule: a gap resolves to the first valid instant after it, an
/// overlap to the earlier of the two instants.
enum class LocalTimeRule : std::uint8_t { earliest_valid };

class TimeZone;
namespace detail {
// TimeZone::make without its refusal of legacy names: for reading stored records.
Result<TimeZone> stored_time_zone(std::string_view name);
}  // namespace detail

/// A named IANA time zone ("Europe/Berlin"). Cheap to copy: it refers to a process-wide
/// record of the zone, loaded once and kept for the whole program.
///
/// Every conversion between UTC and local time in the library goes through period_at (to_local
/// and to_utc are built on it). It takes the zone's listed transitions from date/tz and, after
/// the last one, evaluates the POSIX rule in the footer of the zone's TZif file, which date/tz
/// ignores (HowardHinnant/date#794): without it, daylight saving time would stop in 2038 on
/// "fat" tz files and at the zone's last rule change on "slim" ones.
class INTERVIEWKIT_EXPORT TimeZone {
 public:
  /// A zone of the system tz database, the directory date/tz reads. InvalidInput when the
  /// name is unknown or the zone's file cannot be read (its footer included), and for the
  /// legacy abbreviations EST, MST, HST, EST5EDT, CST6CDT, MST7MDT, PST8PDT, CET, MET, EET and
  /// WET, which hosts pass by mistake for a place (the error names the usual one). Stored
  /// records that hold one are still read back.
  [[nodiscard]] static Result<TimeZone> make(std::string_view name);
  /// A zone compiled into another directory, for instance by `zic -d <directory>`: both its
  /// transitions and its footer come from `<directory>/<name>`. `directory` must be absolute
  /// and `name` a relative path without "." or ".." parts. Meant for tests and for hosts
  /// that ship their own tz data; zones loaded this way are kept for the whole program.
  [[nodiscard]] static Result<TimeZone> from_directory(std::string_view directory,
                                                       std::string_view name);
  /// UTC ("UTC"), which needs no tz database.
  [[nodiscard]] static TimeZone utc();

  /// The zone's name as given to make(), e.g. "Europe/Berlin".
  [[nodiscard]] std::string_view name() const;

  /// The offset period containing `t`. Periods may be split where nothing changes.
  [[nodiscard]] ZonePeriod period_at(date::sys_seconds t) const;
  /// UTC -> local wall clock.
  [[nodiscard]] date::local_seconds to_local(date::sys_seconds t) const;
  /// Local wall clock -> UTC, resolving gaps and overlaps by LocalTimeRule::earliest_valid.
  [[nodiscard]] date::sys_seconds to_utc(date::local_seconds t) const;

  friend bool operator==(const TimeZone& a, const TimeZone& b) noexcept {
    return a.zone_ == b.zone_;
  }

  /// What a TimeZone refers to; defined in time_zone.cpp.
  struct Record;

 private:
  friend Result<TimeZone> detail::stored_time_zone(std::string_view name);
  explicit TimeZone(const Record* zone) : zone_(zone) {}
  const Record* zone_;
};

/// Writes name().
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const TimeZone& zone);

/// "Tue 12 Mar 2024, 10:00 EDT (UTC-4)": `t` on the wall clock of `zone`, with the zone's
/// abbreviation and UTC offset at that instant ("(UTC+5:45)" for Asia/Kathmandu). Zones whose
/// tz abbreviation is only a number ("+0545") show the offset alone. English names regardless
/// of the global locale, day without a leading zero, 24-hour clock. The emails' times use it.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string format_local_time(date::sys_seconds t,
                                                                const TimeZone& zone);

}  // namespace interviewkit

/// JSON: TimeZone has no default state, so it serializes through adl_serializer; from_json
/// throws interviewkit::ErrorException (or nlohmann::json::type_error) on invalid input.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::TimeZone> {
  /// Reads the name. Unlike make(), it accepts the legacy abbreviations, so stored records
  /// holding one read back.
  static interviewkit::TimeZone from_json(const nlohmann::json& j);
  /// Writes name() as a JSON string.
  static void to_json(nlohmann::json& j, const interviewkit::TimeZone& value);
};

/// Formats a TimeZone as its name(), with the usual string format specs.
template <>
struct fmt::formatter<interviewkit::TimeZone> : fmt::formatter<std::string_view> {
  /// Writes name() as the spec says.
  template <class FormatContext>
  auto format(const interviewkit::TimeZone& zone, FormatContext& ctx) const {
    return interviewkit::detail::format_text(*this, zone.name(), ctx);
  }
};
