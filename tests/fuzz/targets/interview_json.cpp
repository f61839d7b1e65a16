// Interview JSON: strict from_json, stable round trip, and every accepted interview valid.
#include <interviewkit/domain/interview.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(interview_json) {
  const auto interview = json_round_trip<Interview>(as_text(data, size), "interview");
  if (!interview)
    return;
  no_exception("validate(Interview)", [&] {
    require(static_cast<bool>(validate(*interview)), "from_json accepted an invalid interview");
  });
}
