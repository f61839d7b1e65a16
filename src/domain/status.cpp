#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

Result<InterviewStatus> parse_interview_status(std::string_view text) {
  for (auto status : all_interview_statuses) {
    if (to_string(status) == text)
      return status;
  }
  return InvalidInput{
      fmt::format("{} is not an interview status; valid values are pending, scheduled, confirmed, "
                  "completed, cancelled, no_show",
                  detail::quoted(text))};
}

Result<InterviewEvent> parse_interview_event(std::string_view text) {
  for (auto event : all_interview_events) {
    if (to_string(event) == text)
      return event;
  }
  return InvalidInput{fmt::format(
      "{} is not an interview event; valid values are book, confirm, reschedule, cancel, "
      "complete, mark_no_show",
      detail::quoted(text))};
}

std::ostream& operator<<(std::ostream& os, InterviewStatus status) {
  return os << to_string(status);
}

std::ostream& operator<<(std::ostream& os, InterviewEvent event) {
  return os << to_string(event);
}

std::ostream& operator<<(std::ostream& os, const Transition& transition) {
  return os << fmt::format("{}", transition);
}

void to_json(nlohmann::json& j, InterviewStatus status) {
  j = std::string(to_string(status));
}

void from_json(const nlohmann::json& j, InterviewStatus& status) {
  if (!j.is_string()) {
    throw nlohmann::json::type_error::create(
        302, fmt::format("interview status must be a JSON string, got {}", detail::shown(j)), &j);
  }
  auto parsed = parse_interview_status(j.get_ref<const std::string&>());
  if (!parsed)
    throw ErrorException(parsed.error());
  status = *parsed;
}

}  // namespace interviewkit
