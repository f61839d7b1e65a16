// Internal helpers shared by the Store implementations: one definition per concept that more
// than one store needs (the person key, the outbox row and its columns, the answers every
// store must give alike). Not installed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/store/outbox.hpp>
#include <interviewkit/store/store.hpp>

#include "../domain/utf8.hpp"
#include "../notify/notification_json.hpp"

namespace interviewkit::detail {

// ---------------------------------------------------------------------------------------------
// The person key: the name under which a calendar is indexed for conflict checks.
//
// It is part of the stored data (SQLite's and PostgreSQL's interview_people.person column) and
// of the public answer (SlotConflict::person, "interviewer:alice"), so it can never change
// without a schema migration. PostgreSQL also builds it in SQL, in the trigger of its first
// migration (for writers other than the store); postgres_store.cpp checks at compile time
// that the trigger spells these same prefixes, and the conformance suite pins the keys every
// store answers with.
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
    "first_attempt_ms, recipient, revision";

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
  std::string recipient;
  std::int64_t revision = 0;
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
  m.recipient = std::move(row.recipient);
  m.revision = static_cast<std::uint64_t>(row.revision);
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
      .recipient = r.text(17),
      .revision = r.integer(18),
  });
}

// ---------------------------------------------------------------------------------------------
// What reconciliation reads without decoding JSON: a message's recipient and revision, an
// interview's recipients. Derived once, when the row is written, by every store alike.
// ---------------------------------------------------------------------------------------------

/// Appends Recipient::key() to `out`: written into a string that usually has the room
/// already (a message's recipient, cleared), it costs no allocation.
inline void append_key(std::string& out, const Recipient& recipient) {
  std::visit(
      [&](const auto& id) {
        constexpr bool candidate = std::is_same_v<std::decay_t<decltype(id)>, CandidateId>;
        out += candidate ? candidate_key_prefix : interviewer_key_prefix;
        out += id.str();
      },
      recipient.id);
}

/// Sets `message`'s `recipient` and `revision`, derived from its payload (a Notification as
/// JSON: recipient.role + recipient.id, interview.version); empty and 0 when the payload
/// does not say. Never throws for any payload.
inline void derive_keys(OutboxMessage& message) {
  message.recipient.clear();
  message.revision = 0;
  // A payload BookingService deferred says the same without being made JSON.
  if (const auto* notification = notification_payload(message.payload)) {
    append_key(message.recipient, notification->recipient());  // Recipient::key, in place
    message.revision = notification->revision();
    return;
  }
  // Read through const: another deferred payload is made once and shared, not copied. Only
  // making it can throw (out of memory): the keys then stay empty, as for an unknown payload.
  const nlohmann::json* read = nullptr;
  try {
    read = &std::as_const(message.payload).json();
  } catch (...) {
    return;
  }
  const nlohmann::json& p = *read;
  if (!p.is_object())
    return;
  const auto recipient = p.find("recipient");
  if (recipient != p.end() && recipient->is_object()) {
    const auto role = recipient->find("role");
    const auto id = recipient->find("id");
    if (role != recipient->end() && role->is_string() && id != recipient->end() && id->is_string())
      message.recipient = role->get<std::string>() + ":" + id->get<std::string>();
  }
  const auto interview = p.find("interview");
  if (interview != p.end() && interview->is_object()) {
    const auto version = interview->find("version");
    // Signed or unsigned: JSON built in code holds a literal 2 as a signed integer.
    if (version != interview->end() && version->is_number_integer() &&
        version->get<std::int64_t>() > 0)
      message.revision = version->get<std::uint64_t>();
  }
}

/// `message` with `recipient` and `revision` derived, as derive_keys does in place.
inline OutboxMessage with_keys(OutboxMessage message) {
  derive_keys(message);
  return message;
}

/// An interview's recipient keys, the candidate's first, then the interviewers' in order:
/// the order NotificationPolicy::expect takes them in.
inline std::vector<std::string> recipients_of(const Interview& interview) {
  std::vector<std::string> keys;
  keys.reserve(interview.interviewers.size() + 1);
  keys.push_back(person_key(interview.candidate.id));
  for (const auto& i : interview.interviewers)
    keys.push_back(person_key(i.id));
  return keys;
}

/// The SQL stores keep the recipient keys in one text column, one key per line (keys are
/// printable ASCII, so a newline cannot occur in one).
inline std::string join_recipients(const Interview& interview) {
  std::string text;
  for (const auto& key : recipients_of(interview)) {
    if (!text.empty())
      text += '\n';
    text += key;
  }
  return text;
}
inline std::vector<std::string> split_recipients(std::string_view text) {
  std::vector<std::string> keys;
  while (!text.empty()) {
    const auto end = text.find('\n');
    keys.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos)
      break;
    text.remove_prefix(end + 1);
  }
  return keys;
}

