// ActionEntry and ActionType: canonical strings, the JSON shape of one log line, strict
// decoding, and what a query selects.
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/log/action_entry.hpp>

#include "log_test_support.hpp"

using namespace interviewkit;
using log_test::at;
using log_test::full_entry;
using namespace std::chrono_literals;

TEST_CASE("every action type round-trips through its canonical string", "[action-log]") {
  const auto action = GENERATE(from_range(all_action_types));
  const auto text = std::string(to_string(action));
  CHECK(text.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string::npos);

  auto parsed = parse_action_type(text);
  REQUIRE(parsed);
  CHECK(*parsed == action);
  CHECK(fmt::format("{}", action) == text);
  std::ostringstream os;
  os << action;
  CHECK(os.str() == text);

  const nlohmann::json j = action;
  CHECK(j == text);
  CHECK(j.get<ActionType>() == action);
}

TEST_CASE("action type names are the documented words", "[action-log]") {
  CHECK(to_string(ActionType::interview_booked) == "interview_booked");
  CHECK(to_string(ActionType::interview_no_show) == "interview_no_show");
  CHECK(to_string(ActionType::notification_failed) == "notification_failed");
  CHECK(to_string(ActionType::notification_dead_lettered) == "notification_dead_lettered");
  CHECK(to_string(ActionType::notification_requeued) == "notification_requeued");
  CHECK(to_string(ActionType::calendar_event_skipped) == "calendar_event_skipped");
  CHECK(all_action_types.size() == 17);
}

TEST_CASE("parsing a malformed action type names the input and lists the valid values",
          "[action-log]") {
  const std::string bad = GENERATE(as<std::string>{}, "Interview_Booked", "interview_booked ",
                                   " interview_booked", "booked", "", "1", "notification-failed");
  auto parsed = parse_action_type(bad);
  REQUIRE_FALSE(parsed);
  REQUIRE(parsed.error().is<InvalidInput>());
  const auto message = parsed.error().message();
  CAPTURE(message);
  CHECK_THAT(message, Catch::Contains("\"" + bad + "\" is not an action type"));
  CHECK_THAT(message, Catch::Contains("valid values are interview_created, interview_booked"));
  CHECK_THAT(message, Catch::Contains("notification_expired, notification_requeued"));
}

TEST_CASE("JSON that is not a known action type throws instead of defaulting", "[action-log]") {
  CHECK_THROWS_AS(nlohmann::json("interview_Booked").get<ActionType>(), ErrorException);
  CHECK_THROWS_WITH(nlohmann::json("interview_Booked").get<ActionType>(),
                    Catch::Contains("\"interview_Booked\" is not an action type"));
  CHECK_THROWS_AS(nlohmann::json(1).get<ActionType>(), nlohmann::json::type_error);
  CHECK_THROWS_AS(nlohmann::json(nullptr).get<ActionType>(), nlohmann::json::type_error);
}

TEST_CASE("an action entry is one JSON object with every field spelled out", "[action-log]") {
  const auto entry = full_entry();
  const nlohmann::json j = entry;
  CHECK(j == nlohmann::json{
                 {"time", "2024-03-12T14:00:00.250Z"},
                 {"action", "interview_booked"},
                 {"interview", 42},
                 {"actor", {{"role", "recruiter"}, {"id", "r-1"}}},
                 {"from", "pending"},
                 {"to", "scheduled"},
                 {"details", entry.details},
             });

  SECTION("unset fields are null, and the system actor has an empty id") {
    ActionEntry bare;
    bare.time = at();
    bare.action = ActionType::notification_expired;
    const nlohmann::json b = bare;
    CHECK(b["time"] == "2024-03-12T14:00:00.000Z");
    CHECK(b["interview"].is_null());
    CHECK(b["from"].is_null());
    CHECK(b["to"].is_null());
    CHECK(b["actor"] == nlohmann::json{{"role", "system"}, {"id", ""}});
    CHECK(b["details"] == nlohmann::json::object());
    CHECK(b.get<ActionEntry>() == bare);
  }
}

TEST_CASE("an action entry round-trips through JSON text", "[action-log]") {
  const auto entry = full_entry();
  const auto text = nlohmann::json(entry).dump();
  CHECK(text.find('\n') == std::string::npos);
  CHECK(nlohmann::json::parse(text).get<ActionEntry>() == entry);

  SECTION("for every action type and status combination") {
    const auto action = GENERATE(from_range(all_action_types));
    const auto to = GENERATE(from_range(all_interview_statuses));
    auto variant = entry;
    variant.action = action;
    variant.to = to;
    variant.from = std::nullopt;
    CHECK(nlohmann::json::parse(nlohmann::json(variant).dump()).get<ActionEntry>() == variant);
  }
}

