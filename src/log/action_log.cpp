// ActionLog: the front every component records through; a failing sink never fails the caller.
#include <cstdio>
#include <utility>

#include <fmt/format.h>

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

// Last resort when even formatting a message failed (out of memory).
void report_fallback(const char* message) noexcept {
  std::fputs("interviewkit: ", stderr);
  std::fputs(message, stderr);
  std::fputc('\n', stderr);
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

Result<std::shared_ptr<ActionLog>> ActionLog::make(std::shared_ptr<ActionLogSink> sink,
                                                   ActionLogOptions options) {
  if (!sink)
    return InvalidInput{"ActionLog needs a sink, got a null pointer"};
  return std::shared_ptr<ActionLog>(new ActionLog(std::move(sink), std::move(options)));
}

ActionLog::ActionLog(std::shared_ptr<ActionLogSink> sink, ActionLogOptions options)
    : sink_(std::move(sink)), options_(std::move(options)) {}

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

void ActionLog::report(const std::string& message) noexcept {
  report_error(options_.on_error, message);
}

}  // namespace interviewkit
