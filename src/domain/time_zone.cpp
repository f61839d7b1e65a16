#include <mutex>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/time_zone.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

namespace {

// date/tz (with the OS database) reads a zone's transitions lazily, on its first use, and
// that first read is not safe to race with another thread's. Looking a zone up and using it
// once under one lock means every TimeZone handed out is fully loaded.
const date::time_zone* locate_loaded(std::string_view name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  const auto* zone = date::locate_zone(name);
  (void)zone->get_info(date::sys_seconds{});
  return zone;
}

}  // namespace

Result<TimeZone> TimeZone::make(std::string_view name) {
  if (name.empty())
    return InvalidInput{"time zone name must not be empty"};
  try {
    return TimeZone(locate_loaded(name));
  } catch (const std::exception&) {
    return InvalidInput{
        fmt::format("time zone {} is not in the tz database (expected an IANA name such as "
                    "\"Europe/Berlin\")",
                    detail::quoted(name))};
  }
}

TimeZone TimeZone::utc() {
  return TimeZone(locate_loaded("Etc/UTC"));
}

std::string_view TimeZone::name() const {
  return zone_->name();
}

date::local_seconds TimeZone::to_local(date::sys_seconds t) const {
  return zone_->to_local(t);
}

date::sys_seconds TimeZone::to_utc(date::local_seconds t) const {
  const auto info = zone_->get_info(t);
  switch (info.result) {
    case date::local_info::unique:
      return date::sys_seconds{t.time_since_epoch() - info.first.offset};
    case date::local_info::nonexistent:
      // The wall clock jumped over t: the first valid instant is the transition itself.
      return info.second.begin;
    case date::local_info::ambiguous:
      // t occurs twice: take the earlier, which is still on the first offset.
      return date::sys_seconds{t.time_since_epoch() - info.first.offset};
  }
  return date::sys_seconds{t.time_since_epoch() - info.first.offset};
}

std::ostream& operator<<(std::ostream& os, const TimeZone& zone) {
  return os << zone.name();
}

}  // namespace interviewkit

using interviewkit::TimeZone;

TimeZone nlohmann::adl_serializer<TimeZone>::from_json(const nlohmann::json& j) {
  return interviewkit::detail::unwrap(
      TimeZone::make(interviewkit::detail::expect_string(j, "time zone")));
}
void nlohmann::adl_serializer<TimeZone>::to_json(nlohmann::json& j, const TimeZone& v) {
  j = std::string(v.name());
}