/// The largest page `list_outbox` returns.
inline constexpr std::size_t max_outbox_page = 10000;

/// `list_outbox`'s limit check, the same in every store.
inline Result<void> check_page(const OutboxQuery& query) {
  if (query.limit == 0 || query.limit > max_outbox_page) {
    return InvalidInput{
        fmt::format("outbox page size {} is out of range (1 to {})", query.limit, max_outbox_page)};
  }
  return {};
}

/// OutboxQuery's filters, as MemoryStore applies them and the SQL stores' WHERE clauses do.
inline bool matches(const OutboxQuery& q, const OutboxMessage& m) {
  return (!q.state || m.state == *q.state) && (!q.interview || m.interview == *q.interview) &&
         (!q.kind || (m.unreadable.empty() && m.kind == *q.kind)) &&
         (!q.recipient || m.recipient == *q.recipient) && (!q.channel || m.channel == *q.channel) &&
         (!q.due_before || m.due < *q.due_before);
}

/// Adds `n` messages in `state`, the earliest of them due at `due`, to per-state counts: the
/// one place that knows which counter a state feeds.
inline void add_counts(OutboxCounts& counts, OutboxState state, std::uint64_t n,
                       std::optional<UtcMillis> due) {
  switch (state) {
    case OutboxState::pending:
      counts.pending += n;
      if (due && (!counts.oldest_pending_due || *due < *counts.oldest_pending_due))
        counts.oldest_pending_due = due;
      break;
    case OutboxState::delivered:
      counts.delivered += n;
      break;
    case OutboxState::dead:
      counts.dead += n;
      break;
    case OutboxState::expired:
      counts.expired += n;
      break;
  }
}

/// Adds one message to per-state counts.
inline void count(OutboxCounts& counts, const OutboxMessage& m) {
  add_counts(counts, m.state, 1, m.due);
}

/// Adds a SQL `GROUP BY state` row (state, count, earliest due) to per-state counts. A state
/// this version does not know (a newer version's) is not counted.
inline void add_counts(OutboxCounts& counts, const std::string& state, std::int64_t n,
                       std::optional<std::int64_t> min_due) {
  if (const auto parsed = parse_outbox_state(state)) {
    add_counts(counts, *parsed, static_cast<std::uint64_t>(n),
               min_due ? std::optional(from_millis(*min_due)) : std::nullopt);
  }
}

/// A message as reconciliation sees it.
inline OutboxDigest digest(const OutboxMessage& m) {
  return OutboxDigest{m.id,    m.revision, m.recipient, m.kind,       m.channel,
                      m.state, m.due,      m.attempts,  m.last_error, m.updated_at};
}

// ---------------------------------------------------------------------------------------------
// Revision digests: the rows reconciliation reads, mapped once for both SQL stores.
// ---------------------------------------------------------------------------------------------

/// The interview columns of a revision digest, in the order `read_revision_row` reads them,
/// followed by the number of delivered messages of the current revision.
inline constexpr std::string_view revision_columns =
    "i.id, i.version, i.status, i.last_event, i.last_from, i.updated_ms, i.slot_start, "
    "i.slot_end, i.recipients";
/// The message columns of a digest, in the order `read_digest_row` reads them.
inline constexpr std::string_view digest_columns =
    "o.interview_id, o.id, o.recipient, o.kind, o.channel, o.state, o.due_ms, o.attempts, "
    "o.last_error, o.updated_ms, o.revision";
/// Which messages a digest holds (see RevisionDigest::messages), as a join condition: the
/// current revision's, and earlier revisions' still in force (pending or dead: a later change
/// that made them untrue would have expired them).
inline constexpr std::string_view digest_join =
    "o.interview_id = i.id AND (o.revision = i.version OR (o.revision < i.version AND "
    "o.state IN ('pending', 'dead')))";

