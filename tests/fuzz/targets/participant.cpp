// Participant::make from text. Input: "<name>\n<email>\n<time zone>", split at the last two
// newlines, so the name may itself hold newlines (which must be refused). Accepted
// participants have a clean name and survive JSON.
#include <algorithm>

#include <interviewkit/domain/participant.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

INTERVIEWKIT_FUZZ_TARGET(participant) {
  auto text = as_text(data, size);
  std::string_view fields[3];
  for (int i = 2; i > 0; --i) {
    const auto at = text.rfind('\n');
    if (at == std::string_view::npos) {
      fields[i] = text;
      text = {};
      continue;
    }
    fields[i] = text.substr(at + 1);
    text = text.substr(0, at);
  }
  fields[0] = text;
  no_exception("Participant::make", [&] {
    auto participant = Participant::make(fields[0], fields[1], fields[2]);
    if (!participant) {
      require_message(participant.error(), "Participant::make");
      return;
    }
    const auto& name = participant->name();
    require(name == fields[0], "Participant changed its name");
    require(!name.empty() && name.size() <= 256, "accepted a name outside 1..256 bytes");
    require(std::none_of(name.begin(), name.end(),
                         [](char c) { return c == '\r' || c == '\n' || c == '\0'; }),
            "accepted a name with CR, LF or NUL");
    require(participant->email().str() == fields[1], "Participant changed its email");
    const auto j = nlohmann::json(*participant);
    require(j.get<Participant>() == *participant, "Participant changed in a JSON round trip");
    require(Participant::make(name, participant->email(), participant->time_zone()).has_value(),
            "Participant::make rejects a participant it accepted");
  });
}
