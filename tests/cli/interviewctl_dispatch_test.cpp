// interviewctl dispatch and send-test against a real SMTP server on loopback
// (tests/servers/smtp_server.py), and the config file's refusal of literal secrets.
#include <chrono>
#include <fstream>
#include <signal.h>
#include <thread>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/interviewkit.hpp>
#include <interviewkit/store/sqlite_store.hpp>

#include "cli/cli_runner.hpp"
#include "cli/seeded.hpp"
#include "support/python_server.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;
using nlohmann::json;

namespace {

std::string write_config(const std::filesystem::path& dir, const json& config) {
  const auto path = (dir / "dispatch.json").string();
  std::ofstream(path) << config.dump(2);
  return path;
}

json smtp_config(int port) {
  return {{"channels",
           {{"email",
             {{"type", "smtp"},
              {"url", fmt::format("smtp://127.0.0.1:{}", port)},
              {"starttls", "off"},
              {"from", "interviews@example.com"},
              {"message_id_domain", "mail.example.com"},
              {"from_name", "Hiring team"}}}}},
          {"dispatcher", {{"idle_poll_ms", 100}}}};
}

// Polls `done` every 50 ms for up to 30 s.
template <class Predicate>
bool eventually(Predicate done) {
  for (int i = 0; i < 600; ++i) {
    if (done())
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds{50});
  }
  return done();
}

}  // namespace

TEST_CASE("interviewctl dispatch delivers a booked interview over SMTP and stops on SIGTERM",
          "[cli][dispatch]") {
  PythonServer server("smtp_server.py");
  TempDir dir("cli-dispatch");
  const auto db = (dir.path() / "hiring.db").string();
  auto store = SqliteStore::open(db).value();
  auto log = ActionLog::make(StoreSink::make(store).value()).value();
  BookingOptions options{.test_mode = true};
  options.channels = {"email"};
  auto service = BookingService::make(store, log, options).value();
  const auto interview = book(*service, "Technical interview", "d", slot_in_days(2));
  // The server refuses this candidate's address (550): a dead letter, in the host's log.
  const auto refused =
      service
          ->create(CreateRequest{"Refused", candidate("reject-1"), {interviewer("int-r")}},
                   recruiter())
          .value();
  (void)service->book(refused.id, slot_in_days(3), recruiter()).value();

  Cli cli(db);
  const auto config = write_config(dir.path(), smtp_config(server.port()));
  const pid_t pid = cli.start({"dispatch", "--config", config});
  const auto delivered = [&] {
    return store->list_outbox({.state = OutboxState::delivered}).value().size() == 3 &&
           store->list_outbox({.state = OutboxState::dead}).value().size() == 1;
  };
  const bool all_delivered = eventually(delivered);
  kill(pid, SIGTERM);
  const auto run = cli.finish(pid);
  INFO(run.err);
  CHECK(all_delivered);
  CHECK(run.exit == 0);
  CHECK(server.files(".eml").size() == 3);
  CHECK_THAT(run.err, Catch::Contains("dead letter") && Catch::Contains("candidate:reject-1"));
  CHECK_THAT(run.err, Catch::Contains("stopped cleanly"));
  CHECK_THAT(run.err, Catch::Contains("delivered interview_scheduled"));
  // Each delivery is in the database's action log with the server's reply.
  const auto records =
      store
          ->query_actions({.action = ActionType::notification_delivered, .interview = interview.id})
          .value();
  REQUIRE(records.size() == 2);
  for (const auto& r : records)
    CHECK_THAT(r.details.json().value("detail", ""), Catch::Contains("250"));
}

TEST_CASE("interviewctl send-test prints the SMTP server's reply; exit 5 when refused",
          "[cli][send-test]") {
  PythonServer server("smtp_server.py");
  TempDir dir("cli-send-test");
  const auto config = write_config(dir.path(), smtp_config(server.port()));
  Cli cli;

  const auto sent = cli({"send-test", "--to", "ops@example.com", "--config", config});
  INFO(sent.err);
  CHECK(sent.exit == 0);
  CHECK_THAT(sent.out, Catch::Contains("delivered") && Catch::Contains("250"));
  CHECK(server.files(".eml").size() == 1);

  const auto refused =
      cli({"send-test", "--to", "reject@example.com", "--config", config, "--json"});
  CHECK(refused.exit == 5);
  CHECK(refused.json()["delivered"] == false);
  CHECK_THAT(refused.json()["detail"].get<std::string>(), Catch::Contains("550"));

  CHECK(cli({"send-test", "--to", "not an address", "--config", config}).exit == 2);
  CHECK(
      cli({"send-test", "--to", "ops@example.com", "--config", config, "--channel", "fax"}).exit ==
      2);
}

TEST_CASE("a dispatch config with a literal secret, or naming an unset variable, is refused",
          "[cli][dispatch]") {
  TempDir dir("cli-config");
  const auto db = (dir.path() / "hiring.db").string();
  (void)SqliteStore::open(db).value();
  Cli cli(db);

  auto literal = smtp_config(2525);
  literal["channels"]["email"]["username"] = "hiring";
  literal["channels"]["email"]["password"] = "hunter2";
  const auto refused = cli({"dispatch", "--config", write_config(dir.path(), literal)});
  CHECK(refused.exit == 2);
  CHECK_THAT(refused.err, Catch::Contains("password_env"));
  CHECK_THAT(refused.err, !Catch::Contains("hunter2"));

  auto named = smtp_config(2525);
  named["channels"]["email"]["username"] = "hiring";
  named["channels"]["email"]["password_env"] = "IK_TEST_UNSET_SMTP_PASSWORD";
  const auto unset =
      cli({"send-test", "--to", "ops@example.com", "--config", write_config(dir.path(), named)},
          {{"IK_TEST_UNSET_SMTP_PASSWORD", "", true}});
  CHECK(unset.exit == 2);
  CHECK_THAT(unset.err, Catch::Contains("IK_TEST_UNSET_SMTP_PASSWORD"));

  auto unknown = smtp_config(2525);
  unknown["channels"]["email"]["colour"] = "blue";
  const auto typo = cli({"dispatch", "--config", write_config(dir.path(), unknown)});
  CHECK(typo.exit == 2);
  CHECK_THAT(typo.err, Catch::Contains("colour"));

  std::ofstream(dir.path() / "broken.json") << "{ not json";
  CHECK(cli({"dispatch", "--config", (dir.path() / "broken.json").string()}).exit == 2);
}
