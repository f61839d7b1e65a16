// Actor: who did it. Roles parse strictly; ids follow the host-id rules; the system has none.
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/actor.hpp>

using interviewkit::Actor;
using interviewkit::ActorRole;

TEST_CASE("every actor role round-trips through its canonical string", "[action-log]") {
  const auto role = GENERATE(from_range(interviewkit::all_actor_roles));
  const auto text = std::string(to_string(role));
  auto parsed = interviewkit::parse_actor_role(text);
  REQUIRE(parsed);
  CHECK(*parsed == role);
  CHECK(fmt::format("{}", role) == text);
  std::ostringstream os;
  os << role;
  CHECK(os.str() == text);
}

TEST_CASE("parsing a malformed actor role names the input and the valid values", "[action-log]") {
  const std::string bad =
      GENERATE(as<std::string>{}, "Recruiter", " recruiter", "recruiter ", "", "2", "admin");
  auto parsed = interviewkit::parse_actor_role(bad);
  REQUIRE_FALSE(parsed);
  REQUIRE(parsed.error().is<interviewkit::InvalidInput>());
  const auto message = parsed.error().message();
  CAPTURE(message);
  CHECK_THAT(message, Catch::Contains("\"" + bad + "\" is not an actor role"));
  CHECK_THAT(message, Catch::Contains("candidate, interviewer, recruiter, system"));
}

TEST_CASE("a person acting needs a valid host id", "[action-log]") {
  const auto role = GENERATE(ActorRole::candidate, ActorRole::interviewer, ActorRole::recruiter);
  CAPTURE(role);

  SECTION("a printable id is accepted and kept") {
    auto actor = Actor::make(role, "user-7@example");
    REQUIRE(actor);
    CHECK(actor->role() == role);
    CHECK(actor->id() == "user-7@example");
    CHECK(fmt::format("{}", *actor) == fmt::format("{}:user-7@example", role));
    std::ostringstream os;
    os << *actor;
    CHECK(os.str() == fmt::format("{}:user-7@example", role));
  }
  SECTION("an empty id is rejected, naming the role") {
    auto actor = Actor::make(role, "");
    REQUIRE_FALSE(actor);
    CHECK(actor.error().is<interviewkit::InvalidInput>());
    CHECK_THAT(actor.error().message(),
               Catch::Contains(fmt::format("{} id must not be empty", role)));
  }
  SECTION("spaces, control characters and non-ASCII are rejected, naming the id") {
    const std::string bad = GENERATE(as<std::string>{}, "r 1", "r\n1", "r\t1", "rö");
    auto actor = Actor::make(role, bad);
    REQUIRE_FALSE(actor);
    CHECK_THAT(actor.error().message(), Catch::Contains("printable ASCII"));
  }
  SECTION("an id longer than 128 bytes is rejected") {
    CHECK(Actor::make(role, std::string(128, 'x')));
    auto actor = Actor::make(role, std::string(129, 'x'));
    REQUIRE_FALSE(actor);
    CHECK_THAT(actor.error().message(), Catch::Contains("129 bytes long; at most 128"));
  }
}

TEST_CASE("the system acts without an id", "[action-log]") {
  CHECK(Actor::make(ActorRole::system, "").value() == Actor::system());
  CHECK(Actor::system().role() == ActorRole::system);
  CHECK(Actor::system().id().empty());
  CHECK(fmt::format("{}", Actor::system()) == "system");

  auto with_id = Actor::make(ActorRole::system, "cron");
  REQUIRE_FALSE(with_id);
  CHECK_THAT(with_id.error().message(),
             Catch::Contains("the system actor has no id, got \"cron\""));
}

TEST_CASE("actors with the same role and id are equal", "[action-log]") {
  CHECK(Actor::make(ActorRole::recruiter, "a").value() ==
        Actor::make(ActorRole::recruiter, "a").value());
  CHECK_FALSE(Actor::make(ActorRole::recruiter, "a").value() ==
              Actor::make(ActorRole::interviewer, "a").value());
  CHECK_FALSE(Actor::make(ActorRole::recruiter, "a").value() ==
              Actor::make(ActorRole::recruiter, "b").value());
}

TEST_CASE("an actor round-trips through JSON and invalid JSON is rejected", "[action-log]") {
  const auto recruiter = Actor::make(ActorRole::recruiter, "r-1").value();
  const nlohmann::json j = recruiter;
  CHECK(j == nlohmann::json{{"role", "recruiter"}, {"id", "r-1"}});
  CHECK(j.get<Actor>() == recruiter);
  CHECK(nlohmann::json(Actor::system()) == nlohmann::json{{"role", "system"}, {"id", ""}});
  CHECK(nlohmann::json(Actor::system()).get<Actor>() == Actor::system());

  const auto bad = GENERATE(
      nlohmann::json{{"role", "Recruiter"}, {"id", "r-1"}},
      nlohmann::json{{"role", "recruiter"}, {"id", ""}},
      nlohmann::json{{"role", "system"}, {"id", "x"}}, nlohmann::json{{"role", "recruiter"}},
      nlohmann::json{{"role", "recruiter"}, {"id", "r-1"}, {"name", "Ann"}},
      nlohmann::json{{"role", "recruiter"}, {"id", 7}}, nlohmann::json("recruiter:r-1"));
  CAPTURE(bad.dump());
  CHECK_THROWS_AS(bad.get<Actor>(), interviewkit::ErrorException);
}