/// A revision row decoded; a status, event or slot this version cannot read is an error
/// value naming the interview, never an exception.
template <class Cells>
Result<RevisionDigest> read_revision_row(const Cells& r) {
  RevisionDigest d;
  d.interview = InterviewId{static_cast<std::uint64_t>(r.integer(0))};
  d.version = static_cast<std::uint64_t>(r.integer(1));
  const auto unreadable = [&](const Error& e) {
    return Unavailable{
        fmt::format("stored interview {} cannot be read: {}", d.interview, e.message())};
  };
  auto status = parse_interview_status(r.text(2));
  if (!status)
    return unreadable(status.error());
  d.status = *status;
  if (auto event = r.optional_text(3)) {
    auto parsed = parse_interview_event(*event);
    auto from = parse_interview_status(r.optional_text(4).value_or(""));
    if (!parsed || !from)
      return unreadable(!parsed ? parsed.error() : from.error());
    d.transition = RecordedTransition{*parsed, *from};
  }
  d.changed_at = from_millis(r.integer(5));
  if (auto start = r.optional_integer(6), end = r.optional_integer(7); start && end) {
    auto slot = TimeRange::make(from_seconds(*start), from_seconds(*end));
    if (!slot)
      return unreadable(slot.error());
    d.slot = *slot;
  }
  d.recipients = split_recipients(r.text(8));
  d.delivered = static_cast<std::uint64_t>(r.integer(9));
  return d;
}

/// A digest message row; the first column is its interview's id. An unknown kind or state
/// (a newer version's) is an error value.
template <class Cells>
Result<std::pair<InterviewId, OutboxDigest>> read_digest_row(const Cells& r) {
  OutboxDigest m;
  m.id = OutboxId{static_cast<std::uint64_t>(r.integer(1))};
  m.recipient = r.text(2);
  auto kind = parse_notification_kind(r.text(3));
  auto state = parse_outbox_state(r.text(5));
  if (!kind || !state) {
    return Unavailable{fmt::format("stored outbox message {} cannot be read: {}", m.id,
                                   (!kind ? kind.error() : state.error()).message())};
  }
  m.kind = *kind;
  m.channel = r.text(4);
  m.state = *state;
  m.due = from_millis(r.integer(6));
  m.attempts = static_cast<std::uint32_t>(r.integer(7));
  m.last_error = r.text(8);
  m.updated_at = from_millis(r.integer(9));
  m.revision = static_cast<std::uint64_t>(r.integer(10));
  return std::pair{InterviewId{static_cast<std::uint64_t>(r.integer(0))}, std::move(m)};
}

/// Bounds of a revision query as the SQL stores bind them (an unset bound is the widest).
inline std::pair<std::int64_t, std::int64_t> change_bounds(const RevisionQuery& q) {
  return {q.since ? millis(*q.since) : std::numeric_limits<std::int64_t>::min(),
          q.until ? millis(*q.until) : std::numeric_limits<std::int64_t>::max()};
}

/// Hands each digest message to its interview's digest (both lists are in the order the
/// SQL stores read them: interviews by change, messages by interview then id). With
/// `count_delivered`, the digests' delivered counts come from the messages themselves (the
/// query read them all, so the stores skip counting them in SQL).
inline void attach(std::vector<RevisionDigest>& digests,
                   std::vector<std::pair<InterviewId, OutboxDigest>> messages,
                   bool count_delivered) {
  std::unordered_map<InterviewId, std::size_t> at;
  at.reserve(digests.size());
  for (std::size_t i = 0; i < digests.size(); ++i)
    at.emplace(digests[i].interview, i);
  for (auto& [interview, message] : messages) {
    const auto it = at.find(interview);
    if (it == at.end())
      continue;
    auto& d = digests[it->second];
    if (count_delivered && message.state == OutboxState::delivered && message.revision == d.version)
      ++d.delivered;
    d.messages.push_back(std::move(message));
  }
}

