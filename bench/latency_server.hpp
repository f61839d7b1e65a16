// Starts one of the latency-injecting loopback servers of bench/servers/ (Python, or the
// C++ responder), asks it how many messages it answered, and reads its CPU time, so a
// benchmark can tell whether the server or the dispatcher limited a figure.
#pragma once

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <signal.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include "proc_cpu.hpp"

namespace interviewkit::bench {

enum class ServerKind : int { python_smtp, python_http, fast_smtp, fast_http };

inline const char* kind_name(ServerKind kind) {
  static const char* const names[] = {"python_smtp", "python_http", "fast_smtp", "fast_http"};
  return names[static_cast<int>(kind)];
}

inline ServerKind kind_named(const std::string& name) {
  for (int k = 0; k < 4; ++k)
    if (name == kind_name(static_cast<ServerKind>(k)))
      return static_cast<ServerKind>(k);
  throw std::invalid_argument("unknown server kind " + name);
}

inline const char* server_name(ServerKind kind) {
  return kind == ServerKind::python_smtp || kind == ServerKind::python_http ? "python" : "C++";
}

inline const char* protocol_name(ServerKind kind) {
  return kind == ServerKind::python_smtp || kind == ServerKind::fast_smtp ? "smtp" : "http";
}

class LatencyServer {
 public:
  /// Starts a server of `kind` replying after `delay` seconds.
  explicit LatencyServer(ServerKind kind, double delay = 0.1) : kind_(kind) {
    int in[2];
    int out[2];
    if (pipe(in) != 0 || pipe(out) != 0)
      throw std::runtime_error("pipe failed");
    const auto args = command(kind, std::to_string(delay));
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], STDIN_FILENO);
      dup2(out[1], STDOUT_FILENO);
      close(in[1]);
      close(out[0]);
      std::vector<char*> argv;
      for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    to_ = fdopen(in[1], "w");
    from_ = fdopen(out[0], "r");
    if (from_ == nullptr || std::fscanf(from_, "PORT %d", &port_) != 1) {
      stop();
      throw std::runtime_error(std::string("latency server did not start: ") + args[0]);
    }
  }

  /// A server another process started, known by its port only (no count, no CPU).
  static LatencyServer existing(ServerKind kind, int port) { return LatencyServer(kind, port, 0); }

  ~LatencyServer() { stop(); }
  LatencyServer(LatencyServer&& other) noexcept
      : kind_(other.kind_),
        port_(other.port_),
        pid_(other.pid_),
        to_(other.to_),
        from_(other.from_) {
    other.pid_ = -1;
    other.to_ = nullptr;
    other.from_ = nullptr;
  }
  LatencyServer(const LatencyServer&) = delete;
  LatencyServer& operator=(const LatencyServer&) = delete;
  LatencyServer& operator=(LatencyServer&&) = delete;

  [[nodiscard]] ServerKind kind() const { return kind_; }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] bool smtp() const { return std::string(protocol_name(kind_)) == "smtp"; }

  /// Messages (SMTP) or requests (HTTP) the server has answered 2xx since it started.
  [[nodiscard]] std::uint64_t count() const {
    std::fputs("COUNT\n", to_);
    std::fflush(to_);
    unsigned long long n = 0;
    if (std::fscanf(from_, " COUNT %llu", &n) != 1)
      throw std::runtime_error("latency server did not answer COUNT");
    return n;
  }

  /// User plus system CPU seconds the server has used (from /proc/<pid>/stat).
  [[nodiscard]] double cpu_seconds() const { return proc_stat(pid_).cpu_seconds; }

 private:
  LatencyServer(ServerKind kind, int port, int) : kind_(kind), port_(port) {}

  static std::vector<std::string> command(ServerKind kind, const std::string& delay) {
    switch (kind) {
      case ServerKind::python_smtp:
        return {"/usr/bin/python3", INTERVIEWKIT_BENCH_SERVERS_DIR "/latency_smtp.py", "--delay",
                delay};
      case ServerKind::python_http:
        return {"/usr/bin/python3", INTERVIEWKIT_BENCH_SERVERS_DIR "/latency_http.py", "--delay",
                delay};
      case ServerKind::fast_smtp:
        return {INTERVIEWKIT_LATENCY_SERVER, "smtp", "--delay", delay};
      case ServerKind::fast_http:
        return {INTERVIEWKIT_LATENCY_SERVER, "http", "--delay", delay};
    }
    return {};
  }

  void stop() {
    if (to_ != nullptr)
      std::fclose(to_);  // end of stdin: the server exits
    if (from_ != nullptr)
      std::fclose(from_);
    to_ = nullptr;
    from_ = nullptr;
    if (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        usleep(100'000);
        if (waitpid(pid_, &status, WNOHANG) == 0) {
          kill(pid_, SIGTERM);
          waitpid(pid_, &status, 0);
        }
      }
      pid_ = -1;
    }
  }

  ServerKind kind_;
  int port_ = 0;
  pid_t pid_ = -1;
  FILE* to_ = nullptr;
  FILE* from_ = nullptr;
};

}  // namespace interviewkit::bench
