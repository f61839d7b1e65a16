// SqliteStore: the Store on one SQLite file, shared safely by every thread of a process and
// by several processes on one machine.
//
// How it stays correct:
// - One connection per store, used under one mutex (`Impl::guarded`). The connection is
//   opened NOMUTEX, so it must never be used by two threads at once; one connection also
//   keeps the prepared-statement cache simple, and SQLite has a single writer anyway.
// - Every write runs in BEGIN IMMEDIATE (`Impl::write_transaction`): the write lock is taken
//   up front, so a conflict check and the write that follows are one atomic step across
//   processes too, and a transaction never has to upgrade a read snapshot to a write lock
//   (which fails with SQLITE_BUSY_SNAPSHOT, something the busy timeout does not wait out).
// - SQLite failures are thrown as SqliteFailure inside this file only, so the code reads as
//   straight-line SQL; `guarded` turns each one into an error value naming what was being
//   done. Nothing thrown by SQLite crosses the Store interface.
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <interviewkit/store/sqlite_store.hpp>

#include "store_detail.hpp"

namespace interviewkit {

using detail::column;
using detail::from_millis;
using detail::from_seconds;
using detail::millis;
using detail::nullable;
using detail::people_of;
using detail::person_key;
using detail::seconds;

namespace {

// The schema story: PRAGMA user_version holds the number of migrations applied, and
// migration i brings it from i to i + 1, inside the same BEGIN IMMEDIATE transaction as the
// version bump, so a crash mid-migration leaves the previous version intact and two
// processes opening one file at once migrate it once (the second waits, then finds nothing
// left to do). A migration, once released, is never edited: databases in the field have
// already run it. A change is a new migration appended here, with schema_version raised.
// A file at a newer version than this build knows is refused rather than misread.
constexpr std::string_view migrations[] = {
    R"sql(
CREATE TABLE interviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  status TEXT NOT NULL
    CHECK (status IN ('pending','scheduled','confirmed','completed','cancelled','no_show')),
  version INTEGER NOT NULL CHECK (version >= 1),
  slot_start INTEGER,
  slot_end INTEGER,
  body TEXT NOT NULL
);
-- One row per person of each interview that holds a slot: the conflict index.
CREATE TABLE interview_people (
  person TEXT NOT NULL,
  interview_id INTEGER NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
  slot_start INTEGER NOT NULL,
  slot_end INTEGER NOT NULL,
  PRIMARY KEY (person, interview_id)
) WITHOUT ROWID;
CREATE INDEX interview_people_by_time ON interview_people(person, slot_start);
CREATE INDEX interview_people_by_interview ON interview_people(interview_id);
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  interview_id INTEGER NOT NULL REFERENCES interviews(id),
  kind TEXT NOT NULL,
  channel TEXT NOT NULL,
  payload TEXT NOT NULL,
  message_token TEXT NOT NULL,
  due_ms INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  state TEXT NOT NULL CHECK (state IN ('pending','delivered','dead','expired')),
  claimed_until_ms INTEGER,
  created_ms INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL
);
CREATE INDEX outbox_pending ON outbox(state, due_ms);
CREATE INDEX outbox_by_interview ON outbox(interview_id, id);
CREATE TABLE idempotency (
  key TEXT PRIMARY KEY,
  request TEXT NOT NULL,
  result TEXT NOT NULL
);
CREATE TABLE action_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  action TEXT NOT NULL,
  interview_id INTEGER,
  entry TEXT NOT NULL
);
CREATE INDEX action_log_by_interview ON action_log(interview_id, time_ms);
CREATE INDEX action_log_by_action ON action_log(action, time_ms);
)sql",
    // 2: a fencing token that never resets, and claims since the last outcome.
    R"sql(
ALTER TABLE outbox ADD COLUMN claim INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN unfinished_claims INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN first_attempt_ms INTEGER;
UPDATE outbox SET claim = attempts;
)sql",
    // 3: what reconciliation reads without decoding JSON (see store_detail.hpp): each
    // message's recipient and revision, each interview's change time, recipients and the
    // transition that made its current revision. Rows written before are backfilled from
    // their JSON; their transition stays unknown (NULL).
    R"sql(
ALTER TABLE outbox ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;
-- Derived exactly as detail::with_keys derives them at enqueue: a key only from a text role
-- and a text id, a revision only from a positive JSON integer; anything else '' and 0.
UPDATE outbox SET
  recipient = CASE WHEN json_type(payload, '$.recipient.role') = 'text' AND
                        json_type(payload, '$.recipient.id') = 'text'
                   THEN json_extract(payload, '$.recipient.role') || ':' ||
                        json_extract(payload, '$.recipient.id')
                   ELSE '' END,
  revision = CASE WHEN json_type(payload, '$.interview.version') = 'integer' AND
                       json_extract(payload, '$.interview.version') > 0
                  THEN json_extract(payload, '$.interview.version') ELSE 0 END
  WHERE json_valid(payload);
CREATE INDEX outbox_by_revision ON outbox(interview_id, revision);
CREATE INDEX outbox_by_recipient ON outbox(recipient, id);
CREATE INDEX outbox_done ON outbox(state, updated_ms);
ALTER TABLE interviews ADD COLUMN updated_ms INTEGER NOT NULL DEFAULT 0;
ALTER TABLE interviews ADD COLUMN recipients TEXT NOT NULL DEFAULT '';
ALTER TABLE interviews ADD COLUMN last_event TEXT;
ALTER TABLE interviews ADD COLUMN last_from TEXT;
UPDATE interviews SET
  updated_ms = COALESCE(CAST(strftime('%s', json_extract(body, '$.updated_at')) AS INTEGER), 0)
               * 1000,
  -- A body of an odd shape must not stop the migration: no text candidate id gives no
  -- recipients ('' rather than NULL, which NOT NULL refuses), and only objects among the
  -- interviewers are read (json_extract fails on a plain string element; CASE keeps the
  -- order of the tests, which AND does not promise).
  recipients = CASE WHEN json_type(body, '$.candidate.id') = 'text' THEN
                 'candidate:' || json_extract(body, '$.candidate.id') ||
                 COALESCE((SELECT group_concat(char(10) || 'interviewer:' ||
                                               json_extract(value, '$.id'), '')
                           FROM json_each(body, '$.interviewers')
                           WHERE CASE WHEN type = 'object'
                                      THEN json_type(value, '$.id') = 'text' ELSE 0 END), '')
               ELSE '' END
  WHERE json_valid(body);
