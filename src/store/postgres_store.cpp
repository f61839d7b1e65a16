// PostgresStore: the Store on one PostgreSQL database, shared by many application servers
// and dispatchers at once.
//
// How it stays correct with many writers on many machines:
// - Double booking is refused by the database itself: interview_people holds one row per
//   person of every interview that holds a slot (the store writes its own; a trigger writes
//   them for a writer that bypasses this library), and an exclusion constraint forbids two
//   rows of one person with overlapping slots. The library's own conflict check (with buffers, and
//   naming the other interview) runs under per-person advisory locks; without buffers the
//   constraint is the check, and the store names the interview in the way when it refuses.
// - Outbox claims use FOR UPDATE SKIP LOCKED, so dispatchers on many servers claim disjoint
//   messages without waiting on each other, and a lease (claimed_until_ms) hands a message
//   over when a worker dies. Every outcome is fenced by the claim number, which only grows,
//   so a worker that wakes after its lease ran out cannot overwrite the next one's work.
// - Transactions run at READ COMMITTED on a pooled connection (`Impl::with_retries`); those
//   that hit a serialization failure or deadlock, or a connection the server dropped, are
//   run again from the start. That is why `Store::write`'s work may run more than once.
// - A booking is a handful of statements, each cheap for the server: the time goes in round
//   trips. `Store::write` therefore sends its statements in as few as their answers allow
//   (`Batch`): BEGIN with the first, writes with the next read or with COMMIT, and a
//   transaction of writes alone as one implicit transaction, no BEGIN or COMMIT. A booking's
//   conflict check is a guard that travels with its writes (`require_free`): two round trips,
//   the row lock and then everything else; one from a revision the caller holds
//   (`load_held`), whose check and row lock travel with the writes too.
// - No pqxx exception leaves this file: `Impl::transact` turns each into an error value.
#include <algorithm>
#include <array>
#include <charconv>
#include <condition_variable>
#include <deque>
#include <limits>
#include <mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <interviewkit/store/postgres_store.hpp>

#include "store_detail.hpp"

namespace interviewkit {

using detail::column;
using detail::from_millis;
using detail::millis;
using detail::nullable;
using detail::people_of;
using detail::person_key;
using detail::seconds;

namespace {

// The key of the advisory lock that serialises migrations: two servers starting at once
// against an empty database would otherwise both create the tables and one would fail.
constexpr std::int64_t migration_lock = 0x696e746b6974;  // "intkit"

// The schema story: the table interviewkit_schema holds the number of migrations applied;
// migration i brings it from i to i + 1. PostgresStore::open runs the missing ones in one
// transaction under `migration_lock`, so a failed migration leaves the previous version
// intact. A released migration is never edited (databases in the field have run it); a
// change is a new migration appended here, with schema_version raised. A database at a
// newer version than this build knows is refused rather than misread.
//
// Migration 1's trigger builds the person key in SQL ('candidate:' || id) for writers other
// than the store: the only place outside detail::person_key that spells it. The
// static_assert below the list holds the two to the same prefixes.
constexpr std::string_view migrations[] = {
    R"sql(
CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE TABLE interviews (
  id BIGINT PRIMARY KEY,
  status TEXT NOT NULL
    CHECK (status IN ('pending','scheduled','confirmed','completed','cancelled','no_show')),
  version BIGINT NOT NULL CHECK (version >= 1),
  slot TSTZRANGE,
  body JSONB NOT NULL
);
CREATE SEQUENCE interviews_id_seq OWNED BY interviews.id;
-- The people of every interview that holds a slot. The exclusion constraint is what makes
-- double booking impossible, whoever writes to the database.
CREATE TABLE interview_people (
  interview_id BIGINT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
  person TEXT NOT NULL,
  slot TSTZRANGE NOT NULL,
  PRIMARY KEY (interview_id, person),
  CONSTRAINT interview_people_no_overlap EXCLUDE USING gist (person WITH =, slot WITH &&)
);
CREATE FUNCTION interviewkit_index_people() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM interview_people WHERE interview_id = NEW.id;
  IF NEW.status IN ('scheduled', 'confirmed') AND NEW.slot IS NOT NULL THEN
    INSERT INTO interview_people (interview_id, person, slot)
    SELECT NEW.id, 'candidate:' || (NEW.body->'candidate'->>'id'), NEW.slot
    UNION ALL
    SELECT NEW.id, 'interviewer:' || (i->>'id'), NEW.slot
    FROM jsonb_array_elements(NEW.body->'interviewers') AS i;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER interviews_index_people AFTER INSERT OR UPDATE ON interviews
  FOR EACH ROW EXECUTE FUNCTION interviewkit_index_people();
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  interview_id BIGINT NOT NULL REFERENCES interviews(id),
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  payload JSONB NOT NULL,
  message_token TEXT NOT NULL,
  due_ms BIGINT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending','delivered','dead','expired')),
  claimed_until_ms BIGINT,
  created_ms BIGINT NOT NULL,
  updated_ms BIGINT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (due_ms, id) WHERE state = 'pending';
CREATE INDEX outbox_by_interview ON outbox (interview_id, id);
CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  request TEXT NOT NULL,
  result JSONB NOT NULL
);
CREATE TABLE action_log (
  id BIGSERIAL PRIMARY KEY,
  time_ms BIGINT NOT NULL,
  action TEXT NOT NULL,
  interview_id BIGINT,
  entry JSONB NOT NULL
);
CREATE INDEX action_log_by_interview ON action_log (interview_id, time_ms);
CREATE INDEX action_log_by_action ON action_log (action, time_ms);
)sql",
    // 2: a fencing token that never resets, and claims since the last outcome.
    R"sql(
ALTER TABLE outbox ADD COLUMN claim BIGINT NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN unfinished_claims INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN first_attempt_ms BIGINT;
UPDATE outbox SET claim = attempts;
)sql",
    // 3: what reconciliation reads without decoding JSON (see store_detail.hpp): each
    // message's recipient and revision, each interview's change time, recipients and the
    // transition that made its current revision. Rows written before are backfilled from
    // their JSON; their transition stays unknown (NULL).
    R"sql(
ALTER TABLE outbox ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
-- Derived exactly as detail::with_keys derives them at enqueue: a key only from a text role
-- and a text id, a revision only from a positive JSON integer; anything else '' and 0.
UPDATE outbox SET
  recipient = CASE WHEN jsonb_typeof(payload->'recipient'->'role') = 'string' AND
                        jsonb_typeof(payload->'recipient'->'id') = 'string'
                   THEN (payload->'recipient'->>'role') || ':' || (payload->'recipient'->>'id')
                   ELSE '' END,
  revision = CASE WHEN jsonb_typeof(payload->'interview'->'version') = 'number' AND
                       (payload->'interview'->>'version') ~ '^[0-9]{1,18}$'
                  THEN (payload->'interview'->>'version')::bigint ELSE 0 END;
CREATE INDEX outbox_by_revision ON outbox (interview_id, revision);
CREATE INDEX outbox_by_recipient ON outbox (recipient, id);
CREATE INDEX outbox_done ON outbox (state, updated_ms);
ALTER TABLE interviews ADD COLUMN updated_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE interviews ADD COLUMN recipients TEXT NOT NULL DEFAULT '';
ALTER TABLE interviews ADD COLUMN last_event TEXT;
ALTER TABLE interviews ADD COLUMN last_from TEXT;
-- A body of an odd shape must not stop the migration: a time that is not ours is 0, no text
-- candidate id gives no recipients, and only interviewers with a text id are read.
UPDATE interviews SET
  updated_ms = CASE WHEN (body->>'updated_at') ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
                    THEN (extract(epoch FROM (body->>'updated_at')::timestamptz) * 1000)::bigint
                    ELSE 0 END,
  recipients = CASE WHEN jsonb_typeof(body->'candidate'->'id') = 'string' THEN
    'candidate:' || (body->'candidate'->>'id') ||
    COALESCE((SELECT string_agg(E'\n' || 'interviewer:' || (i->>'id'), '' ORDER BY n)
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(body->'interviewers') = 'array'
                                             THEN body->'interviewers' ELSE '[]'::jsonb END)
                   WITH ORDINALITY AS t(i, n)
              WHERE jsonb_typeof(i->'id') = 'string'), '')
    ELSE '' END;
CREATE INDEX interviews_by_change ON interviews (updated_ms, id);
CREATE INDEX action_log_by_time ON action_log (time_ms);
-- One row per purge of delivered messages: its cutoff (see Store::purged_before).
CREATE TABLE retention (purged_before_ms BIGINT NOT NULL);
)sql",
    // 4: a cheaper booking (measured in bench/postgres_bench.cpp). The store writes an
    // interview's people rows itself, with the interview row (people_statements); its write
    // transactions set interviewkit.people_rows to 'store' (Batch), and the trigger
    // skips their rows. Every other writer still gets its rows derived by the trigger, so
    // the exclusion constraint refuses its overlaps as before. The trigger derived the rows
    // with a plpgsql call and a JSON walk per write, a third of a booking's server time. A
    // booking's conflict check travels with its writes (interviewkit_require_free), one round trip
    // fewer. An outbox row is written with the indexes its queries read and no more: (interview_id,
    // revision) is served by outbox_by_interview, outbox_done only holds finished messages (a new
    // one is pending). The foreign keys of outbox and interview_people go: each checked every row
    // with a query of its own, and their rows are only written next to their interview, in its
    // transaction, by the store or the trigger. What they did when an interview is deleted, a
    // trigger does.
    R"sql(
DROP TRIGGER interviews_index_people ON interviews;
CREATE TRIGGER interviews_index_people AFTER INSERT OR UPDATE ON interviews
  FOR EACH ROW
  WHEN (current_setting('interviewkit.people_rows', true) IS DISTINCT FROM 'store')
  EXECUTE FUNCTION interviewkit_index_people();
-- The conflict check of find_conflict and require_free, in one place: the person locks, then
-- one probe of the exclusion index per person, in the order given, on both its columns (a
-- single query over all of them matched the people as a filter, reading every interview of
-- the hour); the first conflict found, or no row.
CREATE FUNCTION interviewkit_conflict(people TEXT[], self BIGINT, lo BIGINT, hi BIGINT,
                                      OUT other BIGINT, OUT who TEXT)
RETURNS SETOF record LANGUAGE plpgsql AS $$
DECLARE
  wanted TSTZRANGE := tstzrange(to_timestamp(lo), to_timestamp(hi), '[)');
BEGIN
  FOREACH who IN ARRAY people LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(who, 7));
  END LOOP;
  FOREACH who IN ARRAY people LOOP
    SELECT interview_id INTO other FROM interview_people
     WHERE person = who AND slot && wanted AND interview_id <> self LIMIT 1;
    IF FOUND THEN
      RETURN NEXT;
      RETURN;
    END IF;
  END LOOP;
