// Bugs the fuzz targets found in the parsers, kept fixed. The inputs are also in the seed
// corpora; these cases say in plain words what was wrong.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/log/action_entry.hpp>

namespace {

std::string rejection(const nlohmann::json& j) {
  try {
    (void)j.get<interviewkit::ActionEntry>();
  } catch (const interviewkit::ErrorException& e) {
    return e.error().message();
  }
  FAIL("the entry was accepted");
  return {};
}

}  // namespace

TEST_CASE("an unknown JSON field is named quoted, control characters escaped", "[fuzz]") {
  // Found by interview_json: the raw key went into the message, so a key holding CR/LF or
  // DEL could forge log lines wherever the message is logged.
  auto entry = nlohmann::json::parse(
      R"({"time":"2024-03-12T14:00:00.250Z","action":"interview_created","interview":42,
          "actor":{"role":"system","id":""},"from":null,"to":null,"details":{}})");
  entry["ver\x7fsion\r\nforged: yes"] = 1;
  const auto message = rejection(entry);
  CHECK(message ==
        "invalid input: action entry has an unknown field \"ver\\u007Fsion\\r\\nforged: yes\"");
  entry.erase("ver\x7fsion\r\nforged: yes");
  entry["colour"] = 1;
  CHECK(rejection(entry) == "invalid input: action entry has an unknown field \"colour\"");
}