CREATE INDEX interviews_by_change ON interviews(updated_ms, id);
CREATE INDEX action_log_by_time ON action_log(time_ms);
-- One row per purge of delivered messages: its cutoff (see Store::purged_before).
CREATE TABLE retention (purged_before_ms INTEGER NOT NULL);
)sql",
    // 4: interviewers' external calendars (Store::save_calendar): the collection's sync
    // state, its resources as last read, and the busy time they give, which slot search
    // reads by interviewer and time.
    R"sql(
CREATE TABLE calendars (
  key TEXT PRIMARY KEY,
  interviewer TEXT NOT NULL,
  sync_token TEXT NOT NULL,
  ctag TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  covered_start INTEGER,
  covered_end INTEGER,
  synced_ms INTEGER NOT NULL
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
  start_s INTEGER NOT NULL,
  end_s INTEGER NOT NULL
);
CREATE INDEX calendar_busy_by_calendar ON calendar_busy(calendar);
CREATE INDEX calendar_busy_by_interviewer ON calendar_busy(interviewer, end_s);
)sql",
};
static_assert(std::size(migrations) == SqliteStore::schema_version);

// Thrown inside this file for SQLite failures; turned into an error value by
// SqliteStore::Impl::guarded, the only catcher. `code` is the extended result code.
struct SqliteFailure : std::runtime_error {
  SqliteFailure(int code_, const std::string& what) : std::runtime_error(what), code(code_) {}
  int code;
};

// A prepared statement with positional binding. Prepared once with SQLITE_PREPARE_PERSISTENT
// and cached by its text (see Impl::sql): the store runs the same few dozen statements
// millions of times. Not thread-safe; used under the store's mutex.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &stmt_, nullptr) != SQLITE_OK) {
      throw SqliteFailure(sqlite3_errcode(db),
                          fmt::format("cannot prepare \"{}\": {}", sql, sqlite3_errmsg(db)));
    }
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Back to the start with no bindings. A statement left mid-way through its rows keeps its
  // read snapshot open, so every user resets it when done (and write_transaction resets all).
  Statement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    next_ = 1;
    return *this;
  }
  Statement& bind(std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, next_++, v));
    return *this;
  }
  // SQLITE_TRANSIENT: SQLite copies the text, so temporaries may be bound.
  Statement& bind(std::string_view v) {
    check(
        sqlite3_bind_text(stmt_, next_++, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind_null() {
    check(sqlite3_bind_null(stmt_, next_++));
    return *this;
  }
  template <class T>
  Statement& bind(const std::optional<T>& v) {
    return v ? bind(*v) : bind_null();
  }
  /// True while there is a row.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
      return true;
    if (rc == SQLITE_DONE)
      return false;
    throw SqliteFailure(rc, sqlite3_errmsg(db_));
  }
  void run() {
    while (step()) {
    }
  }
  // The cells of the current row (also what detail::read_outbox_row reads).
  [[nodiscard]] std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] bool is_null(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }
  [[nodiscard]] std::optional<std::int64_t> optional_integer(int col) const {
    return is_null(col) ? std::nullopt : std::optional(integer(col));
  }
  [[nodiscard]] std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  [[nodiscard]] std::optional<std::string> optional_text(int col) const {
    return is_null(col) ? std::nullopt : std::optional(text(col));
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK)
      throw SqliteFailure(rc, sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  int next_ = 1;
};

// What `guarded` says was being done when the store was opened: the one phase whose
// failures can be the caller's input (a path to a file that is not a database).
constexpr std::string_view opening = "opening";

}  // namespace

// Everything the public class hides. Its members run under `mutex`, taken by `guarded`;
// helpers that need it say so with a REQUIRES line.
struct SqliteStore::Impl {
  std::filesystem::path path;
  SqliteOptions options;
  sqlite3* db = nullptr;
  mutable std::mutex mutex;
  // Prepared statements by SQL text. REQUIRES: mutex held, for every use.
  mutable std::unordered_map<std::string, std::unique_ptr<Statement>> statements;

  class Transaction;

  ~Impl() {
    statements.clear();  // statements must be finalized before the connection closes
    if (db)
      sqlite3_close_v2(db);
  }

  // ---- The guarded call: one lock, one try/catch, one error mapping. ----------------------

  // Every public method runs through here: the store's one lock, and every SQLite failure
  // becomes an error value that says what was being done. Exceptions that are not SQLite's
  // (thrown by a host's Store::write work) propagate untouched, as the contract says.
  template <class Body>
  auto guarded(std::string_view during, Body&& body) const -> decltype(body()) {
    std::lock_guard lock(mutex);
    try {
      return body();
    } catch (const SqliteFailure& e) {
      reset_all();  // a statement that failed mid-way must not keep its snapshot
      return failure(e, during);
    }
  }

  // `guarded`, with `body` inside a write transaction: what every writing method uses.
  template <class Body>
  auto guarded_write(std::string_view during, Body&& body) const -> decltype(body()) {
    return guarded(during, [&] { return write_transaction(body); });
  }

