// The closed-set name parsers: interview status and event, actor role, action type,
// notification kind, outbox state. Accepted text is exactly the canonical name; rejected text
// gets a message; the JSON form agrees with the text form.
#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>
#include <interviewkit/store/outbox.hpp>

#include "../fuzz_support.hpp"

namespace {

using namespace interviewkit;
using namespace interviewkit::fuzz;

template <class Parse>
void check_parser(std::string_view api, std::string_view text, Parse parse) {
  no_exception(api, [&] {
    auto parsed = parse(text);
    if (!parsed) {
      require_message(parsed.error(), api);
      return;
    }
    require(to_string(*parsed) == text, std::string(api) + " accepted a non-canonical name");
    require(static_cast<bool>(parse(to_string(*parsed))),
            std::string(api) + " rejects its own canonical name");
  });
}

/// from_json of a JSON string must accept exactly what the text parser accepts.
template <class T, class Parse>
void check_json(std::string_view what, std::string_view text, Parse parse) {
  nlohmann::json j;
  try {
    j = std::string(text);
    (void)j.dump();  // strict: throws for invalid UTF-8, which JSON text cannot carry
  } catch (const nlohmann::json::exception&) {
    return;
  }
  const auto decoded = decode_strict<T>(j, what);
  require(decoded.has_value() == parse(text).has_value(),
          std::string(what) + " from_json and the text parser disagree");
  if (decoded)
    require(nlohmann::json(*decoded) == j, std::string(what) + " to_json changed the name");
}

}  // namespace

INTERVIEWKIT_FUZZ_TARGET(status_names) {
  const auto text = as_text(data, size);
  check_parser("parse_interview_status", text, parse_interview_status);
  check_parser("parse_interview_event", text, parse_interview_event);
  check_parser("parse_actor_role", text, parse_actor_role);
  check_parser("parse_action_type", text, parse_action_type);
  check_parser("parse_notification_kind", text, parse_notification_kind);
  check_parser("parse_outbox_state", text, parse_outbox_state);
  check_json<InterviewStatus>("interview status", text, parse_interview_status);
  check_json<ActionType>("action type", text, parse_action_type);
  check_json<NotificationKind>("notification kind", text, parse_notification_kind);
}
