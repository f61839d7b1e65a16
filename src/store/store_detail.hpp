// Internal helpers shared by the Store implementations. Not installed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/store/outbox.hpp>

namespace interviewkit::detail {

/// "candidate:c-1", "interviewer:i-1": the calendars an interview occupies, sorted (the order
/// in which stores that lock per person take their locks, so writers never deadlock).
inline std::vector<std::string> people_of(const Interview& interview) {
  std::vector<std::string> people;
  people.reserve(interview.interviewers.size() + 1);
  people.push_back("candidate:" + interview.candidate.id.str());
  for (const auto& i : interview.interviewers)
    people.push_back("interviewer:" + i.id.str());
  std::sort(people.begin(), people.end());
  return people;
}

/// Instants as stored in database columns: milliseconds or seconds since the Unix epoch.
inline std::int64_t millis(UtcMillis t) {
  return t.time_since_epoch().count();
}
inline UtcMillis from_millis(std::int64_t ms) {
  return UtcMillis{std::chrono::milliseconds{ms}};
}
inline std::int64_t seconds(date::sys_seconds t) {
  return t.time_since_epoch().count();
}

/// An outbox row as the SQL stores keep it, column by column, before decoding.
struct OutboxRow {
  std::int64_t id = 0;
  std::string idempotency_key;
  std::int64_t interview = 0;
  std::string kind;
  std::string channel;
  std::string payload;
  std::string message_token;
  std::int64_t due_ms = 0;
  std::int64_t attempts = 0;
  std::string last_error;
  std::string state;
  std::optional<std::int64_t> claimed_until_ms;
  std::int64_t created_ms = 0;
  std::int64_t updated_ms = 0;
  std::int64_t claim = 0;
  std::int64_t unfinished_claims = 0;
  std::optional<std::int64_t> first_attempt_ms;
};

/// The one row mapper of the SQL stores. Never throws: a kind this version does not know
/// (written by a newer one) or a payload that is not JSON is reported in `unreadable`.
inline OutboxMessage decode_outbox_row(OutboxRow row) {
  OutboxMessage m;
  m.id = OutboxId{static_cast<std::uint64_t>(row.id)};
  m.idempotency_key = std::move(row.idempotency_key);
  m.interview = InterviewId{static_cast<std::uint64_t>(row.interview)};
  m.channel = std::move(row.channel);
  m.message_token = std::move(row.message_token);
  m.due = from_millis(row.due_ms);
  m.attempts = static_cast<std::uint32_t>(row.attempts);
  m.claim = static_cast<std::uint64_t>(row.claim);
  m.unfinished_claims = static_cast<std::uint32_t>(row.unfinished_claims);
  m.last_error = std::move(row.last_error);
  if (row.claimed_until_ms)
    m.claimed_until = from_millis(*row.claimed_until_ms);
  if (row.first_attempt_ms)
    m.first_attempt_at = from_millis(*row.first_attempt_ms);
  m.created_at = from_millis(row.created_ms);
  m.updated_at = from_millis(row.updated_ms);
  if (auto state = parse_outbox_state(row.state))
    m.state = *state;
  else
    m.unreadable = state.error().message();
  if (auto kind = parse_notification_kind(row.kind))
    m.kind = *kind;
  else
    m.unreadable = fmt::format("unknown notification kind (written by a newer version?): {}",
                               kind.error().message());
  m.payload = nlohmann::json::parse(row.payload, nullptr, /*allow_exceptions=*/false);
  if (m.payload.is_discarded()) {
    m.payload = nullptr;
    m.unreadable = "the stored payload is not valid JSON";
  }
  return m;
}

/// A stored interview body decoded without throwing; the error names the interview.
inline Result<Interview> decode_interview(const std::string& body, InterviewId id) {
  try {
    return nlohmann::json::parse(body).get<Interview>();
  } catch (const std::exception& e) {
    return Unavailable{fmt::format("stored interview {} cannot be read: {}", id, e.what())};
  }
}

}  // namespace interviewkit::detail