  // The one mapping from a SQLite failure to our errors. Busy and locked mean another
  // process held the write lock past the busy timeout: a caller may simply try again.
  Error failure(const SqliteFailure& e, std::string_view during) const {
    const int primary = e.code & 0xFF;  // the primary code of an extended result code
    if (during == opening && (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT)) {
      return InvalidInput{
          fmt::format("{} is not a valid SQLite database: {}", path.string(), e.what())};
    }
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return Unavailable{
          fmt::format("database {} is busy ({}): {}", path.string(), during, e.what())};
    }
    return Unavailable{fmt::format("SQLite error on {} ({}): {}", path.string(), during, e.what())};
  }

  // ---- Transactions. ----------------------------------------------------------------------

  // REQUIRES: mutex held. Runs `body` in a write transaction that takes the write lock up
  // front (BEGIN IMMEDIATE; see the top of this file for why). Commits if `body` returns a
  // value, rolls back if it returns an error or throws.
  template <class Body>
  auto write_transaction(Body&& body) const -> decltype(body()) {
    exec("BEGIN IMMEDIATE");
    try {
      auto result = body();
      // Finish every statement first: a half-read SELECT would keep its snapshot open and
      // make COMMIT fail with SQLITE_BUSY.
      reset_all();
      if (result) {
        exec("COMMIT");
      } else {
        exec("ROLLBACK");
      }
      return result;
    } catch (...) {
      // SQLite may already have rolled back by itself (after SQLITE_FULL, for one); then a
      // second ROLLBACK would fail, so ask first.
      if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }

  // ---- Statements. ------------------------------------------------------------------------

  // REQUIRES: mutex held. The cached statement for `text`, reset and ready to bind.
  Statement& sql(std::string_view text) const {
    auto it = statements.find(std::string(text));
    if (it == statements.end()) {
      it = statements.emplace(std::string(text), std::make_unique<Statement>(db, text)).first;
    }
    return it->second->reset();
  }

  // REQUIRES: mutex held. Runs SQL without results (pragmas, transaction control, schema).
  void exec(const std::string& text) const {
    char* error = nullptr;
    if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : sqlite3_errmsg(db);
      sqlite3_free(error);
      throw SqliteFailure(sqlite3_errcode(db), message);
    }
  }

  // REQUIRES: mutex held.
  void reset_all() const {
    for (auto& [text, statement] : statements)
      statement->reset();
  }

  // ---- Shared reads and writes. -----------------------------------------------------------

  // REQUIRES: mutex held. One person's slots overlapping `window`, by start: the same
  // bounded index range scan as find_conflict. Calls `found(slot, interview)` for each.
  template <class Found>
  Result<void> each_busy(const std::string& person, const TimeRange& window, Found&& found) const {
    auto& s = sql(
        "SELECT interview_id, slot_start, slot_end FROM interview_people WHERE person = ? AND "
        "slot_start >= ? AND slot_start < ? AND slot_end > ? ORDER BY slot_start, interview_id");
    s.reset()
        .bind(person)
        .bind(seconds(window.start() - max_interview_length))
        .bind(seconds(window.end()))
        .bind(seconds(window.start()));
    while (s.step()) {
      auto range = detail::busy_range(s.integer(1), s.integer(2));
      if (!range) {
        s.reset();
        return range.error();
      }
      found(*range, InterviewId{static_cast<std::uint64_t>(s.integer(0))});
    }
    s.reset();
    return {};
  }

  // REQUIRES: mutex held. One interview by id, read by find() and by transactions.
  Result<Interview> load_interview(InterviewId id) const {
    auto& s = sql("SELECT body FROM interviews WHERE id = ?");
    s.bind(column(id));
    if (!s.step())
      return NotFound{id};
    auto interview = detail::decode_interview(s.text(0), id);
    s.reset();
    return interview;
  }

  // REQUIRES: mutex held, inside write_transaction after a fenced UPDATE of message `id`.
  // sqlite3_changes counts the rows that UPDATE changed.
  Result<bool> fenced_answer(OutboxId id) const {
    return detail::fenced_answer(id, sqlite3_changes(db) == 1, [&] {
      auto& s = sql("SELECT 1 FROM outbox WHERE id = ?");
      s.bind(column(id));
      const bool known = s.step();
      s.reset();
      return known;
    });
  }

  // REQUIRES: mutex held. The one place an action entry is written, inside or outside a
  // transaction. Invalid UTF-8 in the entry is replaced rather than refused: the log must
  // not lose an entry because a host put odd bytes into it.
  void insert_action(const ActionEntry& entry) const {
    auto& s =
        sql("INSERT INTO action_log (time_ms, action, interview_id, entry) VALUES (?, ?, ?, ?)");
    std::optional<std::int64_t> interview;
    if (entry.interview.is_set())
      interview = column(entry.interview);
    s.bind(millis(entry.time)).bind(to_string(entry.action)).bind(interview);
    s.bind(nlohmann::json(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    s.run();
  }

  // REQUIRES: mutex held, inside write_transaction. Appends `log` only when the fenced
  // update before it changed the message: a fenced-off outcome records nothing.
  Result<bool> log_if_changed(Result<bool> changed, std::span<const ActionEntry> log) const {
    if (!changed || !*changed)
      return changed;
    for (const auto& entry : log)
      insert_action(entry);
    return true;
  }

  // ---- Opening, in three steps. -----------------------------------------------------------

  // Step 1: the connection. NOMUTEX: our own mutex already serialises every use, so
  // SQLite's per-connection mutex would only cost time.
  Result<void> connect() {
    const int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      return Unavailable{fmt::format("cannot open SQLite database {}: {}", path.string(),
                                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc))};
    }
    return {};
  }

  // Step 2, REQUIRES: mutex held. Connection settings, which SQLite does not store in the
  // file and so must be set on every open.
  void configure() const {
    // Waits for another process's write lock instead of failing at once.
    sqlite3_busy_timeout(db, static_cast<int>(options.busy_timeout.count()));
    // Extended codes tell SQLITE_BUSY_SNAPSHOT and friends apart in error messages.
    sqlite3_extended_result_codes(db, 1);
    // WAL: readers never block the writer nor the writer them, and a commit is one append.
    // Reading the schema happens here too, so a file that is not a SQLite database fails
    // here, cleanly, before anything is written to it.
    exec("PRAGMA journal_mode = WAL");
    exec(options.synchronous == SqliteOptions::Synchronous::full ? "PRAGMA synchronous = FULL"
                                                                 : "PRAGMA synchronous = NORMAL");
    // Off by default in SQLite, per connection: the outbox and people tables rely on them.
    exec("PRAGMA foreign_keys = ON");
  }

  // Step 3, REQUIRES: mutex held. The schema migrations (see `migrations` for the story),
  // in one write transaction with the version they lead to.
  Result<void> migrate() const {
    return write_transaction([&]() -> Result<void> {
      auto& s = sql("PRAGMA user_version");
      s.step();
      const auto version = s.integer(0);
      s.reset();
      if (version > schema_version) {
        return InvalidInput{fmt::format(
            "SQLite database {} has schema version {}, newer than the {} this version of "
            "interviewkit supports; upgrade interviewkit to open it",
            path.string(), version, schema_version)};
      }
      for (auto v = version; v < schema_version; ++v) {
        exec(std::string(migrations[v]));
        exec(fmt::format("PRAGMA user_version = {}", v + 1));
      }
      return {};
    });
  }
};