END $$;
-- require_free's guard, which travels with the writes after it: fails the transaction naming
-- the conflict (SQLSTATE IK409, read back by slot_conflict_of).
CREATE FUNCTION interviewkit_require_free(people TEXT[], self BIGINT, lo BIGINT, hi BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  found_other BIGINT;
  found_who TEXT;
BEGIN
  SELECT other, who INTO found_other, found_who FROM interviewkit_conflict(people, self, lo, hi);
  IF FOUND THEN
    RAISE EXCEPTION 'slot taken by interview % for %', found_other, found_who
      USING ERRCODE = 'IK409';
  END IF;
END $$;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_interview_id_fkey;
ALTER TABLE interview_people DROP CONSTRAINT IF EXISTS interview_people_interview_id_fkey;
-- What the two keys did on a delete, without their check on every insert: an interview with
-- outbox messages is not deleted (23503, as the outbox's key refused it), and its people
-- rows go with it (the people key's ON DELETE CASCADE); TRUNCATE likewise.
CREATE FUNCTION interviewkit_interview_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    IF EXISTS (SELECT 1 FROM outbox) THEN
      RAISE EXCEPTION 'interviews cannot be truncated while the outbox has messages'
        USING ERRCODE = '23503';
    END IF;
    DELETE FROM interview_people;
    RETURN NULL;
  END IF;
  IF EXISTS (SELECT 1 FROM outbox WHERE interview_id = OLD.id) THEN
    RAISE EXCEPTION 'interview % still has outbox messages', OLD.id USING ERRCODE = '23503';
  END IF;
  DELETE FROM interview_people WHERE interview_id = OLD.id;
  RETURN OLD;
END $$;
CREATE TRIGGER interviews_deleted BEFORE DELETE ON interviews
  FOR EACH ROW EXECUTE FUNCTION interviewkit_interview_deleted();
CREATE TRIGGER interviews_truncated AFTER TRUNCATE ON interviews
  FOR EACH STATEMENT EXECUTE FUNCTION interviewkit_interview_deleted();
DROP INDEX IF EXISTS outbox_by_revision;
DROP INDEX IF EXISTS outbox_done;
CREATE INDEX outbox_done ON outbox (state, updated_ms) WHERE state <> 'pending';
)sql",
    // 5: interviewers' external calendars (Store::save_calendar): the collection's sync
    // state, its resources as last read, and the busy time they give, which slot search
    // reads by interviewer and time.
    R"sql(
CREATE TABLE calendars (
  key TEXT PRIMARY KEY,
  interviewer TEXT NOT NULL,
  sync_token TEXT NOT NULL,
  ctag TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  covered_start BIGINT,
  covered_end BIGINT,
  synced_ms BIGINT NOT NULL
);
CREATE TABLE calendar_resources (
  calendar TEXT NOT NULL,
  href TEXT NOT NULL,
  etag TEXT NOT NULL,
  ics TEXT NOT NULL,
  PRIMARY KEY (calendar, href)
);
CREATE TABLE calendar_busy (
  calendar TEXT NOT NULL,
  interviewer TEXT NOT NULL,
  start_s BIGINT NOT NULL,
  end_s BIGINT NOT NULL
);
CREATE INDEX calendar_busy_by_calendar ON calendar_busy (calendar);
CREATE INDEX calendar_busy_by_interviewer ON calendar_busy (interviewer, end_s);
)sql",
    // 6: the check of StoreTransaction::load_held, which travels with the writes after it
    // (PgTransaction::load_held): locks the row as load does, and fails the transaction
    // unless the row is exactly the revision the caller holds (IK412, or IK404 for no row),
    // and unless every message of the interview already in the outbox has an id below
    // `first_outbox_id` (IK413). The newest message is read through outbox_by_interview,
    // one index entry. And the people rows' refusal (people_statements): the conflict check
    // names the interview in the way, or the overlap is refused as the constraint does.
    R"sql(
CREATE FUNCTION interviewkit_held(held_id BIGINT, held_version BIGINT, held_body JSONB,
                                  first_outbox_id BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  stored_version BIGINT;
  stored_body JSONB;
  last_message BIGINT;
BEGIN
  SELECT version, body INTO stored_version, stored_body FROM interviews WHERE id = held_id
    FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'held revision: interview % 0 0', held_id USING ERRCODE = 'IK404';
  END IF;
  IF stored_version <> held_version OR stored_body <> held_body THEN
    RAISE EXCEPTION 'held revision: interview % % %', held_id, held_version, stored_version
      USING ERRCODE = 'IK412';
  END IF;
  SELECT id INTO last_message FROM outbox WHERE interview_id = held_id
    ORDER BY interview_id DESC, id DESC LIMIT 1;
  IF last_message >= first_outbox_id THEN
    RAISE EXCEPTION 'held revision: interview % % %', held_id, held_version, stored_version
      USING ERRCODE = 'IK413';
  END IF;
END $$;
CREATE FUNCTION interviewkit_refuse_overlap(people TEXT[], self BIGINT, lo BIGINT, hi BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM interviewkit_require_free(people, self, lo, hi);
  RAISE EXCEPTION 'interview % overlaps another interview of one of its people', self
    USING ERRCODE = '23P01';
END $$;
)sql",
    // 7: a booking's people rows in one call (people_statements): the INSERT, and on an
    // overlap the refusal that names the interview in the way, in the same transaction
    // under the same locks. It replaces INSERT ... ON CONFLICT DO NOTHING in a CTE, whose
    // speculative insertion into the exclusion index cost more than the INSERT itself: a
    // booking's statements replayed with pgbench took 0.85-0.89 ms this way against
    // 1.02-1.18 ms (bench/postgres_bench.cpp has the library's figures). The exception
    // block's subtransaction is the price of naming the holder only when there is one.
    R"sql(
CREATE FUNCTION interviewkit_write_people(self BIGINT, people TEXT[], lo BIGINT, hi BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO interview_people (interview_id, person, slot)
    SELECT self, who, tstzrange(to_timestamp(lo), to_timestamp(hi), '[)')
      FROM unnest(people) AS who;
EXCEPTION WHEN exclusion_violation THEN
  PERFORM interviewkit_refuse_overlap(people, self, lo, hi);
END $$;
)sql",
};
static_assert(std::size(migrations) == PostgresStore::schema_version);

// True if `sql` contains `text` as a whole SQL string literal: 'text'.
constexpr bool quotes(std::string_view sql, std::string_view text) {
  for (auto at = sql.find(text); at != std::string_view::npos; at = sql.find(text, at + 1)) {
    const auto end = at + text.size();
    if (at > 0 && sql[at - 1] == '\'' && end < sql.size() && sql[end] == '\'')
      return true;
  }
  return false;
}
static_assert(quotes(migrations[0], detail::candidate_key_prefix) &&
                  quotes(migrations[0], detail::interviewer_key_prefix),
              "the interview_people trigger must build the keys of detail::person_key");

// A pqxx row as detail::read_outbox_row reads it (the one outbox row mapper).
struct PgCells {
  const pqxx::row& row;
  [[nodiscard]] std::int64_t integer(int col) const { return row[col].as<std::int64_t>(); }
  [[nodiscard]] std::string text(int col) const { return row[col].as<std::string>(); }
  [[nodiscard]] std::optional<std::int64_t> optional_integer(int col) const {
    return row[col].is_null() ? std::nullopt : std::optional(integer(col));
  }
  [[nodiscard]] std::optional<std::string> optional_text(int col) const {
    return row[col].is_null() ? std::nullopt : std::optional(text(col));
  }
};

std::vector<OutboxMessage> read_outbox_rows(const pqxx::result& r) {
  std::vector<OutboxMessage> out;
  out.reserve(r.size());
  for (const auto& row : r)
    out.push_back(detail::read_outbox_row(PgCells{row}));
  return out;
}

// UPDATE ... RETURNING returns rows in no particular order; the stores answer in id order.
std::vector<OutboxMessage> by_id(std::vector<OutboxMessage> messages) {
  std::sort(messages.begin(), messages.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  return messages;
}

// The exclusion constraint's SQLSTATE: an overlap the conflict check did not prevent.
constexpr std::string_view exclusion_violation = "23P01";
// interviewkit_require_free's SQLSTATE: the conflict check failed, with its message
// "slot taken by interview <id> for <person>".
constexpr std::string_view slot_taken = "IK409";

// The SlotConflict an IK409 error names. An interview left unset if the message is not
// read (PostgresStore::write then asks the database who holds the slot).
SlotConflict slot_conflict_of(std::string_view message) {
  constexpr std::string_view lead = "slot taken by interview ";
  const auto at = message.find(lead);
  if (at == std::string_view::npos)
    return {InterviewId{}, "unknown"};
  auto rest = message.substr(at + lead.size());
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), id);
  rest = rest.substr(static_cast<std::size_t>(end - rest.data()));
  if (ec != std::errc{} || id == 0 || !rest.starts_with(" for "))
    return {InterviewId{}, "unknown"};
  rest = rest.substr(5);
  return {InterviewId{id}, std::string(rest.substr(0, rest.find('\n')))};
}

// interviewkit_held's SQLSTATEs (see migration 6), with the message "held revision:
// interview <id> <held version> <stored version>": no such interview, not the revision held,
// or a newer message than the outbox ids sent (the held revision may be the stored one).
constexpr std::string_view held_not_found = "IK404";
constexpr std::string_view held_stale = "IK412";
constexpr std::string_view held_ids_refused = "IK413";

// The NotFound or StaleVersion an IK404, IK412 or IK413 error names; nullopt if the message
// is not read.
std::optional<Error> held_failure(std::string_view sqlstate, std::string_view message) {
  constexpr std::string_view lead = "held revision: interview ";
  const auto at = message.find(lead);
  if (at == std::string_view::npos)
    return std::nullopt;
  std::array<std::uint64_t, 3> n{};  // id, held version, stored version
  auto rest = message.substr(at + lead.size());
  for (auto& value : n) {
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec != std::errc{})
      return std::nullopt;
    rest = rest.substr(static_cast<std::size_t>(end - rest.data()));
    if (rest.starts_with(' '))
      rest.remove_prefix(1);
  }
  if (sqlstate == held_not_found)
    return NotFound{InterviewId{n[0]}};
  return StaleVersion{InterviewId{n[0]}, n[1], n[2]};
}

// Advisory lock namespaces (the seed of hashtextextended), so that the same text used as a
// person key and as an idempotency key maps to two different locks.
constexpr int person_lock_seed = 7;
constexpr int idempotency_lock_seed = 11;
// interviewkit_conflict's person locks and the idempotency locks use different seeds.
static_assert(std::string_view(migrations[3]).find("hashtextextended(who, 7)") !=
                  std::string_view::npos &&
              person_lock_seed == 7);

// libpq passes text parameters as C strings in the database encoding: a NUL byte silently
// cuts the value short, and bytes that are not UTF-8 fail the whole statement (SQLSTATE
// 22021), so a notifier's reply or a host's log entry carrying them would be lost. jsonb
// also refuses the \u0000 escape (22P05). Free text is therefore stored with each NUL and
// each invalid UTF-8 byte replaced by U+FFFD, keeping everything else.
std::string storable(std::string_view text) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(text.size());
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (lead < 0x80) {
      length = 1, cp = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2, cp = lead & 0x1Fu, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3, cp = lead & 0x0Fu, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4, cp = lead & 0x07u, min = 0x10000;
    }
    bool valid = length != 0 && i + length <= text.size();
    for (std::size_t k = 1; valid && k < length; ++k) {
      valid = (byte(i + k) & 0xC0) == 0x80;
      cp = (cp << 6) | (byte(i + k) & 0x3Fu);
    }
    valid = valid && cp != 0 && cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    if (valid) {
      out.append(text.substr(i, length));
      i += length;
    } else {
      out.append(replacement);
      ++i;
    }
  }
  return out;
}

