// Edge cases of delivery fate and reconciliation: what a counting shortcut, the current
// revision alone, or retention would get wrong, on MemoryStore and on real SQLite files,
// including a schema-2 file built by hand and migrated by SqliteStore::open.
#include <sqlite3.h>

#include "outbox/reconcile_support.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

using K = NotificationKind;

void exec(sqlite3* db, const std::string& sql) {
  char* message = nullptr;
  const auto rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message);
  INFO(sql << " -> " << (message ? message : ""));
  sqlite3_free(message);
  REQUIRE(rc == SQLITE_OK);
}

// The schema of SqliteStore's migrations 1 and 2, as released (migrations are never edited).
constexpr const char* schema_2 = R"sql(
CREATE TABLE interviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  status TEXT NOT NULL
    CHECK (status IN ('pending','scheduled','confirmed','completed','cancelled','no_show')),
  version INTEGER NOT NULL CHECK (version >= 1),
  slot_start INTEGER,
  slot_end INTEGER,
  body TEXT NOT NULL
);
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
CREATE TABLE idempotency (key TEXT PRIMARY KEY, request TEXT NOT NULL, result TEXT NOT NULL);
CREATE TABLE action_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_ms INTEGER NOT NULL,
  action TEXT NOT NULL,
  interview_id INTEGER,
  entry TEXT NOT NULL
);
CREATE INDEX action_log_by_interview ON action_log(interview_id, time_ms);
CREATE INDEX action_log_by_action ON action_log(action, time_ms);
ALTER TABLE outbox ADD COLUMN claim INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN unfinished_claims INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN first_attempt_ms INTEGER;
UPDATE outbox SET claim = attempts;
PRAGMA user_version = 2;
)sql";

// A schema-2 file holding `bodies` as interviews 1..n and `payloads` as outbox messages of
// interview 1, written with the sqlite3 C API as an older version left it.
void write_schema_2(const std::filesystem::path& path, const std::vector<std::string>& bodies,
                    const std::vector<std::string>& payloads) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  exec(db, schema_2);
  sqlite3_stmt* s = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "INSERT INTO interviews (status, version, body) VALUES "
                             "('pending', 1, ?)",
                             -1, &s, nullptr) == SQLITE_OK);
  for (const auto& body : bodies) {
    sqlite3_bind_text(s, 1, body.c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  REQUIRE(sqlite3_prepare_v2(db,
                             "INSERT INTO outbox (idempotency_key, interview_id, kind, channel, "
                             "payload, message_token, due_ms, state, created_ms, updated_ms) "
                             "VALUES (?, 1, 'interview_scheduled', 'default', ?, 'tok', 0, "
                             "'pending', 0, 0)",
                             -1, &s, nullptr) == SQLITE_OK);
  for (std::size_t i = 0; i < payloads.size(); ++i) {
    const auto key = fmt::format("key-{}", i);
    sqlite3_bind_text(s, 1, key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, payloads[i].c_str(), -1, SQLITE_TRANSIENT);
    REQUIRE(sqlite3_step(s) == SQLITE_DONE);
    sqlite3_reset(s);
  }
  sqlite3_finalize(s);
  sqlite3_close(db);
}

// Payloads as a Notification would be, with the fields reconciliation derives from them
// replaced by odd values.
nlohmann::json payload(nlohmann::json version, nlohmann::json recipient_id) {
  return {{"kind", "interview_scheduled"},
          {"recipient", {{"role", "candidate"}, {"id", std::move(recipient_id)}}},
          {"interview", {{"version", std::move(version)}}}};
}

}  // namespace

