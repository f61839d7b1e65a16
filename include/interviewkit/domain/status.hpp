// InterviewStatus: the lifecycle states of an interview, with strict string conversion.
//
// There is deliberately no conversion to or from strings or integers other than the explicit
// functions below: `status == "scheduled"` does not compile, and an unknown string is an
// error, never a default.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

enum class InterviewStatus : std::uint8_t {
  pending,    ///< created, no slot yet
  scheduled,  ///< a slot is booked
  confirmed,  ///< the booked slot is confirmed by the interviewers
  completed,  ///< terminal
  cancelled,  ///< terminal
  no_show,    ///< terminal: the candidate did not attend
};

inline constexpr std::array<InterviewStatus, 6> all_interview_statuses{
    InterviewStatus::pending,   InterviewStatus::scheduled, InterviewStatus::confirmed,
    InterviewStatus::completed, InterviewStatus::cancelled, InterviewStatus::no_show,
};

/// The canonical lowercase name: "pending", "scheduled", ..., "no_show".
[[nodiscard]] constexpr std::string_view to_string(InterviewStatus status) noexcept {
  switch (status) {
    case InterviewStatus::pending:
      return "pending";
    case InterviewStatus::scheduled:
      return "scheduled";
    case InterviewStatus::confirmed:
      return "confirmed";
    case InterviewStatus::completed:
      return "completed";
    case InterviewStatus::cancelled:
      return "cancelled";
    case InterviewStatus::no_show:
      return "no_show";
  }
  return "<invalid InterviewStatus>";
}

/// True for completed, cancelled and no_show: no transition leaves these.
[[nodiscard]] constexpr bool is_terminal(InterviewStatus status) noexcept {
  return status == InterviewStatus::completed || status == InterviewStatus::cancelled ||
         status == InterviewStatus::no_show;
}

/// True while the interview holds its slot (scheduled or confirmed): only these can conflict.
[[nodiscard]] constexpr bool holds_slot(InterviewStatus status) noexcept {
  return status == InterviewStatus::scheduled || status == InterviewStatus::confirmed;
}

/// Strict parse of a canonical name. Case, whitespace and numbers are errors; the error names
/// the input and lists the valid values.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<InterviewStatus> parse_interview_status(
    std::string_view text);

INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, InterviewStatus status);

/// JSON: the canonical string. from_json throws nlohmann::json::type_error for a non-string
/// and interviewkit::ErrorException for an unknown string.
INTERVIEWKIT_EXPORT void to_json(nlohmann::json& j, InterviewStatus status);
INTERVIEWKIT_EXPORT void from_json(const nlohmann::json& j, InterviewStatus& status);

}  // namespace interviewkit

template <>
struct fmt::formatter<interviewkit::InterviewStatus> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(interviewkit::InterviewStatus status, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(to_string(status), ctx);
  }
};