// The same for every string (keys included) inside a JSON value.
nlohmann::json storable_json(const nlohmann::json& value) {
  if (value.is_string())
    return storable(value.get_ref<const std::string&>());
  if (value.is_array()) {
    auto out = nlohmann::json::array();
    for (const auto& item : value)
      out.push_back(storable_json(item));
    return out;
  }
  if (value.is_object()) {
    auto out = nlohmann::json::object();
    for (const auto& [key, item] : value.items())
      out[storable(key)] = storable_json(item);
    return out;
  }
  return value;
}

// An action entry written inside a pqxx::work (Store::write's transactions write theirs
// through PgTransaction::action_statement). An entry with no interview is stored with a
// NULL interview_id, which is what query_actions filters on.
void insert_action(pqxx::work& tx, const ActionEntry& entry) {
  std::optional<std::int64_t> interview;
  if (entry.interview.is_set())
    interview = column(entry.interview);
  tx.exec_params(
      "INSERT INTO action_log (time_ms, action, interview_id, entry) VALUES ($1, $2, $3, "
      "$4::jsonb)",
      millis(entry.time), std::string(to_string(entry.action)), interview,
      storable_json(nlohmann::json(entry)).dump());
}

// Appends `log` only when the fenced update before it changed the message: a fenced-off
// outcome records nothing. Same transaction, so the two commit together or not at all.
Result<bool> log_if_changed(pqxx::work& tx, Result<bool> changed,
                            std::span<const ActionEntry> log) {
  if (!changed || !*changed)
    return changed;
  for (const auto& entry : log)
    insert_action(tx, entry);
  return true;
}

// The answer of a fenced UPDATE of message `id` (see detail::fenced_answer).
Result<bool> fenced_answer(pqxx::work& tx, const pqxx::result& update, OutboxId id) {
  return detail::fenced_answer(id, update.affected_rows() == 1, [&] {
    return !tx.exec_params("SELECT 1 FROM outbox WHERE id = $1", column(id)).empty();
  });
}

// Interview ids drawn from the sequence ahead of need, so that creating an interview does
// not wait for a round trip of its own before its INSERT. It is what a sequence's own CACHE
// option does per session: ids stay unique, but across processes they are not handed out in
// creation order, and those unused when a process stops are skipped. Thread-safe.
class IdReserve {
 public:
  static constexpr int per_draw = 16;

  std::optional<std::uint64_t> take() {
    std::lock_guard lock(mutex_);
    if (spare_.empty())
      return std::nullopt;
    const auto id = spare_.front();
    spare_.pop_front();
    return id;
  }
  void add(std::span<const std::uint64_t> ids) {
    std::lock_guard lock(mutex_);
    spare_.insert(spare_.end(), ids.begin(), ids.end());
  }

 private:
  std::mutex mutex_;
  std::deque<std::uint64_t> spare_;  // guarded by mutex_
};

// The outbox ids of writes from a held revision (PgTransaction::load_held), drawn ahead. The
// database refuses them for an interview that has a message with a larger id (IK413, see
// migration 6); so that this process does not walk into refusals it can foresee, it marks
// each interview it enqueued for with ids drawn under the row lock, with the largest such
// id, and a write from a held revision of a marked interview refills first. A refill
// replaces the reserve (its ids are larger than those left) and clears the marks below it.
// Refused ids are dropped: a refill follows. Thread-safe.
class HeldIdReserve {
 public:
  static constexpr int per_draw = 256;
  // At most this many marks; past it the reserve is dropped instead.
  static constexpr std::size_t max_marked = 4096;

  // `n` ids for a write to `interview`, ascending; none when it should refill first.
  std::vector<std::uint64_t> take_for(InterviewId interview, std::size_t n) {
    std::lock_guard lock(mutex_);
    if (marked_.contains(interview.value()) || spare_.size() < n)
      return {};
    const auto end = spare_.begin() + static_cast<std::ptrdiff_t>(n);
    std::vector<std::uint64_t> ids(spare_.begin(), end);
    spare_.erase(spare_.begin(), end);
    return ids;
  }
  // A refill, `ids` in any order.
  void refilled(std::span<const std::uint64_t> ids) {
    if (ids.empty())
      return;
    std::lock_guard lock(mutex_);
    spare_.assign(ids.begin(), ids.end());
    std::sort(spare_.begin(), spare_.end());
    std::erase_if(marked_, [&](const auto& m) { return m.second < spare_.front(); });
  }
  // `interview` gets messages with ids up to `largest`, drawn under its row lock.
  void mark(InterviewId interview, std::uint64_t largest) {
    std::lock_guard lock(mutex_);
    if (marked_.size() >= max_marked) {
      spare_.clear();
      marked_.clear();
      return;
    }
    auto& mark = marked_[interview.value()];
    mark = std::max(mark, largest);
  }
  void drop() {
    std::lock_guard lock(mutex_);
    spare_.clear();
    marked_.clear();
  }

 private:
  std::mutex mutex_;
  std::deque<std::uint64_t> spare_;                          // ascending; guarded by mutex_
  std::unordered_map<std::uint64_t, std::uint64_t> marked_;  // interview -> largest id; same
};

// A libpq connection string with our connect timeout added unless the host set one.
std::string with_connect_timeout(const std::string& url, std::chrono::seconds timeout) {
  if (url.find("connect_timeout") != std::string::npos || timeout.count() <= 0)
    return url;
  if (url.find("://") == std::string::npos)
    return fmt::format("{} connect_timeout={}", url, timeout.count());
  return fmt::format("{}{}connect_timeout={}", url, url.find('?') == std::string::npos ? '?' : '&',
                     timeout.count());
}

}  // namespace

// Everything the public class hides: the connection pool, the error mapping and the
// transaction runner. Thread-safe: the pool is guarded by `mutex`; a leased connection is
// used by one thread at a time.
struct PostgresStore::Impl {
  PostgresOptions options;
  std::mutex mutex;
  std::condition_variable released;                     // signalled when a connection returns
  std::vector<std::unique_ptr<pqxx::connection>> idle;  // guarded by mutex
  std::size_t open = 0;  // connections in existence, idle or leased; guarded by mutex
  IdReserve interview_ids;
  // Outbox ids for writes from a held revision: a refill serves sixteen of them. Mutable:
  // the error mapping drops the ids the database refused.
  mutable HeldIdReserve outbox_ids;

  // ---- The pool. --------------------------------------------------------------------------

  // A connection borrowed from the pool; a broken one is dropped instead of returned.
  class Lease {
   public:
    Lease(Impl& impl, std::unique_ptr<pqxx::connection> c) : impl_(&impl), c_(std::move(c)) {}
    Lease(Lease&& other) noexcept
        : impl_(std::exchange(other.impl_, nullptr)), c_(std::move(other.c_)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease() {
      if (impl_ != nullptr)
        impl_->give_back(std::move(c_));
    }
    pqxx::connection& operator*() { return *c_; }
    void broken() { c_.reset(); }

   private:
    Impl* impl_;
    std::unique_ptr<pqxx::connection> c_;
  };

  // A closed or dropped connection frees its place in the pool, so the next acquire opens a
  // fresh one: the pool heals itself after a server restart.
  void give_back(std::unique_ptr<pqxx::connection> c) {
    {
      std::lock_guard lock(mutex);
      if (c && c->is_open()) {
        idle.push_back(std::move(c));
      } else {
        --open;
      }
    }
    released.notify_one();
  }

  // False for a connection the server closed while it sat in the pool (a restart, a
  // failover, pg_terminate_backend, idle_session_timeout): reading what waits on its socket,
  // without blocking, finds the server's goodbye. Checked before a lease, so that a write
  // sent in one round trip (Batch::send_whole), whose lost connection can only be reported
  // in doubt, is not sent on a connection already known to be dead. A few microseconds.
  static bool still_open(pqxx::connection& c) noexcept {
    try {
      // Twice: a server that ends a session sends a FATAL message and then closes, and one
      // read may take the message alone; the second finds the close.
      (void)c.get_notifs();
      (void)c.get_notifs();
      return c.is_open();
    } catch (const std::exception&) {
      return false;
    }
  }

  // An idle connection, or a new one while the pool is below its size; otherwise waits up
  // to acquire_timeout, so an overloaded pool is an error value rather than a hang.
  Result<Lease> acquire() {
    std::unique_lock lock(mutex);
    const bool got = released.wait_for(lock, options.acquire_timeout,
                                       [&] { return !idle.empty() || open < options.pool_size; });
    if (!got) {
      return Unavailable{fmt::format("no free PostgreSQL connection within {} ms (pool of {})",
                                     options.acquire_timeout.count(), options.pool_size)};
    }
    while (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      if (still_open(*c))
        return Lease(*this, std::move(c));
      --open;  // closed by the server while idle: its place goes to a new connection
    }
    ++open;  // the place is ours; connecting (slow) happens outside the lock
    lock.unlock();
    return connect();
  }

  // REQUIRES: a place in the pool already counted in `open` (given back on failure).
  Result<Lease> connect() {
    try {
      auto c = std::make_unique<pqxx::connection>(
          with_connect_timeout(options.url, options.connect_timeout));
      // libpqxx 6 would otherwise open a new session behind a lost one on its next use,
      // without the settings below; the pool replaces a lost connection itself.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
      c->inhibit_reactivation(true);
#pragma GCC diagnostic pop
      // Bounds every statement, lock waits included, so a locked table or a stuck server
      // turns into an error value instead of a worker blocked forever.
      pqxx::nontransaction setup(*c);
      setup.exec(fmt::format("SET statement_timeout = {}", options.statement_timeout.count()));
      return Lease(*this, std::move(c));
    } catch (const pqxx::pqxx_exception& e) {
      give_back(nullptr);
      return Unavailable{
          fmt::format("cannot connect to PostgreSQL: {}", redact_and_trim(e.base().what()))};
    }
  }

  // ---- Error mapping. ---------------------------------------------------------------------

