#include <algorithm>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/time.hpp>
#include <interviewkit/log/spdlog_sink.hpp>

namespace interviewkit {

Result<std::shared_ptr<SpdlogSink>> SpdlogSink::make(std::shared_ptr<spdlog::logger> logger,
                                                     spdlog::level::level_enum level) {
  if (!logger)
    return InvalidInput{"SpdlogSink needs the host's spdlog logger, got a null pointer"};
  return std::shared_ptr<SpdlogSink>(new SpdlogSink(std::move(logger), level));
}

SpdlogSink::SpdlogSink(std::shared_ptr<spdlog::logger> logger,
                       spdlog::level::level_enum level) noexcept
    : logger_(std::move(logger)), level_(level) {}

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

void SpdlogSink::write(const ActionEntry& entry) {
  logger_->log(level_for(entry), "{}", format(entry));
}

void SpdlogSink::flush() {
  logger_->flush();
}

}  // namespace interviewkit
