#include <ostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/ids.hpp>
#include <interviewkit/log/action_entry.hpp>

#include "../domain/json_detail.hpp"
#include "../domain/text.hpp"

namespace {
// How deep details may nest arrays and objects (the object itself is level 1).
constexpr std::size_t max_details_depth = 32;
}  // namespace

namespace interviewkit {

std::string_view to_string(ActionType action) noexcept {
  switch (action) {
    case ActionType::interview_created:
      return "interview_created";
    case ActionType::interview_booked:
      return "interview_booked";
    case ActionType::interview_confirmed:
      return "interview_confirmed";
    case ActionType::interview_rescheduled:
      return "interview_rescheduled";
    case ActionType::interview_cancelled:
      return "interview_cancelled";
    case ActionType::interview_completed:
      return "interview_completed";
    case ActionType::interview_no_show:
      return "interview_no_show";
    case ActionType::notification_enqueued:
      return "notification_enqueued";
    case ActionType::notification_delivered:
      return "notification_delivered";
    case ActionType::notification_failed:
      return "notification_failed";
    case ActionType::notification_dead_lettered:
      return "notification_dead_lettered";
    case ActionType::notification_expired:
      return "notification_expired";
    case ActionType::notification_requeued:
      return "notification_requeued";
    case ActionType::channel_circuit_opened:
      return "channel_circuit_opened";
    case ActionType::channel_circuit_closed:
      return "channel_circuit_closed";
  }
  return "<invalid ActionType>";
}

Result<ActionType> parse_action_type(std::string_view text) {
  for (auto action : all_action_types) {
    if (to_string(action) == text)
      return action;
  }
  return InvalidInput{fmt::format("{} is not an action type; valid values are {}",
                                  detail::quoted(text), fmt::join(all_action_types, ", "))};
}

Result<void> validate(const ActionEntry& entry) {
  // Deeper details would overflow the stack of whoever copies, compares or dumps them.
  if (detail::nested_deeper_than(entry.details, max_details_depth)) {
    return InvalidInput{
        fmt::format("action entry details nest more than {} levels deep", max_details_depth)};
  }
  if (!entry.details.is_object()) {
    return InvalidInput{
        fmt::format("action entry details must be a JSON object, got {}",
                    entry.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))};
  }
  // Compared as instants: converting a far-off time to a calendar date would overflow.
  constexpr auto first = date::sys_days{date::year{0} / 1 / 1};
  constexpr auto end = date::sys_days{date::year{10000} / 1 / 1};
  if (entry.time < first || entry.time >= end) {
    return InvalidInput{
        fmt::format("action entry time {} ms since 1970 is outside the years 0000..9999 that a UTC "
                    "timestamp can express",
                    entry.time.time_since_epoch().count())};
  }
  return {};
}

std::ostream& operator<<(std::ostream& os, ActionType action) {
  return os << to_string(action);
}

void to_json(nlohmann::json& j, ActionType action) {
  j = std::string(to_string(action));
}

void from_json(const nlohmann::json& j, ActionType& action) {
  if (!j.is_string()) {
    throw nlohmann::json::type_error::create(
        302, fmt::format("action type must be a JSON string, got {}", detail::shown(j)), &j);
  }
  action = detail::unwrap(parse_action_type(j.get_ref<const std::string&>()));
}

}  // namespace interviewkit

using interviewkit::ActionEntry;
using interviewkit::InterviewStatus;
namespace d = interviewkit::detail;

namespace {

nlohmann::json optional_status(const std::optional<InterviewStatus>& status) {
  return status ? nlohmann::json(*status) : nlohmann::json(nullptr);
}

std::optional<InterviewStatus> parse_optional_status(const nlohmann::json& j) {
  if (j.is_null())
    return std::nullopt;
  return j.get<InterviewStatus>();
}

}  // namespace

ActionEntry nlohmann::adl_serializer<ActionEntry>::from_json(const nlohmann::json& j) {
  d::expect_object(j, "action entry",
                   {"time", "action", "interview", "actor", "from", "to", "details"});
  const auto& interview = j.at("interview");
  const auto& details = j.at("details");
  // Checked before anything copies them: see validate().
  if (d::nested_deeper_than(details, max_details_depth)) {
    d::throw_invalid(
        fmt::format("action entry details nest more than {} levels deep", max_details_depth));
  }
  if (!details.is_object()) {
    d::throw_invalid(
        fmt::format("action entry details must be a JSON object, got {}", d::shown(details)));
  }
  return ActionEntry{
      .time = d::unwrap(interviewkit::parse_utc(d::expect_string(j.at("time"), "action time"))),
      .action = j.at("action").get<interviewkit::ActionType>(),
      .interview = interview.is_null() ? interviewkit::InterviewId{}
                                       : interview.get<interviewkit::InterviewId>(),
      .actor = j.at("actor").get<interviewkit::Actor>(),
      .from = parse_optional_status(j.at("from")),
      .to = parse_optional_status(j.at("to")),
      .details = details,
  };
}

void nlohmann::adl_serializer<ActionEntry>::to_json(nlohmann::json& j, const ActionEntry& v) {
  // Checked here rather than trusted: a line that from_json rejects would make the strict
  // reader stop at it.
  if (auto ok = interviewkit::validate(v); !ok)
    throw interviewkit::ErrorException(ok.error());
  j = nlohmann::json{
      {"time", interviewkit::format_utc(v.time)},
      {"action", v.action},
      {"interview", v.interview.is_set() ? nlohmann::json(v.interview) : nlohmann::json(nullptr)},
      {"actor", v.actor},
      {"from", optional_status(v.from)},
      {"to", optional_status(v.to)},
      {"details", v.details},
  };
}