// The operations of one write transaction. Lives only inside Impl::guarded_write, so every
// method here runs with the mutex held and BEGIN IMMEDIATE in force.
class SqliteStore::Impl::Transaction final : public StoreTransaction {
 public:
  explicit Transaction(const Impl& impl) : impl_(impl) {}

  Result<Interview> load(InterviewId id) override { return impl_.load_interview(id); }

  // The id comes from AUTOINCREMENT (never reused after a delete), and the body, which
  // carries the id, is written once the id is known.
  Result<InterviewId> insert(const Interview& interview) override {
    auto& s = impl_.sql(
        "INSERT INTO interviews (status, version, slot_start, slot_end, updated_ms, recipients, "
        "body) VALUES (?, ?, ?, ?, ?, ?, '{}')");
    bind_columns(s, interview).run();
    const InterviewId id{static_cast<std::uint64_t>(sqlite3_last_insert_rowid(impl_.db))};
    auto stored = interview;
    stored.id = id;
    auto& body = impl_.sql("UPDATE interviews SET body = ? WHERE id = ?");
    body.bind(nlohmann::json(stored).dump()).bind(column(id)).run();
    index(stored);
    return id;
  }

  Result<void> update(const Interview& interview) override {
    auto& s = impl_.sql(
        "UPDATE interviews SET status = ?, version = ?, slot_start = ?, slot_end = ?, "
        "updated_ms = ?, recipients = ?, body = ?, last_event = NULL, last_from = NULL "
        "WHERE id = ?");
    bind_columns(s, interview)
        .bind(nlohmann::json(interview).dump())
        .bind(column(interview.id))
        .run();
    if (sqlite3_changes(impl_.db) != 1)
      return NotFound{interview.id};
    index(interview);
    return {};
  }

  Result<void> record_transition(InterviewId interview,
                                 const RecordedTransition& transition) override {
    auto& s = impl_.sql("UPDATE interviews SET last_event = ?, last_from = ? WHERE id = ?");
    s.bind(to_string(transition.event)).bind(to_string(transition.from)).bind(column(interview));
    s.run();
    if (sqlite3_changes(impl_.db) != 1)
      return NotFound{interview};
    return {};
  }

  // Safe without per-person locks: BEGIN IMMEDIATE already made this the only writer.
  Result<std::optional<SlotConflict>> find_conflict(const Interview& interview,
                                                    const TimeRange& window) override {
    // Slots are at most max_interview_length long, so only rows starting that long before
    // the window can reach into it: the index range scan stays short.
    auto& s = impl_.sql(
        "SELECT interview_id FROM interview_people WHERE person = ? AND slot_start >= ? "
        "AND slot_start < ? AND slot_end > ? AND interview_id != ? LIMIT 1");
    const auto earliest = window.start() - max_interview_length;
    for (const auto& person : people_of(interview)) {
      s.reset()
          .bind(person)
          .bind(seconds(earliest))
          .bind(seconds(window.end()))
          .bind(seconds(window.start()))
          .bind(column(interview.id));
      if (s.step()) {
        return std::optional(
            SlotConflict{InterviewId{static_cast<std::uint64_t>(s.integer(0))}, person});
      }
    }
    return std::optional<SlotConflict>{};
  }

  // Ids, claims and leases are the store's: a new message is never claimed (claim 0).
  Result<std::vector<OutboxId>> enqueue(std::span<const OutboxMessage> messages) override {
    auto& s = impl_.sql(
        "INSERT INTO outbox (idempotency_key, interview_id, kind, channel, payload, "
        "message_token, due_ms, attempts, last_error, state, claimed_until_ms, created_ms, "
        "updated_ms, recipient, revision) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    std::vector<OutboxId> ids;
    for (const auto& given : messages) {
      const auto m = detail::with_keys(given);
      s.reset()
          .bind(m.idempotency_key)
          .bind(column(m.interview))
          .bind(to_string(m.kind))
          .bind(m.channel)
          .bind(m.payload.dump())
          .bind(m.message_token)
          .bind(millis(m.due))
          .bind(static_cast<std::int64_t>(m.attempts))
          .bind(m.last_error)
          .bind(to_string(m.state))
          .bind_null()
          .bind(millis(m.created_at))
          .bind(millis(m.updated_at))
          .bind(m.recipient)
          .bind(static_cast<std::int64_t>(m.revision))
          .run();
      ids.emplace_back(static_cast<std::uint64_t>(sqlite3_last_insert_rowid(impl_.db)));
    }
    return ids;
  }

  // Read the rows in id order, then expire them one by one, under the same write lock
  // (UPDATE ... RETURNING needs SQLite 3.35 and promises no order).
  Result<std::vector<OutboxMessage>> supersede(InterviewId interview, NotificationKind kind,
                                               const std::string& reason, UtcMillis now) override {
    auto& select =
        impl_.sql(fmt::format("SELECT {} FROM outbox WHERE interview_id = ? AND "
                              "kind = ? AND state IN ('pending', 'dead') ORDER BY id",
                              detail::outbox_columns));
    select.bind(column(interview)).bind(to_string(kind));
    std::vector<OutboxMessage> superseded;
    while (select.step())
      superseded.push_back(detail::read_outbox_row(select));
    auto& update = impl_.sql(
        "UPDATE outbox SET state = 'expired', last_error = ?, claimed_until_ms = NULL, "
        "updated_ms = ? WHERE id = ?");
    for (auto& m : superseded) {
      update.reset().bind(reason).bind(millis(now)).bind(column(m.id)).run();
      detail::mark_superseded(m, reason, now);
    }
    return superseded;
  }

  // No lock needed for a concurrent request with the same key: BEGIN IMMEDIATE already
  // makes it wait for this transaction to end, and it then sees the record.
  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& key) override {
    auto& s = impl_.sql("SELECT request, result FROM idempotency WHERE key = ?");
    s.bind(key);
    if (!s.step())
      return std::optional<IdempotencyRecord>{};
    auto result = detail::decode_interview(s.text(1), InterviewId{});
    if (!result)
      return result.error();
    return std::optional(IdempotencyRecord{key, s.text(0), std::move(*result)});
  }

