// Internal: the Retry-After parser of the webhook channel, declared here so the fuzz targets
// can call it. Not installed.
#pragma once

#include <optional>
#include <string_view>

#include <interviewkit/domain/time.hpp>

namespace interviewkit {

/// Retry-After is either delta-seconds (added to `now`) or an IMF-fixdate HTTP-date
/// ("Sun, 06 Nov 1994 08:49:37 GMT"); nullopt when the value is neither.
std::optional<UtcMillis> parse_retry_after(std::string_view value, UtcMillis now);

}  // namespace interviewkit
