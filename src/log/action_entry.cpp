#include <ostream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/ids.hpp>
#include <interviewkit/log/action_entry.hpp>

#include "../domain/enum_text.hpp"
#include "../domain/json_detail.hpp"
#include "../domain/text.hpp"

namespace {
// How deep details may nest arrays and objects (the object itself is level 1).
constexpr std::size_t max_details_depth = 32;
}  // namespace

namespace interviewkit {

std::string_view to_string(ActionType action) noexcept {
  return enum_name(action);
}

Result<ActionType> parse_action_type(std::string_view text) {
  return detail::parse_enum<ActionType>(text);
}

Result<void> validate(const ActionEntry& entry) {
  // Deeper details would overflow the stack of whoever copies, compares or dumps them.
  if (detail::nested_deeper_than(entry.details.json(), max_details_depth)) {
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
  detail::enum_to_json(j, action);
}

void from_json(const nlohmann::json& j, ActionType& action) {
  action = detail::enum_from_json<ActionType>(j);
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
