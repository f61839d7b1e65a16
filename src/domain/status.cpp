// InterviewStatus and InterviewEvent: parsing, streams and JSON, all from their names tables.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>

#include "enum_text.hpp"

namespace interviewkit {

Result<InterviewStatus> parse_interview_status(std::string_view text) {
  return detail::parse_enum<InterviewStatus>(text);
}

Result<InterviewEvent> parse_interview_event(std::string_view text) {
  return detail::parse_enum<InterviewEvent>(text);
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
  detail::enum_to_json(j, status);
}

void from_json(const nlohmann::json& j, InterviewStatus& status) {
  status = detail::enum_from_json<InterviewStatus>(j);
}

}  // namespace interviewkit
