#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include <interviewkit/store/postgres_store.hpp>

#include "store_detail.hpp"

namespace interviewkit {

using detail::from_millis;
using detail::millis;
using detail::people_of;
using detail::seconds;

namespace {

constexpr std::int64_t migration_lock = 0x696e746b6974;  // "intkit"

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
};
static_assert(std::size(migrations) == PostgresStore::schema_version);

std::int64_t id_of(InterviewId id) {
  return static_cast<std::int64_t>(id.value());
}

constexpr const char* outbox_columns =
    "id, idempotency_key, interview_id, kind, channel, payload::text, message_token, due_ms, "
    "attempts, last_error, state, claimed_until_ms, created_ms, updated_ms, claim, "
    "unfinished_claims, first_attempt_ms";

// Never throws for stored content: see detail::decode_outbox_row.
OutboxMessage read_outbox(const pqxx::row& r) {
  return detail::decode_outbox_row(detail::OutboxRow{
      .id = r[0].as<std::int64_t>(),
      .idempotency_key = r[1].as<std::string>(),
      .interview = r[2].as<std::int64_t>(),
      .kind = r[3].as<std::string>(),
      .channel = r[4].as<std::string>(),
      .payload = r[5].as<std::string>(),
      .message_token = r[6].as<std::string>(),
      .due_ms = r[7].as<std::int64_t>(),
      .attempts = r[8].as<std::int64_t>(),
      .last_error = r[9].as<std::string>(),
      .state = r[10].as<std::string>(),
      .claimed_until_ms = r[11].is_null() ? std::nullopt : std::optional(r[11].as<std::int64_t>()),
      .created_ms = r[12].as<std::int64_t>(),
      .updated_ms = r[13].as<std::int64_t>(),
      .claim = r[14].as<std::int64_t>(),
      .unfinished_claims = r[15].as<std::int64_t>(),
      .first_attempt_ms = r[16].is_null() ? std::nullopt : std::optional(r[16].as<std::int64_t>()),
  });
}

std::vector<OutboxMessage> read_outbox_rows(const pqxx::result& r) {
  std::vector<OutboxMessage> out;
  out.reserve(r.size());
  for (const auto& row : r)
    out.push_back(read_outbox(row));
  return out;
}

// The exclusion constraint's SQLSTATE.
constexpr std::string_view exclusion_violation = "23P01";

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

void insert_action(pqxx::work& tx, const ActionEntry& entry) {
  const auto json = storable_json(nlohmann::json(entry)).dump();
  if (entry.interview.is_set()) {
    tx.exec_params(
        "INSERT INTO action_log (time_ms, action, interview_id, entry) VALUES ($1, $2, $3, "
        "$4::jsonb)",
        millis(entry.time), std::string(to_string(entry.action)), id_of(entry.interview), json);
  } else {
    tx.exec_params(
        "INSERT INTO action_log (time_ms, action, interview_id, entry) VALUES ($1, $2, NULL, "
        "$3::jsonb)",
        millis(entry.time), std::string(to_string(entry.action)), json);
  }
}

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

struct PostgresStore::Impl {
  PostgresOptions options;
  std::mutex mutex;
  std::condition_variable released;
  std::vector<std::unique_ptr<pqxx::connection>> idle;
  std::size_t open = 0;

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

