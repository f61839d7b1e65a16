// Test fixture for the CalDAV tests: a real Radicale server on loopback (tests/servers/
// radicale_server.py, through PythonServer) and the independent reference side
// (tests/servers/caldav_reference.py: python3-caldav and python3-recurring-ical-events),
// whose JSON output the tests compare with what the library reads and writes.
//
// Needs INTERVIEWKIT_TEST_PYTHON (the interpreter with caldav, recurring_ical_events and
// radicale: /usr/bin/python3 on Debian) and INTERVIEWKIT_TEST_SERVERS_DIR defined.
#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <utility>
#include <vector>

#include "support/python_server.hpp"
#include "support/temp_dir.hpp"

namespace interviewkit::testing {

namespace caldav_reference_detail {

/// `text` as one single-quoted word for /bin/sh.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out.good())
    throw std::runtime_error("cannot write " + path.string());
}

/// Runs caldav_reference.py with `args` and returns its standard output (JSON). Throws
/// std::runtime_error with its standard error when it exits non-zero.
inline std::string run(const std::vector<std::string>& args) {
  TempDir dir("caldav-reference");
  const auto errors = dir.path() / "stderr";
  std::string command =
      shell_quote(INTERVIEWKIT_TEST_PYTHON) + " " +
      shell_quote(std::string(INTERVIEWKIT_TEST_SERVERS_DIR) + "/caldav_reference.py");
  // Appended piece by piece: GCC 12's -Wrestrict misreads `" " + text` inlined here at -O2.
  for (const auto& a : args) {
    command += ' ';
    command += shell_quote(a);
  }
  command += " </dev/null 2>";
  command += shell_quote(errors.string());
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr)
    throw std::runtime_error("popen failed for caldav_reference.py");
  std::string output;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (status != 0) {
    std::string message = read_file(errors);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r'))
      message.pop_back();
    throw std::runtime_error(
        "caldav_reference.py " + (args.empty() ? "" : args.front()) + " failed (exit status " +
        std::to_string(WIFEXITED(status) ? WEXITSTATUS(status) : status) + "): " + message);
  }
  return output;
}

}  // namespace caldav_reference_detail

/// A Radicale server with the given users (name, password), each owning the collections
/// under /<name>/. Stopped when the fixture goes out of scope.
class RadicaleServer {
 public:
  using User = std::pair<std::string, std::string>;

  explicit RadicaleServer(std::vector<User> users = {{"alice", "alice-secret"}})
      : server_("radicale_server.py", user_args(users)), users_(std::move(users)) {}
  RadicaleServer(std::initializer_list<User> users) : RadicaleServer(std::vector<User>(users)) {}

  [[nodiscard]] int port() const { return server_.port(); }
  /// Stops the server now (a test of a server that went away); the port is then closed.
  void stop() { server_.stop(); }
  /// The server's folder: radicale.conf, users, collections/, radicale.log.
  [[nodiscard]] const std::filesystem::path& dir() const { return server_.dir(); }
  [[nodiscard]] std::filesystem::path log_file() const { return dir() / "radicale.log"; }
  [[nodiscard]] const std::vector<User>& users() const { return users_; }

  /// "http://127.0.0.1:<port>", no trailing slash.
  [[nodiscard]] std::string base_url() const {
    return "http://127.0.0.1:" + std::to_string(port());
  }
  /// "<base>/<user>/<name>/".
  [[nodiscard]] std::string calendar_url(const std::string& user, const std::string& name) const {
    return base_url() + "/" + user + "/" + name + "/";
  }

  /// Creates the calendar <user>/<name>/ (MKCALENDAR through python3-caldav), with a
  /// CALDAV:calendar-timezone for `zone` (an IANA name) when given. Returns its URL.
  std::string make_calendar(const std::string& user, const std::string& password,
                            const std::string& name,
                            const std::optional<std::string>& zone = std::nullopt) const {
    std::vector<std::string> args = {"mkcalendar", calendar_url(user, name), user, password};
    if (zone) {
      args.push_back("--tz");
      args.push_back(*zone);
    }
    caldav_reference_detail::run(args);
    return calendar_url(user, name);
  }

  /// Stores the events of `ics` (one resource per UID) in the calendar at `url` through
  /// python3-caldav. Returns the JSON list of {"href", "etag"}.
  std::string put(const std::string& url, const std::string& user, const std::string& password,
                  const std::string& ics) const {
    TempDir files("caldav-put");
    const auto path = files.path() / "put.ics";
    caldav_reference_detail::write_file(path, ics);
    return caldav_reference_detail::run({"put", url, user, password, path.string()});
  }

  /// Deletes the resource `href` (a path, as put() and list_json() give it) through
  /// python3-caldav.
  void remove(const std::string& url, const std::string& user, const std::string& password,
              const std::string& href) const {
    caldav_reference_detail::run({"delete", url, user, password, href});
  }

  /// The events that the server reports overlapping [start, end) (UTC, ISO 8601:
  /// "2026-03-02T00:00:00Z"), through python3-caldav's search without expansion. Returns
  /// the JSON list of {"href", "etag", "uid", "ics"}, sorted by href.
  std::string list_json(const std::string& url, const std::string& user,
                        const std::string& password, const std::string& start,
                        const std::string& end) const {
    return caldav_reference_detail::run({"list", url, user, password, start, end});
  }

  /// The busy intervals of the events in `ics_files` (each one calendar object resource's
  /// text) overlapping [start, end), expanded by python3-recurring-ical-events; DATE and
  /// floating values are read in `zone` (UTC when none). Returns the JSON list of
  /// {"uid", "start", "end"}, UTC, sorted. Needs no server.
  static std::string expand_json(const std::string& start, const std::string& end,
                                 const std::vector<std::string>& ics_files,
                                 const std::optional<std::string>& zone = std::nullopt,
                                 bool tentative_busy = true) {
    TempDir files("caldav-expand");
    std::vector<std::string> args = {"expand", start, end};
    if (zone) {
      args.push_back("--tz");
      args.push_back(*zone);
    }
    args.push_back("--tentative");
    args.push_back(tentative_busy ? "busy" : "free");
    for (std::size_t i = 0; i < ics_files.size(); ++i) {
      const auto path = files.path() / ("resource-" + std::to_string(i) + ".ics");
      caldav_reference_detail::write_file(path, ics_files[i]);
      args.push_back(path.string());
    }
    if (ics_files.empty())
      return "[]\n";
    return caldav_reference_detail::run(args);
  }
  static std::string expand_json(const std::string& start, const std::string& end,
                                 const std::string& ics,
                                 const std::optional<std::string>& zone = std::nullopt,
                                 bool tentative_busy = true) {
    return expand_json(start, end, std::vector<std::string>{ics}, zone, tentative_busy);
  }

 private:
  static std::vector<std::string> user_args(const std::vector<User>& users) {
    std::vector<std::string> out;
    for (const auto& [name, password] : users)
      out.push_back(name + ":" + password);
    return out;
  }

  PythonServer server_;
  std::vector<User> users_;
};

}  // namespace interviewkit::testing
