// Command-line values: times ("2026-11-26T10:00:00Z" or "24h" ago), numeric ids and the
// operator's name. Each parser names the option and the bad value in its error.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/store/outbox.hpp>

namespace interviewctl {

/// ISO-8601 UTC ("2026-11-26T10:00:00Z", optionally with ".250" before the Z) or a time
/// that long before `now`: a whole number and a unit, s m h d w ("90m", "24h", "7d").
[[nodiscard]] interviewkit::Result<interviewkit::UtcMillis> parse_time(std::string_view text,
                                                                       interviewkit::UtcMillis now);

/// A store-assigned id: a whole number from 1 up, nothing else ("12abc" is refused).
[[nodiscard]] interviewkit::Result<std::uint64_t> parse_id(std::string_view text);

/// CLI11 checks, so a bad value is a usage error before the command runs.
[[nodiscard]] CLI::Validator time_check();
[[nodiscard]] CLI::Validator id_check();

/// The value of an option that passed its check (usage error otherwise).
[[nodiscard]] interviewkit::UtcMillis time_arg(const std::string& option, const std::string& text,
                                               interviewkit::UtcMillis now);
[[nodiscard]] interviewkit::InterviewId interview_arg(const std::string& text);
[[nodiscard]] interviewkit::OutboxId outbox_arg(const std::string& text);

/// The operator recorded for requeue and purge: --operator, else $USER; usage error if
/// neither gives a valid id.
[[nodiscard]] interviewkit::Actor operator_actor(const std::string& option_value);

/// "now" for relative times and records: the system clock.
[[nodiscard]] interviewkit::UtcMillis now();

}  // namespace interviewctl
