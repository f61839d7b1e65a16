// SpdlogSink: one line per action entry on the host's own spdlog logger.
#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/logger.h>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/log/spdlog_sink.hpp>

namespace interviewkit {

// The logger is the host's, never spdlog's global default: a library must not write to the
// host's logs unasked, so a null logger is a wiring mistake rather than "use the default".
Result<std::shared_ptr<SpdlogSink>> SpdlogSink::make(std::shared_ptr<spdlog::logger> logger) {
  return make(std::move(logger), spdlog::level::info);
}

Result<std::shared_ptr<SpdlogSink>> SpdlogSink::make(std::shared_ptr<spdlog::logger> logger,
                                                     spdlog::level::level_enum level) {
  if (!logger)
    return InvalidInput{"SpdlogSink needs the host's spdlog logger, got a null pointer"};
  return std::shared_ptr<SpdlogSink>(new SpdlogSink(std::move(logger), level));
}

SpdlogSink::SpdlogSink(std::shared_ptr<spdlog::logger> logger,
                       spdlog::level::level_enum level) noexcept
    : logger_(std::move(logger)), level_(level) {}

// key=value fields in a fixed order, so operators can grep and parse the lines; the action
// comes first because it is what an alert filters on.
std::string SpdlogSink::format(const ActionEntry& entry) {
  std::string message = fmt::format("{} interview=", entry.action);
  if (entry.interview.is_set())
    fmt::format_to(std::back_inserter(message), "{}", entry.interview);
  else
    message += "none";
  fmt::format_to(std::back_inserter(message), " actor={}", entry.actor);
  if (entry.from || entry.to) {
    const auto name = [](const std::optional<InterviewStatus>& status) {
      return status ? to_string(*status) : std::string_view("none");
    };
    fmt::format_to(std::back_inserter(message), " {}->{}", name(entry.from), name(entry.to));
  }
  fmt::format_to(std::back_inserter(message), " time={}", format_utc(entry.time));
  if (!entry.details.empty()) {
    // JSON escapes control characters, so details cannot break the line or forge another.
    message += " details=";
    message += entry.details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return message;
}

// Raises, never lowers: a host that logs everything at warn keeps warn, and one that logs
// at info still sees failed and dead-lettered notifications where its alerting looks.
spdlog::level::level_enum SpdlogSink::level_for(const ActionEntry& entry) const noexcept {
  switch (entry.action) {
    case ActionType::notification_failed:
      return std::max(level_, spdlog::level::warn);
    case ActionType::notification_dead_lettered:
      return std::max(level_, spdlog::level::err);
    default:
      return level_;
  }
}

// The message goes in as an argument of "{}", never as the format string: braces in titles
// or details must not be read as fmt syntax. Thread safety and errors are the logger's: its
// *_mt sinks lock, and spdlog catches its sinks' std::exception failures and hands them to
// the logger's error handler (stderr by default) rather than throwing, so ActionLog rarely
// sees a failure from here.
void SpdlogSink::write(const ActionEntry& entry) {
  logger_->log(level_for(entry), "{}", format(entry));
}

void SpdlogSink::flush() {
  logger_->flush();
}

}  // namespace interviewkit
