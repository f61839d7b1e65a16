// TimeZone: IANA zones through date/tz, extended past date/tz's last listed transition by
// the TZif footer's POSIX rule, and cached for the life of the process.
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>

#include <date/tz.h>
#include <date/tz_private.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/time_zone.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

// One zone, loaded once: date/tz's listed transitions, and the footer rule that takes over
// where they end.
struct TimeZone::Record {
  std::string name;
  const date::time_zone* listed = nullptr;
  // Zones read from another directory are constructed here rather than found in date/tz's
  // database, so the record owns them.
  std::unique_ptr<date::time_zone> owned;
  // From this instant on (the start of date/tz's last listed period) `rule`, when the file
  // has one, says what local time is.
  date::sys_seconds rule_from = zone_time_max;
  std::optional<PosixTzRule> rule;
};

namespace {

using Record = TimeZone::Record;

// Every zone handed out, by "\n" + name for the system database (links resolve to the
// zone they name, so they share a record) and by directory + "\n" + name otherwise. Never
// destroyed: a TimeZone in some other static object may be used during exit.
//
// The lock also covers date/tz itself: with the OS database it reads a zone's transitions
// lazily, on first use, and that first read is not safe to race with another thread's. A
// zone is looked up and used once under the lock, so every TimeZone handed out is fully
// loaded and only read from then on.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<Record>, std::less<>> zones;
};

Registry& registry() {
  static auto* const r = new Registry;
  return *r;
}

// The directory date/tz reads. Its OS-database mode (Debian's libdate-tz 3.0.1) takes
// /usr/share/zoneinfo/uclibc if that is a directory, else /usr/share/zoneinfo, and honours
// no TZDIR variable (discover_tz_dir in its tz.cpp). The footer must come from the same
// file as the transitions, so this makes the same choice.
const std::string& system_tz_dir() {
  static const std::string dir = [] {
    std::error_code ec;
    if (std::filesystem::is_directory("/usr/share/zoneinfo/uclibc", ec))
      return std::string("/usr/share/zoneinfo/uclibc");
    return std::string("/usr/share/zoneinfo");
  }();
  return dir;
}

// A whole tz file. They are a few kilobytes; anything past a megabyte is not one.
Result<std::string> read_tz_file(const std::string& path) {
  constexpr std::size_t limit = std::size_t{1} << 20;
  std::ifstream in(path, std::ios::binary);
  std::string bytes;
  std::array<char, 4096> buffer{};
  while (in && bytes.size() <= limit) {
    in.read(buffer.data(), buffer.size());
    bytes.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (!in.eof() || bytes.size() > limit) {
    return InvalidInput{
        fmt::format("time zone file {} cannot be read or is too large", detail::quoted(path))};
  }
  return bytes;
}

// Loads `zone` (date/tz reads its transitions now) and the footer of `path`, the same file.
// date/tz does not expose the footer, hence the second read of the file here. date/tz
// reports a bad file by throwing; that is turned into an error value naming the path.
Result<std::unique_ptr<Record>> load(const date::time_zone* zone, std::string name,
                                     const std::string& path) {
  auto record = std::make_unique<Record>();
  record->name = std::move(name);
  record->listed = zone;
  try {
    record->rule_from = zone->get_info(zone_time_max - date::days{1}).begin;
  } catch (const std::exception& e) {
    return InvalidInput{
        fmt::format("time zone file {} cannot be loaded: {}", detail::quoted(path), e.what())};
  }
  auto bytes = read_tz_file(path);
  if (!bytes)
    return bytes.error();
  auto rule = parse_tzif_footer(*bytes);
  if (!rule) {
    return InvalidInput{
        fmt::format("time zone file {}: {}", detail::quoted(path), rule.error().message())};
  }
  record->rule = std::move(*rule);
  return record;
}

// The record under `key`, loading it with `make` the first time. Caller holds the lock. A
// failed load is not cached: the next call tries again, since the file may be fixed or
// installed meanwhile.
template <class Make>
Result<const Record*> find_or_load(Registry& reg, const std::string& key, Make&& make) {
  if (const auto it = reg.zones.find(key); it != reg.zones.end())
    return it->second.get();
  Result<std::unique_ptr<Record>> loaded = make();
  if (!loaded)
    return loaded.error();
  const auto* record = loaded->get();
  reg.zones.emplace(key, std::move(*loaded));
  return record;
}

// A name inside a zoneinfo directory: "Area/Location" parts of letters, digits, '_', '+' and
// '-', none of them "." or "..", so it cannot leave the directory.
bool is_relative_zone_name(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.back() == '/')
    return false;
  std::size_t part = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      const auto piece = name.substr(part, i - part);
      if (piece.empty() || piece == "." || piece == "..")
        return false;
      part = i + 1;
      continue;
    }
    const char c = name[i];
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '+' || c == '-' || c == '.';
    if (!ok)
      return false;
  }
  return true;
}

// The tz database's legacy names that a host most likely passed by mistake, taking a
// browser's or a user's abbreviation for a zone: EST is UTC-5 all year (New York is not in
// summer), and the POSIX-style and European ones are kept only for compatibility. Each with
// the zone its abbreviation usually means (the target tzdata 2024b links most of them to).
constexpr std::array<std::pair<std::string_view, std::string_view>, 11> legacy_zones{{
    {"EST", "America/New_York"},
    {"MST", "America/Denver"},
    {"HST", "Pacific/Honolulu"},
    {"EST5EDT", "America/New_York"},
    {"CST6CDT", "America/Chicago"},
    {"MST7MDT", "America/Denver"},
    {"PST8PDT", "America/Los_Angeles"},
    {"CET", "Europe/Paris"},
    {"MET", "Europe/Paris"},
    {"EET", "Europe/Athens"},
    {"WET", "Europe/Lisbon"},
}};

}  // namespace