// Finding: the counting shortcut in Reconciler::reconcile counts every delivered row of the
// revision, including ones the expected set does not hold (here: another channel). Delivered
// extra rows then stand in for missing required ones, and reconcile reports no
// gap while fate() of the same interview says the interviewer's invite is missing.
TEST_CASE(
    "reconcile agrees with fate when a delivered row of another channel stands beside a "
    "missing one",
    "[reconcile][fate]") {
  TempDir dir("channels");
  const auto path = dir.path() / "channels.db";
  Fixture f(SqliteStore::open(path).value(), BookingOptions{.test_mode = true, .channels = {"default", "sms"}});
  f.dispatcher = Dispatcher::make(f.store, {{"default", f.recorder}, {"sms", f.recorder}}, f.log,
                                  with_clock(Fixture::fast_retries(), f.clock))
                     .value();
  const auto id = f.create("cand-1", {"int-1"}).id;
  // Starts in 10 hours: too late for the 24-hour reminders, so only the invites are planned.
  REQUIRE(f.service->book(id, slot(1, 10h), recruiter()).value().enqueued.size() == 4);
  run_dispatcher(f, 2);

  // The interviewer's invites disappear (plain SQL, as a foreign writer or a careless
  // operator would do it). Left: the candidate's two delivered rows, one per channel, as
  // many as the default channel expects in all.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  exec(db, "DELETE FROM outbox WHERE recipient = 'interviewer:int-1'");
  REQUIRE(sqlite3_changes(db) == 2);
  sqlite3_close(db);
  f.clock->advance(std::chrono::minutes{10});

  // Asked about the default channel, fate() sees the hole ...
  const auto reconciler = reconciler_for(f, {"default"});
  const auto fate = reconciler.fate(id).value();
  CHECK_FALSE(fate.complete());
  // ... so reconcile must list it too.
  const auto gaps = reconciler.reconcile(long_ago(), f.clock->now()).value();
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].notification.recipient == "interviewer:int-1");
  CHECK(gaps[0].notification.fate == Fate::missing);
}

// Finding: "never got their invite" only looks at the current revision. Confirming does not
// supersede the invite (the slot stands, a dead invite can still be requeued), yet once an
// interview is confirmed its candidate's dead invite is no longer reported anywhere.
TEMPLATE_LIST_TEST_CASE("a dead invite still in force is a gap after the interview is confirmed",
                        "[reconcile]", ReconcileStores) {
  TempDir dir("confirmed");
  auto notifier = std::make_shared<RecordingNotifier>([](const Notification& n, std::size_t) {
    if (n.recipient.key() == "candidate:cand-1")
      return DeliveryOutcome::permanent_failure("550 5.1.1 no such user");
    return DeliveryOutcome::delivered("250 2.0.0 queued");
  });
  Fixture f(TestType::make(dir), {}, notifier);
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(1, 10h), recruiter()));
  run_dispatcher(f, 2);
  REQUIRE(reconciler_for(f).reconcile(long_ago(), f.clock->now() + 1h).value().size() == 1);

  REQUIRE(f.service->confirm(id, recruiter()));
  run_dispatcher(f, 2);
  f.clock->advance(std::chrono::minutes{10});
  // The candidate's invite is dead and was never superseded: they still never got it.
  const auto dead = f.store->list_outbox({.state = OutboxState::dead, .limit = 10}).value();
  REQUIRE(dead.size() == 1);
  const auto gaps = reconciler_for(f).reconcile(long_ago(), f.clock->now()).value();
  REQUIRE(gaps.size() == 1);
  CHECK(gaps[0].notification.recipient == "candidate:cand-1");
  CHECK(gaps[0].notification.kind == K::interview_scheduled);
  CHECK(gaps[0].notification.fate == Fate::dead);
}

// Finding: retention purges delivered messages, and reconciliation then takes their absence
// for "never enqueued": everyone who did get their invite is listed as missing.
TEMPLATE_LIST_TEST_CASE("purging delivered messages does not turn them into missing ones",
                        "[reconcile][fate]", ReconcileStores) {
  TempDir dir("purge");
  Fixture f(TestType::make(dir));
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(1, 10h), recruiter()));
  run_dispatcher(f, 2);
  REQUIRE(reconciler_for(f).reconcile(long_ago(), f.clock->now()).value().empty());

  f.clock->advance(std::chrono::hours{24 * 40});
  const auto purged =
      f.store->purge({.delivered_before = f.clock->now() - std::chrono::hours{24 * 30}}, {});
  REQUIRE(purged.value().messages == 2);
  // Both invites were delivered; a purge of the rows must not make them gaps.
  CHECK(reconciler_for(f).reconcile(long_ago(), f.clock->now()).value().empty());
  CHECK(reconciler_for(f).fate(id).value().complete());
}