  // One line, and no password even if libpq quoted the connection string back: error
  // messages end up in hosts' logs.
  std::string redact_and_trim(std::string text) const {
    text = trim(std::move(text));
    if (const auto at = options.url.find('@'); at != std::string::npos) {
      const auto secret = options.url.substr(0, at);
      if (!secret.empty()) {
        for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret))
          text.replace(pos, secret.size(), "postgresql://…");
      }
    }
    return text;
  }

  static std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
      text.pop_back();
    for (auto& c : text) {
      if (c == '\n' || c == '\t')
        c = ' ';
    }
    return text;
  }

  // The error value of an SQL error, naming what was being done and the SQLSTATE, so no
  // pqxx exception ever leaves the store (a dispatcher thread that saw one would terminate
  // the host). An exclusion violation is a SlotConflict whose other side PostgresStore::write
  // looks up afterwards (the error does not say which row was in the way).
  Error failure(std::string_view what, const pqxx::sql_error& e) const {
    if (e.sqlstate() == exclusion_violation)
      return SlotConflict{InterviewId{}, "unknown"};
    if (e.sqlstate() == slot_taken)
      return slot_conflict_of(e.what());
    if (e.sqlstate() == held_ids_refused)
      outbox_ids.drop();  // drawn before another writer's: the next write refills
    if (e.sqlstate() == held_not_found || e.sqlstate() == held_stale ||
        e.sqlstate() == held_ids_refused) {
      if (auto held = held_failure(e.sqlstate(), e.what()))
        return *held;
    }
    return Unavailable{fmt::format("PostgreSQL {} failed (SQLSTATE {}): {}", what,
                                   e.sqlstate().empty() ? "unknown" : e.sqlstate(),
                                   redact_and_trim(e.what()))};
  }

  // REQUIRES: called from a catch handler for a pqxx exception (it rethrows the exception
  // being handled to sort it), thrown while attempt `attempt` of `what` ran on `lease`.
  // nullopt when the work should run again from the start, otherwise the error to return.
  // A connection in an unknown state is never put back in the pool.
  std::optional<Error> after_failure(std::string_view what, int attempt, Lease& lease) const {
    const bool may_retry = attempt < options.retries;
    try {
      throw;
    } catch (const pqxx::transaction_rollback& e) {
      // Serialization failure or deadlock: the database rolled back; running again is safe.
      if (may_retry)
        return std::nullopt;
      return Unavailable{fmt::format("PostgreSQL {}: gave up after {} retries: {}", what, attempt,
                                     redact_and_trim(e.what()))};
    } catch (const pqxx::in_doubt_error& e) {
      // The commit was sent and the answer lost: running again could apply the work twice.
      lease.broken();
      return Unavailable{fmt::format(
          "PostgreSQL {}: connection lost during commit; it may or may not have been applied: {}",
          what, redact_and_trim(e.what()))};
    } catch (const pqxx::broken_connection& e) {
      lease.broken();
      // Nothing was committed: a pooled connection the server dropped (restart, failover,
      // pg_terminate_backend) is replaced and the work run again on a fresh one.
      if (may_retry)
        return std::nullopt;
      return Unavailable{
          fmt::format("PostgreSQL {}: connection lost; nothing was committed, the operation can "
                      "be retried: {}",
                      what, redact_and_trim(e.what()))};
    } catch (const pqxx::sql_error& e) {
      if (!(*lease).is_open())
        lease.broken();
      return failure(what, e);
    } catch (const pqxx::pqxx_exception& e) {
      lease.broken();  // unknown state: do not reuse the connection
      return Unavailable{
          fmt::format("PostgreSQL {} failed: {}", what, redact_and_trim(e.base().what()))};
    }
  }

  // ---- The transaction runner. ------------------------------------------------------------

  // Runs `attempt` on a pooled connection; a serialization failure, deadlock or dropped
  // connection runs it again from the start (so it may run more than once; see
  // after_failure), every other database failure is an error value. Exceptions that are not
  // the database's (thrown by a host's Store::write work) propagate.
  template <class Attempt>
  auto with_retries(std::string_view what, Attempt&& attempt)
      -> decltype(attempt(std::declval<pqxx::connection&>())) {
    for (int n = 0;; ++n) {
      auto lease = acquire();
      if (!lease)
        return lease.error();
      try {
        return attempt(**lease);
      } catch (const pqxx::pqxx_exception&) {
        if (auto error = after_failure(what, n, *lease))
          return *error;
      }
    }
  }

  // Runs `body` in a transaction and commits if it returns a value; an error value rolls
  // back (pqxx::work does when it goes out of scope).
  template <class Body>
  auto transact(std::string_view what, Body&& body) -> decltype(body(std::declval<pqxx::work&>())) {
    return with_retries(what, [&](pqxx::connection& c) {
      pqxx::work tx(c);
      auto result = body(tx);
      if (result)
        tx.commit();
      return result;
    });
  }

  // ---- Opening. ---------------------------------------------------------------------------

  // The schema migrations (see `migrations` for the story), in one transaction.
  Result<void> migrate() {
    return transact("migration", [&](pqxx::work& tx) -> Result<void> {
      // Read before writing anything: a database already at this version opens without a
      // single write, so a read-only standby can be opened (its writes then fail as values).
      if (auto version = stored_schema_version(tx); version == schema_version)
        return {};
      // From here on one server at a time; the others wait, then find the work done.
      tx.exec_params("SELECT pg_advisory_xact_lock($1)", migration_lock);
      tx.exec("CREATE TABLE IF NOT EXISTS interviewkit_schema (version INTEGER NOT NULL)");
      const int version = stored_schema_version(tx);
      if (version > schema_version) {
        return InvalidInput{fmt::format(
            "PostgreSQL schema version {} is newer than the {} this version of interviewkit "
            "supports; upgrade interviewkit",
            version, schema_version)};
      }
      for (int v = version; v < schema_version; ++v)
        tx.exec(std::string(migrations[v]));
      tx.exec("DELETE FROM interviewkit_schema");
      tx.exec_params("INSERT INTO interviewkit_schema (version) VALUES ($1)", schema_version);
      return {};
    });
  }

  // The schema version recorded in the database, 0 for an empty one.
  static int stored_schema_version(pqxx::work& tx) {
    if (tx.exec("SELECT to_regclass('interviewkit_schema') IS NOT NULL")[0][0].as<bool>() == false)
      return 0;
    const auto r = tx.exec("SELECT version FROM interviewkit_schema");
    return r.empty() ? 0 : r[0][0].as<int>();
  }

  // ---- Naming the other side of a conflict. -----------------------------------------------

  // After an exclusion violation: the interview that holds an overlapping slot of one of
  // `written`'s people, read in a transaction of its own (the failed one is gone).
  std::optional<SlotConflict> holder_of(const Interview& written) {
    for (const auto& person : people_of(written)) {
      auto other = transact("conflict lookup", [&](pqxx::work& tx) -> Result<std::uint64_t> {
        const auto r = tx.exec_params(
            "SELECT interview_id FROM interview_people WHERE person = $1 AND interview_id <> $2 "
            "AND slot && tstzrange(to_timestamp($3), to_timestamp($4), '[)') LIMIT 1",
            person, column(written.id), seconds(written.slot->start()),
            seconds(written.slot->end()));
        return r.empty() ? std::uint64_t{0} : r[0][0].as<std::uint64_t>();
      });
      if (other && *other != 0)
        return SlotConflict{InterviewId{*other}, person};
    }
    return std::nullopt;
  }
};

namespace {

// One write transaction sent in as few round trips as its answers allow. Statements whose
// answer the caller does not need at once (writes that only succeed or fail) wait in
// `deferred_` and travel with the next statement that must be answered, or with COMMIT;
// BEGIN travels with the first. A transaction of deferred writes alone travels whole, with
// no BEGIN or COMMIT (send_whole). A round trip is one simple query of several statements,
// sent and read back through a pqxx::pipeline (send_whole needs no answer but success). Simple
// queries carry no parameters, so values are written in as literals, strings escaped by libpq
// (`literal`).
//
// Each statement of a simple query still takes its own snapshot at READ COMMITTED, so a
// SELECT placed after pg_advisory_xact_lock in the same round trip sees what the lock's
// previous holder committed: the same guarantee as two round trips.
class Batch {
 public:
  explicit Batch(pqxx::transaction_base& tx) : tx_(tx) {}
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;
  // An unfinished transaction is rolled back before the connection goes back to the pool.
  ~Batch() {
    if (begun_ && !finished_ && tx_.conn().is_open()) {
      // A connection that cannot roll back may still be inside the transaction: closed
      // here, so the pool drops it rather than lend it to a write (send_whole) that would
      // then run inside this one.
      try {
        tx_.exec("ROLLBACK");
      } catch (const std::exception&) {
        tx_.conn().disconnect();
      }
    }
  }

  std::string literal(const std::string& text) const { return tx_.quote(text); }
  static std::string literal(std::int64_t value) { return std::to_string(value); }
  template <class T>
  std::string literal(const std::optional<T>& value) const {
    return value ? literal(*value) : std::string("NULL");
  }

  // `sql` runs before whatever is sent next. `must_touch`: the statement has to change
  // exactly one row of that interview, or the round trip that sends it answers NotFound.
  void defer(std::string sql, std::optional<InterviewId> must_touch = std::nullopt) {
    deferred_.push_back({std::move(sql), must_touch});
  }

  // Sends what was deferred and then `now`, in one round trip; the results of `now`.
  Result<std::vector<pqxx::result>> run(const std::vector<std::string>& now) {
    std::vector<Deferred> sent;
    sent.swap(deferred_);
    pqxx::pipeline pipe(tx_);
    pipe.retain(std::numeric_limits<int>::max());  // everything leaves in one simple query
    std::vector<pqxx::pipeline::query_id> ids;
    if (!begun_) {
      pipe.insert("BEGIN");
      pipe.insert(std::string(people_rows_setting));
    }
    begun_ = true;
    for (const auto& d : sent)
      ids.push_back(pipe.insert(d.sql));
    for (const auto& sql : now)
      ids.push_back(pipe.insert(sql));
    pipe.complete();
    std::vector<pqxx::result> out;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto r = pipe.retrieve(ids[i]);
      if (i < sent.size() && sent[i].must_touch && r.affected_rows() != 1)
        return NotFound{*sent[i].must_touch};
      if (i >= sent.size())
        out.push_back(std::move(r));
    }
    return out;
  }

  // Commits: the deferred statements and COMMIT in one round trip (or the deferred
  // statements alone, as one implicit transaction, when nothing was sent before), or none
  // at all for a transaction that wrote nothing. A checked statement is sent on its own first, so a
  // NotFound is known before anything commits. A connection lost while COMMIT may have been
  // sent leaves the outcome unknown: in_doubt_error, which is never retried.
  Result<void> commit() {
    const bool checked = std::any_of(deferred_.begin(), deferred_.end(),
                                     [](const Deferred& d) { return d.must_touch.has_value(); });
    if (checked) {
      if (auto flushed = run({}); !flushed)
        return flushed.error();
    }
    if (!begun_ && deferred_.empty())
      return {};
    try {
      if (begun_)
        (void)run({"COMMIT"});
      else
        send_whole();
    } catch (const pqxx::broken_connection& e) {
      throw pqxx::in_doubt_error(e.what());
    }
    finished_ = true;
    return {};
  }

 private:
  struct Deferred {
    std::string sql;
    std::optional<InterviewId> must_touch;
  };

  // A transaction that is all deferred writes, none of them checked: one simple query with
  // no BEGIN or COMMIT, which PostgreSQL runs as one implicit transaction, all or nothing
  // (a failed statement skips the rest and rolls back the whole). Three statements fewer
  // than BEGIN ... COMMIT through a pipeline, whose dummy query comes too.
  void send_whole() {
    std::string sql(people_rows_setting);
    for (const auto& d : deferred_)
      sql.append("; ").append(d.sql);
    deferred_.clear();
    tx_.exec(sql);
  }

  // This transaction writes interview_people rows itself (see migration 4). Local to the
  // transaction, so it never outlives it on a connection that a pooling proxy hands to
  // another client next.
  static constexpr std::string_view people_rows_setting =
      "SELECT set_config('interviewkit.people_rows', 'store', true)";

  pqxx::transaction_base& tx_;
  std::vector<Deferred> deferred_;
  bool begun_ = false;
  bool finished_ = false;
};

// The interview row this transaction writes, kept until it is sent so that the transition
// recorded right after the write joins the same statement (one row version instead of two).
struct PendingRow {
  Interview interview;
  bool insert = false;
  std::optional<RecordedTransition> transition;
};

