// The default ErrorHandler and the one place that calls a host's handler safely.
#include <cstdio>

#include <interviewkit/log/error_handler.hpp>

namespace interviewkit {

void report_to_stderr(const std::string& message) noexcept {
  // One fprintf call: the line is written whole even when several threads report at once
  // (stdio locks the stream per call), and nothing here can throw or allocate.
  std::fprintf(stderr, "interviewkit: %s\n", message.c_str());
}

void report_error(const ErrorHandler& handler, const std::string& message) noexcept {
  if (!handler) {
    report_to_stderr(message);
    return;
  }
  try {
    handler(message);
  } catch (...) {
    // A throwing handler must not turn a lost log line into a failed booking or a dead
    // delivery thread; the line still goes somewhere a person can see it.
    report_to_stderr(message);
  }
}

}  // namespace interviewkit
