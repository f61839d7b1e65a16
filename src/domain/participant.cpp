// Participant, Candidate, Interviewer: validation of the people in an interview, the shared
// free-text check, and their JSON forms.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/participant.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

// The one check for free text the host hands us (names, titles, reasons, keys). The length
// is checked first so an oversized input is reported, shortened, without decoding it all;
// text with a problem is refused rather than cleaned, because the host can fix its input
// and a silently changed name would be worse than an error.
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
  // Room for any real name with titles and honorifics in any script (up to four bytes a
  // character in UTF-8), while keeping a mail header or calendar line short.
  constexpr std::size_t max_name = 256;
  if (auto ok = validate_text("participant name", name, max_name); !ok)
    return ok.error();
  return Participant(std::string(name), std::move(email), time_zone);
}

// Each part is checked by its own type's make(), so an error is that type's own message and
// names the part that was wrong.
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

// For logs and test output only: the name is not encoded, so this is not a mail header.
std::ostream& operator<<(std::ostream& os, const Participant& p) {
  return os << p.name() << " <" << p.email() << ">";
}

}  // namespace interviewkit

namespace {

using interviewkit::Participant;
namespace d = interviewkit::detail;

// Candidate and Interviewer are a Participant plus an id, flattened into one JSON object;
// these read and write the shared fields. Decoding goes through Participant::make, so a
// stored participant is validated exactly like a new one.
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

// Each from_json lists every field it allows: expect_object refuses a missing or an extra
// one, so a misspelt field is an error rather than silently ignored.
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
  j = nlohmann::json::object();
  j["id"] = v.id;
  put_participant(j, v.person);
}

interviewkit::Interviewer nlohmann::adl_serializer<interviewkit::Interviewer>::from_json(
    const nlohmann::json& j) {
  d::expect_object(j, "interviewer", {"id", "name", "email", "time_zone"});
  return {j.at("id").get<interviewkit::InterviewerId>(), participant_fields(j)};
}
void nlohmann::adl_serializer<interviewkit::Interviewer>::to_json(
    nlohmann::json& j, const interviewkit::Interviewer& v) {
  j = nlohmann::json::object();
  j["id"] = v.id;
  put_participant(j, v.person);
}
