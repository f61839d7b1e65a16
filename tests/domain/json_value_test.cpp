// JsonValue: a JSON value held by pointer so that public headers need only json_fwd.hpp; it
// reads and writes like the nlohmann::json it holds.
#include <string>
#include <utility>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/json_value.hpp>

using interviewkit::JsonValue;

TEST_CASE("a JsonValue reads and writes like the json it holds", "[domain]") {
  JsonValue v = {{"kind", "invite"}, {"attempt", 2}};
  CHECK(v.is_object());
  CHECK(v.at("attempt").get<int>() == 2);
  CHECK(v.contains("kind"));
  CHECK(v.value("missing", std::string("fallback")) == "fallback");
  v["error"] = "timeout";
  CHECK(v.erase("kind") == 1);
  CHECK(v.dump() == R"({"attempt":2,"error":"timeout"})");
  CHECK(v == nlohmann::json{{"attempt", 2}, {"error", "timeout"}});
  CHECK(nlohmann::json(v) == nlohmann::json::parse(v.dump()));
  CHECK(nlohmann::json::parse(R"({"a":[1]})").get<JsonValue>().at("a").size() == 1);

  v = nlohmann::json::array({1, 2});
  CHECK_FALSE(v.is_object());
  v = nullptr;
  CHECK(v.is_null());
}

TEST_CASE("a JsonValue is a value: copies are deep and a moved-from one is null", "[domain]") {
  CHECK(JsonValue().is_null());
  CHECK(JsonValue::object().is_object());
  CHECK(JsonValue::object().empty());
  CHECK(JsonValue() == JsonValue(nlohmann::json()));

  JsonValue original = {{"n", 1}};
  JsonValue copy = original;
  copy["n"] = 2;
  CHECK(original.at("n") == 1);
  CHECK(copy != original);

  JsonValue moved = std::move(copy);
  CHECK(moved.at("n") == 2);
  CHECK(copy.is_null());  // NOLINT(bugprone-use-after-move): documented state
  copy["again"] = true;   // and usable again
  CHECK(copy.at("again") == true);
}