Result<TimeZone> TimeZone::make(std::string_view name) {
  for (const auto& [legacy, usual] : legacy_zones) {
    if (name == legacy) {
      return InvalidInput{fmt::format(
          "time zone \"{}\" is a legacy abbreviation, not a place: it does not follow any "
          "region's own rules (a browser's \"{}\" usually means \"{}\"); give an IANA name "
          "such as \"{}\"",
          legacy, legacy, usual, usual)};
    }
  }
  return detail::stored_time_zone(name);
}

// Keys: "\n" + name here, directory + "\n" + name in from_directory. A directory is
// absolute (starts with '/') and a zone name has no newline, so the two kinds of key never
// collide and no two directory keys do either.
Result<TimeZone> detail::stored_time_zone(std::string_view name) {
  if (name.empty())
    return InvalidInput{"time zone name must not be empty"};
  auto& reg = registry();
  std::lock_guard lock(reg.mutex);
  const date::time_zone* zone = nullptr;
  try {
    zone = date::locate_zone(name);
  } catch (const std::exception&) {
    return InvalidInput{
        fmt::format("time zone {} is not in the tz database (expected an IANA name such as "
                    "\"Europe/Berlin\")",
                    detail::quoted(name))};
  }
  const auto record = find_or_load(reg, "\n" + zone->name(), [&] {
    return load(zone, zone->name(), system_tz_dir() + "/" + zone->name());
  });
  if (!record)
    return record.error();
  return TimeZone(*record);
}

Result<TimeZone> TimeZone::from_directory(std::string_view directory, std::string_view name) {
  if (directory.empty() || directory.front() != '/' || !is_relative_zone_name(name)) {
    return InvalidInput{fmt::format(
        "time zone {} in directory {}: expected an absolute directory and a relative zone name",
        detail::quoted(name), detail::quoted(directory))};
  }
  const std::string path = fmt::format("{}/{}", directory, name);
  auto& reg = registry();
  std::lock_guard lock(reg.mutex);
  const auto record = find_or_load(reg, fmt::format("{}\n{}", directory, name), [&] {
    // date/tz opens "<its directory>/<zone name>" and cannot be pointed elsewhere; a name that
    // climbs to the root first (extra ".." at the root stay there) reaches any absolute path.
    // The constructor is the one date/tz builds its own zones with (public, tagged
    // detail::undocumented); the zone reads its file on first use, inside load.
    // 32 levels are deeper than any directory date/tz could be installed in.
    std::string climb;
    for (int i = 0; i < 32; ++i)
      climb += "../";
    auto zone =
        std::make_unique<date::time_zone>(climb + path.substr(1), date::detail::undocumented{});
    auto loaded = load(zone.get(), std::string(name), path);
    if (loaded)
      (*loaded)->owned = std::move(zone);
    return loaded;
  });
  if (!record)
    return record.error();
  return TimeZone(*record);
}

TimeZone TimeZone::utc() {
  // The tz database always has UTC; without it nothing here can work.
  return make("Etc/UTC").value();
}

std::string_view TimeZone::name() const {
  return zone_->name;
}

ZonePeriod TimeZone::period_at(date::sys_seconds t) const {
  const auto& z = *zone_;
  if (z.rule && t >= z.rule_from) {
    auto period = z.rule->period_at(t);
    period.begin = std::max(period.begin, z.rule_from);
    return period;
  }
  // Before the footer takes over, date/tz's periods all end by rule_from.
  const auto info = z.listed->get_info(t);
  return ZonePeriod{info.begin, info.end, info.offset, info.save != std::chrono::minutes{0},
                    info.abbrev};
}

date::local_seconds TimeZone::to_local(date::sys_seconds t) const {
  return date::local_seconds{t.time_since_epoch() + period_at(t).offset};
}

date::sys_seconds TimeZone::to_utc(date::local_seconds t) const {
  // Every instant that shows t on the clock lies within this of it: no UTC offset comes near.
  constexpr std::chrono::seconds reach = std::chrono::hours{36};
  const date::sys_seconds naive{t.time_since_epoch()};
  // The periods around t in time order. The first whose own offset maps t inside it gives
  // the earliest instant (the earlier one of an overlap); a period whose clock starts past
  // t means the clock jumped over t as it began, and its beginning is the first valid
  // instant after the gap.
  // Each step moves to the next period, and a handful of periods cover the span searched;
  // the guard only keeps a zone whose periods fail to advance from looping forever.
  auto period = period_at(naive - reach);
  for (int guard = 0; guard < 1000; ++guard) {
    const auto u = naive - period.offset;
    if (u < period.begin)
      return period.begin;
    if (u < period.end || period.end >= zone_time_max)
      return u;
    period = period_at(period.end);
  }
  return naive - period.offset;
}

std::ostream& operator<<(std::ostream& os, const TimeZone& zone) {
  return os << zone.name();
}

}  // namespace interviewkit

using interviewkit::TimeZone;

// A zone is stored by its name only and looked up again when read, so a record written on
// one machine is read with the reader's tz database. Zones from from_directory() are read
// back from the system database under the same name.
// Legacy names (refused by TimeZone::make) are read back: a record stored before they were
// refused stays readable.
TimeZone nlohmann::adl_serializer<TimeZone>::from_json(const nlohmann::json& j) {
  return interviewkit::detail::unwrap(
      interviewkit::detail::stored_time_zone(interviewkit::detail::expect_string(j, "time zone")));
}
void nlohmann::adl_serializer<TimeZone>::to_json(nlohmann::json& j, const TimeZone& v) {
  j = std::string(v.name());
}
