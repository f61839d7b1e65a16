// ActionEntry JSON: strict from_json, stable round trip; an accepted entry validates, so
// to_json (which refuses invalid entries) can always write it back.
#include <interviewkit/log/action_entry.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(action_entry_json) {
  const auto entry = json_round_trip<ActionEntry>(as_text(data, size), "action entry");
  if (!entry)
    return;
  no_exception("validate(ActionEntry)", [&] {
    require(static_cast<bool>(validate(*entry)), "from_json accepted an invalid action entry");
  });
}
