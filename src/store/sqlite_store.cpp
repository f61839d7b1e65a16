#include <mutex>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <interviewkit/store/sqlite_store.hpp>

#include "store_detail.hpp"

namespace interviewkit {

using detail::from_millis;
using detail::millis;
using detail::people_of;
using detail::seconds;

namespace {

// Schema migrations, applied in order; migration i brings user_version from i to i + 1.
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
};
static_assert(std::size(migrations) == SqliteStore::schema_version);

// Thrown inside the store for SQLite failures; turned into an error value at the API edge.
struct SqliteFailure : std::runtime_error {
  SqliteFailure(int code_, const std::string& what) : std::runtime_error(what), code(code_) {}
  int code;
};

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
  [[nodiscard]] std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  [[nodiscard]] bool is_null(int col) const {
    return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
  }
  [[nodiscard]] std::string text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
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

// Never throws: a row this version cannot decode comes back with `unreadable` set, so one
// bad row cannot stop the delivery of the others.
constexpr const char* outbox_columns =
    "id, idempotency_key, interview_id, kind, channel, payload, message_token, due_ms, attempts, "
    "last_error, state, claimed_until_ms, created_ms, updated_ms, claim, unfinished_claims, "
    "first_attempt_ms";

OutboxMessage read_outbox(const Statement& s) {
  detail::OutboxRow row{
      .id = s.integer(0),
      .idempotency_key = s.text(1),
      .interview = s.integer(2),
      .kind = s.text(3),
      .channel = s.text(4),
      .payload = s.text(5),
      .message_token = s.text(6),
      .due_ms = s.integer(7),
      .attempts = s.integer(8),
      .last_error = s.text(9),
      .state = s.text(10),
      .claimed_until_ms = s.is_null(11) ? std::nullopt : std::optional(s.integer(11)),
      .created_ms = s.integer(12),
      .updated_ms = s.integer(13),
      .claim = s.integer(14),
      .unfinished_claims = s.integer(15),
      .first_attempt_ms = s.is_null(16) ? std::nullopt : std::optional(s.integer(16)),
  };
  return detail::decode_outbox_row(row);
}

// Decodes a stored interview without throwing.
Result<Interview> read_interview(const std::string& body, InterviewId id) {
  return detail::decode_interview(body, id);
}

}  // namespace

struct SqliteStore::Impl {
  std::filesystem::path path;
  SqliteOptions options;
  sqlite3* db = nullptr;
  mutable std::mutex mutex;
  mutable std::unordered_map<std::string, std::unique_ptr<Statement>> statements;

  ~Impl() {
    statements.clear();
    if (db)
      sqlite3_close_v2(db);
  }

  Statement& sql(std::string_view text) const {
    auto it = statements.find(std::string(text));
    if (it == statements.end()) {
      it = statements.emplace(std::string(text), std::make_unique<Statement>(db, text)).first;
    }
    return it->second->reset();
  }

  void exec(const std::string& text) const {
    char* error = nullptr;
    if (sqlite3_exec(db, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error ? error : sqlite3_errmsg(db);
      sqlite3_free(error);
      throw SqliteFailure(sqlite3_errcode(db), message);
    }
  }

  Error failure(const SqliteFailure& e, std::string_view during) const {
    const int primary = e.code & 0xFF;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
      return Unavailable{
          fmt::format("database {} is busy ({}): {}", path.string(), during, e.what())};
    }
    return Unavailable{fmt::format("SQLite error on {} ({}): {}", path.string(), during, e.what())};
  }

  // The answer of a fenced UPDATE of message `id`: true if it changed the row; false if
  // the message exists but was not in the state or claim the caller expected; InvalidInput
  // if there is no such message (the answer every store gives).
  Result<bool> changed(OutboxId id) const {
    if (sqlite3_changes(db) == 1)
      return true;
    auto& s = sql("SELECT 1 FROM outbox WHERE id = ?");
    s.bind(static_cast<std::int64_t>(id.value()));
    const bool known = s.step();
    s.reset();
    if (!known)
      return InvalidInput{fmt::format("no outbox message {}", id)};
    return false;
  }

