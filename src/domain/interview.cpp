// Interview: the invariants every interview must hold, whether built by BookingService or
// read back from a store or a message, and its strict JSON form.
#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/time.hpp>

#include "json_detail.hpp"

namespace interviewkit {

// Called when BookingService drafts a new interview and on every interview decoded from JSON
// (SQL store rows, outbox payloads), so a record that breaks an invariant is refused when
// it is read back, not trusted because it was once written.
Result<void> validate(const Interview& interview) {
  // Bounds that keep one interview, its log entries and its mails a sensible size: a title
  // is a subject line, and 2048 bytes is the URL length commonly taken as safe across
  // browsers and mail clients. Both may be empty: the link exists only once a slot is booked.
  constexpr std::size_t max_title = 512;
  constexpr std::size_t max_link = 2048;
  if (auto ok = validate_text("interview title", interview.title, max_title, true); !ok) {
    return ok.error();
  }
  if (auto ok = validate_text("meeting link", interview.meeting_link, max_link, true); !ok) {
    return ok.error();
  }
  if (interview.interviewers.empty()) {
    return InvalidInput{"an interview needs at least one interviewer"};
  }
  // An interviewer listed twice would be notified twice, and both notifications would
  // carry the same idempotency key (it names the recipient), so the second would collide.
  // The usual handful is compared pairwise, which allocates nothing (this runs on every
  // revision a booking writes); a long list goes through a set.
  const auto& people = interview.interviewers;
  constexpr std::size_t pairwise = 16;
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < people.size(); ++i) {
    const auto& id = people[i].id;
    const bool repeated =
        people.size() <= pairwise
            ? std::any_of(people.begin(), people.begin() + static_cast<std::ptrdiff_t>(i),
                          [&](const Interviewer& earlier) { return earlier.id == id; })
            : !seen.insert(id.str()).second;
    if (repeated)
      return InvalidInput{fmt::format("interviewer {} is listed more than once", id)};
  }
  // A new interview is version 1 and every change adds one: 0 only comes from a bug or a
  // record edited by hand.
  if (interview.version == 0)
    return InvalidInput{"interview version must be at least 1"};
  // Only pending and cancelled interviews may lack a slot; a cancelled one keeps the slot it
  // had, if any, so the record shows what was cancelled. A pending one has none by definition.
  const bool needs_slot = interview.status != InterviewStatus::pending &&
                          interview.status != InterviewStatus::cancelled;
  if (needs_slot && !interview.slot) {
    return InvalidInput{fmt::format("a {} interview must have a slot", interview.status)};
  }
  if (interview.status == InterviewStatus::pending && interview.slot) {
    return InvalidInput{"a pending interview must not have a slot yet"};
  }
  return {};
}

}  // namespace interviewkit

using interviewkit::Interview;
namespace d = interviewkit::detail;

// Strict: every field present and no other (expect_object), each decoded by its own strict
// from_json, and the result checked by validate(). Errors are thrown as ErrorException because
// nlohmann's from_json has no other way to fail; the stores catch them and return an error
// value naming the interview (detail::decode_interview).
Interview nlohmann::adl_serializer<Interview>::from_json(const nlohmann::json& j) {
  d::expect_object(j, "interview",
                   {"id", "title", "candidate", "interviewers", "slot", "status", "version",
                    "meeting_link", "created_at", "updated_at"});
  const auto& interviewers = j.at("interviewers");
  if (!interviewers.is_array())
    d::throw_invalid("interview interviewers must be a JSON array");
  std::vector<interviewkit::Interviewer> list;
  list.reserve(interviewers.size());
  for (const auto& item : interviewers)
    list.push_back(item.get<interviewkit::Interviewer>());
  const auto& version = j.at("version");
  if (!version.is_number_unsigned()) {
    d::throw_invalid(
        fmt::format("interview version must be a positive integer, got {}", d::shown(version)));
  }
  // created_at and updated_at are whole seconds in the model; a fraction in the text is
  // dropped rather than refused (TimeRange, by contrast, refuses one).
  const auto instant = [&](const char* key) {
    return date::floor<std::chrono::seconds>(
        d::unwrap(interviewkit::parse_utc(d::expect_string(j.at(key), key))));
  };
  Interview interview{
      .id = j.at("id").get<interviewkit::InterviewId>(),
      .title = d::expect_string(j.at("title"), "interview title"),
      .candidate = j.at("candidate").get<interviewkit::Candidate>(),
      .interviewers = std::move(list),
      .slot = j.at("slot").is_null() ? std::nullopt
                                     : std::optional<interviewkit::TimeRange>(
                                           j.at("slot").get<interviewkit::TimeRange>()),
      .status = j.at("status").get<interviewkit::InterviewStatus>(),
      .version = version.get<std::uint64_t>(),
      .meeting_link = d::expect_string(j.at("meeting_link"), "meeting link"),
      .created_at = instant("created_at"),
      .updated_at = instant("updated_at"),
  };
  if (auto ok = interviewkit::validate(interview); !ok)
    throw interviewkit::ErrorException(ok.error());
  return interview;
}

// Field by field rather than from a braced list, which copies every value once more: every
// booking converts its interview for the outbox payloads.
void nlohmann::adl_serializer<Interview>::to_json(nlohmann::json& j, const Interview& v) {
  j = nlohmann::json::object();
  j["id"] = v.id;
  j["title"] = v.title;
  j["candidate"] = v.candidate;
  j["interviewers"] = v.interviewers;
  j["slot"] = v.slot ? nlohmann::json(*v.slot) : nlohmann::json(nullptr);
  j["status"] = v.status;
  j["version"] = v.version;
  j["meeting_link"] = v.meeting_link;
  j["created_at"] = interviewkit::format_utc(v.created_at);
  j["updated_at"] = interviewkit::format_utc(v.updated_at);
}