// A slot as a tstzrange literal. Half-open '[)' ranges: back-to-back interviews touch
// without overlapping.
std::string range_literal(const TimeRange& slot) {
  return fmt::format("tstzrange(to_timestamp({}), to_timestamp({}), '[)')", seconds(slot.start()),
                     seconds(slot.end()));
}

// The INSERT or UPDATE of `row` (its people rows are written apart, see people_statements).
std::string row_statement(const Batch& b, const PendingRow& row) {
  const auto& i = row.interview;
  const std::string slot = i.slot ? range_literal(*i.slot) : "NULL";
  std::optional<std::string> event;
  std::optional<std::string> from;
  if (row.transition) {
    event = std::string(to_string(row.transition->event));
    from = std::string(to_string(row.transition->from));
  }
  const auto status = b.literal(std::string(to_string(i.status)));
  const auto version = static_cast<std::int64_t>(i.version);
  const auto body = b.literal(nlohmann::json(i).dump());
  const auto updated = millis(UtcMillis{i.updated_at});
  const auto recipients = b.literal(detail::join_recipients(i));
  if (row.insert) {
    return fmt::format(
        "INSERT INTO interviews (id, status, version, slot, body, updated_ms, recipients, "
        "last_event, last_from) VALUES ({}, {}, {}, {}, {}::jsonb, {}, {}, {}, {})",
        column(i.id), status, version, slot, body, updated, recipients, b.literal(event),
        b.literal(from));
  }
  return fmt::format(
      "UPDATE interviews SET status = {}, version = {}, slot = {}, body = {}::jsonb, "
      "updated_ms = {}, recipients = {}, last_event = {}, last_from = {} WHERE id = {}",
      status, version, slot, body, updated, recipients, b.literal(event), b.literal(from),
      column(i.id));
}

// The people of `i` as a text[] literal, in people_of's order.
std::string people_array(const Batch& b, const Interview& i) {
  std::string people;
  for (const auto& person : people_of(i))
    people += (people.empty() ? "" : ", ") + b.literal(person);
  return fmt::format("ARRAY[{}]::text[]", people);
}

// Interview `i`'s people rows, rewritten as the trigger derives them for other writers: the
// rows go, and one per person comes back if `i` holds a slot; the exclusion constraint
// checks them. Rewritten on every write of the row, as the trigger did, so rows a foreign
// writer left wrong are put right by the store's next write. `known`: the row surely exists
// (this transaction inserted or locked it); otherwise the rows are written only if it does,
// and the UPDATE before them answers NotFound.
std::vector<std::string> people_statements(const Batch& b, const Interview& i, bool known) {
  std::vector<std::string> out{
      fmt::format("DELETE FROM interview_people WHERE interview_id = {}", column(i.id))};
  if (!holds_slot(i.status) || !i.slot)
    return out;
  if (known) {
    // An overlap names the interview in the way, in this transaction, under the person locks
    // require_free took (migration 7).
    out.push_back(fmt::format("SELECT interviewkit_write_people({}, {}, {}, {})", column(i.id),
                              people_array(b, i), seconds(i.slot->start()),
                              seconds(i.slot->end())));
    return out;
  }
  std::string rows;
  for (const auto& person : people_of(i)) {
    rows += fmt::format("{}({}, {}, {})", rows.empty() ? "" : ", ", column(i.id), b.literal(person),
                        range_literal(*i.slot));
  }
  out.push_back(fmt::format(
      "INSERT INTO interview_people (interview_id, person, slot) SELECT * FROM (VALUES {}) AS v "
      "WHERE EXISTS (SELECT 1 FROM interviews WHERE id = {})",
      rows, column(i.id)));
  return out;
}

// The columns of an outbox INSERT, in the order of outbox_values.
constexpr std::string_view outbox_insert_columns =
    "idempotency_key, interview_id, kind, channel, payload, message_token, due_ms, attempts, "
    "last_error, state, created_ms, updated_ms, recipient, revision";
// Outbox ids drawn with each load: enough for a booking's messages to a panel (recipients
// times channels); a transaction that needs more has its INSERT return them instead.
constexpr int outbox_ids_per_load = 16;

// One VALUES row of the outbox INSERT, in the column order of outbox_insert_columns.
std::string outbox_values(const Batch& b, const OutboxMessage& m) {
  return fmt::format(
      "({}, {}, {}, {}, {}::jsonb, {}, {}, {}, {}, {}, {}, {}, {}, {})",
      b.literal(m.idempotency_key), column(m.interview), b.literal(std::string(to_string(m.kind))),
      b.literal(m.channel), b.literal(m.payload.dump()), b.literal(m.message_token), millis(m.due),
      static_cast<std::int64_t>(m.attempts), b.literal(storable(m.last_error)),
      b.literal(std::string(to_string(m.state))), millis(m.created_at), millis(m.updated_at),
      b.literal(storable(m.recipient)), static_cast<std::int64_t>(m.revision));
}

// The store's id reserves (see IdReserve), shared by its transactions.
struct Reserves {
  IdReserve& interviews;
  HeldIdReserve& outbox;  // for load_held
};

// The operations of one write transaction, on the Batch of PostgresStore::write. Made anew
// for every attempt, so nothing carries over from a failed one.
class PgTransaction final : public StoreTransaction {
 public:
  PgTransaction(Batch& batch, Reserves reserves, std::optional<Interview>& written)
      : b_(batch), reserves_(reserves), last_written_(written) {}

  // FOR UPDATE: concurrent writers of one interview queue up instead of losing updates.
  // The same round trip draws outbox ids for the messages this transaction may enqueue for
  // the interview (see enqueue): drawn under the row lock, they are larger than the id of
  // every message any earlier writer of the interview enqueued, so a lane's id order is
  // still its enqueue order, across processes.
  Result<Interview> load(InterviewId id) override { return load_locked(id, false); }

  // No round trip: `held` is taken as read, and interviewkit_held, sent first with the
  // writes, locks the row and checks it (see migration 6). The outbox ids come from the
  // store's reserve instead of being drawn under the lock, so the check also requires them
  // to be above every id the interview's messages have (a lane's id order is its enqueue
  // order); when another writer enqueued after the reserve was drawn (another process), the
  // write fails with StaleVersion (IK413) and BookingService runs it again through load.
  // Without ids in reserve, or for an interview this process enqueued for since (see
  // HeldIdReserve), a plain load that refills it. A held revision that could not be stored
  // as it is (invalid text, numbers past BIGINT) cannot be the stored one: load.
  Result<Interview> load_held(const Interview& held) override {
    release_row();  // the check sees this transaction's own write of the row
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (!validate(held) || held.version > max || held.id.value() > max)
      return load(held.id);
    const auto body = nlohmann::json(held).dump();  // valid text: dump does not throw
    auto ids = reserves_.outbox.take_for(held.id, outbox_ids_per_load);
    if (ids.empty())
      return load_locked(held.id, true);
    b_.defer(fmt::format("SELECT interviewkit_held({}, {}, {}::jsonb, {})", column(held.id),
                         static_cast<std::int64_t>(held.version), b_.literal(body), ids.front()));
    drawn_ = DrawnIds{held.id, std::move(ids)};
    if (std::ranges::find(locked_, held.id) == locked_.end())
      locked_.push_back(held.id);
    return held;
  }

  // The id comes first because the row's JSON body carries it: from the reserve, or with a
  // round trip that refills it. The row itself waits for the next round trip.
  Result<InterviewId> insert(const Interview& interview) override {
    auto id = reserves_.interviews.take();
    if (!id) {
      auto r = run({fmt::format("SELECT nextval('interviews_id_seq') FROM generate_series(1, {})",
                                IdReserve::per_draw)});
      if (!r)
        return r.error();
      std::vector<std::uint64_t> drawn;
      for (const auto& row : r->front())
        drawn.push_back(row[0].as<std::uint64_t>());
      id = drawn.front();
      reserves_.interviews.add(std::span(drawn).subspan(1));
    }
    auto stored = interview;
    stored.id = InterviewId{*id};
    hold_row({stored, true, std::nullopt});
    return stored.id;
  }

  // No answer needed yet: a missing row is reported by the round trip that sends it.
  Result<void> update(const Interview& interview) override {
    hold_row({interview, false, std::nullopt});
    return {};
  }

  Result<void> record_transition(InterviewId interview,
                                 const RecordedTransition& transition) override {
    if (row_ && row_->interview.id == interview) {
      row_->transition = transition;
      return {};
    }
    b_.defer(fmt::format("UPDATE interviews SET last_event = {}, last_from = {} WHERE id = {}",
                         b_.literal(std::string(to_string(transition.event))),
                         b_.literal(std::string(to_string(transition.from))), column(interview)),
             interview);
    return {};
  }

  Result<std::optional<SlotConflict>> find_conflict(const Interview& interview,
                                                    const TimeRange& window) override;

  // find_conflict's check as one statement that waits for the next round trip: with the
  // writes, in a booking. It is deferred ahead of the held row, so it runs before the row's
  // people rows meet the exclusion constraint.
  //
  // Without buffers (the window is the interview's slot) the check is that constraint's
  // own, once this transaction writes the people rows of the interview holding the slot:
  // then only the check's person locks are taken here (so a booking with buffers elsewhere
  // still waits for this one, as with the check), and the probe, which cost more than any
  // other statement of a booking, is left out; when the INSERT of the people rows meets an
  // overlap, it names the interview in the way, in this transaction (people_statements),
  // as the check would. A transaction that does not write those rows
  // gets the whole check before its COMMIT (`finish`).
  Result<void> require_free(const Interview& interview, const TimeRange& window) override {
    const auto arguments = conflict_arguments(interview, window);
    if (!interview.id.is_set() || !interview.slot || window != *interview.slot ||
        !holds_slot(interview.status)) {
      b_.defer(fmt::format("SELECT interviewkit_require_free({})", arguments));
      return {};
    }
    auto people = people_of(interview);
    std::string locks;
    for (const auto& person : people) {
      locks += fmt::format("{}pg_advisory_xact_lock(hashtextextended({}, {}))",
                           locks.empty() ? "SELECT " : ", ", b_.literal(person), person_lock_seed);
    }
    b_.defer(std::move(locks));
    unproven_.push_back({interview.id, std::move(people), window, arguments});
    return {};
  }

  // Ids, claims and leases are the store's: a new message is never claimed (claim 0). One
  // multi-row INSERT. Messages of the interview this transaction loaded take the ids drawn
  // with it, and their INSERT waits for the next round trip (a duplicate key then fails the
  // transaction there, as it would here). Otherwise the INSERT returns the ids at once,
  // matched back by idempotency key, unique in the outbox.
  Result<std::vector<OutboxId>> enqueue(std::span<const OutboxMessage> messages) override {
    if (messages.empty())
      return std::vector<OutboxId>{};
    if (auto ids = take_drawn(messages)) {
      if (drawn_->under_lock)  // newer than the reserve's
        reserves_.outbox.mark(drawn_->interview, ids->back().value());
      std::string rows;
      for (std::size_t i = 0; i < messages.size(); ++i) {
        rows += fmt::format("{}({}, {}", i == 0 ? "" : ", ", (*ids)[i].value(),
                            outbox_values(b_, detail::with_keys(messages[i])).substr(1));
      }
      b_.defer(fmt::format("INSERT INTO outbox (id, {}) VALUES {}", outbox_insert_columns, rows));
      return std::move(*ids);
    }
    // The ids this INSERT takes are larger than any drawn: drawn ones left over must not go
    // to a message enqueued after these, or its lane would run it first.
    drawn_.reset();
    std::string rows;
    for (const auto& given : messages)
      rows += (rows.empty() ? "" : ", ") + outbox_values(b_, detail::with_keys(given));
    auto r = run({fmt::format("INSERT INTO outbox ({}) VALUES {} RETURNING id, idempotency_key",
                              outbox_insert_columns, rows)});
    if (!r)
      return r.error();
    std::unordered_map<std::string, std::uint64_t> by_key;
    for (const auto& row : r->front())
      by_key.emplace(row[1].as<std::string>(), row[0].as<std::uint64_t>());
    std::vector<OutboxId> ids;
    for (const auto& given : messages) {
      ids.emplace_back(by_key.at(given.idempotency_key));
      reserves_.outbox.mark(given.interview, ids.back().value());
    }
    return ids;
  }

