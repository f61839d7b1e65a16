#include <stdexcept>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/log/action_log.hpp>

namespace interviewkit {

namespace {

// Enough to find the entry again in the host's other records; the details are left out on
// purpose, they may be what broke the sink.
std::string describe_entry(const ActionEntry& entry) {
  if (entry.interview.is_set()) {
    return fmt::format("{} for interview {} by {} at {}", entry.action, entry.interview,
                       entry.actor, format_utc(entry.time));
  }
  return fmt::format("{} (no interview) by {} at {}", entry.action, entry.actor,
                     format_utc(entry.time));
}

void report_to_default_logger(std::string_view message) noexcept {
  try {
    if (auto logger = spdlog::default_logger())
      logger->error("{}", message);
  } catch (...) {  // NOLINT(bugprone-empty-catch): nowhere left to report to
  }
}

// Last resort when even formatting a message failed; allocates nothing itself.
void report_fallback(const char* message) noexcept {
  report_to_default_logger(message);
}

}  // namespace

std::string describe_exception(std::exception_ptr error) {
  if (!error)
    return "no exception";
  try {
    std::rethrow_exception(std::move(error));
  } catch (const std::exception& e) {
    std::string what = e.what();
    return what.empty() ? std::string("exception with an empty message") : what;
  } catch (const std::string& text) {
    return "non-standard exception (std::string): " + text;
  } catch (const char* text) {
    return std::string("non-standard exception (const char*): ") + (text ? text : "null");
  } catch (...) {
    return "non-standard exception (not derived from std::exception)";
  }
}

ActionLog::ActionLog(std::shared_ptr<ActionLogSink> sink) : sink_(std::move(sink)) {
  if (!sink_)
    throw std::invalid_argument("interviewkit::ActionLog needs a sink, got a null pointer");
}

void ActionLog::record(const ActionEntry& entry) noexcept {
  try {
    sink_->write(entry);
    return;
  } catch (...) {
    failed_writes_.fetch_add(1);
    const auto failure = std::current_exception();
    try {
      report(fmt::format("action log: could not record {}: {}", describe_entry(entry),
                         describe_exception(failure)));
    } catch (...) {
      // Building the message itself failed (out of memory): say what little we can.
      report_fallback("action log: could not record an entry, and could not describe why");
    }
  }
}

void ActionLog::flush() noexcept {
  try {
    sink_->flush();
  } catch (...) {
    const auto failure = std::current_exception();
    try {
      report(fmt::format("action log: could not flush: {}", describe_exception(failure)));
    } catch (...) {
      report_fallback("action log: could not flush, and could not describe why");
    }
  }
}

void ActionLog::set_error_handler(ErrorHandler handler) {
  error_handler_ = std::move(handler);
}

void ActionLog::report(const std::string& message) noexcept {
  if (!error_handler_) {
    report_to_default_logger(message);
    return;
  }
  try {
    error_handler_(message);
  } catch (...) {
    // A throwing handler must not turn a lost log line into a failed booking; fall back to
    // spdlog so the failure is still seen somewhere.
    report_to_default_logger(message);
  }
}

}  // namespace interviewkit