  Result<Lease> acquire() {
    std::unique_lock lock(mutex);
    const bool got = released.wait_for(lock, options.acquire_timeout,
                                       [&] { return !idle.empty() || open < options.pool_size; });
    if (!got) {
      return Unavailable{fmt::format("no free PostgreSQL connection within {} ms (pool of {})",
                                     options.acquire_timeout.count(), options.pool_size)};
    }
    if (!idle.empty()) {
      auto c = std::move(idle.back());
      idle.pop_back();
      return Lease(*this, std::move(c));
    }
    ++open;
    lock.unlock();
    try {
      auto c = std::make_unique<pqxx::connection>(
          with_connect_timeout(options.url, options.connect_timeout));
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

  // One line, and no password even if libpq quoted the connection string back.
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

  // An error value for every database failure, naming what was being done and the
  // SQLSTATE, so no pqxx exception ever leaves the store (a dispatcher thread that saw one
  // would terminate the host).
  Error failure(std::string_view what, const pqxx::sql_error& e) const {
    if (e.sqlstate() == exclusion_violation)
      return SlotConflict{InterviewId{}, "unknown"};
    return Unavailable{fmt::format("PostgreSQL {} failed (SQLSTATE {}): {}", what,
                                   e.sqlstate().empty() ? "unknown" : e.sqlstate(),
                                   redact_and_trim(e.what()))};
  }

  // Runs `body` in a transaction on a pooled connection. Serialization failures and
  // deadlocks are retried (so `body` may run more than once); a lost connection is an
  // Unavailable error (nothing was committed unless the commit itself was in doubt, which
  // the message says); every other database failure is an error value too. Exceptions
  // that are not the database's (thrown by a host's Store::write work) propagate.
  template <class Body>
  auto transact(std::string_view what, Body&& body) -> decltype(body(std::declval<pqxx::work&>())) {
    for (int attempt = 0;; ++attempt) {
      auto lease = acquire();
      if (!lease)
        return lease.error();
      try {
        pqxx::work tx(**lease);
        auto result = body(tx);
        if (result)
          tx.commit();
        return result;
      } catch (const pqxx::transaction_rollback& e) {
        if (attempt < options.retries)
          continue;
        return Unavailable{fmt::format("PostgreSQL {}: gave up after {} retries: {}", what, attempt,
                                       redact_and_trim(e.what()))};
      } catch (const pqxx::in_doubt_error& e) {
        lease->broken();
        return Unavailable{fmt::format(
            "PostgreSQL {}: connection lost during commit; it may or may not have been applied: {}",
            what, redact_and_trim(e.what()))};
      } catch (const pqxx::broken_connection& e) {
        lease->broken();
        // Nothing was committed: a pooled connection the server dropped (restart, failover,
        // pg_terminate_backend) is replaced and the work run again on a fresh one.
        if (attempt < options.retries)
          continue;
        return Unavailable{
            fmt::format("PostgreSQL {}: connection lost; nothing was committed, the operation can "
                        "be retried: {}",
                        what, redact_and_trim(e.what()))};
      } catch (const pqxx::sql_error& e) {
        if (!(**lease).is_open())
          lease->broken();
        return failure(what, e);
      } catch (const pqxx::pqxx_exception& e) {
        lease->broken();  // unknown state: do not reuse the connection
        return Unavailable{
            fmt::format("PostgreSQL {} failed: {}", what, redact_and_trim(e.base().what()))};
      }
    }
  }
};

namespace {

class PgTransaction final : public StoreTransaction {
 public:
  explicit PgTransaction(pqxx::work& tx) : tx_(tx) {}

  Result<Interview> load(InterviewId id) override {
    // FOR UPDATE: concurrent writers of one interview queue up instead of losing updates.
    const auto r =
        tx_.exec_params("SELECT body::text FROM interviews WHERE id = $1 FOR UPDATE", id_of(id));
    if (r.empty())
      return NotFound{id};
    return detail::decode_interview(r[0][0].as<std::string>(), id);
  }

  Result<InterviewId> insert(const Interview& interview) override {
    const InterviewId id{tx_.exec1("SELECT nextval('interviews_id_seq')")[0].as<std::uint64_t>()};
    auto stored = interview;
    stored.id = id;
    write_row(stored, true);
    return id;
  }

  Result<void> update(const Interview& interview) override {
    if (!write_row(interview, false))
      return NotFound{interview.id};
    return {};
  }

  Result<std::optional<SlotConflict>> find_conflict(const Interview& interview,
                                                    const TimeRange& window) override {
    // Per-person advisory locks serialise bookings that share a person across every server,
    // so the buffer check below and the write that follows are one atomic step. Overlaps
    // themselves are also refused by the exclusion constraint.
    for (const auto& person : people_of(interview)) {
      tx_.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", person);
    }
    for (const auto& person : people_of(interview)) {
      const auto r = tx_.exec_params(
          "SELECT interview_id FROM interview_people WHERE person = $1 AND interview_id <> $2 "
          "AND slot && tstzrange(to_timestamp($3), to_timestamp($4), '[)') LIMIT 1",
          person, id_of(interview.id), seconds(window.start()), seconds(window.end()));
      if (!r.empty()) {
        return std::optional(SlotConflict{InterviewId{r[0][0].as<std::uint64_t>()}, person});
      }
    }
    return std::optional<SlotConflict>{};
  }

  Result<void> enqueue(std::span<const OutboxMessage> messages) override {
    for (const auto& m : messages) {
      tx_.exec_params(
          "INSERT INTO outbox (idempotency_key, interview_id, kind, channel, payload, "
          "message_token, due_ms, attempts, last_error, state, created_ms, updated_ms) "
          "VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12)",
          m.idempotency_key, id_of(m.interview), std::string(to_string(m.kind)), m.channel,
          m.payload.dump(), m.message_token, millis(m.due), static_cast<std::int64_t>(m.attempts),
          storable(m.last_error), std::string(to_string(m.state)), millis(m.created_at),
          millis(m.updated_at));
    }
    return {};
  }

  Result<std::vector<OutboxMessage>> supersede(InterviewId interview, NotificationKind kind,
                                               const std::string& reason, UtcMillis now) override {
    const auto r = tx_.exec_params(
        fmt::format("UPDATE outbox SET state = 'expired', last_error = $3, claimed_until_ms = "
                    "NULL, updated_ms = $4 WHERE interview_id = $1 AND kind = $2 AND state IN "
                    "('pending', 'dead') RETURNING {}",
                    outbox_columns),
        id_of(interview), std::string(to_string(kind)), storable(reason), millis(now));
    return read_outbox_rows(r);
  }

  // The transaction-scoped lock on the key makes a concurrent request with the same key
  // (from any process) wait here until the first one commits or rolls back; READ COMMITTED
  // then lets the SELECT below see the first one's record, so the retry replays its result.
  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& key) override {
    tx_.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 11))", key);
    const auto r =
        tx_.exec_params("SELECT request, result::text FROM idempotency WHERE key = $1", key);
    if (r.empty())
      return std::optional<IdempotencyRecord>{};
    auto result = detail::decode_interview(r[0][1].as<std::string>(), InterviewId{});
    if (!result)
      return result.error();
    return std::optional(IdempotencyRecord{key, r[0][0].as<std::string>(), std::move(*result)});
  }

