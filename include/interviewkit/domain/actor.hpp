// Actor: who performed an operation, for the audit trail.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// `operator_` (named "operator") is a person running interviewctl or another admin tool:
/// requeues and purges are recorded against them.
enum class ActorRole : std::uint8_t { candidate, interviewer, recruiter, system, operator_ };

/// Names of ActorRole, for to_string, parse_actor_role, JSON and formatting (see EnumNames).
template <>
struct EnumNames<ActorRole> {
  static constexpr std::string_view type = "ActorRole";  ///< type name, in "<invalid ActorRole>"
  static constexpr std::string_view noun =
      "actor role";  ///< noun in parse errors: "... is not an actor role"
  static constexpr std::string_view article = "an";  ///< article before the noun
  using enum ActorRole;
  /// Every role with its canonical name, in declaration order.
  static constexpr auto table = std::to_array<EnumName<ActorRole>>({
      {candidate, "candidate"},
      {interviewer, "interviewer"},
      {recruiter, "recruiter"},
      {system, "system"},
      {operator_, "operator"},
  });
};
static_assert(names_cover_enum<ActorRole>());

/// Every ActorRole, in declaration order.
inline constexpr std::array<ActorRole, 5> all_actor_roles = enum_values<ActorRole>();

/// The canonical lowercase name: "candidate", "interviewer", "recruiter", "system",
/// "operator".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(ActorRole role) noexcept;
/// Strict parse of a canonical name; the error names the input and lists the valid values.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<ActorRole> parse_actor_role(std::string_view text);

/// Who did it: a role and the host's id for that person (empty for the system).
class INTERVIEWKIT_EXPORT Actor {
 public:
  /// The id follows the rules of host ids (printable ASCII, 1..128 bytes); empty only for
  /// the system role.
  [[nodiscard]] static Result<Actor> make(ActorRole role, std::string_view id);
  /// The library itself (a dispatcher, a scheduled job): role `system`, empty id.
  [[nodiscard]] static Actor system() { return Actor(ActorRole::system, {}); }

  /// What kind of actor this is.
  [[nodiscard]] ActorRole role() const noexcept { return role_; }
  /// The host's id for the person; empty for the system.
  [[nodiscard]] const std::string& id() const noexcept { return id_; }

  friend bool operator==(const Actor&, const Actor&) = default;

 private:
  Actor(ActorRole role, std::string id) : role_(role), id_(std::move(id)) {}
  ActorRole role_;
  std::string id_;
};

/// Writes the canonical name, as to_string does.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, ActorRole role);
/// Same text as the fmt formatter: "recruiter:r-7", or "system".
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const Actor& actor);

}  // namespace interviewkit

/// JSON {"role": "recruiter", "id": "r-7"} ("id" is "" for the system). Through adl_serializer
/// because an Actor has no unvalidated default state; from_json is strict and throws
/// interviewkit::ErrorException naming the bad field.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Actor> {
  /// Reads `{"role", "id"}`; throws interviewkit::ErrorException naming a bad field.
  static interviewkit::Actor from_json(const nlohmann::json& j);
  /// Writes `{"role", "id"}`.
  static void to_json(nlohmann::json& j, const interviewkit::Actor& value);
};

/// "recruiter:r-7", or "system".
template <>
struct fmt::formatter<interviewkit::Actor> : fmt::formatter<std::string_view> {
  /// Writes "role:id", or the role alone when the id is empty.
  template <class FormatContext>
  auto format(const interviewkit::Actor& actor, FormatContext& ctx) const {
    if (actor.id().empty())
      return fmt::format_to(ctx.out(), "{}", actor.role());
    return fmt::format_to(ctx.out(), "{}:{}", actor.role(), actor.id());
  }
};