  // The one place an action entry is written, inside or outside a transaction.
  void insert_action(const ActionEntry& entry) const {
    auto& s =
        sql("INSERT INTO action_log (time_ms, action, interview_id, entry) VALUES (?, ?, ?, ?)");
    std::optional<std::int64_t> interview;
    if (entry.interview.is_set())
      interview = static_cast<std::int64_t>(entry.interview.value());
    s.bind(millis(entry.time)).bind(to_string(entry.action)).bind(interview);
    s.bind(nlohmann::json(entry).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    s.run();
  }

  // Every public method runs through here: one lock, and every SQLite failure becomes an
  // error value that says what was being done.
  template <class Body>
  auto guarded(std::string_view during, Body&& body) const -> decltype(body()) {
    std::lock_guard lock(mutex);
    try {
      return body();
    } catch (const SqliteFailure& e) {
      for (auto& [text, statement] : statements)
        statement->reset();
      return failure(e, during);
    }
  }

  // Runs `body` in a write transaction that takes the write lock up front: a transaction
  // that read first and wrote later could fail with SQLITE_BUSY_SNAPSHOT, which the busy
  // timeout does not cover.
  template <class Body>
  auto immediate(Body&& body) const -> decltype(body()) {
    exec("BEGIN IMMEDIATE");
    try {
      auto result = body();
      // Finish every statement first: a half-read SELECT would keep its snapshot open.
      for (auto& [text, statement] : statements)
        statement->reset();
      if (result) {
        exec("COMMIT");
      } else {
        exec("ROLLBACK");
      }
      return result;
    } catch (...) {
      if (!sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
      throw;
    }
  }
};

namespace {

class SqliteTransaction final : public StoreTransaction {
 public:
  explicit SqliteTransaction(const SqliteStore::Impl& impl) : impl_(impl) {}

  Result<Interview> load(InterviewId id) override {
    auto& s = impl_.sql("SELECT body FROM interviews WHERE id = ?");
    s.bind(static_cast<std::int64_t>(id.value()));
    if (!s.step())
      return NotFound{id};
    return read_interview(s.text(0), id);
  }

  Result<InterviewId> insert(const Interview& interview) override {
    auto& s = impl_.sql(
        "INSERT INTO interviews (status, version, slot_start, slot_end, body) "
        "VALUES (?, ?, ?, ?, '{}')");
    bind_columns(s, interview).run();
    const InterviewId id{static_cast<std::uint64_t>(sqlite3_last_insert_rowid(db()))};
    auto stored = interview;
    stored.id = id;
    auto& body = impl_.sql("UPDATE interviews SET body = ? WHERE id = ?");
    body.bind(nlohmann::json(stored).dump()).bind(static_cast<std::int64_t>(id.value())).run();
    index(stored);
    return id;
  }

  Result<void> update(const Interview& interview) override {
    auto& s = impl_.sql(
        "UPDATE interviews SET status = ?, version = ?, slot_start = ?, slot_end = ?, body = ? "
        "WHERE id = ?");
    bind_columns(s, interview)
        .bind(nlohmann::json(interview).dump())
        .bind(static_cast<std::int64_t>(interview.id.value()))
        .run();
    if (sqlite3_changes(db()) != 1)
      return NotFound{interview.id};
    index(interview);
    return {};
  }

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
          .bind(static_cast<std::int64_t>(interview.id.value()));
      if (s.step()) {
        return std::optional(
            SlotConflict{InterviewId{static_cast<std::uint64_t>(s.integer(0))}, person});
      }
    }
    return std::optional<SlotConflict>{};
  }

  Result<void> enqueue(std::span<const OutboxMessage> messages) override {
    auto& s = impl_.sql(
        "INSERT INTO outbox (idempotency_key, interview_id, kind, channel, payload, "
        "message_token, due_ms, attempts, last_error, state, claimed_until_ms, created_ms, "
        "updated_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& m : messages) {
      s.reset()
          .bind(m.idempotency_key)
          .bind(static_cast<std::int64_t>(m.interview.value()))
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
          .run();
    }
    return {};
  }

  Result<std::vector<OutboxMessage>> supersede(InterviewId interview, NotificationKind kind,
                                               const std::string& reason, UtcMillis now) override {
    auto& select =
        impl_.sql(fmt::format("SELECT {} FROM outbox WHERE interview_id = ? AND "
                              "kind = ? AND state IN ('pending', 'dead') ORDER BY id",
                              outbox_columns));
    select.bind(static_cast<std::int64_t>(interview.value())).bind(to_string(kind));
    std::vector<OutboxMessage> superseded;
    while (select.step())
      superseded.push_back(read_outbox(select));
    auto& update = impl_.sql(
        "UPDATE outbox SET state = 'expired', last_error = ?, claimed_until_ms = NULL, "
        "updated_ms = ? WHERE id = ?");
    for (auto& m : superseded) {
      update.reset().bind(reason).bind(millis(now)).bind(static_cast<std::int64_t>(m.id.value()));
      update.run();
      m.state = OutboxState::expired;
      m.last_error = reason;
      m.claimed_until.reset();
      m.updated_at = now;
    }
    return superseded;
  }

  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& key) override {
    auto& s = impl_.sql("SELECT request, result FROM idempotency WHERE key = ?");
    s.bind(key);
    if (!s.step())
      return std::optional<IdempotencyRecord>{};
    auto result = read_interview(s.text(1), InterviewId{});
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
  sqlite3* db() const { return impl_.db; }

  static Statement& bind_columns(Statement& s, const Interview& interview) {
    s.bind(to_string(interview.status)).bind(static_cast<std::int64_t>(interview.version));
    if (interview.slot) {
      s.bind(seconds(interview.slot->start())).bind(seconds(interview.slot->end()));
    } else {
      s.bind_null().bind_null();
    }
    return s;
  }

  void index(const Interview& interview) {
    auto& clear = impl_.sql("DELETE FROM interview_people WHERE interview_id = ?");
    clear.bind(static_cast<std::int64_t>(interview.id.value())).run();
    if (!holds_slot(interview.status) || !interview.slot)
      return;
    auto& add = impl_.sql(
        "INSERT INTO interview_people (person, interview_id, slot_start, slot_end) "
        "VALUES (?, ?, ?, ?)");
    for (const auto& person : people_of(interview)) {
      add.reset()
          .bind(person)
          .bind(static_cast<std::int64_t>(interview.id.value()))
          .bind(seconds(interview.slot->start()))
          .bind(seconds(interview.slot->end()))
          .run();
    }
  }

  const SqliteStore::Impl& impl_;
};

}  // namespace