  // A plain INSERT: a second record for one key is a unique violation, never an overwrite.
  Result<void> save_idempotency(const IdempotencyRecord& record) override {
    tx_.exec_params("INSERT INTO idempotency (key, request, result) VALUES ($1, $2, $3::jsonb)",
                    record.key, record.request, nlohmann::json(record.result).dump());
    return {};
  }

  Result<void> append_action(const ActionEntry& entry) override {
    insert_action(tx_, entry);
    return {};
  }

  /// The interview written last, for naming the other side of an exclusion violation.
  std::optional<Interview> last_written;

 private:
  bool write_row(const Interview& interview, bool insert) {
    last_written = interview;
    const auto body = nlohmann::json(interview).dump();
    const auto status = std::string(to_string(interview.status));
    const auto version = static_cast<std::int64_t>(interview.version);
    pqxx::result r;
    if (interview.slot) {
      r = tx_.exec_params(
          insert ? "INSERT INTO interviews (id, status, version, slot, body) VALUES ($1, $2, $3, "
                   "tstzrange(to_timestamp($4), to_timestamp($5), '[)'), $6::jsonb)"
                 : "UPDATE interviews SET status = $2, version = $3, slot = "
                   "tstzrange(to_timestamp($4), to_timestamp($5), '[)'), body = $6::jsonb "
                   "WHERE id = $1",
          id_of(interview.id), status, version, seconds(interview.slot->start()),
          seconds(interview.slot->end()), body);
    } else {
      r = tx_.exec_params(insert ? "INSERT INTO interviews (id, status, version, slot, body) "
                                   "VALUES ($1, $2, $3, NULL, $4::jsonb)"
                                 : "UPDATE interviews SET status = $2, version = $3, slot = NULL, "
                                   "body = $4::jsonb WHERE id = $1",
                          id_of(interview.id), status, version, body);
    }
    return r.affected_rows() == 1;
  }