  Result<std::vector<OutboxMessage>> supersede(InterviewId interview, NotificationKind kind,
                                               const std::string& reason, UtcMillis now) override;
  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& key) override;

  // A plain INSERT: a second record for one key is a unique violation, never an overwrite.
  Result<void> save_idempotency(const IdempotencyRecord& record) override {
    b_.defer(
        fmt::format("INSERT INTO idempotency (key, request, result) VALUES ({}, {}, {}::jsonb)",
                    b_.literal(record.key), b_.literal(record.request),
                    b_.literal(nlohmann::json(record.result).dump())));
    return {};
  }

  Result<void> append_action(const ActionEntry& entry) override {
    b_.defer(action_statement(b_, entry));
    return {};
  }

  // What must go before COMMIT: the held row, and the checks of require_free that no
  // people rows written made good.
  void finish() {
    release_row();
    for (const auto& check : unproven_)
      b_.defer(fmt::format("SELECT interviewkit_require_free({})", check.arguments));
    unproven_.clear();
  }

  // Hands the held row to the batch, and its people rows after it: before any round trip,
  // and before COMMIT.
  void release_row() {
    if (!row_)
      return;
    const auto id = row_->interview.id;
    const auto& written = row_->interview;
    if (written.slot && holds_slot(written.status)) {
      std::erase_if(unproven_, [&](const Unproven& check) {
        return check.interview == id && check.window == *written.slot &&
               check.people == people_of(written);
      });
    }
    // A row this transaction inserted or holds locked cannot be missing: no check, so
    // COMMIT needs no round trip of its own.
    const bool sure = row_->insert || std::ranges::find(locked_, id) != locked_.end();
    b_.defer(row_statement(b_, *row_), sure ? std::nullopt : std::optional(id));
    for (auto& sql : people_statements(b_, row_->interview, sure))
      b_.defer(std::move(sql));
    row_.reset();
  }

 private:
  static std::string action_statement(const Batch& b, const ActionEntry& entry);
  // The arguments of interviewkit_conflict and interviewkit_require_free for this check.
  std::string conflict_arguments(const Interview& interview, const TimeRange& window) const;

  void hold_row(PendingRow row) {
    release_row();
    last_written_ = row.interview;
    row_ = std::move(row);
  }

  Result<std::vector<pqxx::result>> run(const std::vector<std::string>& now) {
    release_row();
    return b_.run(now);
  }

  // The drawn ids for `messages` (all of the interview they were drawn for, and enough of
  // them left), now used; nullopt otherwise.
  std::optional<std::vector<OutboxId>> take_drawn(std::span<const OutboxMessage> messages) {
    if (!drawn_ || drawn_->ids.size() - drawn_->used < messages.size() ||
        !std::ranges::all_of(
            messages, [&](const OutboxMessage& m) { return m.interview == drawn_->interview; })) {
      return std::nullopt;
    }
    std::vector<OutboxId> ids;
    for (std::size_t i = 0; i < messages.size(); ++i)
      ids.emplace_back(drawn_->ids[drawn_->used++]);
    return ids;
  }

  struct DrawnIds {
    InterviewId interview;
    std::vector<std::uint64_t> ids;  // ascending
    std::size_t used = 0;
    // Drawn under the row lock with no refill after them: the interview's messages get ids
    // newer than the reserve's (HeldIdReserve::mark).
    bool under_lock = false;
  };

  Result<Interview> load_locked(InterviewId id, bool refill);

  // A require_free whose probe waits on people rows this transaction writes (see there).
  struct Unproven {
    InterviewId interview;
    std::vector<std::string> people;
    TimeRange window;
    std::string arguments;  // of interviewkit_require_free
  };

  Batch& b_;
  std::vector<Unproven> unproven_;
  Reserves reserves_;
  std::vector<InterviewId> locked_;  // loaded FOR UPDATE by this transaction
  std::optional<DrawnIds> drawn_;    // for the interview loaded last
  // The interview written last, for naming the other side of an exclusion violation; set
  // as it is written, since the violation may surface as an exception in a later call.
  std::optional<Interview>& last_written_;
  std::optional<PendingRow> row_;
};

// Per-person advisory locks serialise bookings that share a person across every server, so
// the buffer check and the write that follows are one atomic step (READ COMMITTED alone
// would let two servers both see a free slot). Taken in people_of's sorted order, so two
// bookings never wait on each other in a cycle. Transaction-scoped: released by the commit
// or rollback, never leaked. Overlaps themselves are also refused by the exclusion
// constraint. interviewkit_conflict takes the locks and then checks (each statement in it
// sees what a lock's previous holder committed); it names the first person, in people_of's
// order, who has a conflict.
std::string PgTransaction::conflict_arguments(const Interview& interview,
                                              const TimeRange& window) const {
  return fmt::format("{}, {}, {}, {}", people_array(b_, interview), column(interview.id),
                     seconds(window.start()), seconds(window.end()));
}

// load, and with `refill` a refill of the outbox reserve in the same round trip.
Result<Interview> PgTransaction::load_locked(InterviewId id, bool refill) {
  std::vector<std::string> now{
      fmt::format("SELECT body::text FROM interviews WHERE id = {} FOR UPDATE", column(id)),
      fmt::format("SELECT nextval('outbox_id_seq') FROM generate_series(1, {})",
                  outbox_ids_per_load)};
  if (refill) {
    now.push_back(fmt::format("SELECT nextval('outbox_id_seq') FROM generate_series(1, {})",
                              HeldIdReserve::per_draw));
  }
  auto r = run(now);
  if (!r)
    return r.error();
  if (refill) {
    std::vector<std::uint64_t> spare;
    for (const auto& row : r->back())
      spare.push_back(row[0].as<std::uint64_t>());
    reserves_.outbox.refilled(spare);
  }
  if (r->front().empty())
    return NotFound{id};
  drawn_ = DrawnIds{id, {}, 0, !refill};
  for (const auto& row : (*r)[1])
    drawn_->ids.push_back(row[0].as<std::uint64_t>());
  std::ranges::sort(drawn_->ids);
  if (std::ranges::find(locked_, id) == locked_.end())
    locked_.push_back(id);
  return detail::decode_interview(r->front()[0][0].as<std::string>(), id);
}

Result<std::optional<SlotConflict>> PgTransaction::find_conflict(const Interview& interview,
                                                                 const TimeRange& window) {
  auto r = run({fmt::format("SELECT other, who FROM interviewkit_conflict({})",
                            conflict_arguments(interview, window))});
  if (!r)
    return r.error();
  const auto& found = r->back();
  if (found.empty())
    return std::optional<SlotConflict>{};
  return std::optional(
      SlotConflict{InterviewId{found[0][0].as<std::uint64_t>()}, found[0][1].as<std::string>()});
}

// One statement: a message being claimed right now is locked by its claimer, and this
// UPDATE waits for it rather than skipping it.
Result<std::vector<OutboxMessage>> PgTransaction::supersede(InterviewId interview,
                                                            NotificationKind kind,
                                                            const std::string& reason,
                                                            UtcMillis now) {
  auto r =
      run({fmt::format("UPDATE outbox SET state = 'expired', last_error = {}, "
                       "claimed_until_ms = NULL, updated_ms = {} WHERE interview_id = {} "
                       "AND kind = {} AND state IN ('pending', 'dead') RETURNING {}",
                       b_.literal(storable(reason)), millis(now), column(interview),
                       b_.literal(std::string(to_string(kind))), detail::outbox_columns)});
  if (!r)
    return r.error();
  return by_id(read_outbox_rows(r->front()));
}

// The transaction-scoped lock on the key makes a concurrent request with the same key
// (from any process) wait here until the first one commits or rolls back; READ COMMITTED
// then lets the SELECT after it see the first one's record, so the retry replays its
// result.
Result<std::optional<IdempotencyRecord>> PgTransaction::find_idempotency(const std::string& key) {
  auto r = run({fmt::format("SELECT pg_advisory_xact_lock(hashtextextended({}, {}))",
                            b_.literal(key), idempotency_lock_seed),
                fmt::format("SELECT request, result::text FROM idempotency WHERE key = {}",
                            b_.literal(key))});
  if (!r)
    return r.error();
  const auto& found = r->back();
  if (found.empty())
    return std::optional<IdempotencyRecord>{};
  auto result = detail::decode_interview(found[0][1].as<std::string>(), InterviewId{});
  if (!result)
    return result.error();
  return std::optional(IdempotencyRecord{key, found[0][0].as<std::string>(), std::move(*result)});
}

// An entry with no interview is stored with a NULL interview_id, which is what
// query_actions filters on (as insert_action does).
std::string PgTransaction::action_statement(const Batch& b, const ActionEntry& entry) {
  std::optional<std::int64_t> interview;
  if (entry.interview.is_set())
    interview = column(entry.interview);
  return fmt::format(
      "INSERT INTO action_log (time_ms, action, interview_id, entry) VALUES ({}, {}, {}, "
      "{}::jsonb)",
      millis(entry.time), b.literal(std::string(to_string(entry.action))), b.literal(interview),
      b.literal(storable_json(nlohmann::json(entry)).dump()));
}

}  // namespace

// ---- Opening. ------------------------------------------------------------------------------

