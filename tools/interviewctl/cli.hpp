// What every interviewctl command shares: the global options, exit codes and the one way a
// command fails (throwing CommandFailed, which run() turns into a message and an exit code).
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <stdexcept>
#include <string>
#include <type_traits>

#include <interviewkit/domain/error.hpp>

namespace interviewctl {

/// Documented in --help and docs/interviewctl.md: scripts depend on them, never renumber.
enum class ExitCode : int {
  ok = 0,
  bad_answer = 1,       ///< the question was answered and the answer is "bad": gaps, dead
  usage = 2,            ///< bad command line or config file
  not_found = 3,        ///< no such interview or outbox message
  store_error = 4,      ///< the database could not be opened or read or written
  delivery_failed = 5,  ///< send-test: the channel did not deliver
};

/// A command that cannot go on: `message` goes to stderr, `code` becomes the exit status.
class CommandFailed : public std::runtime_error {
 public:
  CommandFailed(ExitCode code, const std::string& message)
      : std::runtime_error(message), code_(code) {}
  [[nodiscard]] ExitCode code() const noexcept { return code_; }

 private:
  ExitCode code_;
};

[[noreturn]] inline void usage_error(const std::string& message) {
  throw CommandFailed(ExitCode::usage, message);
}

/// The exit code for a library error: NotFound is 3, InvalidInput 2, the rest 4.
[[nodiscard]] ExitCode exit_code_for(const interviewkit::Error& error) noexcept;

/// Throws CommandFailed for an error result, prefixing `what` ("reading interview 7").
template <class R>
decltype(auto) unwrap(R&& result, const std::string& what) {
  if (!result)
    throw CommandFailed(exit_code_for(result.error()), what + ": " + result.error().message());
  if constexpr (!std::is_void_v<typename std::remove_cvref_t<R>::value_type>)
    return *std::forward<R>(result);
}

/// Options every command sees, filled in by CLI11 before a command's callback runs.
struct Globals {
  std::string db;     ///< --db or $INTERVIEWKIT_DB: a SQLite path or a postgresql:// URL
  bool json = false;  ///< --json: machine-readable output with stable field names
};

/// Where each command registers itself; the callback it sets stores its exit code here.
struct Context {
  Globals globals;
  ExitCode exit = ExitCode::ok;
};

// One registration function per command file.
void add_status_commands(CLI::App& app, Context& context);       // status, history
void add_fate_commands(CLI::App& app, Context& context);         // fate, failures, reconcile
void add_outbox_commands(CLI::App& app, Context& context);       // outbox ls, outbox show
void add_requeue_command(CLI::App& app, Context& context);       // requeue
void add_maintenance_commands(CLI::App& app, Context& context);  // purge, migrate
void add_metrics_command(CLI::App& app, Context& context);       // metrics
void add_dispatch_command(CLI::App& app, Context& context);      // dispatch
void add_send_test_command(CLI::App& app, Context& context);     // send-test

/// Parses the command line and runs the command; returns the process's exit status.
/// Never throws.
[[nodiscard]] int run(int argc, char** argv) noexcept;

}  // namespace interviewctl
