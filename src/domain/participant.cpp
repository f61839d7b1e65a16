#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/participant.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

Result<void> validate_text(std::string_view field, std::string_view text, std::size_t max_bytes,
                           bool allow_empty) {
  if (text.empty() && !allow_empty)
    return InvalidInput{fmt::format("{} must not be empty", field)};
  if (text.size() > max_bytes) {
    return InvalidInput{fmt::format("{} {} is {} bytes long; at most {} allowed", field,
                                    detail::quoted(text, 40), text.size(), max_bytes)};
  }
  if (auto problem = detail::text_problem(text)) {
    return InvalidInput{fmt::format("{} {} has {}", field, detail::quoted(text), *problem)};
  }
  return {};
}

Result<Participant> Participant::make(std::string_view name, EmailAddress email,
                                      TimeZone time_zone) {
  constexpr std::size_t max_name = 256;
  if (auto ok = validate_text("participant name", name, max_name); !ok)
    return ok.error();
  return Participant(std::string(name), std::move(email), time_zone);
}

Result<Participant> Participant::make(std::string_view name, std::string_view email,
                                      std::string_view time_zone) {
  auto address = EmailAddress::make(email);
  if (!address)
    return address.error();
  auto zone = TimeZone::make(time_zone);
  if (!zone)
    return zone.error();
  return make(name, std::move(address).value(), *zone);
}

std::ostream& operator<<(std::ostream& os, const Participant& p) {
  return os << p.name() << " <" << p.email() << ">";
}

}  // namespace interviewkit

namespace {

using interviewkit::Participant;
namespace d = interviewkit::detail;

Participant participant_fields(const nlohmann::json& j) {
  auto email = j.at("email").get<interviewkit::EmailAddress>();
  auto zone = j.at("time_zone").get<interviewkit::TimeZone>();
  return d::unwrap(Participant::make(d::expect_string(j.at("name"), "participant name"),
                                     std::move(email), zone));
}

void put_participant(nlohmann::json& j, const Participant& p) {
  j["name"] = p.name();
  j["email"] = p.email();
  j["time_zone"] = p.time_zone();
}

}  // namespace

Participant nlohmann::adl_serializer<Participant>::from_json(const nlohmann::json& j) {
  d::expect_object(j, "participant", {"name", "email", "time_zone"});
  return participant_fields(j);
}
void nlohmann::adl_serializer<Participant>::to_json(nlohmann::json& j, const Participant& v) {
  j = nlohmann::json::object();
  put_participant(j, v);
}

interviewkit::Candidate nlohmann::adl_serializer<interviewkit::Candidate>::from_json(
    const nlohmann::json& j) {
  d::expect_object(j, "candidate", {"id", "name", "email", "time_zone"});
  return {j.at("id").get<interviewkit::CandidateId>(), participant_fields(j)};
}
void nlohmann::adl_serializer<interviewkit::Candidate>::to_json(nlohmann::json& j,
                                                                const interviewkit::Candidate& v) {
  j = nlohmann::json{{"id", v.id}};
  put_participant(j, v.person);
}

interviewkit::Interviewer nlohmann::adl_serializer<interviewkit::Interviewer>::from_json(
    const nlohmann::json& j) {
  d::expect_object(j, "interviewer", {"id", "name", "email", "time_zone"});
  return {j.at("id").get<interviewkit::InterviewerId>(), participant_fields(j)};
}
void nlohmann::adl_serializer<interviewkit::Interviewer>::to_json(
    nlohmann::json& j, const interviewkit::Interviewer& v) {
  j = nlohmann::json{{"id", v.id}};
  put_participant(j, v.person);
}
