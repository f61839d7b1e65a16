// InterviewId: the store-assigned identity of one interview.
//
// Kept in its own header because error values name interviews, and errors must not depend on
// the rest of the domain model.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/numeric_id.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Identity of an interview, assigned by the Store when the interview is created.
/// Never zero for a stored interview; a default-constructed id is "no interview".
using InterviewId = NumericId<struct InterviewIdTag>;

/// JSON: a positive integer. from_json throws interviewkit::ErrorException otherwise.
INTERVIEWKIT_EXPORT void to_json(nlohmann::json& j, InterviewId id);
/// Reads a positive integer; throws interviewkit::ErrorException for 0, a negative number or
/// a non-integer.
INTERVIEWKIT_EXPORT void from_json(const nlohmann::json& j, InterviewId& id);

}  // namespace interviewkit
