// interviewctl run as a real process against real SQLite files and a real PostgreSQL
// server: its --json output is checked against the store, its exit codes against the
// documented ones.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/sqlite_store.hpp>
#ifdef INTERVIEWKIT_TEST_POSTGRES
#include <interviewkit/store/postgres_store.hpp>

#include "support/postgres_server.hpp"
#endif

#include "cli/cli_runner.hpp"
#include "cli/seeded.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using nlohmann::json;

namespace {

// The ids of `messages`, in order.
std::vector<std::uint64_t> ids_of(const std::vector<OutboxMessage>& messages) {
  std::vector<std::uint64_t> ids;
  for (const auto& m : messages)
    ids.push_back(m.id.value());
  return ids;
}

std::vector<std::uint64_t> ids_of(const json& messages) {
  std::vector<std::uint64_t> ids;
  for (const auto& m : messages)
    ids.push_back(m.at("id").get<std::uint64_t>());
  return ids;
}

std::vector<OutboxMessage> messages(const Store& store, OutboxQuery query) {
  return store.list_outbox(query).value();
}

void check_status_and_history(Cli& cli, const Seeded& s) {
  const auto status = cli({"status", std::to_string(s.good.value()), "--json"});
  REQUIRE(status.exit == 0);
  const auto stored = s.store->find(s.good).value();
  const auto j = status.json();
  CHECK(j["id"] == s.good.value());
  CHECK(j["status"] == "scheduled");
  CHECK(j["version"] == stored.version);
  CHECK(j["slot"]["start"] == format_utc(UtcMillis{stored.slot->start()}));
  CHECK(j["candidate"]["email"] == stored.candidate.person.email().str());
  CHECK(j["interviewers"].size() == stored.interviewers.size());

  const auto history = cli({"history", std::to_string(s.good.value()), "--json"});
  REQUIRE(history.exit == 0);
  const auto entries = s.actions->query_actions({.interview = s.good}).value();
  REQUIRE(history.json().size() == entries.size());
  std::vector<std::string> actions;
  for (const auto& e : history.json())
    actions.push_back(e["action"]);
  CHECK(std::find(actions.begin(), actions.end(), "interview_booked") != actions.end());
  CHECK(std::find(actions.begin(), actions.end(), "notification_delivered") != actions.end());

  const auto table = cli({"status", std::to_string(s.good.value())});
  CHECK(table.exit == 0);
  CHECK_THAT(table.out, Catch::Contains("scheduled") && Catch::Contains("candidate"));
  CHECK(cli({"status", "999999"}).exit == 3);
}

// The notifications of `fate` of one kind.
std::vector<json> of_kind(const json& fate, const std::string& kind) {
  std::vector<json> out;
  for (const auto& n : fate["notifications"]) {
    if (n["kind"] == kind)
      out.push_back(n);
  }
  return out;
}

void check_fate_and_reconcile(Cli& cli, const Seeded& s) {
  // The default policy also plans reminders due a day before: pending and not yet due, so
  // not complete, but nothing is wrong (exit 0).
  const auto good = cli({"fate", std::to_string(s.good.value()), "--json"});
  INFO(good.out);
  CHECK(good.exit == 0);
  CHECK(good.json()["gaps"] == 0);
  const auto invites = of_kind(good.json(), "interview_scheduled");
  REQUIRE(invites.size() == 2);
  for (const auto& n : invites) {
    CHECK(n["fate"] == "delivered");
    CHECK(n["required"] == true);
    CHECK(n["outbox_id"].is_number());
  }
  for (const auto& n : of_kind(good.json(), "interview_reminder"))
    CHECK(n["fate"] == "pending");

  const auto doomed = cli({"fate", std::to_string(s.doomed.value()), "--json"});
  INFO(doomed.out);
  CHECK(doomed.exit == 1);
  const auto j = doomed.json();
  CHECK(j["complete"] == false);
  CHECK(j["gaps"] == 2);
  const auto given_up = of_kind(j, "interview_scheduled");
  REQUIRE(given_up.size() == 2);
  for (const auto& n : given_up) {
    CHECK(n["fate"] == "dead");
    CHECK(n["required"] == true);
    CHECK_THAT(n["detail"].get<std::string>(), Catch::Contains("550"));
  }
  CHECK(cli({"fate", "999999"}).exit == 3);

  const auto reconcile = cli({"reconcile", "--since", "1h", "--json"});
  CHECK(reconcile.exit == 1);
  const auto gaps = reconcile.json()["gaps"];
  REQUIRE(gaps.size() == 2);
  for (const auto& g : gaps)
    CHECK(g["interview"] == s.doomed.value());
  CHECK(cli({"reconcile", "--since", "2h", "--until", "1h"}).exit == 0);

  const auto failures = cli({"failures", "--since", "1h", "--json"});
  CHECK(failures.exit == 1);
  const auto dead = messages(*s.store, {.state = OutboxState::dead});
  CHECK(ids_of(failures.json()["dead"]) == ids_of(dead));
}

void check_outbox(Cli& cli, const Seeded& s) {
  const auto dead = messages(*s.store, {.state = OutboxState::dead});
  const auto ls = cli({"outbox", "ls", "--state", "dead", "--json"});
  REQUIRE(ls.exit == 0);
  CHECK(ids_of(ls.json()["messages"]) == ids_of(dead));
  CHECK(ls.json()["next_cursor"].is_null());

  // Paging: one message per page, following the cursor, gives every message once.
  const auto all = messages(*s.store, {});
  std::vector<std::uint64_t> paged;
  std::string after;
  for (int page = 0; page < 10; ++page) {
    std::vector<std::string> args{"outbox", "ls", "--limit", "1", "--json"};
    if (!after.empty())
      args.insert(args.end(), {"--after", after});
    const auto run = cli(args);
    REQUIRE(run.exit == 0);
    for (auto id : ids_of(run.json()["messages"]))
      paged.push_back(id);
    if (run.json()["next_cursor"].is_null())
      break;
    after = std::to_string(run.json()["next_cursor"].get<std::uint64_t>());
  }
  CHECK(paged == ids_of(all));

  const auto show = cli({"outbox", "show", std::to_string(dead.front().id.value()), "--json"});
  REQUIRE(show.exit == 0);
  CHECK(show.json()["state"] == "dead");
  CHECK(show.json()["interview"] == s.doomed.value());
  CHECK(show.json()["payload"].is_object());
  CHECK(cli({"outbox", "show", "999999"}).exit == 3);
  CHECK(cli({"outbox", "ls", "--state", "lost"}).exit == 2);
}

void check_requeue(Cli& cli, const Seeded& s) {
  const auto doomed = std::to_string(s.doomed.value());
  const auto dry = cli(
      {"requeue", "--dead", "--interview", doomed, "--dry-run", "--json", "--operator", "alice"});
  REQUIRE(dry.exit == 0);
  CHECK(dry.json()["requeued"].size() == 2);
  CHECK(messages(*s.store, {.state = OutboxState::dead}).size() == 2);

  const auto done =
      cli({"requeue", "--dead", "--interview", doomed, "--operator", "alice", "--json"});
  REQUIRE(done.exit == 0);
  CHECK(done.json()["requeued"].size() == 2);
  CHECK(messages(*s.store, {.state = OutboxState::dead}).empty());
  CHECK(messages(*s.store, {.state = OutboxState::pending,
                            .interview = s.doomed,
                            .kind = NotificationKind::interview_scheduled})
            .size() == 2);
  const auto records =
      s.actions->query_actions({.action = ActionType::notification_requeued}).value();
  REQUIRE(records.size() == 2);
  for (const auto& r : records) {
    CHECK(r.actor.role() == ActorRole::operator_);
    CHECK(r.actor.id() == "alice");
    CHECK(r.interview == s.doomed);
  }
  CHECK(cli({"requeue", "--dead", "--operator", "alice"}).exit == 2);  // no selection
}

void check_purge_and_migrate(Cli& cli, const Seeded& s) {
  const auto delivered = messages(*s.store, {.state = OutboxState::delivered});
  REQUIRE_FALSE(delivered.empty());
  const auto purge = cli({"purge", "--delivered-before", "0s", "--operator", "bob", "--json"});
  REQUIRE(purge.exit == 0);
  CHECK(purge.json()["messages"] == delivered.size());
  CHECK(purge.json()["log_entries"] == 0);
  CHECK(messages(*s.store, {.state = OutboxState::delivered}).empty());
  const auto records = s.actions->query_actions({.action = ActionType::records_purged}).value();
  REQUIRE(records.size() == 1);
  CHECK(records[0].actor.id() == "bob");
  CHECK(records[0].details.json()["messages"] == delivered.size());
  CHECK(cli({"purge", "--operator", "bob"}).exit == 2);  // nothing asked for

  const auto migrate = cli({"migrate", "--json"});
  REQUIRE(migrate.exit == 0);
  CHECK(migrate.json()["schema_version"].get<int>() >= 1);
}

void check_every_command(const std::string& db, const Seeded& s) {
  Cli cli(db);
  check_status_and_history(cli, s);
  check_fate_and_reconcile(cli, s);
  check_outbox(cli, s);
  check_requeue(cli, s);
  check_purge_and_migrate(cli, s);
}

}  // namespace

