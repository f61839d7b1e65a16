#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/ids.hpp>

#include "enum_text.hpp"
#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

std::string_view to_string(ActorRole role) noexcept {
  return enum_name(role);
}

Result<ActorRole> parse_actor_role(std::string_view text) {
  return detail::parse_enum<ActorRole>(text);
}

Result<Actor> Actor::make(ActorRole role, std::string_view id) {
  if (role == ActorRole::system) {
    // The system is one actor; an id would suggest several and could not be checked anyway.
    if (!id.empty()) {
      return InvalidInput{fmt::format("the system actor has no id, got {}", detail::quoted(id))};
    }
    return Actor(role, {});
  }
  if (auto ok = detail::validate_external_id(fmt::format("{} id", role), id); !ok)
    return ok.error();
  return Actor(role, std::string(id));
}

std::ostream& operator<<(std::ostream& os, ActorRole role) {
  return os << to_string(role);
}

std::ostream& operator<<(std::ostream& os, const Actor& actor) {
  return os << fmt::format("{}", actor);
}

}  // namespace interviewkit

using interviewkit::Actor;
namespace d = interviewkit::detail;

Actor nlohmann::adl_serializer<Actor>::from_json(const nlohmann::json& j) {
  d::expect_object(j, "actor", {"role", "id"});
  const auto role =
      d::unwrap(interviewkit::parse_actor_role(d::expect_string(j.at("role"), "actor role")));
  return d::unwrap(Actor::make(role, d::expect_string(j.at("id"), "actor id")));
}

void nlohmann::adl_serializer<Actor>::to_json(nlohmann::json& j, const Actor& v) {
  j = nlohmann::json{{"role", std::string(to_string(v.role()))}, {"id", v.id()}};
}
