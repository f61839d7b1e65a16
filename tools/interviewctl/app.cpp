// The command-line front: global options, help text, and the one place where failures
// become messages on stderr and exit codes.
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "cli.hpp"

namespace interviewctl {

namespace {

constexpr const char* description =
    "interviewctl: look into and operate an interviewkit database.\n"
    "Answers \"which candidates never got their invite, and why?\" (fate, failures, reconcile),\n"
    "shows and repairs the outbox (outbox, requeue), runs a dispatcher (dispatch, send-test)\n"
    "and keeps the database tidy (purge, migrate, metrics).";

constexpr const char* footer =
    R"(Database: --db PATH for a SQLite file, or --db postgresql://user@host/db
(PostgreSQL builds only); INTERVIEWKIT_DB is used when --db is not given.
Times: ISO-8601 UTC (2026-11-26T10:00:00Z) or an age: 90m, 24h, 7d, 2w ago.

Exit codes:
  0  ok
  1  answered, and the answer is bad: reconcile/failures/fate found gaps
  2  usage error: unknown command or option, bad id, bad time, bad config file
  3  not found: no such interview or outbox message
  4  store error: the database could not be opened, read or written
  5  delivery failure (send-test)

Examples:
  export INTERVIEWKIT_DB=/var/lib/hiring/hiring.db
  interviewctl reconcile --since 24h            # who has not got what they should have?
  interviewctl fate 42                          # every notification of interview 42
  interviewctl failures --since 7d --json       # the same for a script
  interviewctl outbox ls --state dead --limit 20
  interviewctl requeue --dead --interview 42 --dry-run
  interviewctl dispatch --config /etc/interviewkit/dispatch.json
  interviewctl send-test --to me@example.com --config dispatch.json
Run 'interviewctl COMMAND --help' for a command's options and examples.
Full reference: docs/interviewctl.md)";

void add_globals(CLI::App& app, Globals& globals) {
  app.add_option("--db", globals.db, "SQLite file or postgresql:// URL of the database")
      ->envname("INTERVIEWKIT_DB")
      ->type_name("PATH|URL");
  app.add_flag("--json", globals.json,
               "Print JSON with stable field names (snake_case, ISO-8601 UTC times, numeric ids)");
}

void add_commands(CLI::App& app, Context& context) {
  add_status_commands(app, context);
  add_fate_commands(app, context);
  add_outbox_commands(app, context);
  add_requeue_command(app, context);
  add_dispatch_command(app, context);
  add_send_test_command(app, context);
  add_maintenance_commands(app, context);
  add_metrics_command(app, context);
}

// CLI11's help and version requests are not errors; every other parse error is exit 2.
int parse_error(CLI::App& app, const CLI::ParseError& error) {
  if (error.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success))
    return app.exit(error);
  // A command name CLI11 did not know is left over as an argument: say so, not only that a
  // command is missing.
  const auto rest = app.remaining(true);
  const std::string what = rest.empty() ? error.what()
                                        : fmt::format("unknown command or argument '{}' ({})",
                                                      rest.front(), error.what());
  std::fprintf(stderr, "interviewctl: %s\nRun 'interviewctl --help' for usage.\n", what.c_str());
  return static_cast<int>(ExitCode::usage);
}

int fail(ExitCode code, const char* message) {
  std::fprintf(stderr, "interviewctl: %s\n", message);
  return static_cast<int>(code);
}

}  // namespace

ExitCode exit_code_for(const interviewkit::Error& error) noexcept {
  switch (error.kind()) {
    case interviewkit::ErrorKind::not_found:
      return ExitCode::not_found;
    case interviewkit::ErrorKind::invalid_input:
      return ExitCode::usage;
    default:
      return ExitCode::store_error;
  }
}

int run(int argc, char** argv) noexcept {
  try {
    Context context;
    CLI::App app(description, "interviewctl");
    app.footer(footer);
    app.require_subcommand(1);
    app.fallthrough();  // --db and --json also after the command name
    add_globals(app, context.globals);
    add_commands(app, context);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
      return parse_error(app, error);
    }
    std::fflush(stdout);
    return static_cast<int>(context.exit);
  } catch (const CommandFailed& failed) {
    return fail(failed.code(), failed.what());
  } catch (const std::exception& error) {
    return fail(ExitCode::store_error, fmt::format("unexpected error: {}", error.what()).c_str());
  } catch (...) {
    return fail(ExitCode::store_error, "unexpected error");
  }
}

}  // namespace interviewctl
