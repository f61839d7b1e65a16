// Interview: one interview between a candidate and one or more interviewers.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/participant.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/time_range.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// The longest slot an interview may book. Stores rely on it to bound their conflict
/// searches to a window around the requested slot.
inline constexpr std::chrono::hours max_interview_length{24};

/// A plain value: the state of one interview at one version. The BookingService is the only
/// thing that changes interviews; every change increments `version`.
struct Interview {
  InterviewId id;                         ///< assigned by the Store on create; unset before
  std::string title;                      ///< e.g. "Technical interview"; may be empty
  Candidate candidate;                    ///< who is interviewed
  std::vector<Interviewer> interviewers;  ///< at least one, distinct ids
  std::optional<TimeRange> slot;          ///< none while pending
  InterviewStatus status =
      InterviewStatus::pending;  ///< where it is in its lifecycle (see Transition)
  std::uint64_t version = 1;     ///< 1 when created, +1 on every committed change
  std::string meeting_link;      ///< set when booked; empty before
  date::sys_seconds
      created_at{};  ///< when it was created (the service's clock, whole seconds, UTC)
  date::sys_seconds updated_at{};  ///< when the last change committed (whole seconds, UTC)

  friend bool operator==(const Interview&, const Interview&) = default;
};

/// Checks the invariants an Interview must hold (interviewers present and distinct,
/// candidate not also an interviewer, slot present for every status that needs one,
/// version >= 1, title text valid).
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> validate(const Interview& interview);

}  // namespace interviewkit

/// JSON round trip; from_json is strict: missing or extra-typed fields, unknown statuses and
/// invariant violations throw (interviewkit::ErrorException or nlohmann::json exceptions).
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Interview> {
  /// Reads an interview; throws on anything validate() or the field types refuse.
  static interviewkit::Interview from_json(const nlohmann::json& j);
  /// Writes every field; slot is null when unset.
  static void to_json(nlohmann::json& j, const interviewkit::Interview& value);
};