  pqxx::work& tx_;
};

// The schema version recorded in the database, 0 for an empty one.
int stored_schema_version(pqxx::work& tx) {
  if (tx.exec("SELECT to_regclass('interviewkit_schema') IS NOT NULL")[0][0].as<bool>() == false)
    return 0;
  const auto r = tx.exec("SELECT version FROM interviewkit_schema");
  return r.empty() ? 0 : r[0][0].as<int>();
}

}  // namespace

Result<std::shared_ptr<PostgresStore>> PostgresStore::open(PostgresOptions options) {
  if (options.url.empty())
    return InvalidInput{"PostgreSQL connection string must not be empty"};
  if (options.pool_size == 0)
    return InvalidInput{"PostgreSQL pool size must be at least 1"};
  if (options.statement_timeout.count() < 0 || options.connect_timeout.count() < 0)
    return InvalidInput{"PostgreSQL timeouts must not be negative"};
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  auto migrated = impl->transact("migration", [&](pqxx::work& tx) -> Result<void> {
    // Read before writing anything: a database already at this version opens without a
    // single write, so a read-only standby can be opened (its writes then fail as values).
    if (auto version = stored_schema_version(tx); version == schema_version)
      return {};
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
  if (!migrated)
    return migrated.error();
  return std::shared_ptr<PostgresStore>(new PostgresStore(std::move(impl)));
}

PostgresStore::PostgresStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PostgresStore::~PostgresStore() = default;

Result<void> PostgresStore::write(const Work& work) {
  std::optional<Interview> written;
  auto result = impl_->transact("write", [&](pqxx::work& tx) -> Result<void> {
    PgTransaction store_tx(tx);
    written.reset();
    auto r = work(store_tx);
    written = store_tx.last_written;
    return r;
  });
  // An exclusion violation (a foreign writer, or a race the locks did not cover): name the
  // interview the database says is in the way.
  if (!result && result.error().is<SlotConflict>() &&
      !result.error().get_if<SlotConflict>()->other.is_set() && written && written->slot) {
    for (const auto& person : people_of(*written)) {
      auto other = impl_->transact("conflict lookup", [&](pqxx::work& tx) -> Result<std::uint64_t> {
        const auto r = tx.exec_params(
            "SELECT interview_id FROM interview_people WHERE person = $1 AND interview_id <> $2 "
            "AND slot && tstzrange(to_timestamp($3), to_timestamp($4), '[)') LIMIT 1",
            person, id_of(written->id), seconds(written->slot->start()),
            seconds(written->slot->end()));
        return r.empty() ? std::uint64_t{0} : r[0][0].as<std::uint64_t>();
      });
      if (other && *other != 0)
        return SlotConflict{InterviewId{*other}, person};
    }
  }
  return result;
}

Result<Interview> PostgresStore::find(InterviewId id) const {
  return impl_->transact("find", [&](pqxx::work& tx) -> Result<Interview> {
    const auto r = tx.exec_params("SELECT body::text FROM interviews WHERE id = $1", id_of(id));
    if (r.empty())
      return NotFound{id};
    return detail::decode_interview(r[0][0].as<std::string>(), id);
  });
}

Result<std::vector<BusyInterval>> PostgresStore::busy_intervals(
    std::span<const InterviewerId> interviewers, const TimeRange& window) const {
  return impl_->transact(
      "busy intervals", [&](pqxx::work& tx) -> Result<std::vector<BusyInterval>> {
        std::vector<BusyInterval> busy;
        for (const auto& interviewer : interviewers) {
          const auto r = tx.exec_params(
              "SELECT interview_id, extract(epoch FROM lower(slot))::bigint, "
              "extract(epoch FROM upper(slot))::bigint FROM interview_people WHERE person = $1 AND "
              "slot && tstzrange(to_timestamp($2), to_timestamp($3), '[)') "
              "ORDER BY lower(slot), interview_id",
              "interviewer:" + interviewer.str(), seconds(window.start()), seconds(window.end()));
          for (const auto& row : r) {
            const auto at = [&](int col) {
              return date::sys_seconds{std::chrono::seconds{row[col].as<std::int64_t>()}};
            };
            auto range = TimeRange::make(at(1), at(2));
            if (!range)
              return range.error();
            busy.push_back(
                BusyInterval{interviewer, *range, InterviewId{row[0].as<std::uint64_t>()}});
          }
        }
        return busy;
      });
}

Result<std::vector<OutboxMessage>> PostgresStore::claim_due(UtcMillis now, std::size_t limit,
                                                            std::chrono::milliseconds lease) {
  return impl_->transact("claim", [&](pqxx::work& tx) -> Result<std::vector<OutboxMessage>> {
    const auto r = tx.exec_params(
        fmt::format("UPDATE outbox SET claimed_until_ms = $2, attempts = attempts + 1, "
                    "claim = claim + 1, unfinished_claims = unfinished_claims + 1, "
                    "first_attempt_ms = COALESCE(first_attempt_ms, $1), "
                    "updated_ms = $1 WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' "
                    "AND due_ms <= $1 AND (claimed_until_ms IS NULL OR claimed_until_ms <= $1) "
                    "ORDER BY due_ms, id LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING {}",
                    outbox_columns),
        millis(now), millis(now + lease), static_cast<std::int64_t>(limit));
    auto out = read_outbox_rows(r);
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
      return std::pair(a.due, a.id) < std::pair(b.due, b.id);
    });
    return out;
  });
}