// Finding: migration 3 fails on an old file whose interview bodies are valid JSON of an odd
// shape: a missing candidate id makes `recipients` NULL (NOT NULL constraint), and a string
// among the interviewers makes json_extract fail on it ("malformed JSON"). The file can then
// not be opened at all.
TEST_CASE("migration 3 opens a schema-2 file with odd interview bodies and keeps every row",
          "[conformance][reconcile]") {
  TempDir dir("migrate-bodies");
  const auto path = dir.path() / "old.db";
  write_schema_2(path,
                 {
                     R"({"candidate":{"id":"c-1"},"interviewers":[{"id":"i-1"},{"id":"i-2"}],)"
                     R"("updated_at":"2024-03-01T09:00:00Z"})",
                     R"({"candidate":{"id":"c-2"},"interviewers":["alice"]})",
                     R"({"title":"no candidate"})",
                     R"({"candidate":"c-4","interviewers":"bob"})",
                     "not json at all",
                 },
                 {payload(2, "c-1").dump()});
  auto store = SqliteStore::open(path);
  REQUIRE(store);
  CHECK((*store)->count_outbox({}).value().total() == 1);
  const auto all = (*store)->revisions({}).value();
  CHECK(all.size() == 5);
  const auto first = (*store)->revisions({.interview = InterviewId{1}}).value();
  REQUIRE(first.size() == 1);
  CHECK(first[0].recipients ==
        std::vector<std::string>{"candidate:c-1", "interviewer:i-1", "interviewer:i-2"});
  CHECK(first[0].changed_at == UtcMillis{at(1, 9h)});
  CHECK_FALSE(first[0].transition);
}

// Finding: migration 3 derives a message's recipient and revision from odd payloads
// differently from the stores' enqueue (detail::with_keys): a version written as a string
// or a fraction becomes a revision, a numeric recipient id becomes a key. Migrated rows
// must read as the same payload enqueued today reads, in every store.
TEST_CASE("migrated outbox rows derive recipient and revision as enqueue does",
          "[conformance][reconcile]") {
  const std::vector<nlohmann::json> odd{
      payload(2, "c-1"),       payload("2", "c-1"),
      payload(2.5, "c-1"),     payload(1e20, "c-1"),
      payload(-3, "c-1"),      payload(2, 42),
      nlohmann::json::array(), nlohmann::json{{"recipient", "x"}, {"interview", 7}},
  };
  TempDir dir("migrate-payloads");
  const auto path = dir.path() / "old.db";
  std::vector<std::string> texts;
  for (const auto& p : odd)
    texts.push_back(p.dump());
  texts.push_back("{not json");
  write_schema_2(path, {R"({"candidate":{"id":"c-1"},"interviewers":[]})"}, texts);
  auto store = SqliteStore::open(path);
  REQUIRE(store);
  const auto migrated = (*store)->list_outbox({.limit = 100}).value();
  REQUIRE(migrated.size() == texts.size());

  // The same payloads enqueued into a MemoryStore today.
  Fixture f;
  const auto id = f.create().id;
  REQUIRE(f.store->write([&](StoreTransaction& tx) -> Result<void> {
    std::vector<OutboxMessage> messages;
    for (std::size_t i = 0; i < odd.size(); ++i) {
      messages.push_back(OutboxMessage{.idempotency_key = fmt::format("key-{}", i),
                                       .interview = id,
                                       .kind = K::interview_scheduled,
                                       .channel = "default",
                                       .payload = odd[i],
                                       .message_token = "tok"});
    }
    auto ids = tx.enqueue(messages);
    if (!ids)
      return ids.error();
    return {};
  }));
  const auto enqueued = f.store->list_outbox({.limit = 100}).value();
  REQUIRE(enqueued.size() == odd.size());
  for (std::size_t i = 0; i < odd.size(); ++i) {
    CAPTURE(odd[i].dump());
    CHECK(migrated[i].recipient == enqueued[i].recipient);
    CHECK(migrated[i].revision == enqueued[i].revision);
  }
  CHECK(migrated.back().recipient.empty());  // the payload that is not JSON
  CHECK(migrated.back().revision == 0);
}
