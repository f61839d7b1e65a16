// Starts one of the Python test servers in tests/servers/ on a free loopback port and stops
// it when the fixture goes out of scope (also when a test fails), so every test binary runs
// standalone.
#pragma once

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <netinet/in.h>
#include <signal.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "support/temp_dir.hpp"

namespace interviewkit::testing {

class PythonServer {
 public:
  /// `script` is a file in tests/servers/; it gets `dir()` and `args` on its command line
  /// and must print "PORT <n>" once listening.
  PythonServer(const std::string& script, std::vector<std::string> args = {}) : dir_("server") {
    int in[2];
    int out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
      throw std::runtime_error("pipe failed");
    const std::string path = std::string(INTERVIEWKIT_TEST_SERVERS_DIR) + "/" + script;
    pid_ = fork();
    if (pid_ < 0)
      throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(in[1]);
      close(out[0]);
      std::vector<std::string> argv_s = {"/usr/bin/python3", path, dir_.path().string()};
      argv_s.insert(argv_s.end(), args.begin(), args.end());
      std::vector<char*> argv;
      for (auto& a : argv_s)
        argv.push_back(a.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    FILE* output = fdopen(out[0], "r");
    int port = 0;
    if (output == nullptr || std::fscanf(output, "PORT %d", &port) != 1) {
      stop();
      throw std::runtime_error("test server " + script + " did not start (is python3 there?)");
    }
    std::fclose(output);
    port_ = port;
  }
  ~PythonServer() { stop(); }
  PythonServer(const PythonServer&) = delete;
  PythonServer& operator=(const PythonServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }

  /// Files in dir() with the given extension, sorted by name.
  [[nodiscard]] std::vector<std::filesystem::path> files(const std::string& extension) const {
    std::vector<std::filesystem::path> out;
    for (const auto& entry : std::filesystem::directory_iterator(dir_.path())) {
      if (entry.path().extension() == extension)
        out.push_back(entry.path());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  void stop() {
    if (stdin_ >= 0) {
      close(stdin_);
      stdin_ = -1;
    }
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
      pid_ = -1;
    }
  }

 private:
  TempDir dir_;
  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
};

/// A loopback port with nothing listening on it (bound, then released).
inline int closed_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t length = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace interviewkit::testing