namespace {

// The answer of a fenced UPDATE of message `id`: true if it changed the row; false if the
// message exists but was not in the state or claim expected; InvalidInput if there is none.
Result<bool> changed(pqxx::work& tx, const pqxx::result& update, OutboxId id) {
  if (update.affected_rows() == 1)
    return true;
  if (tx.exec_params("SELECT 1 FROM outbox WHERE id = $1", static_cast<std::int64_t>(id.value()))
          .empty()) {
    return InvalidInput{fmt::format("no outbox message {}", id)};
  }
  return false;
}

}  // namespace

Result<bool> PostgresStore::renew(OutboxId id, std::uint64_t claim, UtcMillis until,
                                  UtcMillis now) {
  return impl_->transact("renew", [&](pqxx::work& tx) -> Result<bool> {
    const auto r = tx.exec_params(
        "UPDATE outbox SET claimed_until_ms = $1, updated_ms = $2 "
        "WHERE id = $3 AND state = 'pending' AND claim = $4",
        millis(until), millis(now), static_cast<std::int64_t>(id.value()),
        static_cast<std::int64_t>(claim));
    return changed(tx, r, id);
  });
}

Result<bool> PostgresStore::release(OutboxId id, std::uint64_t claim, UtcMillis now) {
  return impl_->transact("release", [&](pqxx::work& tx) -> Result<bool> {
    const auto r = tx.exec_params(
        "UPDATE outbox SET claimed_until_ms = NULL, updated_ms = $1, "
        "first_attempt_ms = CASE WHEN attempts <= 1 THEN NULL ELSE first_attempt_ms END, "
        "attempts = GREATEST(attempts - 1, 0), "
        "unfinished_claims = GREATEST(unfinished_claims - 1, 0) "
        "WHERE id = $2 AND state = 'pending' AND claim = $3",
        millis(now), static_cast<std::int64_t>(id.value()), static_cast<std::int64_t>(claim));
    return changed(tx, r, id);
  });
}