Result<std::shared_ptr<PostgresStore>> PostgresStore::open(PostgresOptions options) {
  if (options.url.empty())
    return InvalidInput{"PostgreSQL connection string must not be empty"};
  if (options.pool_size == 0)
    return InvalidInput{"PostgreSQL pool size must be at least 1"};
  if (options.statement_timeout.count() < 0 || options.connect_timeout.count() < 0)
    return InvalidInput{"PostgreSQL timeouts must not be negative"};
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  if (auto migrated = impl->migrate(); !migrated)
    return migrated.error();
  return std::shared_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresStore::~PostgresStore() = default;

// ---- Interviews. ---------------------------------------------------------------------------

Result<void> PostgresStore::write(const Work& work) {
  std::optional<Interview> written;
  auto result = impl_->with_retries("write", [&](pqxx::connection& c) -> Result<void> {
    pqxx::nontransaction tx(c);
    Batch batch(tx);  // rolls back on every way out that did not commit
    written.reset();  // this attempt's, not an earlier attempt's
    PgTransaction store_tx(batch, {impl_->interview_ids, impl_->outbox_ids}, written);
    if (auto r = work(store_tx); !r)
      return r;
    store_tx.finish();
    auto committed = batch.commit();
    if (committed)
      tx.commit();  // pqxx's bookkeeping only: a nontransaction sends nothing here
    return committed;
  });
  // An exclusion violation (a foreign writer, or a race the locks did not cover): name the
  // interview the database says is in the way.
  const bool unnamed_conflict = !result && result.error().is<SlotConflict>() &&
                                !result.error().get_if<SlotConflict>()->other.is_set();
  if (unnamed_conflict && written && written->slot) {
    if (auto named = impl_->holder_of(*written))
      return *named;
  }
  return result;
}

Result<Interview> PostgresStore::find(InterviewId id) const {
  return impl_->transact("find", [&](pqxx::work& tx) -> Result<Interview> {
    const auto r = tx.exec_params("SELECT body::text FROM interviews WHERE id = $1", column(id));
    if (r.empty())
      return NotFound{id};
    return detail::decode_interview(r[0][0].as<std::string>(), id);
  });
}

namespace {

// One person's slots overlapping `window`, by start. The GiST index behind the exclusion
// constraint answers `slot &&` directly. Calls `found(slot, interview)` for each.
template <class Found>
Result<void> each_busy(pqxx::work& tx, const std::string& person, const TimeRange& window,
                       Found&& found) {
  const auto r = tx.exec_params(
      "SELECT interview_id, extract(epoch FROM lower(slot))::bigint, "
      "extract(epoch FROM upper(slot))::bigint FROM interview_people WHERE person = $1 AND "
      "slot && tstzrange(to_timestamp($2), to_timestamp($3), '[)') "
      "ORDER BY lower(slot), interview_id",
      person, seconds(window.start()), seconds(window.end()));
  for (const auto& row : r) {
    auto range = detail::busy_range(row[1].as<std::int64_t>(), row[2].as<std::int64_t>());
    if (!range)
      return range.error();
    found(*range, InterviewId{static_cast<std::uint64_t>(row[0].as<std::int64_t>())});
  }
  return {};
}

}  // namespace

Result<std::vector<BusyInterval>> PostgresStore::busy_intervals(
    std::span<const InterviewerId> interviewers, const TimeRange& window) const {
  return impl_->transact(
      "busy intervals", [&](pqxx::work& tx) -> Result<std::vector<BusyInterval>> {
        std::vector<BusyInterval> busy;
        for (const auto& interviewer : interviewers) {
          auto read = each_busy(tx, person_key(interviewer), window,
                                [&](const TimeRange& slot, InterviewId id) {
                                  busy.push_back(BusyInterval{interviewer, slot, id});
                                });
          if (!read)
            return read.error();
        }
        return busy;
      });
}

Result<std::vector<CandidateBusyInterval>> PostgresStore::candidate_busy_intervals(
    const CandidateId& candidate, const TimeRange& window) const {
  return impl_->transact("busy intervals",
                         [&](pqxx::work& tx) -> Result<std::vector<CandidateBusyInterval>> {
                           std::vector<CandidateBusyInterval> busy;
                           auto read = each_busy(tx, person_key(candidate), window,
                                                 [&](const TimeRange& slot, InterviewId id) {
                                                   busy.push_back(CandidateBusyInterval{slot, id});
                                                 });
                           if (!read)
                             return read.error();
                           return busy;
                         });
}

// ---- The outbox. ---------------------------------------------------------------------------

// One statement claims and returns the rows. SKIP LOCKED: rows another dispatcher is
// claiming right now are passed over instead of waited for, so dispatchers on many servers
// never queue behind each other. The SET is detail::mark_claimed in SQL. A message queued
// behind an earlier one of its lane is passed over (detail::waits_behind): the earlier one
// is pending whether or not another dispatcher holds it, so no lock is needed to see it.
Result<std::vector<OutboxMessage>> PostgresStore::claim_due(UtcMillis now, std::size_t limit,
                                                            std::chrono::milliseconds lease) {
  return impl_->transact("claim", [&](pqxx::work& tx) -> Result<std::vector<OutboxMessage>> {
    const auto r = tx.exec_params(
        fmt::format("UPDATE outbox SET claimed_until_ms = $2, attempts = attempts + 1, "
                    "claim = claim + 1, unfinished_claims = unfinished_claims + 1, "
                    "first_attempt_ms = COALESCE(first_attempt_ms, $1), "
                    "updated_ms = $1 WHERE id IN (SELECT o.id FROM outbox o WHERE o.state = "
                    "'pending' AND o.due_ms <= $1 AND (o.claimed_until_ms IS NULL OR "
                    "o.claimed_until_ms <= $1) AND {} ORDER BY o.due_ms, o.id LIMIT $3 "
                    "FOR UPDATE OF o SKIP LOCKED) RETURNING {}",
                    detail::lane_free_sql("outbox e"), detail::outbox_columns),
        millis(now), millis(now + lease), static_cast<std::int64_t>(limit));
    // RETURNING has no order: give the claimed ones back oldest first, as the SELECT chose.
    auto out = read_outbox_rows(r);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::pair(a.due, a.id) < std::pair(b.due, b.id);
    });
    return out;
  });
}

// The fenced updates below all match on `state = 'pending' AND claim = $n`: the claim
// number is the fencing token, so a worker whose lease was taken over changes nothing.

Result<bool> PostgresStore::renew(OutboxId id, std::uint64_t claim, UtcMillis until,
                                  UtcMillis now) {
  return impl_->transact("renew", [&](pqxx::work& tx) -> Result<bool> {
    const auto r = tx.exec_params(
        "UPDATE outbox SET claimed_until_ms = $1, updated_ms = $2 "
        "WHERE id = $3 AND state = 'pending' AND claim = $4",
        millis(until), millis(now), column(id), static_cast<std::int64_t>(claim));
    return fenced_answer(tx, r, id);
  });
}

// Undoes what the claim counted but not the claim number: the fencing token never goes back.
Result<bool> PostgresStore::release(OutboxId id, std::uint64_t claim, UtcMillis now) {
  return impl_->transact("release", [&](pqxx::work& tx) -> Result<bool> {
    const auto r = tx.exec_params(
        "UPDATE outbox SET claimed_until_ms = NULL, updated_ms = $1, "
        "first_attempt_ms = CASE WHEN attempts <= 1 THEN NULL ELSE first_attempt_ms END, "
        "attempts = GREATEST(attempts - 1, 0), "
        "unfinished_claims = GREATEST(unfinished_claims - 1, 0) "
        "WHERE id = $2 AND state = 'pending' AND claim = $3",
        millis(now), column(id), static_cast<std::int64_t>(claim));
    return fenced_answer(tx, r, id);
  });
}

// The outcome and its log entries commit together, or neither does.
Result<bool> PostgresStore::complete(OutboxId id, std::uint64_t claim,
                                     const OutboxCompletion& completion, UtcMillis now) {
  return impl_->transact("complete", [&](pqxx::work& tx) -> Result<bool> {
    std::optional<std::int64_t> due;  // only a retry moves the due time
    if (completion.state == OutboxState::pending)
      due = millis(completion.next_due.value_or(now));
    const auto r = tx.exec_params(
        "UPDATE outbox SET state = $1, last_error = $2, claimed_until_ms = NULL, updated_ms = $3, "
        "unfinished_claims = 0, due_ms = COALESCE($4::bigint, due_ms) "
        "WHERE id = $5 AND state = 'pending' AND claim = $6",
        std::string(to_string(completion.state)), storable(completion.error), millis(now), due,
        column(id), static_cast<std::int64_t>(claim));
    return log_if_changed(tx, fenced_answer(tx, r, id), completion.log);
  });
}

Result<std::optional<OutboxMessage>> PostgresStore::find_outbox(OutboxId id) const {
  return impl_->transact(
      "find outbox", [&](pqxx::work& tx) -> Result<std::optional<OutboxMessage>> {
        const auto r = tx.exec_params(
            fmt::format("SELECT {} FROM outbox WHERE id = $1", detail::outbox_columns), column(id));
        if (r.empty())
          return std::optional<OutboxMessage>{};
        return std::optional(detail::read_outbox_row(PgCells{r[0]}));
      });
}

// An unset filter is passed as NULL, and `$1 IS NULL OR ...` lets one statement serve
// every combination of filters.
// OutboxQuery's filters (detail::matches) as SQL; an unset filter is bound as NULL.
constexpr std::string_view outbox_filters =
    "($1::text IS NULL OR state = $1::text) AND ($2::bigint IS NULL OR interview_id = $2::bigint) "
    "AND ($3::text IS NULL OR kind = $3::text) AND ($4::text IS NULL OR recipient = $4::text) "
    "AND ($5::text IS NULL OR channel = $5::text) AND ($6::bigint IS NULL OR due_ms < "
    "$6::bigint)";

Result<std::vector<OutboxMessage>> PostgresStore::list_outbox(const OutboxQuery& query) const {
  if (auto ok = detail::check_page(query); !ok)
    return ok.error();
  return impl_->transact("list outbox", [&](pqxx::work& tx) -> Result<std::vector<OutboxMessage>> {
    const auto r = tx.exec_params(
        fmt::format("SELECT {} FROM outbox WHERE {} AND id > $7 ORDER BY id LIMIT $8",
                    detail::outbox_columns, outbox_filters),
        nullable(query.state), nullable(query.interview), nullable(query.kind),
        query.recipient ? std::optional(storable(*query.recipient)) : std::nullopt,
        query.channel ? std::optional(storable(*query.channel)) : std::nullopt,
        nullable(query.due_before), column(query.after), static_cast<std::int64_t>(query.limit));
    return read_outbox_rows(r);
  });
}

Result<OutboxCounts> PostgresStore::count_outbox(const OutboxQuery& query) const {
  return impl_->transact("count outbox", [&](pqxx::work& tx) -> Result<OutboxCounts> {
    const auto r = tx.exec_params(
        fmt::format("SELECT state, count(*), min(due_ms) FROM outbox WHERE {} GROUP BY state",
                    outbox_filters),
        nullable(query.state), nullable(query.interview), nullable(query.kind),
        query.recipient ? std::optional(storable(*query.recipient)) : std::nullopt,
        query.channel ? std::optional(storable(*query.channel)) : std::nullopt,
        nullable(query.due_before));
    OutboxCounts counts;
    for (const auto& row : r) {
      const PgCells cells{row};
      detail::add_counts(counts, cells.text(0), cells.integer(1), cells.optional_integer(2));
    }
    return counts;
  });
}

// The columns of detail::read_revision_row, with the slot's bounds in epoch seconds.
constexpr std::string_view pg_revision_columns =
    "i.id, i.version, i.status, i.last_event, i.last_from, i.updated_ms, "
    "CAST(extract(epoch FROM lower(i.slot)) AS bigint), "
    "CAST(extract(epoch FROM upper(i.slot)) AS bigint), i.recipients";

