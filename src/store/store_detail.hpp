// Internal helpers shared by the Store implementations: one definition per concept that more
// than one store needs (the person key, the outbox row and its columns, the answers every
// store must give alike). Not installed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/store/outbox.hpp>
#include <interviewkit/store/store.hpp>

namespace interviewkit::detail {

// ---------------------------------------------------------------------------------------------
// The person key: the name under which a calendar is indexed for conflict checks.
//
// It is part of the stored data (SQLite's and PostgreSQL's interview_people.person column) and
// of the public answer (SlotConflict::person, "interviewer:alice"), so it can never change
// without a schema migration. PostgreSQL also builds it in SQL, in the trigger of its first
// migration; postgres_store.cpp checks at compile time that the trigger spells these same
// prefixes, and the conformance suite pins the keys every store answers with.
// ---------------------------------------------------------------------------------------------
inline constexpr std::string_view candidate_key_prefix = "candidate:";
inline constexpr std::string_view interviewer_key_prefix = "interviewer:";

inline std::string person_key(const CandidateId& id) {
  return std::string(candidate_key_prefix) + id.str();
}
inline std::string person_key(const InterviewerId& id) {
  return std::string(interviewer_key_prefix) + id.str();
}

/// The person keys of the calendars an interview occupies, sorted: the order in which stores
/// that lock per person take their locks, so two writers never deadlock on each other.
inline std::vector<std::string> people_of(const Interview& interview) {
  std::vector<std::string> people;
  people.reserve(interview.interviewers.size() + 1);
  people.push_back(person_key(interview.candidate.id));
  for (const auto& i : interview.interviewers)
    people.push_back(person_key(i.id));
  std::sort(people.begin(), people.end());
  return people;
}

// ---------------------------------------------------------------------------------------------
// Columns: instants as the SQL stores keep them (milliseconds or seconds since the Unix epoch,
// as plain integers: both databases compare and index them cheaply and without time zones).
// ---------------------------------------------------------------------------------------------
inline std::int64_t millis(UtcMillis t) {
  return t.time_since_epoch().count();
}
inline UtcMillis from_millis(std::int64_t ms) {
  return UtcMillis{std::chrono::milliseconds{ms}};
}
inline std::int64_t seconds(date::sys_seconds t) {
  return t.time_since_epoch().count();
}
inline date::sys_seconds from_seconds(std::int64_t s) {
  return date::sys_seconds{std::chrono::seconds{s}};
}
/// Database ids are signed 64-bit integers; ours are unsigned and never exceed INT64_MAX.
inline std::int64_t column(InterviewId id) {
  return static_cast<std::int64_t>(id.value());
}
inline std::int64_t column(OutboxId id) {
  return static_cast<std::int64_t>(id.value());
}

/// Optional query filters as nullable column values: an unset filter is bound as NULL, and
/// `(? IS NULL OR column = ?)` lets one statement serve every combination of filters.
inline std::optional<std::int64_t> nullable(const std::optional<InterviewId>& id) {
  return id ? std::optional(column(*id)) : std::nullopt;
}
inline std::optional<std::int64_t> nullable(const std::optional<UtcMillis>& t) {
  return t ? std::optional(millis(*t)) : std::nullopt;
}
template <class Enum>
requires std::is_enum_v<Enum> std::optional<std::string> nullable(
    const std::optional<Enum>& value) {
  return value ? std::optional(std::string(to_string(*value))) : std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The outbox row: one column list and one row mapper for both SQL stores.
// ---------------------------------------------------------------------------------------------

/// The columns both SQL stores select for an outbox message, in the order
/// `read_outbox_row` reads them. (PostgreSQL hands a jsonb payload back as its JSON text.)
inline constexpr std::string_view outbox_columns =
    "id, idempotency_key, interview_id, kind, channel, payload, message_token, due_ms, attempts, "
    "last_error, state, claimed_until_ms, created_ms, updated_ms, claim, unfinished_claims, "
    "first_attempt_ms";

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

/// Decodes a row. Never throws: a kind or state this version does not know (written by a
/// newer one) or a payload that is not JSON is reported in `unreadable`, so one bad row
/// cannot stop the delivery of the others (the dispatcher dead-letters it with the reason).
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

/// The one row mapper of the SQL stores. `Cells` is the store's view of the current result
/// row, answering `integer(col)`, `text(col)` and `optional_integer(col)` for the columns of
/// `outbox_columns`; this is the only place that knows which column sits where.
template <class Cells>
OutboxMessage read_outbox_row(const Cells& r) {
  return decode_outbox_row(OutboxRow{
      .id = r.integer(0),
      .idempotency_key = r.text(1),
      .interview = r.integer(2),
      .kind = r.text(3),
      .channel = r.text(4),
      .payload = r.text(5),
      .message_token = r.text(6),
      .due_ms = r.integer(7),
      .attempts = r.integer(8),
      .last_error = r.text(9),
      .state = r.text(10),
      .claimed_until_ms = r.optional_integer(11),
      .created_ms = r.integer(12),
      .updated_ms = r.integer(13),
      .claim = r.integer(14),
      .unfinished_claims = r.integer(15),
      .first_attempt_ms = r.optional_integer(16),
  });
}

// ---------------------------------------------------------------------------------------------
// Outbox bookkeeping that a store applies to the copies it returns. The SQL stores write the
// same change in their UPDATE statements; MemoryStore applies it to its own copy.
// ---------------------------------------------------------------------------------------------

/// A message claimed at `now`: leased until now + lease, one more attempt under a new
/// fencing token (`claim` only ever grows, so a late worker's stale token can never match
/// again), one more claim without an outcome, and the retry horizon starts at the first
/// attempt.
inline void mark_claimed(OutboxMessage& m, UtcMillis now, std::chrono::milliseconds lease) {
  m.claimed_until = now + lease;
  ++m.attempts;
  ++m.claim;
  ++m.unfinished_claims;
  if (!m.first_attempt_at)
    m.first_attempt_at = now;
  m.updated_at = now;
}

/// A message superseded at `now` (expired, never sent nor requeued), with the reason.
inline void mark_superseded(OutboxMessage& m, const std::string& reason, UtcMillis now) {
  m.state = OutboxState::expired;
  m.last_error = reason;
  m.claimed_until.reset();
  m.updated_at = now;
}

// ---------------------------------------------------------------------------------------------
// Answers every store gives alike.
// ---------------------------------------------------------------------------------------------

/// An outbox id no store knows: InvalidInput naming it, from every store and every method.
inline Error unknown_outbox_message(OutboxId id) {
  return InvalidInput{fmt::format("no outbox message {}", id)};
}

/// The answer of a fenced outbox update (renew, release, complete, requeue): true if it
/// changed the message; false if the message exists but was not in the state or under the
/// claim the caller expected (another worker or an outcome fenced it off); InvalidInput if
/// there is no such message. `exists` is only asked when nothing changed.
template <class Exists>
Result<bool> fenced_answer(OutboxId id, bool changed, Exists&& exists) {
  if (changed)
    return true;
  if (!exists())
    return unknown_outbox_message(id);
  return false;
}

/// A stored interview body decoded without throwing; the error names the interview.
inline Result<Interview> decode_interview(const std::string& body, InterviewId id) {
  try {
    return nlohmann::json::parse(body).get<Interview>();
  } catch (const std::exception& e) {
    return Unavailable{fmt::format("stored interview {} cannot be read: {}", id, e.what())};
  }
}

/// A stored action entry decoded without throwing.
inline Result<ActionEntry> decode_action_entry(const std::string& text) {
  try {
    return nlohmann::json::parse(text).get<ActionEntry>();
  } catch (const std::exception& e) {
    return Unavailable{fmt::format("a stored action entry cannot be read: {}", e.what())};
  }
}

/// One busy interval read back from interview_people (seconds since the epoch). A slot the
/// database holds but TimeRange refuses (written by a foreign writer) is an error value.
inline Result<BusyInterval> busy_interval(const InterviewerId& interviewer, std::int64_t start_s,
                                          std::int64_t end_s, std::int64_t interview) {
  auto range = TimeRange::make(from_seconds(start_s), from_seconds(end_s));
  if (!range)
    return range.error();
  return BusyInterval{interviewer, *range, InterviewId{static_cast<std::uint64_t>(interview)}};
}

}  // namespace interviewkit::detail
