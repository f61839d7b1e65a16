// format_local_time: an instant as a person reads it on their own wall clock, in the one
// format every channel uses ("Tue 12 Mar 2024, 10:00 EDT (UTC-4)"). In the core, so that a
// host's pages show the same text as its emails without linking the channels.
#include <array>
#include <chrono>
#include <cstdlib>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include <interviewkit/domain/participant.hpp>
#include <interviewkit/domain/time_zone.hpp>

namespace interviewkit {

namespace {

// "UTC+2", "UTC-3:30", "UTC+5:45": the offset alone, which every reader understands,
// whatever the zone's abbreviation.
std::string utc_offset(std::chrono::seconds offset) {
  const char sign = offset < std::chrono::seconds{0} ? '-' : '+';
  const auto minutes = std::abs(offset.count()) / 60;
  const auto hours = minutes / 60;
  const auto rest = minutes % 60;
  if (rest == 0)
    return fmt::format("UTC{}{}", sign, hours);
  return fmt::format("UTC{}{}:{:02}", sign, hours, rest);
}

}  // namespace

std::string format_local_time(date::sys_seconds t, const TimeZone& zone) {
  static constexpr std::array<std::string_view, 7> weekdays{"Sun", "Mon", "Tue", "Wed",
                                                            "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> months{
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto info = zone.period_at(t);
  const date::local_seconds local{t.time_since_epoch() + info.offset};
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::weekday weekday{day};
  const date::hh_mm_ss<std::chrono::seconds> time{local - day};
  std::string out =
      fmt::format("{} {} {} {}, {:02}:{:02}", weekdays[weekday.c_encoding()],
                  static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1],
                  static_cast<int>(ymd.year()), time.hours().count(), time.minutes().count());
  // Since tzdata 2017 many zones have no letters, only "+0545": the offset says it already.
  if (!info.abbrev.empty() && info.abbrev.front() != '+' && info.abbrev.front() != '-')
    out += " " + info.abbrev;
  out += " (" + utc_offset(info.offset) + ")";
  return out;
}

std::string format_local_time(date::sys_seconds t, const Participant& person) {
  return format_local_time(t, person.time_zone());
}

}  // namespace interviewkit