  // A plain INSERT: the key's uniqueness makes a second record for it an error.
  Result<void> save_idempotency(const IdempotencyRecord& record) override {
    auto& s = impl_.sql("INSERT INTO idempotency (key, request, result) VALUES (?, ?, ?)");
    s.bind(record.key).bind(record.request).bind(nlohmann::json(record.result).dump()).run();
    return {};
  }

  Result<void> append_action(const ActionEntry& entry) override {
    impl_.insert_action(entry);
    return {};
  }

 private:
  // The columns queries filter on, kept next to the JSON body that is the interview itself.
  static Statement& bind_columns(Statement& s, const Interview& interview) {
    s.bind(to_string(interview.status)).bind(static_cast<std::int64_t>(interview.version));
    if (interview.slot) {
      s.bind(seconds(interview.slot->start())).bind(seconds(interview.slot->end()));
    } else {
      s.bind_null().bind_null();
    }
    return s.bind(millis(UtcMillis{interview.updated_at})).bind(detail::join_recipients(interview));
  }

  // Keeps the conflict index in step with the interview: one row per person while it holds
  // a slot, none otherwise. (PostgreSQL does the same, see people_statements there.)
  void index(const Interview& interview) {
    auto& clear = impl_.sql("DELETE FROM interview_people WHERE interview_id = ?");
    clear.bind(column(interview.id)).run();
    if (!holds_slot(interview.status) || !interview.slot)
      return;
    auto& add = impl_.sql(
        "INSERT INTO interview_people (person, interview_id, slot_start, slot_end) "
        "VALUES (?, ?, ?, ?)");
    for (const auto& person : people_of(interview)) {
      add.reset()
          .bind(person)
          .bind(column(interview.id))
          .bind(seconds(interview.slot->start()))
          .bind(seconds(interview.slot->end()))
          .run();
    }
  }

  const Impl& impl_;
};

// ---- Opening. ------------------------------------------------------------------------------

namespace {

// What is wrong with `path` as a database file, told apart from a database that exists but
// cannot be opened (Unavailable): the caller's own input, which no retry will fix. SQLite
// creates the file, never the directory it goes in.
std::optional<std::string> path_problem(const std::filesystem::path& path) {
  if (path.empty())
    return "the SQLite database path is empty";
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    return fmt::format("the SQLite database path {} is a directory, not a file", path.string());
  const auto parent = path.parent_path();
  if (parent.empty())
    return std::nullopt;  // the working directory, or ":memory:"
  if (!std::filesystem::exists(parent, ec)) {
    return fmt::format("the directory of SQLite database {} does not exist (it is not created)",
                       path.string());
  }
  if (!std::filesystem::is_directory(parent, ec))
    return fmt::format("{} is not a directory, so it cannot hold SQLite database {}",
                       parent.string(), path.string());
  return std::nullopt;
}

}  // namespace

