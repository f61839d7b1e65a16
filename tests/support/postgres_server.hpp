// A throwaway PostgreSQL cluster for the tests: initdb into a temporary directory, pg_ctl on
// a free loopback port with its Unix socket in that directory, stopped and removed when the
// test binary exits. Run as root, the server runs as the `postgres` user. Setting
// INTERVIEWKIT_TEST_PG_URL points the tests at an existing server instead.
#pragma once

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

#include "support/python_server.hpp"

namespace interviewkit::testing {

class PostgresServer {
 public:
  static PostgresServer& shared() {
    static PostgresServer server;
    return server;
  }

  /// A new, empty database on the server; each test gets its own.
  std::string fresh_database() {
    static std::atomic<int> counter{0};
    const auto name = fmt::format("ik_test_{}_{}", ::getpid(), counter.fetch_add(1));
    run(fmt::format("psql -q -X -v ON_ERROR_STOP=1 '{}' -c 'CREATE DATABASE {}' >/dev/null",
                    admin_url_, name));
    return url_for(name);
  }

  /// Runs SQL through psql against `url`; returns psql's exit status.
  static int psql(const std::string& url, const std::string& sql) {
    return std::system(
        fmt::format("psql -q -X -v ON_ERROR_STOP=1 '{}' -c \"{}\" >/dev/null 2>&1", url, sql)
            .c_str());
  }

  /// Runs the SQL file at `path` through psql against `url`; returns psql's exit status.
  static int psql_file(const std::string& url, const std::string& path) {
    return std::system(
        fmt::format("psql -q -X -v ON_ERROR_STOP=1 '{}' -f '{}' >/dev/null 2>&1", url, path)
            .c_str());
  }

  /// Restarts the server the way an operator or a failover would (pg_ctl restart, with the
  /// options it was started with, as the `postgres` user when run as root): every open
  /// connection is cut. False, doing nothing, when the tests use a server they do not own.
  bool restart(const std::string& mode = "fast") {
    if (data_.empty())
      return false;
    run(fmt::format("{} {}/pg_ctl -D '{}' -l '{}/server.log' -m {} -w -t 60 restart >/dev/null",
                    as_postgres_, bin_, data_, root_, mode));
    return true;
  }

  [[nodiscard]] std::string url_for(const std::string& database) const {
    return fmt::format("{}/{}", base_, database);
  }

  ~PostgresServer() {
    if (!data_.empty()) {
      std::system(fmt::format("{} {}/pg_ctl -D '{}' -m immediate -w stop >/dev/null 2>&1",
                              as_postgres_, bin_, data_)
                      .c_str());
      std::error_code ignored;
      std::filesystem::remove_all(root_, ignored);
    }
  }

 private:
  PostgresServer() {
    if (const char* url = std::getenv("INTERVIEWKIT_TEST_PG_URL"); url && *url) {
      admin_url_ = url;
      const auto slash = admin_url_.rfind('/');
      base_ = admin_url_.substr(0, slash);
      return;
    }
    char pattern[] = "/tmp/interviewkit-pg-XXXXXX";
    if (mkdtemp(pattern) == nullptr)
      throw std::runtime_error("mkdtemp failed");
    root_ = pattern;
    data_ = root_ + "/data";
    const int port = closed_port();
    if (::geteuid() == 0) {
      as_postgres_ = "runuser -u postgres --";
      run(fmt::format("chown postgres '{}'", root_));
    }
    run(fmt::format(
        "{} {}/initdb -D '{}' -U postgres --auth=trust -E UTF8 --no-locale >'{}/initdb.log' 2>&1",
        as_postgres_, bin_, data_, root_));
    // fsync off: a test cluster need not survive power loss, and it makes the suite faster.
    // Benchmarks turn it on (INTERVIEWKIT_TEST_PG_FSYNC=on) to compare fairly with SQLite.
    const char* fsync = std::getenv("INTERVIEWKIT_TEST_PG_FSYNC");
    run(
        fmt::format("{} {}/pg_ctl -D '{}' -l '{}/server.log' -w -t 60 -o \"-p {} -k '{}' "
                    "-c listen_addresses=127.0.0.1 -c fsync={} -c max_connections=200\" start "
                    ">/dev/null",
                    as_postgres_, bin_, data_, root_, port, root_,
                    fsync && std::string(fsync) == "on" ? "on" : "off"));
    base_ = fmt::format("postgresql://postgres@127.0.0.1:{}", port);
    admin_url_ = base_ + "/postgres";
  }

  static void run(const std::string& command) {
    if (std::system(command.c_str()) != 0) {
      throw std::runtime_error("test PostgreSQL: command failed: " + command);
    }
  }

  std::string bin_ = "/usr/lib/postgresql/15/bin";
  std::string as_postgres_;
  std::string root_;
  std::string data_;
  std::string base_;
  std::string admin_url_;
};

}  // namespace interviewkit::testing