Result<std::shared_ptr<SqliteStore>> SqliteStore::open(const std::filesystem::path& path,
                                                       SqliteOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->options = options;
  const int rc =
      sqlite3_open_v2(path.c_str(), &impl->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    return Unavailable{fmt::format("cannot open SQLite database {}: {}", path.string(),
                                   impl->db ? sqlite3_errmsg(impl->db) : sqlite3_errstr(rc))};
  }
  try {
    sqlite3_busy_timeout(impl->db, static_cast<int>(options.busy_timeout.count()));
    sqlite3_extended_result_codes(impl->db, 1);
    // Reading the schema fails here, cleanly, for a file that is not a SQLite database.
    impl->exec("PRAGMA journal_mode = WAL");
    impl->exec(options.synchronous == SqliteOptions::Synchronous::full
                   ? "PRAGMA synchronous = FULL"
                   : "PRAGMA synchronous = NORMAL");
    impl->exec("PRAGMA foreign_keys = ON");
    auto migrated = impl->immediate([&]() -> Result<void> {
      auto& s = impl->sql("PRAGMA user_version");
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
        impl->exec(std::string(migrations[v]));
        impl->exec(fmt::format("PRAGMA user_version = {}", v + 1));
      }
      return {};
    });
    if (!migrated)
      return migrated.error();
  } catch (const SqliteFailure& e) {
    const int primary = e.code & 0xFF;
    if (primary == SQLITE_NOTADB || primary == SQLITE_CORRUPT) {
      return InvalidInput{
          fmt::format("{} is not a valid SQLite database: {}", path.string(), e.what())};
    }
    return impl->failure(e, "opening");
  }
  return std::shared_ptr<SqliteStore>(new SqliteStore(std::move(impl)));
}

SqliteStore::SqliteStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SqliteStore::~SqliteStore() = default;

Result<void> SqliteStore::write(const Work& work) {
  return impl_->guarded("write transaction", [&] {
    return impl_->immediate([&] {
      SqliteTransaction tx(*impl_);
      return work(tx);
    });
  });
}

Result<Interview> SqliteStore::find(InterviewId id) const {
  return impl_->guarded("find", [&]() -> Result<Interview> {
    auto& s = impl_->sql("SELECT body FROM interviews WHERE id = ?");
    s.bind(static_cast<std::int64_t>(id.value()));
    if (!s.step())
      return NotFound{id};
    auto interview = read_interview(s.text(0), id);
    s.reset();
    return interview;
  });
}