Result<std::shared_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& path,
                                                       SqliteOptions options) {
  if (auto problem = path_problem(path))
    return InvalidInput{*problem};
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  if (auto connected = impl->connect(); !connected)
    return connected.error();
  auto ready = impl->guarded(opening, [&] {
    impl->configure();
    return impl->migrate();
  });
  if (!ready)
    return ready.error();
  return std::shared_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

// ---- Interviews. ---------------------------------------------------------------------------

Result<void> SqliteStore::write(const Work& work) {
  return impl_->guarded_write("write transaction", [&] {
    Impl::Transaction tx(*impl_);
    return work(tx);
  });
}

Result<Interview> SqliteStore::find(InterviewId id) const {
  return impl_->guarded("find", [&] { return impl_->load_interview(id); });
}

Result<std::vector<BusyInterval>> SqliteStore::busy_intervals(
    std::span<const InterviewerId> interviewers, const TimeRange& window) const {
  return impl_->guarded("reading busy intervals", [&]() -> Result<std::vector<BusyInterval>> {
    std::vector<BusyInterval> busy;
    for (const auto& interviewer : interviewers) {
      auto read = impl_->each_busy(person_key(interviewer), window,
                                   [&](const TimeRange& slot, InterviewId id) {
                                     busy.push_back(BusyInterval{interviewer, slot, id});
                                   });
      if (!read)
        return read.error();
    }
    return busy;
  });
}

Result<std::vector<CandidateBusyInterval>> SqliteStore::candidate_busy_intervals(
    const CandidateId& candidate, const TimeRange& window) const {
  return impl_->guarded(
      "reading busy intervals", [&]() -> Result<std::vector<CandidateBusyInterval>> {
        std::vector<CandidateBusyInterval> busy;
        auto read = impl_->each_busy(person_key(candidate), window,
                                     [&](const TimeRange& slot, InterviewId id) {
                                       busy.push_back(CandidateBusyInterval{slot, id});
                                     });
        if (!read)
          return read.error();
        return busy;
      });
}

// ---- The outbox. ---------------------------------------------------------------------------

// Select, then update each row, under one write lock: no other process can claim the same
// rows in between, which is what SKIP LOCKED gives PostgreSQL. A message queued behind an
// earlier one of its lane is passed over (detail::waits_behind).
Result<std::vector<OutboxMessage>> SqliteStore::claim_due(UtcMillis now, std::size_t limit,
                                                          std::chrono::milliseconds lease) {
  return impl_->guarded_write(
      "claiming outbox messages", [&]() -> Result<std::vector<OutboxMessage>> {
        auto& select = impl_->sql(
            fmt::format("SELECT {} FROM outbox o WHERE o.state = 'pending' AND o.due_ms <= ? AND "
                        "(o.claimed_until_ms IS NULL OR o.claimed_until_ms <= ?) AND {} "
                        "ORDER BY o.due_ms, o.id LIMIT ?",
                        detail::outbox_columns,
                        detail::lane_free_sql("outbox e INDEXED BY outbox_by_interview")));
        select.bind(millis(now)).bind(millis(now)).bind(static_cast<std::int64_t>(limit));
        std::vector<OutboxMessage> claimed;
        while (select.step())
          claimed.push_back(detail::read_outbox_row(select));
        select.reset();
        // The same change as detail::mark_claimed, which updates the copies returned.
        auto& update = impl_->sql(
            "UPDATE outbox SET claimed_until_ms = ?, attempts = attempts + 1, claim = claim + 1, "
            "unfinished_claims = unfinished_claims + 1, updated_ms = ?, "
            "first_attempt_ms = COALESCE(first_attempt_ms, ?) WHERE id = ?");
        for (auto& m : claimed) {
          detail::mark_claimed(m, now, lease);
          update.reset().bind(millis(*m.claimed_until)).bind(millis(now)).bind(millis(now));
          update.bind(column(m.id)).run();
        }
        return claimed;
      });
}

// The fenced updates below all match on `state = 'pending' AND claim = ?`: the claim number
// is the fencing token, so a worker whose lease ran out and was taken over changes nothing.

Result<bool> SqliteStore::renew(OutboxId id, std::uint64_t claim, UtcMillis until, UtcMillis now) {
  return impl_->guarded_write("renewing a lease", [&] {
    auto& s = impl_->sql(
        "UPDATE outbox SET claimed_until_ms = ?, updated_ms = ? "
        "WHERE id = ? AND state = 'pending' AND claim = ?");
    s.bind(millis(until)).bind(millis(now)).bind(column(id));
    s.bind(static_cast<std::int64_t>(claim)).run();
    return impl_->fenced_answer(id);
  });
}

// Undoes what the claim counted (an attempt, an unfinished claim, the first-attempt time if
// it was the first) but not the claim number itself: the fencing token never goes back.
Result<bool> SqliteStore::release(OutboxId id, std::uint64_t claim, UtcMillis now) {
  return impl_->guarded_write("releasing a claim", [&] {
    auto& s = impl_->sql(
        "UPDATE outbox SET claimed_until_ms = NULL, updated_ms = ?, "
        "first_attempt_ms = CASE WHEN attempts <= 1 THEN NULL ELSE first_attempt_ms END, "
        "attempts = MAX(attempts - 1, 0), unfinished_claims = MAX(unfinished_claims - 1, 0) "
        "WHERE id = ? AND state = 'pending' AND claim = ?");
    s.bind(millis(now)).bind(column(id)).bind(static_cast<std::int64_t>(claim)).run();
    return impl_->fenced_answer(id);
  });
}

// The outcome and its log entries commit together, or neither does: a crash in between
// cannot leave a delivered message without its record, nor a record of a fenced-off outcome.
Result<bool> SqliteStore::complete(OutboxId id, std::uint64_t claim,
                                   const OutboxCompletion& completion, UtcMillis now) {
  return impl_->guarded_write("completing an outbox message", [&] {
    auto& s = impl_->sql(
        "UPDATE outbox SET state = ?, last_error = ?, claimed_until_ms = NULL, updated_ms = ?, "
        "unfinished_claims = 0, due_ms = COALESCE(?, due_ms) "
        "WHERE id = ? AND state = 'pending' AND claim = ?");
    std::optional<std::int64_t> due;  // only a retry moves the due time
    if (completion.state == OutboxState::pending)
      due = millis(completion.next_due.value_or(now));
    s.bind(to_string(completion.state)).bind(completion.error).bind(millis(now)).bind(due);
    s.bind(column(id)).bind(static_cast<std::int64_t>(claim)).run();
    return impl_->log_if_changed(impl_->fenced_answer(id), completion.log);
  });
}

Result<std::optional<OutboxMessage>> SqliteStore::find_outbox(OutboxId id) const {
  return impl_->guarded("reading an outbox message", [&]() -> Result<std::optional<OutboxMessage>> {
    auto& s = impl_->sql(fmt::format("SELECT {} FROM outbox WHERE id = ?", detail::outbox_columns));
    s.bind(column(id));
    std::optional<OutboxMessage> out;
    if (s.step())
      out = detail::read_outbox_row(s);
    s.reset();
    return out;
  });
}

// OutboxQuery's filters (detail::matches) as SQL. An unset filter is bound as NULL, and
// `?1 IS NULL OR ...` lets one prepared statement serve every combination of filters.
constexpr std::string_view outbox_filters =
    "(?1 IS NULL OR state = ?1) AND (?2 IS NULL OR interview_id = ?2) AND "
    "(?3 IS NULL OR kind = ?3) AND (?4 IS NULL OR recipient = ?4) AND "
    "(?5 IS NULL OR channel = ?5) AND (?6 IS NULL OR due_ms < ?6)";

Statement& bind_filters(Statement& s, const OutboxQuery& q) {
  return s.bind(nullable(q.state))
      .bind(nullable(q.interview))
      .bind(nullable(q.kind))
      .bind(q.recipient)
      .bind(q.channel)
      .bind(nullable(q.due_before));
}

Result<std::vector<OutboxMessage>> SqliteStore::list_outbox(const OutboxQuery& query) const {
  if (auto ok = detail::check_page(query); !ok)
    return ok.error();
  return impl_->guarded("listing the outbox", [&]() -> Result<std::vector<OutboxMessage>> {
    auto& s =
        impl_->sql(fmt::format("SELECT {} FROM outbox WHERE {} AND id > ?7 ORDER BY id "
                               "LIMIT ?8",
                               detail::outbox_columns, outbox_filters));
    bind_filters(s, query).bind(column(query.after)).bind(static_cast<std::int64_t>(query.limit));
    std::vector<OutboxMessage> out;
    while (s.step())
      out.push_back(detail::read_outbox_row(s));
    s.reset();
    return out;
  });
}

Result<OutboxCounts> SqliteStore::count_outbox(const OutboxQuery& query) const {
  return impl_->guarded("counting the outbox", [&]() -> Result<OutboxCounts> {
    auto& s = impl_->sql(fmt::format(
        "SELECT state, count(*), min(due_ms) FROM outbox WHERE {} GROUP BY state", outbox_filters));
    bind_filters(s, query);
    OutboxCounts counts;
    while (s.step())
      detail::add_counts(counts, s.text(0), s.integer(1), s.optional_integer(2));
    s.reset();
    return counts;
  });
}

// Two reads under one lock (one snapshot: no writer can run between them): the interviews,
// each with its delivered count from the (interview_id, revision) index, then the other
// messages of their current revisions.
Result<std::vector<RevisionDigest>> SqliteStore::revisions(const RevisionQuery& query) const {
  return impl_->guarded("reading revisions", [&]() -> Result<std::vector<RevisionDigest>> {
    const auto [since, until] = detail::change_bounds(query);
    const auto where = query.interview ? "i.id = ?3" : "i.updated_ms >= ?1 AND i.updated_ms < ?2";
    auto& s = impl_->sql(
        fmt::format("SELECT {}, {} FROM interviews i WHERE {} AND "
                    "(?3 IS NULL OR i.id = ?3) AND i.updated_ms >= ?1 AND i.updated_ms < ?2 "
                    "ORDER BY i.updated_ms, i.id",
                    detail::revision_columns, detail::delivered_count(query), where));
    s.bind(since).bind(until).bind(nullable(query.interview));
    std::vector<RevisionDigest> out;
    while (s.step()) {
      auto digest = detail::read_revision_row(s);
      if (!digest)
        return digest.error();
      out.push_back(std::move(*digest));
    }
    auto& m = impl_->sql(fmt::format(
        "SELECT {} FROM outbox o JOIN interviews i ON {} WHERE {} AND (?3 IS NULL OR i.id = ?3) "
        "AND i.updated_ms >= ?1 AND i.updated_ms < ?2 AND (?4 OR o.state != 'delivered') "
        "ORDER BY o.interview_id, o.id",
        detail::digest_columns, detail::digest_join, where));
    m.bind(since).bind(until).bind(nullable(query.interview));
    m.bind(static_cast<std::int64_t>(query.with_delivered));
    std::vector<std::pair<InterviewId, OutboxDigest>> messages;
    while (m.step()) {
      auto row = detail::read_digest_row(m);
      if (!row)
        return row.error();
      messages.push_back(std::move(*row));
    }
    detail::attach(out, std::move(messages), query.with_delivered);
    return out;
  });
}

Result<PurgeResult> SqliteStore::purge(const PurgeRequest& request,
                                       std::span<const ActionEntry> log) {
  return impl_->guarded_write("purging", [&]() -> Result<PurgeResult> {
    PurgeResult result;
    if (request.delivered_before) {
      auto& s = impl_->sql(
          "DELETE FROM outbox WHERE state IN ('delivered', 'expired') AND updated_ms < ?");
      s.bind(millis(*request.delivered_before)).run();
      result.messages = static_cast<std::uint64_t>(sqlite3_changes(impl_->db));
      auto& cutoff = impl_->sql("INSERT INTO retention (purged_before_ms) VALUES (?)");
      cutoff.bind(millis(*request.delivered_before)).run();
    }
    if (request.log_before) {
      auto& s = impl_->sql("DELETE FROM action_log WHERE time_ms < ?");
      s.bind(millis(*request.log_before)).run();
      result.log_entries = static_cast<std::uint64_t>(sqlite3_changes(impl_->db));
    }
    for (const auto& entry : log)
      impl_->insert_action(entry);
    return result;
  });
}

Result<std::optional<UtcMillis>> SqliteStore::purged_before() const {
  return impl_->guarded("reading the retention cutoff", [&]() -> Result<std::optional<UtcMillis>> {
    auto& s = impl_->sql("SELECT max(purged_before_ms) FROM retention");
    s.step();
    const auto cutoff = s.optional_integer(0);
    s.reset();
    return cutoff ? std::optional(from_millis(*cutoff)) : std::nullopt;
  });
}

// A new round of attempts (attempts, unfinished claims and the retry horizon reset) under
// the same, ever-growing claim number; fenced on `state = 'dead'` so it happens once.
Result<bool> SqliteStore::requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) {
  return impl_->guarded_write("requeueing", [&] {
    auto& s = impl_->sql(
        "UPDATE outbox SET state = 'pending', attempts = 0, unfinished_claims = 0, due_ms = ?, "
        "claimed_until_ms = NULL, first_attempt_ms = NULL, updated_ms = ? "
        "WHERE id = ? AND state = 'dead'");
    s.bind(millis(now)).bind(millis(now)).bind(column(id)).run();
    return impl_->log_if_changed(impl_->fenced_answer(id), log);
  });
}