/// The delivered count of a revision query's interview rows: counted in SQL, unless the
/// query reads the delivered messages anyway (then `attach` counts them).
inline std::string_view delivered_count(const RevisionQuery& q) {
  return q.with_delivered ? "0"
                          : "(SELECT count(*) FROM outbox o WHERE o.interview_id = i.id AND "
                            "o.revision = i.version AND o.state = 'delivered')";
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

/// The lane rule every store's claim_due applies: `later` waits while `earlier`, an older
/// message (lower id) of the same lane (interview, recipient and channel), is pending and
/// either due no later than it or already attempted. So a recipient gets a channel's
/// messages in the order they were enqueued (a cancellation never overtakes its invite, not
/// even while the invite waits for a retry or is in flight on another worker), whereas a
/// reminder not yet due holds nothing back. The channel is part of the lane because each
/// channel reaches a different receiver, and one channel's outage must not hold back
/// another's. The SQL stores state the same rule as `lane_free_sql`.
inline bool waits_behind(const OutboxMessage& later, const OutboxMessage& earlier) {
  return earlier.state == OutboxState::pending && earlier.id < later.id &&
         earlier.interview == later.interview && earlier.recipient == later.recipient &&
         earlier.channel == later.channel && (earlier.due <= later.due || earlier.attempts > 0);
}

/// `waits_behind` in SQL, for a claim's WHERE clause over the outbox aliased `o`: true when
/// no earlier message of o's lane holds it back. `outbox_e` names the inner outbox as `e`;
/// SQLite's must pin the (interview_id, id) index: without statistics its planner takes the
/// recipient index instead and scans a recipient's whole history per candidate row.
inline std::string lane_free_sql(std::string_view outbox_e) {
  return fmt::format(
      "NOT EXISTS (SELECT 1 FROM {} WHERE e.interview_id = o.interview_id AND e.id < o.id "
      "AND e.state = 'pending' AND e.recipient = o.recipient AND e.channel = o.channel AND "
      "(e.due_ms <= o.due_ms OR e.attempts > 0))",
      outbox_e);
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

/// One busy slot read back from interview_people (seconds since the epoch). A slot the
/// database holds but TimeRange refuses (written by a foreign writer) is an error value.
inline Result<TimeRange> busy_range(std::int64_t start_s, std::int64_t end_s) {
  return TimeRange::make(from_seconds(start_s), from_seconds(end_s));
}

// ---- External calendars (Store::save_calendar). --------------------------------------------

inline constexpr std::size_t max_calendar_key = 2048;
inline constexpr std::size_t max_calendar_text = 8192;

// Why `text` (a key, href, entity tag or token) cannot be stored: every store keeps these
// as text columns, which take neither invalid UTF-8 nor (PostgreSQL) a NUL.
inline std::optional<std::string> calendar_text_problem(std::string_view text,
                                                        std::size_t max_bytes) {
  if (text.size() > max_bytes)
    return fmt::format("is {} bytes long; at most {} allowed", text.size(), max_bytes);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (c.length == 0)
      return fmt::format("is not valid UTF-8 at byte {}", i);
    if (is_control(c.code_point))
      return fmt::format("holds a control character at byte {}", i);
    i += c.length;
  }
  return std::nullopt;
}

// What save_calendar refuses: a bad key or text field, busy time outside `covered`.
inline std::optional<InvalidInput> calendar_problem(const CachedCalendar& c) {
  const auto bad = [&](std::string_view what, std::string_view text,
                       std::size_t max_bytes) -> std::optional<InvalidInput> {
    if (auto problem = calendar_text_problem(text, max_bytes))
      return InvalidInput{fmt::format("cached calendar: {} {}", what, *problem)};
    return std::nullopt;
  };
  if (c.key.empty())
    return InvalidInput{"cached calendar: the key is empty"};
  if (auto p = bad("key", c.key, max_calendar_key))
    return p;
  if (auto p = bad("sync token", c.sync_token, max_calendar_text))
    return p;
  if (auto p = bad("ctag", c.ctag, max_calendar_text))
    return p;
  if (auto p = bad("time zone", c.time_zone, max_calendar_text))
    return p;
  for (const auto& r : c.resources) {
    if (auto p = bad("resource href", r.href, max_calendar_text))
      return p;
    if (auto p = bad("resource entity tag", r.etag, max_calendar_text))
      return p;
    // Any text a calendar holds, line breaks included, but what every store's text column
    // takes: valid UTF-8 without NUL (CalDAV answers are XML, which holds no other).
    for (std::size_t i = 0; i < r.ics.size();) {
      const auto ch = decode_utf8(r.ics, i);
      if (ch.length == 0 || ch.code_point == 0) {
        return InvalidInput{fmt::format("cached calendar: resource {} {} at byte {}", r.href,
                                        ch.length == 0 ? "is not valid UTF-8" : "holds a NUL", i)};
      }
      i += ch.length;
    }
  }
  for (const auto& b : c.busy) {
    if (!c.covered || b.end() <= c.covered->start() || b.start() >= c.covered->end())
      return InvalidInput{
          fmt::format("cached calendar: busy time {} lies outside the range read", b)};
  }
  return std::nullopt;
}

// The copy a store keeps: resources sorted by href, busy time by start (then end).
inline CachedCalendar normalised(CachedCalendar c) {
  std::ranges::sort(c.resources, {}, &CachedCalendarResource::href);
  std::ranges::sort(c.busy, [](const TimeRange& a, const TimeRange& b) {
    return std::pair(a.start(), a.end()) < std::pair(b.start(), b.end());
  });
  return c;
}

}  // namespace interviewkit::detail