Result<std::vector<BusyInterval>> SqliteStore::busy_intervals(
    std::span<const InterviewerId> interviewers, const TimeRange& window) const {
  return impl_->guarded("reading busy intervals", [&]() -> Result<std::vector<BusyInterval>> {
    // The same bounded index range scan as find_conflict.
    auto& s = impl_->sql(
        "SELECT interview_id, slot_start, slot_end FROM interview_people WHERE person = ? AND "
        "slot_start >= ? AND slot_start < ? AND slot_end > ? ORDER BY slot_start, interview_id");
    std::vector<BusyInterval> busy;
    for (const auto& interviewer : interviewers) {
      s.reset()
          .bind("interviewer:" + interviewer.str())
          .bind(seconds(window.start() - max_interview_length))
          .bind(seconds(window.end()))
          .bind(seconds(window.start()));
      while (s.step()) {
        const auto at = [&](int col) {
          return date::sys_seconds{std::chrono::seconds{s.integer(col)}};
        };
        auto range = TimeRange::make(at(1), at(2));
        if (!range) {
          s.reset();
          return range.error();
        }
        busy.push_back(BusyInterval{interviewer, *range,
                                    InterviewId{static_cast<std::uint64_t>(s.integer(0))}});
      }
    }
    s.reset();
    return busy;
  });
}

Result<std::vector<OutboxMessage>> SqliteStore::claim_due(UtcMillis now, std::size_t limit,
                                                          std::chrono::milliseconds lease) {
  return impl_->guarded("claiming outbox messages", [&] {
    return impl_->immediate([&]() -> Result<std::vector<OutboxMessage>> {
      auto& select = impl_->sql(fmt::format(
          "SELECT {} FROM outbox WHERE state = 'pending' AND due_ms <= ? AND "
          "(claimed_until_ms IS NULL OR claimed_until_ms <= ?) ORDER BY due_ms, id LIMIT ?",
          outbox_columns));
      select.bind(millis(now)).bind(millis(now)).bind(static_cast<std::int64_t>(limit));
      std::vector<OutboxMessage> claimed;
      while (select.step())
        claimed.push_back(read_outbox(select));
      select.reset();
      auto& update = impl_->sql(
          "UPDATE outbox SET claimed_until_ms = ?, attempts = attempts + 1, claim = claim + 1, "
          "unfinished_claims = unfinished_claims + 1, updated_ms = ?, "
          "first_attempt_ms = COALESCE(first_attempt_ms, ?) WHERE id = ?");
      for (auto& m : claimed) {
        m.claimed_until = now + lease;
        if (!m.first_attempt_at)
          m.first_attempt_at = now;
        ++m.attempts;
        ++m.claim;
        ++m.unfinished_claims;
        m.updated_at = now;
        update.reset()
            .bind(millis(*m.claimed_until))
            .bind(millis(now))
            .bind(millis(now))
            .bind(static_cast<std::int64_t>(m.id.value()))
            .run();
      }
      return claimed;
    });
  });
}

Result<bool> SqliteStore::renew(OutboxId id, std::uint64_t claim, UtcMillis until, UtcMillis now) {
  return impl_->guarded("renewing a lease", [&] {
    return impl_->immediate([&]() -> Result<bool> {
      auto& s = impl_->sql(
          "UPDATE outbox SET claimed_until_ms = ?, updated_ms = ? "
          "WHERE id = ? AND state = 'pending' AND claim = ?");
      s.bind(millis(until))
          .bind(millis(now))
          .bind(static_cast<std::int64_t>(id.value()))
          .bind(static_cast<std::int64_t>(claim))
          .run();
      return impl_->changed(id);
    });
  });
}

Result<bool> SqliteStore::release(OutboxId id, std::uint64_t claim, UtcMillis now) {
  return impl_->guarded("releasing a claim", [&] {
    return impl_->immediate([&]() -> Result<bool> {
      auto& s = impl_->sql(
          "UPDATE outbox SET claimed_until_ms = NULL, updated_ms = ?, "
          "first_attempt_ms = CASE WHEN attempts <= 1 THEN NULL ELSE first_attempt_ms END, "
          "attempts = MAX(attempts - 1, 0), unfinished_claims = MAX(unfinished_claims - 1, 0) "
          "WHERE id = ? AND state = 'pending' AND claim = ?");
      s.bind(millis(now))
          .bind(static_cast<std::int64_t>(id.value()))
          .bind(static_cast<std::int64_t>(claim))
          .run();
      return impl_->changed(id);
    });
  });
}