// Both reads in one REPEATABLE READ-like snapshot: they run in one transaction, and the
// second only reads rows of interviews the first returned.
Result<std::vector<RevisionDigest>> PostgresStore::revisions(const RevisionQuery& query) const {
  return impl_->transact("revisions", [&](pqxx::work& tx) -> Result<std::vector<RevisionDigest>> {
    const auto [since, until] = detail::change_bounds(query);
    const auto where = query.interview ? "i.id = $3" : "($3::bigint IS NULL OR i.id = $3)";
    const auto r = tx.exec_params(
        fmt::format("SELECT {}, {} FROM interviews i WHERE {} AND i.updated_ms >= $1 AND "
                    "i.updated_ms < $2 ORDER BY i.updated_ms, i.id",
                    pg_revision_columns, detail::delivered_count(query), where),
        since, until, nullable(query.interview));
    std::vector<RevisionDigest> out;
    for (const auto& row : r) {
      auto digest = detail::read_revision_row(PgCells{row});
      if (!digest)
        return digest.error();
      out.push_back(std::move(*digest));
    }
    const auto m = tx.exec_params(
        fmt::format("SELECT {} FROM outbox o JOIN interviews i ON {} WHERE {} AND i.updated_ms "
                    ">= $1 AND i.updated_ms < $2 AND ($4 OR o.state <> 'delivered') ORDER BY "
                    "o.interview_id, o.id",
                    detail::digest_columns, detail::digest_join, where),
        since, until, nullable(query.interview), query.with_delivered);
    std::vector<std::pair<InterviewId, OutboxDigest>> messages;
    for (const auto& row : m) {
      auto message = detail::read_digest_row(PgCells{row});
      if (!message)
        return message.error();
      messages.push_back(std::move(*message));
    }
    detail::attach(out, std::move(messages), query.with_delivered);
    return out;
  });
}

Result<PurgeResult> PostgresStore::purge(const PurgeRequest& request,
                                         std::span<const ActionEntry> log) {
  return impl_->transact("purge", [&](pqxx::work& tx) -> Result<PurgeResult> {
    PurgeResult result;
    if (request.delivered_before) {
      result.messages = static_cast<std::uint64_t>(
          tx.exec_params("DELETE FROM outbox WHERE state IN ('delivered', 'expired') AND "
                         "updated_ms < $1",
                         millis(*request.delivered_before))
              .affected_rows());
      tx.exec_params("INSERT INTO retention (purged_before_ms) VALUES ($1)",
                     millis(*request.delivered_before));
    }
    if (request.log_before) {
      result.log_entries = static_cast<std::uint64_t>(
          tx.exec_params("DELETE FROM action_log WHERE time_ms < $1", millis(*request.log_before))
              .affected_rows());
    }
    for (const auto& entry : log)
      insert_action(tx, entry);
    return result;
  });
}

Result<std::optional<UtcMillis>> PostgresStore::purged_before() const {
  return impl_->transact("retention cutoff",
                         [&](pqxx::work& tx) -> Result<std::optional<UtcMillis>> {
                           const auto r = tx.exec("SELECT max(purged_before_ms) FROM retention");
                           if (r[0][0].is_null())
                             return std::optional<UtcMillis>{};
                           return std::optional(from_millis(r[0][0].as<std::int64_t>()));
                         });
}

// A new round of attempts under the same, ever-growing claim number; fenced on
// `state = 'dead'` so it happens once.
Result<bool> PostgresStore::requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) {
  return impl_->transact("requeue", [&](pqxx::work& tx) -> Result<bool> {
    const auto r = tx.exec_params(
        "UPDATE outbox SET state = 'pending', attempts = 0, unfinished_claims = 0, due_ms = $1, "
        "claimed_until_ms = NULL, first_attempt_ms = NULL, updated_ms = $1 "
        "WHERE id = $2 AND state = 'dead'",
        millis(now), column(id));
    return log_if_changed(tx, fenced_answer(tx, r, id), log);
  });
}

// A leased message becomes claimable when its lease ends, not when it was due.
Result<std::optional<UtcMillis>> PostgresStore::next_due() const {
  return impl_->transact("next due", [&](pqxx::work& tx) -> Result<std::optional<UtcMillis>> {
    const auto r = tx.exec(
        "SELECT MIN(GREATEST(due_ms, COALESCE(claimed_until_ms, 0))) FROM outbox "
        "WHERE state = 'pending'");
    if (r[0][0].is_null())
      return std::optional<UtcMillis>{};
    return std::optional(from_millis(r[0][0].as<std::int64_t>()));
  });
}

// ---- The action log (ActionStore). ---------------------------------------------------------

Result<void> PostgresStore::append_action(const ActionEntry& entry) {
  return impl_->transact("append action", [&](pqxx::work& tx) -> Result<void> {
    insert_action(tx, entry);
    return {};
  });
}

// ActionQuery::matches in SQL, as in SqliteStore::query_actions. The parameters are known
// when PostgreSQL plans an unnamed statement, so the `IS NULL OR` branches fold away and
// the action_log indexes still serve the filters that are set.
Result<std::vector<ActionEntry>> PostgresStore::query_actions(const ActionQuery& query) const {
  return impl_->transact("query actions", [&](pqxx::work& tx) -> Result<std::vector<ActionEntry>> {
    const auto r = tx.exec_params(
        "SELECT entry::text FROM action_log WHERE ($1::text IS NULL OR action = $1::text) AND "
        "($2::bigint IS NULL OR interview_id = $2::bigint OR ($2::bigint = 0 AND interview_id "
        "IS NULL)) AND ($3::bigint IS NULL OR time_ms >= $3::bigint) AND ($4::bigint IS NULL "
        "OR time_ms < $4::bigint) ORDER BY id",
        nullable(query.action), nullable(query.interview), nullable(query.since),
        nullable(query.until));
    std::vector<ActionEntry> out;
    for (const auto& row : r) {
      auto entry = detail::decode_action_entry(row[0].as<std::string>());
      if (!entry)
        return entry.error();
      out.push_back(std::move(*entry));
    }
    return out;
  });
}

// ---- External calendars. -------------------------------------------------------------------

namespace {

// A PostgreSQL array literal of texts, for unnest(): each element quoted, with its
// backslashes and quotes escaped. Lets a calendar's rows go in one statement each.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const auto& item : items) {
    if (out.size() > 1)
      out += ',';
    out += '"';
    for (const char c : item) {
      if (c == '"' || c == '\\')
        out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "}";
}

std::string integer_array(const std::vector<std::int64_t>& items) {
  return fmt::format("{{{}}}", fmt::join(items, ","));
}

// A calendar's three parts, read in one transaction so they belong to the same save.
Result<std::optional<CachedCalendar>> read_calendar(pqxx::work& tx, const std::string& key) {
  const auto head = tx.exec_params(
      "SELECT interviewer, sync_token, ctag, time_zone, covered_start, covered_end, synced_ms "
      "FROM calendars WHERE key = $1",
      key);
  if (head.empty())
    return std::optional<CachedCalendar>{};
  const auto& h = head[0];
  auto interviewer = InterviewerId::make(h[0].as<std::string>());
  if (!interviewer)
    return interviewer.error();
  CachedCalendar c{.key = key, .interviewer = *interviewer};
  c.sync_token = h[1].as<std::string>();
  c.ctag = h[2].as<std::string>();
  c.time_zone = h[3].as<std::string>();
  if (!h[4].is_null() && !h[5].is_null()) {
    if (auto covered = TimeRange::make(detail::from_seconds(h[4].as<std::int64_t>()),
                                       detail::from_seconds(h[5].as<std::int64_t>())))
      c.covered = *covered;
  }
  c.synced_at = from_millis(h[6].as<std::int64_t>());
  for (const auto& r : tx.exec_params(
           "SELECT href, etag, ics FROM calendar_resources WHERE calendar = $1 ORDER BY href", key))
    c.resources.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>()});
  for (const auto& r : tx.exec_params(
           "SELECT start_s, end_s FROM calendar_busy WHERE calendar = $1 ORDER BY start_s, end_s",
           key)) {
    if (auto range = TimeRange::make(detail::from_seconds(r[0].as<std::int64_t>()),
                                     detail::from_seconds(r[1].as<std::int64_t>())))
      c.busy.push_back(*range);
  }
  return std::optional(std::move(c));
}

}  // namespace

Result<std::optional<CachedCalendar>> PostgresStore::load_calendar(const std::string& key) const {
  return impl_->transact("read cached calendar",
                         [&](pqxx::work& tx) { return read_calendar(tx, key); });
}

// The calendar's rows are replaced whole, in one transaction: a statement per table, the
// rows passed as arrays.
Result<void> PostgresStore::save_calendar(const CachedCalendar& calendar) {
  if (auto problem = detail::calendar_problem(calendar))
    return *problem;
  const auto c = detail::normalised(calendar);
  return impl_->transact("save cached calendar", [&](pqxx::work& tx) -> Result<void> {
    tx.exec_params("DELETE FROM calendar_busy WHERE calendar = $1", c.key);
    tx.exec_params("DELETE FROM calendar_resources WHERE calendar = $1", c.key);
    std::optional<std::int64_t> start;
    std::optional<std::int64_t> end;
    if (c.covered) {
      start = seconds(c.covered->start());
      end = seconds(c.covered->end());
    }
    tx.exec_params(
        "INSERT INTO calendars (key, interviewer, sync_token, ctag, time_zone, covered_start, "
        "covered_end, synced_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (key) DO "
        "UPDATE SET interviewer = EXCLUDED.interviewer, sync_token = EXCLUDED.sync_token, ctag = "
        "EXCLUDED.ctag, time_zone = EXCLUDED.time_zone, covered_start = EXCLUDED.covered_start, "
        "covered_end = EXCLUDED.covered_end, synced_ms = EXCLUDED.synced_ms",
        c.key, c.interviewer.str(), c.sync_token, c.ctag, c.time_zone, start, end,
        millis(c.synced_at));
    std::vector<std::string> hrefs, etags, texts;
    for (const auto& r : c.resources) {
      hrefs.push_back(r.href);
      etags.push_back(r.etag);
      texts.push_back(r.ics);
    }
    tx.exec_params(
        "INSERT INTO calendar_resources (calendar, href, etag, ics) SELECT $1, h, e, i "
        "FROM unnest($2::text[], $3::text[], $4::text[]) AS t(h, e, i)",
        c.key, text_array(hrefs), text_array(etags), text_array(texts));
    std::vector<std::int64_t> starts, ends;
    for (const auto& b : c.busy) {
      starts.push_back(seconds(b.start()));
      ends.push_back(seconds(b.end()));
    }
    tx.exec_params(
        "INSERT INTO calendar_busy (calendar, interviewer, start_s, end_s) "
        "SELECT $1, $2, s, e FROM unnest($3::bigint[], $4::bigint[]) AS t(s, e)",
        c.key, c.interviewer.str(), integer_array(starts), integer_array(ends));
    return {};
  });
}

Result<std::vector<TimeRange>> PostgresStore::calendar_busy(const InterviewerId& interviewer,
                                                            const TimeRange& window) const {
  return impl_->transact(
      "read calendar busy time", [&](pqxx::work& tx) -> Result<std::vector<TimeRange>> {
        std::vector<TimeRange> out;
        for (const auto& r :
             tx.exec_params("SELECT start_s, end_s FROM calendar_busy WHERE "
                            "interviewer = $1 AND end_s > $2 AND start_s < $3 "
                            "ORDER BY start_s, end_s",
                            interviewer.str(), seconds(window.start()), seconds(window.end()))) {
          if (auto range = TimeRange::make(detail::from_seconds(r[0].as<std::int64_t>()),
                                           detail::from_seconds(r[1].as<std::int64_t>())))
            out.push_back(*range);
        }
        return out;
      });
}

}  // namespace interviewkit