// A leased message becomes claimable when its lease ends, not when it was due.
Result<std::optional<UtcMillis>> SqliteStore::next_due() const {
  return impl_->guarded("next due time", [&]() -> Result<std::optional<UtcMillis>> {
    auto& s = impl_->sql(
        "SELECT MIN(MAX(due_ms, COALESCE(claimed_until_ms, 0))) FROM outbox "
        "WHERE state = 'pending'");
    s.step();
    std::optional<UtcMillis> due;
    if (!s.is_null(0))
      due = from_millis(s.integer(0));
    s.reset();
    return due;
  });
}

// ---- The action log (ActionStore). ---------------------------------------------------------

Result<void> SqliteStore::append_action(const ActionEntry& entry) {
  return impl_->guarded("appending to the action log", [&]() -> Result<void> {
    impl_->insert_action(entry);
    return {};
  });
}

// ActionQuery::matches in SQL. An entry without an interview is stored with a NULL
// interview_id; a query for the unset id (0) finds exactly those, as matches() does.
Result<std::vector<ActionEntry>> SqliteStore::query_actions(const ActionQuery& query) const {
  return impl_->guarded("querying the action log", [&]() -> Result<std::vector<ActionEntry>> {
    auto& s = impl_->sql(
        "SELECT entry FROM action_log WHERE (?1 IS NULL OR action = ?1) AND "
        "(?2 IS NULL OR interview_id = ?2 OR (?2 = 0 AND interview_id IS NULL)) AND "
        "(?3 IS NULL OR time_ms >= ?3) AND (?4 IS NULL OR time_ms < ?4) ORDER BY id");
    s.bind(nullable(query.action)).bind(nullable(query.interview));
    s.bind(nullable(query.since)).bind(nullable(query.until));
    std::vector<ActionEntry> out;
    while (s.step()) {
      auto entry = detail::decode_action_entry(s.text(0));
      if (!entry) {
        s.reset();
        return entry.error();
      }
      out.push_back(std::move(*entry));
    }
    s.reset();
    return out;
  });
}