Result<bool> SqliteStore::complete(OutboxId id, std::uint64_t claim,
                                   const OutboxCompletion& completion, UtcMillis now) {
  return impl_->guarded("completing an outbox message", [&] {
    return impl_->immediate([&]() -> Result<bool> {
      auto& s = impl_->sql(
          "UPDATE outbox SET state = ?, last_error = ?, claimed_until_ms = NULL, updated_ms = ?, "
          "unfinished_claims = 0, due_ms = COALESCE(?, due_ms) "
          "WHERE id = ? AND state = 'pending' AND claim = ?");
      std::optional<std::int64_t> due;
      if (completion.state == OutboxState::pending)
        due = millis(completion.next_due.value_or(now));
      s.bind(to_string(completion.state))
          .bind(completion.error)
          .bind(millis(now))
          .bind(due)
          .bind(static_cast<std::int64_t>(id.value()))
          .bind(static_cast<std::int64_t>(claim))
          .run();
      if (auto changed = impl_->changed(id); !changed || !*changed)
        return changed;
      for (const auto& entry : completion.log)
        impl_->insert_action(entry);
      return true;
    });
  });
}

Result<std::optional<OutboxMessage>> SqliteStore::find_outbox(OutboxId id) const {
  return impl_->guarded("reading an outbox message", [&]() -> Result<std::optional<OutboxMessage>> {
    auto& s = impl_->sql(fmt::format("SELECT {} FROM outbox WHERE id = ?", outbox_columns));
    s.bind(static_cast<std::int64_t>(id.value()));
    std::optional<OutboxMessage> out;
    if (s.step())
      out = read_outbox(s);
    s.reset();
    return out;
  });
}

Result<std::vector<OutboxMessage>> SqliteStore::list_outbox(const OutboxQuery& query) const {
  return impl_->guarded("listing the outbox", [&]() -> Result<std::vector<OutboxMessage>> {
    auto& s =
        impl_->sql(fmt::format("SELECT {} FROM outbox WHERE (?1 IS NULL OR state = ?1) AND "
                               "(?2 IS NULL OR interview_id = ?2) ORDER BY id LIMIT ?3",
                               outbox_columns));
    std::optional<std::string> state;
    if (query.state)
      state = std::string(to_string(*query.state));
    std::optional<std::int64_t> interview;
    if (query.interview)
      interview = static_cast<std::int64_t>(query.interview->value());
    s.bind(state).bind(interview).bind(static_cast<std::int64_t>(query.limit));
    std::vector<OutboxMessage> out;
    while (s.step())
      out.push_back(read_outbox(s));
    s.reset();
    return out;
  });
}

Result<bool> SqliteStore::requeue(OutboxId id, UtcMillis now, std::span<const ActionEntry> log) {
  return impl_->guarded("requeueing", [&] {
    return impl_->immediate([&]() -> Result<bool> {
      auto& s = impl_->sql(
          "UPDATE outbox SET state = 'pending', attempts = 0, unfinished_claims = 0, due_ms = ?, "
          "claimed_until_ms = NULL, first_attempt_ms = NULL, updated_ms = ? "
          "WHERE id = ? AND state = 'dead'");
      s.bind(millis(now)).bind(millis(now)).bind(static_cast<std::int64_t>(id.value())).run();
      if (auto changed = impl_->changed(id); !changed || !*changed)
        return changed;
      for (const auto& entry : log)
        impl_->insert_action(entry);
      return true;
    });
  });
}

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

Result<void> SqliteStore::append_action(const ActionEntry& entry) {
  return impl_->guarded("appending to the action log", [&]() -> Result<void> {
    impl_->insert_action(entry);
    return {};
  });
}

Result<std::vector<ActionEntry>> SqliteStore::query_actions(const ActionQuery& query) const {
  return impl_->guarded("querying the action log", [&]() -> Result<std::vector<ActionEntry>> {
    auto& s = impl_->sql(
        "SELECT entry FROM action_log WHERE (?1 IS NULL OR action = ?1) AND "
        "(?2 IS NULL OR interview_id = ?2) AND (?3 IS NULL OR time_ms >= ?3) AND "
        "(?4 IS NULL OR time_ms < ?4) ORDER BY id");
    std::optional<std::string> action;
    if (query.action)
      action = std::string(to_string(*query.action));
    std::optional<std::int64_t> interview;
    if (query.interview)
      interview = static_cast<std::int64_t>(query.interview->value());
    std::optional<std::int64_t> since;
    if (query.since)
      since = millis(*query.since);
    std::optional<std::int64_t> until;
    if (query.until)
      until = millis(*query.until);
    s.bind(action).bind(interview).bind(since).bind(until);
    std::vector<ActionEntry> out;
    while (s.step()) {
      try {
        out.push_back(nlohmann::json::parse(s.text(0)).get<ActionEntry>());
      } catch (const std::exception& e) {
        s.reset();
        return Unavailable{fmt::format("a stored action entry cannot be read: {}", e.what())};
      }
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

}  // namespace interviewkit