Result<bool> PostgresStore::complete(OutboxId id, std::uint64_t claim,
                                     const OutboxCompletion& completion, UtcMillis now) {
  return impl_->transact("complete", [&](pqxx::work& tx) -> Result<bool> {
    const auto due = completion.state == OutboxState::pending
                         ? millis(completion.next_due.value_or(now))
                         : std::int64_t{-1};
    const auto r = tx.exec_params(
        "UPDATE outbox SET state = $1, last_error = $2, claimed_until_ms = NULL, updated_ms = $3, "
        "unfinished_claims = 0, due_ms = CASE WHEN $4::bigint >= 0 THEN $4::bigint ELSE due_ms END "
        "WHERE id = $5 AND state = 'pending' AND claim = $6",
        std::string(to_string(completion.state)), storable(completion.error), millis(now), due,
        static_cast<std::int64_t>(id.value()), static_cast<std::int64_t>(claim));
    if (auto done = changed(tx, r, id); !done || !*done)
      return done;
    for (const auto& entry : completion.log)
      insert_action(tx, entry);
    return true;
  });
}

Result<std::optional<OutboxMessage>> PostgresStore::find_outbox(OutboxId id) const {
  return impl_->transact(
      "find outbox", [&](pqxx::work& tx) -> Result<std::optional<OutboxMessage>> {
        const auto r =
            tx.exec_params(fmt::format("SELECT {} FROM outbox WHERE id = $1", outbox_columns),
                           static_cast<std::int64_t>(id.value()));
        if (r.empty())
          return std::optional<OutboxMessage>{};
        return std::optional(read_outbox(r[0]));
      });
}

Result<std::vector<OutboxMessage>> PostgresStore::list_outbox(const OutboxQuery& query) const {
  return impl_->transact("list outbox", [&](pqxx::work& tx) -> Result<std::vector<OutboxMessage>> {
    const auto r =
        tx.exec_params(fmt::format("SELECT {} FROM outbox WHERE ($1::text = '' OR state = "
                                   "$1::text) AND ($2::bigint = 0 OR "
                                   "interview_id = $2::bigint) ORDER BY id LIMIT $3::bigint",
                                   outbox_columns),
                       query.state ? std::string(to_string(*query.state)) : std::string(),
                       query.interview ? id_of(*query.interview) : std::int64_t{0},
                       static_cast<std::int64_t>(query.limit));
    return read_outbox_rows(r);
  });
}

Result<bool> PostgresStore::requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) {
  return impl_->transact("requeue", [&](pqxx::work& tx) -> Result<bool> {
    const auto r = tx.exec_params(
        "UPDATE outbox SET state = 'pending', attempts = 0, unfinished_claims = 0, due_ms = $1, "
        "claimed_until_ms = NULL, first_attempt_ms = NULL, updated_ms = $1 "
        "WHERE id = $2 AND state = 'dead'",
        millis(now), static_cast<std::int64_t>(id.value()));
    if (auto done = changed(tx, r, id); !done || !*done)
      return done;
    for (const auto& entry : log)
      insert_action(tx, entry);
    return true;
  });
}

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

Result<void> PostgresStore::append_action(const ActionEntry& entry) {
  return impl_->transact("append action", [&](pqxx::work& tx) -> Result<void> {
    insert_action(tx, entry);
    return {};
  });
}

Result<std::vector<ActionEntry>> PostgresStore::query_actions(const ActionQuery& query) const {
  return impl_->transact("query actions", [&](pqxx::work& tx) -> Result<std::vector<ActionEntry>> {
    const auto r = tx.exec_params(
        "SELECT entry::text FROM action_log WHERE ($1::text = '' OR action = $1::text) AND "
        "($2::bigint = 0 OR interview_id = $2::bigint) AND ($3::bigint = -1 OR time_ms >= "
        "$3::bigint) AND ($4::bigint = -1 OR time_ms < $4::bigint) ORDER BY id",
        query.action ? std::string(to_string(*query.action)) : std::string(),
        query.interview ? id_of(*query.interview) : std::int64_t{0},
        query.since ? millis(*query.since) : std::int64_t{-1},
        query.until ? millis(*query.until) : std::int64_t{-1});
    std::vector<ActionEntry> out;
    for (const auto& row : r) {
      try {
        out.push_back(nlohmann::json::parse(row[0].as<std::string>()).get<ActionEntry>());
      } catch (const nlohmann::json::exception& e) {
        return Unavailable{fmt::format("a stored action entry cannot be read: {}", e.what())};
      }
    }
    return out;
  });
}

}  // namespace interviewkit
