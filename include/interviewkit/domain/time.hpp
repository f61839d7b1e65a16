// UTC instants and their ISO-8601 text form.
//
// UTC instants are `date::sys_seconds` (or finer `sys_time`); local wall-clock times are
// `date::local_seconds`. They are different types, so mixing them does not compile.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include <date/date.h>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Millisecond UTC instant, used for log entries and delivery schedules.
using UtcMillis = date::sys_time<std::chrono::milliseconds>;

/// "2024-03-12T14:00:00Z".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string format_utc(date::sys_seconds t);
/// "2024-03-12T14:00:00.250Z".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string format_utc(UtcMillis t);

/// Strict parse of "YYYY-MM-DDTHH:MM:SSZ" (optionally with ".fff" before the Z). Offsets
/// other than Z, missing parts and trailing text are errors naming the input.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<UtcMillis> parse_utc(std::string_view text);

}  // namespace interviewkit
