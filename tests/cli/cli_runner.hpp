// Runs the built interviewctl as a real process (path from INTERVIEWKIT_INTERVIEWCTL) and
// collects its exit status, stdout and stderr.
#pragma once

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace interviewkit::testing {

struct CliRun {
  int exit = -1;
  std::string out;
  std::string err;
  /// stdout as JSON (a parse failure fails the calling test with the text in the message).
  [[nodiscard]] nlohmann::json json() const { return nlohmann::json::parse(out); }
};

/// Environment changes for the child: a value sets the variable, nullopt-like "" with
/// `unset` removes it.
struct EnvVar {
  std::string name;
  std::string value;
  bool unset = false;
};

class Cli {
 public:
  explicit Cli(std::string db = {}) : db_(std::move(db)), dir_("cli") {}

  /// Starts interviewctl with `args` (after --db when a database was given) and returns the
  /// pid; stdout and stderr go to files read by `finish`.
  pid_t start(const std::vector<std::string>& args, const std::vector<EnvVar>& env = {}) {
    std::vector<std::string> argv{INTERVIEWKIT_INTERVIEWCTL};
    if (!db_.empty()) {
      argv.push_back("--db");
      argv.push_back(db_);
    }
    argv.insert(argv.end(), args.begin(), args.end());
    const auto out = (dir_.path() / "out").string();
    const auto err = (dir_.path() / "err").string();
    const pid_t pid = fork();
    if (pid == 0) {
      const int o = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int e = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(o, STDOUT_FILENO);
      dup2(e, STDERR_FILENO);
      unsetenv("INTERVIEWKIT_DB");
      for (const auto& v : env) {
        if (v.unset)
          unsetenv(v.name.c_str());
        else
          setenv(v.name.c_str(), v.value.c_str(), 1);
      }
      std::vector<char*> raw;
      for (auto& a : argv)
        raw.push_back(a.data());
      raw.push_back(nullptr);
      execv(raw[0], raw.data());
      _exit(127);
    }
    return pid;
  }

  /// Waits for a process from `start` and collects what it printed.
  CliRun finish(pid_t pid) {
    CliRun run;
    run.exit = wait_for(pid);
    run.out = slurp(dir_.path() / "out");
    run.err = slurp(dir_.path() / "err");
    return run;
  }

  CliRun operator()(const std::vector<std::string>& args, const std::vector<EnvVar>& env = {}) {
    return finish(start(args, env));
  }

  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::string stderr_so_far() const { return slurp(dir_.path() / "err"); }

  static std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  std::string db_;
  TempDir dir_;
};

}  // namespace interviewkit::testing