Result<std::string> SqliteStore::integrity_check() const {
  return impl_->guarded("integrity check", [&]() -> Result<std::string> {
    auto& s = impl_->sql("PRAGMA integrity_check");
    std::string out;
    while (s.step()) {
      if (!out.empty())
        out += '\n';
      out += s.text(0);
    }
    return out;
  });
}

// ---- External calendars. -------------------------------------------------------------------

Result<std::optional<CachedCalendar>> SqliteStore::load_calendar(const std::string& key) const {
  return impl_->guarded(
      "reading a cached calendar", [&]() -> Result<std::optional<CachedCalendar>> {
        auto& head = impl_->sql(
            "SELECT interviewer, sync_token, ctag, time_zone, covered_start, covered_end, "
            "synced_ms "
            "FROM calendars WHERE key = ?");
        head.bind(key);
        if (!head.step()) {
          head.reset();
          return std::optional<CachedCalendar>{};
        }
        auto interviewer = InterviewerId::make(head.text(0));
        if (!interviewer) {
          head.reset();
          return interviewer.error();
        }
        CachedCalendar c{.key = key, .interviewer = *interviewer};
        c.sync_token = head.text(1);
        c.ctag = head.text(2);
        c.time_zone = head.text(3);
        if (!head.is_null(4) && !head.is_null(5))
          if (auto covered =
                  TimeRange::make(from_seconds(head.integer(4)), from_seconds(head.integer(5))))
            c.covered = *covered;
        c.synced_at = from_millis(head.integer(6));
        head.reset();
        auto& resources = impl_->sql(
            "SELECT href, etag, ics FROM calendar_resources "
            "WHERE calendar = ? ORDER BY href");
        resources.bind(key);
        while (resources.step())
          c.resources.push_back({resources.text(0), resources.text(1), resources.text(2)});
        resources.reset();
        auto& busy = impl_->sql(
            "SELECT start_s, end_s FROM calendar_busy WHERE calendar = ? ORDER BY start_s, end_s");
        busy.bind(key);
        while (busy.step()) {
          if (auto r =
                  TimeRange::make(from_seconds(busy.integer(0)), from_seconds(busy.integer(1))))
            c.busy.push_back(*r);
        }
        busy.reset();
        return std::optional(std::move(c));
      });
}

// The calendar's rows are replaced whole, in one transaction.
Result<void> SqliteStore::save_calendar(const CachedCalendar& calendar) {
  if (auto problem = detail::calendar_problem(calendar))
    return *problem;
  const auto c = detail::normalised(calendar);
  return impl_->guarded_write("saving a cached calendar", [&]() -> Result<void> {
    for (const auto* table : {"calendar_busy", "calendar_resources"}) {
      auto& clear = impl_->sql(fmt::format("DELETE FROM {} WHERE calendar = ?", table));
      clear.bind(c.key).run();
    }
    auto& head = impl_->sql(
        "INSERT OR REPLACE INTO calendars (key, interviewer, sync_token, ctag, time_zone, "
        "covered_start, covered_end, synced_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    head.bind(c.key).bind(c.interviewer.str()).bind(c.sync_token).bind(c.ctag).bind(c.time_zone);
    if (c.covered)
      head.bind(seconds(c.covered->start())).bind(seconds(c.covered->end()));
    else
      head.bind_null().bind_null();
    head.bind(millis(c.synced_at)).run();
    auto& resource = impl_->sql(
        "INSERT INTO calendar_resources (calendar, href, etag, ics) VALUES (?, ?, ?, ?)");
    for (const auto& r : c.resources) {
      resource.bind(c.key).bind(r.href).bind(r.etag).bind(r.ics).run();
      resource.reset();
    }
    auto& busy = impl_->sql(
        "INSERT INTO calendar_busy (calendar, interviewer, start_s, end_s) VALUES (?, ?, ?, ?)");
    for (const auto& b : c.busy) {
      busy.bind(c.key).bind(c.interviewer.str()).bind(seconds(b.start())).bind(seconds(b.end()));
      busy.run();
      busy.reset();
    }
    return {};
  });
}

Result<std::vector<TimeRange>> SqliteStore::calendar_busy(const InterviewerId& interviewer,
                                                          const TimeRange& window) const {
  return impl_->guarded("reading calendar busy time", [&]() -> Result<std::vector<TimeRange>> {
    auto& s = impl_->sql(
        "SELECT start_s, end_s FROM calendar_busy WHERE interviewer = ? AND end_s > ? AND "
        "start_s < ? ORDER BY start_s, end_s");
    s.bind(interviewer.str()).bind(seconds(window.start())).bind(seconds(window.end()));
    std::vector<TimeRange> out;
    while (s.step()) {
      if (auto r = TimeRange::make(from_seconds(s.integer(0)), from_seconds(s.integer(1))))
        out.push_back(*r);
    }
    s.reset();
    return out;
  });
}

}  // namespace interviewkit
