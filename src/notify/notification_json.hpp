// A notification's JSON assembled from parts already converted, for a caller that writes
// several notifications of one interview (BookingService: one per recipient, kind and
// channel) and so converts the interview and each recipient once. Not installed.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit::detail {

/// What nlohmann::json(notification) gives, where `recipient` and `interview` are the JSON of
/// the notification's recipient and interview: the one definition of the payload's shape.
[[nodiscard]] nlohmann::json notification_json(NotificationKind kind,
                                               const nlohmann::json& recipient,
                                               const nlohmann::json& interview,
                                               const std::optional<TimeRange>& previous_slot,
                                               const std::string& reason,
                                               const std::string& idempotency_key);

}  // namespace interviewkit::detail
