// POSIX TZ rule strings ("EST5EDT,M3.2.0,M11.1.0") and the TZif footer that carries one.
//
// A compiled tz file (TZif version 2 and later, RFC 8536) lists a zone's transitions up to
// some point and then ends with a footer: a POSIX TZ string saying how local time behaves
// after the last listed transition. Files built "fat" list transitions up to 2037; files
// built "slim" (zic's default since 2020) stop at the last rule change, often decades ago.
// date/tz in its OS-database mode reads the list but not the footer, so TimeZone evaluates
// the footer itself for instants after the list ends.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <date/date.h>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// A span [begin, end) of UTC instants over which a zone keeps one UTC offset.
struct ZonePeriod {
  date::sys_seconds begin;  ///< first instant of the period
  date::sys_seconds end;    ///< first instant after it
  /// Local time minus UTC: +3600 s for Berlin in winter.
  std::chrono::seconds offset{0};
  bool is_dst = false;  ///< daylight saving time is in force
  /// "CET", or "+0545" where the zone has no letters.
  std::string abbrev;

  friend bool operator==(const ZonePeriod&, const ZonePeriod&) = default;
};

/// The earliest and latest instants any period reaches: the bounds date/tz uses too.
/// @{
inline constexpr date::sys_seconds zone_time_min{
    date::sys_days{date::year::min() / date::January / 1}};
inline constexpr date::sys_seconds zone_time_max{
    date::sys_days{date::year::max() / date::December / 31}};
/// @}

/// The day (and time of day, in the local time then in force) a POSIX rule switches on.
struct PosixTzDate {
  /// How the day is given.
  enum class Kind : std::uint8_t {
    julian,          ///< "Jn": day n of 1..365, February 29 never counted
    zero_based,      ///< "n": day n of 0..365, February 29 counted in leap years
    month_week_day,  ///< "Mm.w.d": weekday d (0 Sunday) of week w (5: the last) of month m
  };
  Kind kind = Kind::month_week_day;  ///< which of the forms below
  int day = 0;                       ///< julian, zero_based
  int month = 1;                     ///< month_week_day: 1..12
  int week = 1;                      ///< month_week_day: 1..5
  int weekday = 0;                   ///< month_week_day: 0..6
  /// Local time of day; RFC 8536 allows -167h..167h, so the switch may fall on another day.
  std::chrono::seconds time{std::chrono::hours{2}};

  friend bool operator==(const PosixTzDate&, const PosixTzDate&) = default;
};

/// The daylight saving time part of a POSIX TZ rule.
struct PosixTzDst {
  std::string abbrev;              ///< e.g. "EDT"
  std::chrono::seconds offset{0};  ///< local minus UTC, like ZonePeriod::offset
  PosixTzDate start;               ///< given in standard time
  PosixTzDate end;                 ///< given in daylight saving time

  friend bool operator==(const PosixTzDst&, const PosixTzDst&) = default;
};

/// A parsed POSIX TZ string. Offsets are stored as local minus UTC, the negation of how
/// POSIX writes them ("EST5" is -5 h).
struct INTERVIEWKIT_EXPORT PosixTzRule {
  std::string std_abbrev;              ///< standard time's abbreviation, e.g. "EST"
  std::chrono::seconds std_offset{0};  ///< standard time's local minus UTC
  std::optional<PosixTzDst> dst;       ///< none for a zone without daylight saving time

  /// The period containing `t` as this rule alone has it. Without daylight saving time that
  /// is all of time; with it, [the last switch at or before t, the next switch after t).
  [[nodiscard]] ZonePeriod period_at(date::sys_seconds t) const;

  friend bool operator==(const PosixTzRule&, const PosixTzRule&) = default;
};

/// Parses a POSIX TZ string with the RFC 8536 extensions (quoted "<+0545>" names, rule times
/// from -167h to 167h). Empty text is "no rule" (nullopt); anything malformed is
/// InvalidInput naming the text and the position. Never throws but for std::bad_alloc.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<std::optional<PosixTzRule>> parse_posix_tz(
    std::string_view text);

/// The footer rule of a whole TZif file's bytes: nullopt for a version 1 file or an empty
/// footer, InvalidInput when the file is truncated or malformed.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<std::optional<PosixTzRule>> parse_tzif_footer(
    std::string_view file);

}  // namespace interviewkit