TEST_CASE("decoding an action entry is strict", "[action-log]") {
  const nlohmann::json good = full_entry();
  REQUIRE_NOTHROW(good.get<ActionEntry>());

  const auto rejects = [](const nlohmann::json& j, const std::string& expected) {
    CAPTURE(j.dump());
    try {
      (void)j.get<ActionEntry>();
      FAIL("accepted " << j.dump());
    } catch (const ErrorException& e) {
      CHECK_THAT(e.what(), Catch::Contains(expected));
    } catch (const nlohmann::json::exception& e) {
      CHECK_THAT(e.what(), Catch::Contains(expected));
    }
  };

  SECTION("an unknown field") {
    auto j = good;
    j["severity"] = "high";
    rejects(j, "action entry has an unknown field \"severity\"");
  }
  SECTION("a missing field") {
    const std::string field = GENERATE(as<std::string>{}, "time", "action", "interview", "actor",
                                       "from", "to", "details");
    auto j = good;
    j.erase(field);
    rejects(j, "action entry is missing the field \"" + field + "\"");
  }
  SECTION("an unknown action") {
    auto j = good;
    j["action"] = "interview_deleted";
    rejects(j, "\"interview_deleted\" is not an action type; valid values are");
  }
  SECTION("details that are not an object") {
    const auto details = GENERATE(nlohmann::json::array({1, 2}), nlohmann::json("note"),
                                  nlohmann::json(nullptr), nlohmann::json(3));
    auto j = good;
    j["details"] = details;
    rejects(j, "action entry details must be a JSON object, got " + details.dump());
  }
  SECTION("a time that is not a strict UTC timestamp") {
    const std::string time =
        GENERATE(as<std::string>{}, "2024-03-12 14:00:00Z", "2024-03-12T14:00:00+01:00",
                 "2024-03-12T14:00:00.25Z", "2024-02-30T14:00:00Z", "yesterday", "");
    auto j = good;
    j["time"] = time;
    rejects(j, "\"" + time + "\"");
  }
  SECTION("a time that is not a string") {
    auto j = good;
    j["time"] = 1710252000250;
    rejects(j, "action time must be a JSON string");
  }
  SECTION("an interview id that is not a positive integer") {
    const auto id =
        GENERATE(nlohmann::json(0), nlohmann::json(-4), nlohmann::json("42"), nlohmann::json(4.5));
    auto j = good;
    j["interview"] = id;
    rejects(j, "interview id must be a positive integer");
  }
  SECTION("an invalid actor") {
    auto j = good;
    j["actor"] = {{"role", "recruiter"}, {"id", "has space"}};
    rejects(j, "recruiter id \"has space\" may only hold printable ASCII");
  }
  SECTION("an unknown status") {
    auto j = good;
    j["to"] = "booked";
    rejects(j, "\"booked\" is not an interview status");
  }
  SECTION("not an object at all") {
    rejects(nlohmann::json::array({good}), "action entry must be a JSON object");
  }
}

TEST_CASE("an entry that could not be read back is refused when serialized", "[action-log]") {
  SECTION("details that are not an object") {
    auto entry = full_entry();
    entry.details = nlohmann::json::array();
    CHECK_FALSE(validate(entry));
    CHECK_THROWS_WITH(nlohmann::json(entry), Catch::Contains("details must be a JSON object"));
  }
  SECTION("a time outside the years a timestamp can spell") {
    auto entry = full_entry();
    entry.time = UtcMillis{date::sys_days{date::year{10000} / 1 / 1}};
    CHECK_FALSE(validate(entry));
    CHECK_THROWS_WITH(nlohmann::json(entry), Catch::Contains("outside the years 0000..9999"));
    entry.time = UtcMillis{date::sys_days{date::year{9999} / 12 / 31}} + 86'399'999ms;
    CHECK(validate(entry));
    CHECK(nlohmann::json(entry).get<ActionEntry>() == entry);
  }
}

TEST_CASE("a query selects entries whose every set field matches", "[action-log]") {
  const auto entry = log_test::entry(ActionType::notification_failed, 7, 1s);
  CHECK(ActionQuery{}.matches(entry));
  CHECK(ActionQuery{.action = ActionType::notification_failed}.matches(entry));
  CHECK_FALSE(ActionQuery{.action = ActionType::notification_delivered}.matches(entry));
  CHECK(ActionQuery{.interview = InterviewId{7}}.matches(entry));
  CHECK_FALSE(ActionQuery{.interview = InterviewId{8}}.matches(entry));

  SECTION("the time range is half-open: since is included, until is not") {
    CHECK(ActionQuery{.since = at(1s)}.matches(entry));
    CHECK_FALSE(ActionQuery{.since = at(1001ms)}.matches(entry));
    CHECK_FALSE(ActionQuery{.until = at(1s)}.matches(entry));
    CHECK(ActionQuery{.until = at(1001ms)}.matches(entry));
    CHECK(ActionQuery{.since = at(1s), .until = at(1001ms)}.matches(entry));
  }
}
