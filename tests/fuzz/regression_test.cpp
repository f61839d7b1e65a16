// Bugs the fuzz targets found in the parsers, kept fixed. The inputs are also in the seed
// corpora; these cases say in plain words what was wrong.
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/notify/notification.hpp>

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

TEST_CASE("a notification's reason and key follow the producers' rules", "[fuzz]") {
  // Found by notification_json: from_json took any reason and key, CR/LF, NUL and megabytes
  // included, though the BookingService refuses such a reason and the webhook channel may
  // send the key as a header.
  std::ifstream in(std::string(INTERVIEWKIT_FUZZ_CORPUS_DIR) + "/notification_json/scheduled");
  std::stringstream text;
  text << in.rdbuf();
  const auto good = nlohmann::json::parse(text.str());
  REQUIRE_NOTHROW(good.get<interviewkit::Notification>());
  const auto with = [&](const char* field, const std::string& value) {
    auto j = good;
    j[field] = value;
    return j;
  };
  CHECK(with("reason", std::string(2000, 'x')).get<interviewkit::Notification>().reason.size() ==
        2000);
  CHECK_THROWS_WITH(with("reason", std::string(2001, 'x')).get<interviewkit::Notification>(),
                    Catch::Contains("notification reason") && Catch::Contains("at most 2000"));
  CHECK_THROWS_WITH(
      with("reason", "line\r\nBcc: eve@example.com").get<interviewkit::Notification>(),
      Catch::Contains("notification reason") && Catch::Contains("control character"));
  CHECK_THROWS_WITH(with("idempotency_key", "k\r\nX-Injected: 1").get<interviewkit::Notification>(),
                    Catch::Contains("idempotency key") && Catch::Contains("control character"));
  CHECK(with("reason", "").get<interviewkit::Notification>().reason.empty());
}

TEST_CASE("a wrongly typed JSON value is shown short, as ASCII", "[fuzz]") {
  // Found by outbox_payload: a payload that was a JSON string holding DEL went into the
  // message through dump(), which leaves DEL, C1 controls and U+2028 raw, and at full length.
  const nlohmann::json payload =
      "{\"kind\":\"interview\x7f\xc2\x85\xe2\x80\xa8\"}" + std::string(5000, 'x');
  std::string message;
  try {
    (void)payload.get<interviewkit::Notification>();
  } catch (const interviewkit::ErrorException& e) {
    message = e.error().message();
  }
  CHECK(message.starts_with("invalid input: notification must be a JSON object, got \"{"));
  CHECK(message.find("interview\\u007f\\u0085\\u2028") != std::string::npos);
  CHECK(message.ends_with("..."));
  CHECK(message.size() < 300);
  for (char c : message) {
    CHECK((c >= 0x20 && c < 0x7f));
  }
}

TEST_CASE("action entry details nest at most 32 levels deep", "[fuzz]") {
  // Found by the action_entry_json corpus under ASan: from_json copied details nested 5000
  // deep, and nlohmann::json copies (compares, dumps) recursively: a stack overflow from a
  // few kilobytes of "[[[[" in one log line.
  const auto entry_with = [](std::size_t depth) {
    std::string details = R"({"deep":)";
    details += std::string(depth - 1, '[') + std::string(depth - 1, ']') + "}";
    return R"({"time":"2024-03-12T14:00:00.250Z","action":"interview_created","interview":42,)"
           R"("actor":{"role":"system","id":""},"from":null,"to":null,"details":)" +
           details + "}";
  };
  const auto at_limit = nlohmann::json::parse(entry_with(32)).get<interviewkit::ActionEntry>();
  CHECK(interviewkit::validate(at_limit));
  CHECK_THROWS_WITH(nlohmann::json::parse(entry_with(33)).get<interviewkit::ActionEntry>(),
                    Catch::Contains("action entry details nest more than 32 levels deep"));
  CHECK_THROWS_WITH(nlohmann::json::parse(entry_with(100000)).get<interviewkit::ActionEntry>(),
                    Catch::Contains("nest more than 32 levels deep"));
  auto too_deep = at_limit;
  too_deep.details["deep"] = nlohmann::json::array({too_deep.details["deep"]});
  CHECK_FALSE(interviewkit::validate(too_deep));
  CHECK_THROWS(nlohmann::json(too_deep));
}
