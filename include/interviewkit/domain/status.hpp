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

#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Where an interview is in its lifecycle. Changed only by the transitions of transition.hpp.
/// Closed set with strict parsing: an unknown name is an error, never a default.
enum class InterviewStatus : std::uint8_t {
  pending,    ///< created, no slot yet
  scheduled,  ///< a slot is booked
  confirmed,  ///< the booked slot is confirmed by the interviewers
  completed,  ///< terminal
  cancelled,  ///< terminal
  no_show,    ///< terminal: the candidate did not attend
};

/// Names of InterviewStatus, for to_string, parse_interview_status, JSON and formatting.
/// Stored data holds these names: never rename one.
template <>
struct EnumNames<InterviewStatus> {
  static constexpr std::string_view type =
      "InterviewStatus";  ///< type name, in "<invalid InterviewStatus>"
  static constexpr std::string_view noun = "interview status";  ///< noun in parse errors
  static constexpr std::string_view article = "an";             ///< article before the noun
  using enum InterviewStatus;
  /// Every status with its canonical name, in declaration order.
  static constexpr auto table = std::to_array<EnumName<InterviewStatus>>({
      {pending, "pending"},
      {scheduled, "scheduled"},
      {confirmed, "confirmed"},
      {completed, "completed"},
      {cancelled, "cancelled"},
      {no_show, "no_show"},
  });
};
static_assert(names_cover_enum<InterviewStatus>());

/// Every InterviewStatus, in declaration order.
inline constexpr std::array<InterviewStatus, 6> all_interview_statuses =
    enum_values<InterviewStatus>();

/// The canonical lowercase name: "pending", "scheduled", ..., "no_show".
[[nodiscard]] constexpr std::string_view to_string(InterviewStatus status) noexcept {
  return enum_name(status);
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

/// Writes the canonical name.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, InterviewStatus status);

/// JSON: the canonical string. from_json throws nlohmann::json::type_error for a non-string
/// and interviewkit::ErrorException for an unknown string.
INTERVIEWKIT_EXPORT void to_json(nlohmann::json& j, InterviewStatus status);
/// Reads the canonical string; throws as described for to_json.
INTERVIEWKIT_EXPORT void from_json(const nlohmann::json& j, InterviewStatus& status);

}  // namespace interviewkit