TEST_CASE("interviewctl answers from a SQLite file what the store holds",
          "[cli][fate][reconcile]") {
  TempDir dir("cli-sqlite");
  const auto path = (dir.path() / "hiring.db").string();
  auto store = SqliteStore::open(path).value();
  const auto seeded = seed(store, store);
  check_every_command(path, seeded);
}

#ifdef INTERVIEWKIT_TEST_POSTGRES
TEST_CASE("interviewctl answers from a PostgreSQL database what the store holds",
          "[cli][fate][reconcile][postgres]") {
  const auto url = PostgresServer::shared().fresh_database();
  auto store = PostgresStore::open({.url = url}).value();
  const auto seeded = seed(store, store);
  check_every_command(url, seeded);
}
#endif

TEST_CASE("interviewctl refuses hostile input with exit 2 and says what was wrong", "[cli]") {
  TempDir dir("cli-hostile");
  const auto path = (dir.path() / "hiring.db").string();
  (void)SqliteStore::open(path).value();
  Cli cli(path);

  const auto unknown = cli({"frobnicate"});
  CHECK(unknown.exit == 2);
  CHECK_THAT(unknown.err, Catch::Contains("frobnicate"));

  const auto bad_id = cli({"status", "12abc"});
  CHECK(bad_id.exit == 2);
  CHECK_THAT(bad_id.err, Catch::Contains("12abc"));

  const auto bad_time = cli({"reconcile", "--since", "yesterday"});
  CHECK(bad_time.exit == 2);
  CHECK_THAT(bad_time.err, Catch::Contains("yesterday") && Catch::Contains("ISO-8601"));

  CHECK(cli({"fate", "0"}).exit == 2);
  CHECK(cli({"outbox"}).exit == 2);
  CHECK(cli({"reconcile", "--since", "99999999999999999999d"}).exit == 2);
  CHECK(cli({"status", "7"}).exit == 3);

  Cli without_db;
  const auto no_db = without_db({"status", "1"});
  CHECK(no_db.exit == 2);
  CHECK_THAT(no_db.err, Catch::Contains("--db"));
  const auto missing =
      without_db({"status", "1"}, {{"INTERVIEWKIT_DB", (dir.path() / "nope.db").string()}});
  CHECK(missing.exit == 4);
  CHECK_THAT(missing.err, Catch::Contains("nope.db"));
  CHECK_FALSE(std::filesystem::exists(dir.path() / "nope.db"));

  const auto help = without_db({"--help"});
  CHECK(help.exit == 0);
  CHECK_THAT(help.out, Catch::Contains("Exit codes") && Catch::Contains("Examples"));
}
