// A UTC instant from a calendar date and a time of day, for the time and time-zone tests.
#pragma once

#include <chrono>

#include <date/date.h>

namespace interviewkit::testing {

inline date::sys_seconds at(date::year_month_day ymd,
                            std::chrono::seconds time_of_day = std::chrono::seconds{0}) {
  return date::sys_days{ymd} + time_of_day;
}

}  // namespace interviewkit::testing
