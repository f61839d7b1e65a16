// Parsing of the values operators type: strict, and every error says what would be right.
#include "args.hpp"

#include <charconv>
#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

#include <interviewkit/domain/clock.hpp>

#include "cli.hpp"

namespace interviewctl {

using interviewkit::InvalidInput;
using interviewkit::Result;
using interviewkit::UtcMillis;

namespace {

// A whole number in `text`, nothing before or after it.
std::optional<std::uint64_t> whole_number(std::string_view text) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end)
    return std::nullopt;
  return value;
}

// Seconds per unit of a relative time; 0 for an unknown unit.
std::int64_t unit_seconds(char unit) {
  switch (unit) {
    case 's':
      return 1;
    case 'm':
      return 60;
    case 'h':
      return 3600;
    case 'd':
      return 86400;
    case 'w':
      return 7 * 86400;
    default:
      return 0;
  }
}

// 100 years: a bigger relative time is a typo, and the arithmetic below stays far from
// overflowing.
constexpr std::uint64_t max_relative_seconds = 100ULL * 366 * 86400;

}  // namespace

Result<UtcMillis> parse_time(std::string_view text, UtcMillis now_value) {
  if (!text.empty() && text.find('T') == std::string_view::npos) {
    const auto unit = unit_seconds(text.back());
    const auto count = whole_number(text.substr(0, text.size() - 1));
    if (unit != 0 && count && *count <= max_relative_seconds / static_cast<std::uint64_t>(unit))
      return now_value - std::chrono::seconds{static_cast<std::int64_t>(*count) * unit};
  }
  if (auto absolute = interviewkit::parse_utc(text))
    return *absolute;
  return InvalidInput{fmt::format(
      "'{}' is not a time: use ISO-8601 UTC like 2026-11-26T10:00:00Z, or an age like 90m, "
      "24h, 7d, 2w (s, m, h, d or w ago)",
      text)};
}

Result<std::uint64_t> parse_id(std::string_view text) {
  const auto value = whole_number(text);
  if (!value || *value == 0)
    return InvalidInput{fmt::format("'{}' is not an id: ids are whole numbers from 1 up", text)};
  return *value;
}

CLI::Validator time_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto parsed = parse_time(text, now());
        return parsed ? std::string{} : parsed.error().message();
      },
      "TIME");
}

CLI::Validator id_check() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        auto parsed = parse_id(text);
        return parsed ? std::string{} : parsed.error().message();
      },
      "ID");
}

UtcMillis time_arg(const std::string& option, const std::string& text, UtcMillis now_value) {
  auto parsed = parse_time(text, now_value);
  if (!parsed)
    usage_error(option + ": " + parsed.error().message());
  return *parsed;
}

interviewkit::InterviewId interview_arg(const std::string& text) {
  auto parsed = parse_id(text);
  if (!parsed)
    usage_error("interview id: " + parsed.error().message());
  return interviewkit::InterviewId{*parsed};
}

interviewkit::OutboxId outbox_arg(const std::string& text) {
  auto parsed = parse_id(text);
  if (!parsed)
    usage_error("outbox id: " + parsed.error().message());
  return interviewkit::OutboxId{*parsed};
}

interviewkit::Actor operator_actor(const std::string& option_value) {
  std::string name = option_value;
  if (name.empty()) {
    const char* user = std::getenv("USER");
    name = user ? user : "";
  }
  if (name.empty())
    usage_error("who is doing this? pass --operator NAME (USER is not set)");
  auto actor = interviewkit::Actor::make(interviewkit::ActorRole::operator_, name);
  if (!actor)
    usage_error("--operator: " + actor.error().message());
  return *actor;
}

UtcMillis now() {
  return interviewkit::SystemClock{}.now();
}

}  // namespace interviewctl
