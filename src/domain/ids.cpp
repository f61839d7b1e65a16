// Strong ids: the check for host-supplied ids (CandidateId, InterviewerId), output, and JSON.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/ids.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

namespace detail {
// Host ids end up inside other text without escaping: idempotency keys
// ("interview/42/v3/interviewer:<id>/interview_scheduled") and space-separated log lines
// ("actor=recruiter:<id>"). Printable ASCII without spaces keeps an id one token there, with
// no space, control or line break that could split or forge a key or a line. Anything else
// is refused, not encoded, because an encoded id would no longer equal the host's own.
// 128 bytes holds a UUID (36) or a URN with room to spare and keeps the keys built from it
// well within the 512 bytes a notification's idempotency key may hold.
Result<void> validate_external_id(std::string_view kind, std::string_view text) {
  constexpr std::size_t max_length = 128;
  if (text.empty())
    return InvalidInput{fmt::format("{} must not be empty", kind)};
  if (text.size() > max_length) {
    return InvalidInput{fmt::format("{} {} is {} bytes long; at most {} allowed", kind,
                                    quoted(text, 40), text.size(), max_length)};
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      return InvalidInput{
          fmt::format("{} {} may only hold printable ASCII without spaces", kind, quoted(text))};
    }
  }
  return {};
}
}  // namespace detail

std::ostream& operator<<(std::ostream& os, InterviewId id) {
  return os << id.value();
}
std::ostream& operator<<(std::ostream& os, const CandidateId& id) {
  return os << id.str();
}
std::ostream& operator<<(std::ostream& os, const InterviewerId& id) {
  return os << id.str();
}

void to_json(nlohmann::json& j, InterviewId id) {
  j = id.value();
}

// InterviewId has a default ("no interview"), so it uses the plain ADL pair. Zero is refused
// when read: it means "no interview" and is never the id of a stored one. Only unsigned
// JSON numbers are taken; a negative or fractional number, or a string, is an error.
void from_json(const nlohmann::json& j, InterviewId& id) {
  if (!j.is_number_unsigned() || j.get<std::uint64_t>() == 0) {
    detail::throw_invalid(
        fmt::format("interview id must be a positive integer, got {}", detail::shown(j)));
  }
  id = InterviewId{j.get<std::uint64_t>()};
}

}  // namespace interviewkit

using interviewkit::CandidateId;
using interviewkit::InterviewerId;

// Validated ids have no default state, so they decode through adl_serializer and make(): an
// id read from JSON passes the same check as one the host constructs.
CandidateId nlohmann::adl_serializer<CandidateId>::from_json(const nlohmann::json& j) {
  return interviewkit::detail::unwrap(
      CandidateId::make(interviewkit::detail::expect_string(j, "candidate id")));
}
void nlohmann::adl_serializer<CandidateId>::to_json(nlohmann::json& j, const CandidateId& v) {
  j = v.str();
}
InterviewerId nlohmann::adl_serializer<InterviewerId>::from_json(const nlohmann::json& j) {
  return interviewkit::detail::unwrap(
      InterviewerId::make(interviewkit::detail::expect_string(j, "interviewer id")));
}
void nlohmann::adl_serializer<InterviewerId>::to_json(nlohmann::json& j, const InterviewerId& v) {
  j = v.str();
}
