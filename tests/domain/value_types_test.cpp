// EmailAddress and Participant validation.
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/email_address.hpp>
#include <interviewkit/domain/participant.hpp>

using namespace interviewkit;

TEST_CASE("email addresses accept ordinary dot-atom addresses", "[domain]") {
  for (auto text : {"alice@example.com", "o.brien+jobs@mail.example.co.uk", "x@y",
                    "first_last-1@sub.domain.org"}) {
    CAPTURE(text);
    auto address = EmailAddress::make(text);
    REQUIRE(address);
    CHECK(address->str() == text);
  }
  auto a = EmailAddress::make("alice@example.com").value();
  CHECK(a.local_part() == "alice");
  CHECK(a.domain() == "example.com");
}

TEST_CASE("email addresses reject anything that could break a header", "[domain]") {
  const std::string long_local = std::string(65, 'a') + "@example.com";
  const std::string long_total = "a@" + std::string(250, 'b') + ".com";
  const std::string bad = GENERATE_COPY(
      as<std::string>{}, "", "alice", "alice@@example.com", "a@b@c", "@example.com", "alice@",
      "alice @example.com", "alice@example.com\r\nBcc: eve@evil.com", "alice@example.com\n",
      "\talice@example.com", "\"Bob\" <bob@example.com>", "bob<bob@example.com>", "a,b@example.com",
      "a;b@example.com", "zoë@example.com", ".alice@example.com", "alice.@example.com",
      "al..ice@example.com", "alice@example..com", "alice@.example.com", long_local, long_total,
      std::string("alice\0@example.com", 18));
  CAPTURE(bad);
  auto address = EmailAddress::make(bad);
  REQUIRE_FALSE(address);
  CHECK(address.error().is<InvalidInput>());
  CHECK(address.error().message().find("email address") != std::string::npos);
}

TEST_CASE("the error message shows CR/LF escaped, on one line", "[domain]") {
  auto address = EmailAddress::make("a@b.c\r\nBcc: x@y");
  REQUIRE_FALSE(address);
  const auto message = address.error().message();
  CHECK(message.find('\n') == std::string::npos);
  CHECK(message.find('\r') == std::string::npos);
  CHECK(message.find(R"(\r\n)") != std::string::npos);
}

TEST_CASE("participants need a clean name, an address and a zone", "[domain]") {
  SECTION("international names are fine") {
    for (auto name : {"Zoë Ñúñez", "O'Brien", "李雷", "\"Bob\" <b@x>", "😀 Emoji Person"}) {
      CAPTURE(name);
      auto p = Participant::make(name, "p@example.com", "Asia/Kathmandu");
      REQUIRE(p);
      CHECK(p->name() == name);
      CHECK(p->time_zone().name() == "Asia/Kathmandu");
    }
  }
  SECTION("names with control characters or bad UTF-8 are refused") {
    const std::string bad =
        GENERATE(as<std::string>{}, "", "Eve\r\nBcc: x@y", "Eve\n", "Eve\t", "Eve\x7F",
                 "Eve\xC2\x85", "Eve\xE2\x80\xA8", "\xFF\xFE", "caf\xC3", "\xC0\xAF",
                 "\xED\xA0\x80", std::string(257, 'n'), std::string("a\0b", 3));
    auto p = Participant::make(bad, "p@example.com", "UTC");
    REQUIRE_FALSE(p);
    CHECK(p.error().message().find("participant name") != std::string::npos);
  }
  SECTION("bad address or zone is reported as such") {
    auto p = Participant::make("Ann", "not-an-address", "UTC");
    REQUIRE_FALSE(p);
    CHECK(p.error().message().find("email address") != std::string::npos);
    auto q = Participant::make("Ann", "ann@example.com", "Utopia/Capital");
    REQUIRE_FALSE(q);
    CHECK(q.error().message().find("time zone") != std::string::npos);
  }
}

TEST_CASE("participants round-trip through JSON, strictly", "[domain]") {
  const auto p = Participant::make("Zoë Ñúñez", "zoe@example.com", "Europe/Madrid").value();
  const nlohmann::json j = p;
  CHECK(j.get<Participant>() == p);
  auto broken = j;
  broken["email"] = "zoe@@example.com";
  CHECK_THROWS_AS(broken.get<Participant>(), ErrorException);
  broken = j;
  broken["name"] = "Zoë\r\nBcc: x@y";
  CHECK_THROWS_AS(broken.get<Participant>(), ErrorException);
  broken = j;
  broken.erase("time_zone");
  CHECK_THROWS_WITH(broken.get<Participant>(), Catch::Contains("time_zone"));
}
