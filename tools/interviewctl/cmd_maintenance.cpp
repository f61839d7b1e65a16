// purge (retention, recorded) and migrate (create or upgrade the schema).
#include <fmt/format.h>

#include "args.hpp"
#include "cli.hpp"
#include "database.hpp"
#include "output.hpp"

namespace interviewctl {

using namespace interviewkit;

namespace {

struct PurgeArgs {
  std::string delivered_before;
  std::string log_before;
  std::string operator_name;
};

// The record of a purge. Written after it, since the counts are known only then; the purge
// itself cannot remove it (its time is after both bounds, which lie in the past).
ActionEntry purge_entry(const PurgeRequest& request, const PurgeResult& result, const Actor& actor,
                        UtcMillis at) {
  return ActionEntry{.time = at,
                     .action = ActionType::records_purged,
                     .interview = {},
                     .actor = actor,
                     .from = std::nullopt,
                     .to = std::nullopt,
                     .details = {{"delivered_before", time_json(request.delivered_before)},
                                 {"log_before", time_json(request.log_before)},
                                 {"messages", result.messages},
                                 {"log_entries", result.log_entries}}};
}

PurgeRequest purge_request(const PurgeArgs& a, UtcMillis at) {
  PurgeRequest request;
  if (!a.delivered_before.empty())
    request.delivered_before = time_arg("--delivered-before", a.delivered_before, at);
  if (!a.log_before.empty())
    request.log_before = time_arg("--log-before", a.log_before, at);
  if (!request.delivered_before && !request.log_before)
    usage_error("purge: say what to remove with --delivered-before T and/or --log-before T");
  if ((request.delivered_before && *request.delivered_before > at) ||
      (request.log_before && *request.log_before > at))
    usage_error("purge: a bound lies in the future; purging up to now at most");
  return request;
}

ExitCode run_purge(const Context& context, const PurgeArgs& a) {
  const auto at = now();
  const auto request = purge_request(a, at);
  const auto actor = operator_actor(a.operator_name);
  const auto db = open_database(context.globals.db);
  const auto result = unwrap(db.store->purge(request, {}), "purging");
  unwrap(db.actions->append_action(purge_entry(request, result, actor, at)),
         fmt::format("purged {} message(s) and {} log entries, but recording that failed",
                     result.messages, result.log_entries));
  if (context.globals.json) {
    print_json({{"messages", result.messages},
                {"log_entries", result.log_entries},
                {"delivered_before", time_json(request.delivered_before)},
                {"log_before", time_json(request.log_before)},
                {"operator", actor.id()}});
  } else {
    fmt::print("purged {} delivered/expired message(s) and {} log entries\n", result.messages,
               result.log_entries);
  }
  return ExitCode::ok;
}

ExitCode run_migrate(const Context& context) {
  const auto db = open_database(context.globals.db, OpenMode::create);
  if (context.globals.json)
    print_json({{"database", db.kind}, {"schema_version", db.schema_version}});
  else
    fmt::print("{} database at schema version {}\n", db.kind, db.schema_version);
  return ExitCode::ok;
}

}  // namespace

void add_maintenance_commands(CLI::App& app, Context& context) {
  auto a = std::make_shared<PurgeArgs>();
  auto* purge = app.add_subcommand(
      "purge", "Retention: remove old delivered/expired messages and log entries, recorded");
  purge
      ->add_option("--delivered-before", a->delivered_before,
                   "Delivered and expired messages last changed before this time")
      ->check(time_check());
  purge->add_option("--log-before", a->log_before, "Action log entries before this time")
      ->check(time_check());
  purge->add_option("--operator", a->operator_name,
                    "Who is doing this, for the action log (default: $USER)");
  purge->footer(
      "Pending and dead messages are never purged. The purge is recorded as a\n"
      "records_purged entry with the counts.\nExample:\n"
      "  interviewctl purge --delivered-before 30d --log-before 365d --operator alice");
  purge->callback([&context, a] { context.exit = run_purge(context, *a); });

  auto* migrate = app.add_subcommand(
      "migrate", "Create the database or bring its schema up to date; prints the version");
  migrate->footer(
      "Examples:\n  interviewctl --db hiring.db migrate\n"
      "  interviewctl --db postgresql://app@db.example.com/hiring migrate --json");
  migrate->callback([&context] { context.exit = run_migrate(context); });
}

}  // namespace interviewctl
