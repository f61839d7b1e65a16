// InterviewStatus: canonical strings, strict parsing, fmt, ostream and JSON.
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/status.hpp>

using interviewkit::InterviewStatus;
using interviewkit::parse_interview_status;

TEST_CASE("every status round-trips through its canonical string", "[status]") {
  const auto status = GENERATE(from_range(interviewkit::all_interview_statuses));
  const auto text = std::string(to_string(status));

  auto parsed = parse_interview_status(text);
  REQUIRE(parsed.has_value());
  CHECK(*parsed == status);

  CHECK(fmt::format("{}", status) == text);
  CHECK(fmt::format("[{:>10}]", status) == fmt::format("[{:>10}]", text));

  std::ostringstream os;
  os << status;
  CHECK(os.str() == text);

  const nlohmann::json j = status;
  CHECK(j == text);
  CHECK(j.get<InterviewStatus>() == status);
}

TEST_CASE("canonical strings are exactly the lowercase words", "[status]") {
  CHECK(to_string(InterviewStatus::pending) == "pending");
  CHECK(to_string(InterviewStatus::scheduled) == "scheduled");
  CHECK(to_string(InterviewStatus::confirmed) == "confirmed");
  CHECK(to_string(InterviewStatus::completed) == "completed");
  CHECK(to_string(InterviewStatus::cancelled) == "cancelled");
  CHECK(to_string(InterviewStatus::no_show) == "no_show");
}

TEST_CASE("parsing a malformed status is an error naming the input and the valid values",
          "[status]") {
  const std::string bad =
      GENERATE(as<std::string>{}, "Scheduled", "SCHEDULED", " scheduled", "scheduled ", "", "4",
               "0", "no-show", "canceled", std::string("scheduled\0", 10), "scheduled\r\n");
  auto parsed = parse_interview_status(bad);
  REQUIRE_FALSE(parsed.has_value());
  REQUIRE(parsed.error().is<interviewkit::InvalidInput>());
  const auto message = parsed.error().message();
  CAPTURE(message);
  CHECK(message.find("is not an interview status") != std::string::npos);
  CHECK(message.find("pending, scheduled, confirmed, completed, cancelled, no_show") !=
        std::string::npos);
  if (!bad.empty() && bad.find_first_of("\r\n") == std::string::npos &&
      bad.find('\0') == std::string::npos) {
    CHECK(message.find("\"" + bad + "\"") != std::string::npos);
  }
}

TEST_CASE("control characters in a bad status are shown escaped", "[status]") {
  auto parsed = parse_interview_status("scheduled\r\n");
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message().find(R"("scheduled\r\n")") != std::string::npos);
}

TEST_CASE("JSON that is not a known status string throws instead of defaulting", "[status]") {
  SECTION("unknown string") {
    const auto j = nlohmann::json("Scheduled");
    CHECK_THROWS_AS(j.get<InterviewStatus>(), interviewkit::ErrorException);
    CHECK_THROWS_WITH(j.get<InterviewStatus>(), Catch::Contains("\"Scheduled\""));
  }
  SECTION("number") {
    const auto j = nlohmann::json(1);
    CHECK_THROWS_AS(j.get<InterviewStatus>(), nlohmann::json::type_error);
    CHECK_THROWS_WITH(j.get<InterviewStatus>(), Catch::Contains("must be a JSON string"));
  }
  SECTION("null, object, array, bool") {
    for (const auto& j : {nlohmann::json(nullptr), nlohmann::json::object(),
                          nlohmann::json::array(), nlohmann::json(true)}) {
      CAPTURE(j.dump());
      CHECK_THROWS_AS(j.get<InterviewStatus>(), nlohmann::json::type_error);
    }
  }
}

TEST_CASE("terminal and slot-holding statuses", "[status]") {
  using S = InterviewStatus;
  CHECK(is_terminal(S::completed));
  CHECK(is_terminal(S::cancelled));
  CHECK(is_terminal(S::no_show));
  CHECK_FALSE(is_terminal(S::pending));
  CHECK_FALSE(is_terminal(S::scheduled));
  CHECK_FALSE(is_terminal(S::confirmed));
  CHECK(holds_slot(S::scheduled));
  CHECK(holds_slot(S::confirmed));
  CHECK_FALSE(holds_slot(S::pending));
  CHECK_FALSE(holds_slot(S::cancelled));
}
