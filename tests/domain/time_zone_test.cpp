// Local time after a zone's last listed transition: the POSIX rule in each TZif file's
// footer, on Debian's fat tz files and on a slim database compiled here with zic.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <date/tz.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/participant.hpp>
#include <interviewkit/domain/posix_tz.hpp>
#include <interviewkit/domain/time_zone.hpp>

#include "support/dates.hpp"

using namespace interviewkit;
using namespace std::chrono_literals;
using date::local_days;
using date::sys_days;
using date::sys_seconds;
using interviewkit::testing::at;

namespace {

std::string local_text(const TimeZone& zone, sys_seconds t) {
  return date::format("%F %T", zone.to_local(t));
}

PosixTzRule rule(std::string_view text) {
  auto parsed = parse_posix_tz(text);
  INFO(text);
  REQUIRE(parsed);
  REQUIRE(parsed->has_value());
  return **parsed;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The year of the last transition a TZif file lists in its 64-bit block (RFC 8536 3.1).
int last_listed_year(std::string_view file) {
  const auto count = [&](std::size_t at) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
      v = (v << 8) | static_cast<unsigned char>(file.at(at + i));
    return v;
  };
  const auto block = [&](std::size_t header, std::uint64_t time_size) {
    return count(header + 32) * (time_size + 1) + count(header + 36) * 6 + count(header + 40) +
           count(header + 28) * (time_size + 4) + count(header + 24) + count(header + 20);
  };
  const std::size_t second = 44 + block(0, 4);
  const auto times = count(second + 32);
  if (times == 0)
    return -32767;
  std::int64_t last = 0;
  for (std::size_t i = 0; i < 8; ++i)
    last = static_cast<std::int64_t>(
        (static_cast<std::uint64_t>(last) << 8) |
        static_cast<unsigned char>(file.at(second + 44 + (times - 1) * 8 + i)));
  return static_cast<int>(date::year_month_day{
      date::floor<date::days>(sys_seconds{std::chrono::seconds{
          last}})}.year());
}

}  // namespace

TEST_CASE("New York keeps daylight saving time after the fat files' last transition",
          "[timezone]") {
  const auto ny = TimeZone::make("America/New_York").value();
  // 2040-03-11: 02:00 EST jumps to 03:00 EDT at 07:00Z.
  CHECK(local_text(ny, at(date::year{2040} / 3 / 11, 6h + 59min + 59s)) == "2040-03-11 01:59:59");
  CHECK(local_text(ny, at(date::year{2040} / 3 / 11, 7h)) == "2040-03-11 03:00:00");
  CHECK(ny.to_utc(local_days{date::year{2040} / 3 / 11} + 2h + 30min) ==
        at(date::year{2040} / 3 / 11, 7h));
  // 2040-11-04: 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:30 happens twice.
  CHECK(local_text(ny, at(date::year{2040} / 11 / 4, 5h + 59min)) == "2040-11-04 01:59:00");
  CHECK(local_text(ny, at(date::year{2040} / 11 / 4, 6h)) == "2040-11-04 01:00:00");
  CHECK(ny.to_utc(local_days{date::year{2040} / 11 / 4} + 1h + 30min) ==
        at(date::year{2040} / 11 / 4, 5h + 30min));
  CHECK(ny.to_utc(local_days{date::year{2040} / 11 / 4} + 2h) == at(date::year{2040} / 11 / 4, 7h));

  const auto summer = ny.period_at(at(date::year{2040} / 7 / 1));
  CHECK(summer.abbrev == "EDT");
  CHECK(summer.offset == -4h);
  CHECK(summer.is_dst);
  CHECK(summer.begin == at(date::year{2040} / 3 / 11, 7h));
  CHECK(summer.end == at(date::year{2040} / 11 / 4, 6h));
  // Far out too, and the last listed period hands over to the rule without a seam.
  CHECK(ny.period_at(at(date::year{2399} / 7 / 4)).abbrev == "EDT");
  CHECK(ny.period_at(at(date::year{2399} / 12 / 25)).abbrev == "EST");
  CHECK(ny.period_at(at(date::year{2037} / 12 / 1)).offset == -5h);
  CHECK(ny.period_at(at(date::year{2038} / 3 / 14, 7h)).offset == -4h);
}

TEST_CASE("every system zone agrees with date/tz while it lists transitions", "[timezone]") {
  // Debian's files are fat: up to 2037 the listed transitions are right, and from then on
  // the footer must continue them. A zone whose rules repeat yearly has the same offsets in
  // 2036 and 2040 (Morocco's Ramadan-based ones are listed far ahead, so they agree too).
  const auto& db = date::get_tzdb();
  std::size_t zones = 0;
  for (const auto& z : db.zones) {
    CAPTURE(z.name());
    // Read as a stored record is: legacy names (EST, CET...) are refused for new input only.
    const std::optional<TimeZone> zone = nlohmann::json(z.name()).get<TimeZone>();
    for (const auto t : {at(date::year{2024} / 1 / 15), at(date::year{2024} / 7 / 15),
                         at(date::year{2036} / 1 / 15), at(date::year{2036} / 7 / 15)}) {
      CHECK(zone->period_at(t).offset == z.get_info(t).offset);
    }
    ++zones;
  }
  CHECK(zones > 300);
}

TEST_CASE("POSIX TZ rules parse, with the RFC 8536 extensions", "[timezone]") {
  const auto ny = rule("EST5EDT,M3.2.0,M11.1.0");
  CHECK(ny.std_abbrev == "EST");
  CHECK(ny.std_offset == -5h);
  REQUIRE(ny.dst);
  CHECK(ny.dst->abbrev == "EDT");
  CHECK(ny.dst->offset == -4h);
  CHECK(ny.dst->start == PosixTzDate{.month = 3, .week = 2, .weekday = 0, .time = 2h});
  CHECK(ny.dst->end == PosixTzDate{.month = 11, .week = 1, .weekday = 0, .time = 2h});

  const auto kathmandu = rule("<+0545>-5:45");
  CHECK(kathmandu.std_abbrev == "+0545");
  CHECK(kathmandu.std_offset == 5h + 45min);
  CHECK_FALSE(kathmandu.dst);

  const auto nuuk = rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0");
  CHECK(nuuk.std_offset == -2h);
  CHECK(nuuk.dst->offset == -1h);
  CHECK(nuuk.dst->start.time == -1h);
  CHECK(nuuk.dst->end.time == 0h);

  const auto jerusalem = rule("IST-2IDT,M3.4.4/26,M10.5.0");
  CHECK(jerusalem.dst->start.time == 26h);
  const auto julian = rule("XXX3:30YYY2:15:10,J60/-167:59:59,300/+167");
  CHECK(julian.std_offset == -(3h + 30min));
  CHECK(julian.dst->offset == -(2h + 15min + 10s));
  CHECK(julian.dst->start.kind == PosixTzDate::Kind::julian);
  CHECK(julian.dst->start.time == -(167h + 59min + 59s));
  CHECK(julian.dst->end.kind == PosixTzDate::Kind::zero_based);
  CHECK(julian.dst->end.day == 300);
  CHECK(julian.dst->end.time == 167h);

  auto empty = parse_posix_tz("");
  REQUIRE(empty);
  CHECK_FALSE(empty->has_value());

  for (const auto* bad : {"EST",
                          "5EST",
                          "EST5EDT",
                          "EST5EDT,M3.2.0",
                          "EST5EDT,M13.2.0,M11.1.0",
                          "EST5EDT,M3.6.0,M11.1.0",
                          "EST5EDT,M3.2.7,M11.1.0",
                          "EST5EDT,M0.2.0,M11.1.0",
                          "EST5EDT,J0,J365",
                          "EST5EDT,J366,J1",
                          "EST5EDT,366,1",
                          "EST25",
                          "EST5:60",
                          "EST5EDT,M3.2.0/168,M11.1.0",
                          "<+05",
                          "<+0>5",
                          "<ab!>5",
                          "EST5EDT,M3.2.0,M11.1.0x",
                          "EST5\n",
                          "EST1234",
                          "EST5EDT,M3..0,M11.1.0",
                          "EST5EDT,M3.2.0/,M11.1.0",
                          "EST-",
                          "ES5",
                          "EST5EDT4,",
                          "EST5EDT4,,",
                          "EST5EDT,M3.2.0,M11.1.0/1:2:3:4",
                          " EST5"}) {
    CAPTURE(bad);
    auto parsed = parse_posix_tz(bad);
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().is<InvalidInput>());
    CHECK(parsed.error().message().find("POSIX TZ rule \"") != std::string::npos);
  }
}

TEST_CASE("POSIX TZ rules give the periods around an instant", "[timezone]") {
  const auto ny = rule("EST5EDT,M3.2.0,M11.1.0").period_at(at(date::year{2024} / 7 / 1));
  CHECK(ny == ZonePeriod{at(date::year{2024} / 3 / 10, 7h), at(date::year{2024} / 11 / 3, 6h), -4h,
                         true, "EDT"});
  // Southern hemisphere: daylight saving time spans the new year.
  const auto sydney = rule("AEST-10AEDT,M10.1.0,M4.1.0/3").period_at(at(date::year{2024} / 1 / 15));
  CHECK(sydney == ZonePeriod{at(date::year{2023} / 9 / 30, 16h), at(date::year{2024} / 4 / 6, 16h),
                             11h, true, "AEDT"});
  // 26:00 on the fourth Thursday is 02:00 on the Friday after it.
  const auto israel = rule("IST-2IDT,M3.4.4/26,M10.5.0").period_at(at(date::year{2024} / 6 / 1));
  CHECK(israel.begin == at(date::year{2024} / 3 / 29, 0h));
  CHECK(israel.end == at(date::year{2024} / 10 / 26, 23h));
  // -1:00 on the last Sunday of March is 23:00 the Saturday before: 01:00Z, as in the EU.
  const auto nuuk = rule("<-02>2<-01>,M3.5.0/-1,M10.5.0/0").period_at(at(date::year{2024} / 6 / 1));
  CHECK(nuuk.begin == at(date::year{2024} / 3 / 31, 1h));
  CHECK(nuuk.end == at(date::year{2024} / 10 / 27, 1h));
  CHECK(nuuk.abbrev == "-01");
  // Daylight saving time all year: the switches meet at each new year and change nothing.
  const auto always = rule("EST5EDT4,0/0,J365/25");
  for (const auto t : {at(date::year{2024} / 1 / 1, 5h), at(date::year{2024} / 12 / 31, 23h),
                       at(date::year{2025} / 6 / 1)}) {
    const auto p = always.period_at(t);
    CHECK(p.is_dst);
    CHECK(p.offset == -4h);
    CHECK(p.begin <= t);
    CHECK(t < p.end);
  }
  // Julian days skip February 29: J60 is March 1 in leap years too.
  const auto j = rule("AAA0BBB,J60/0,J300/0").period_at(at(date::year{2024} / 6 / 1));
  CHECK(j.begin == at(date::year{2024} / 3 / 1));
  const auto n = rule("AAA0BBB,59/0,300/0").period_at(at(date::year{2024} / 6 / 1));
  CHECK(n.begin == at(date::year{2024} / 2 / 29));
}

TEST_CASE("malformed POSIX TZ rules and TZif files are errors, never crashes", "[timezone]") {
  const std::vector<std::string> seeds{"EST5EDT,M3.2.0,M11.1.0",
                                       "<+0545>-5:45",
                                       "IST-2IDT,M3.4.4/26,M10.5.0",
                                       "<-02>2<-01>,M3.5.0/-1,M10.5.0/0",
                                       "AEST-10AEDT,M10.1.0,M4.1.0/3",
                                       "EST5EDT4,0/0,J365/25",
                                       "XXX3:30YYY2:15:10,J60/-167,300/+167"};
  const std::string alphabet = "<>+-:,./0123456789JMESTDX\n ";
  std::mt19937 rng(794);
  const auto pick = [&](std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng);
  };
  std::size_t parsed_ok = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[pick(seeds.size())];
    for (int edits = 1 + static_cast<int>(pick(4)); edits > 0; --edits) {
      const auto where = text.empty() ? 0 : pick(text.size() + 1);
      const char c = alphabet[pick(alphabet.size())];
      switch (pick(3)) {
        case 0:
          text.insert(where, 1, c);
          break;
        case 1:
          if (where < text.size())
            text.erase(where, 1);
          break;
        default:
          if (where < text.size())
            text[where] = c;
      }
    }
    CAPTURE(text);
    const auto result = parse_posix_tz(text);
    if (!result || !result->has_value())
      continue;
    ++parsed_ok;
    for (const auto t : {at(date::year{1970} / 1 / 1), at(date::year{2024} / 3 / 31, 1h),
                         at(date::year{32766} / 12 / 31), at(date::year{-32766} / 1 / 1)}) {
      const auto p = (*result)->period_at(t);
      CHECK(p.begin <= t);
      CHECK(t < p.end);
    }
  }
  CHECK(parsed_ok > 1000);

  // Every truncation and a few thousand byte flips of a real file.
  const auto file = read_bytes("/usr/share/zoneinfo/America/New_York");
  REQUIRE(file.size() > 100);
  const auto whole = parse_tzif_footer(file);
  REQUIRE(whole);
  REQUIRE(whole->has_value());
  CHECK(**whole == rule("EST5EDT,M3.2.0,M11.1.0"));
  for (std::size_t size = 0; size < file.size(); ++size)
    CHECK_FALSE(parse_tzif_footer(std::string_view(file).substr(0, size)));
  for (int i = 0; i < 3000; ++i) {
    auto broken = file;
    for (int flips = 1 + static_cast<int>(pick(3)); flips > 0; --flips)
      broken[pick(std::min<std::size_t>(broken.size(), 96))] = static_cast<char>(pick(256));
    (void)parse_tzif_footer(broken);
  }
}

namespace {

// A tz source for zic: today's rules of six real zones under Test/ names.
constexpr std::string_view zone_source =
    R"(# Rules as in tzdata's northamerica, europe, australasia and asia
Rule	US	1967	2006	-	Oct	lastSun	2:00	0	S
Rule	US	1987	2006	-	Apr	Sun>=1	2:00	1:00	D
Rule	US	2007	max	-	Mar	Sun>=8	2:00	1:00	D
Rule	US	2007	max	-	Nov	Sun>=1	2:00	0	S
Zone	Test/New_York	-5:00	US	E%sT
Rule	EU	1981	max	-	Mar	lastSun	 1:00u	1:00	S
Rule	EU	1996	max	-	Oct	lastSun	 1:00u	0	-
Zone	Test/Berlin	1:00	EU	CE%sT
Rule	AN	2008	max	-	Apr	Sun>=1	2:00s	0	S
Rule	AN	2008	max	-	Oct	Sun>=1	2:00s	1:00	D
Zone	Test/Sydney	10:00	AN	AE%sT
Zone	Test/Nuuk	-3:00	-	-03	2023 Mar 26 1:00u
			-2:00	-	-02	2023 Oct 29 1:00u
			-2:00	EU	-02/-01
Rule	Zion	2013	max	-	Mar	Fri>=23	2:00	1:00	D
Rule	Zion	2013	max	-	Oct	lastSun	2:00	0	S
Zone	Test/Jerusalem	2:00	Zion	I%sT
Zone	Test/Kathmandu	5:45	-	+0545
)";

// Compiles zone_source with `zic -b slim` into a fresh directory; empty if zic fails.
std::string compile_slim_database() {
  namespace fs = std::filesystem;
  const auto dir = fs::temp_directory_path() / fmt::format("interviewkit-tz-{}", ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  const auto source = dir / "zones.zi";
  std::ofstream(source) << zone_source;
  const auto command =
      fmt::format("zic -b slim -d '{}' '{}'", (dir / "slim").string(), source.string());
  if (std::system(command.c_str()) != 0)
    return {};
  return (dir / "slim").string();
}

}  // namespace

TEST_CASE("a slim tz database compiled by zic gives the fat database's 2024 local times",
          "[timezone]") {
  const auto slim = compile_slim_database();
  REQUIRE_FALSE(slim.empty());
  const std::vector<std::pair<std::string, std::string>> pairs{
      {"Test/New_York", "America/New_York"}, {"Test/Berlin", "Europe/Berlin"},
      {"Test/Sydney", "Australia/Sydney"},   {"Test/Nuuk", "America/Nuuk"},
      {"Test/Jerusalem", "Asia/Jerusalem"},  {"Test/Kathmandu", "Asia/Kathmandu"}};
  for (const auto& [test_name, real_name] : pairs) {
    CAPTURE(test_name);
    // Slim files stop listing transitions once the rules settle: the footer does the rest.
    CHECK(last_listed_year(read_bytes(slim + "/" + test_name)) < 2024);
    const auto zone = TimeZone::from_directory(slim, test_name);
    REQUIRE(zone);
    CHECK(zone->name() == test_name);
    const auto real = TimeZone::make(real_name).value();
    std::size_t mismatches = 0;
    for (auto t = at(date::year{2024} / 1 / 1); t < at(date::year{2025} / 1 / 1); t += 30min) {
      const auto mine = zone->period_at(t);
      const auto want = real.period_at(t);
      if (mine.offset != want.offset || mine.abbrev != want.abbrev || mine.is_dst != want.is_dst)
        ++mismatches;
      const date::local_seconds local{t.time_since_epoch()};
      if (zone->to_utc(local) != real.to_utc(local))
        ++mismatches;
    }
    CHECK(mismatches == 0);
    // And the New York copy past 2038, like the fat file.
    if (test_name == "Test/New_York") {
      CHECK(zone->to_utc(local_days{date::year{2040} / 3 / 11} + 2h + 30min) ==
            at(date::year{2040} / 3 / 11, 7h));
      CHECK(zone->period_at(at(date::year{2040} / 11 / 4, 6h)).abbrev == "EST");
    }
  }
  CHECK(TimeZone::from_directory(slim, "Test/New_York").value() ==
        TimeZone::from_directory(slim, "Test/New_York").value());
  CHECK_FALSE(TimeZone::from_directory(slim, "Test/Nowhere"));
  for (const auto* bad : {"../Test/Berlin", "Test/../Test/Berlin", "/Test/Berlin", "", "Test/"})
    CHECK_FALSE(TimeZone::from_directory(slim, bad));
  CHECK_FALSE(TimeZone::from_directory("relative/dir", "Test/Berlin"));
  std::filesystem::remove_all(std::filesystem::path(slim).parent_path());
}

TEST_CASE("time zones load and convert from many threads at once", "[timezone][concurrency]") {
  // Each zone is loaded (date/tz's lazy read, then the footer) by whichever thread comes
  // first; the others must see it whole.
  const std::vector<std::string> names{"Europe/Lisbon", "Asia/Tehran",  "America/Santiago",
                                       "Africa/Cairo",  "Pacific/Fiji", "America/Havana"};
  const auto summer = at(date::year{2041} / 7 / 1, 12h);
  std::vector<std::vector<std::int64_t>> seen(4);
  std::vector<std::thread> threads;
  for (std::size_t k = 0; k < seen.size(); ++k) {
    threads.emplace_back([&, k] {
      for (std::size_t i = 0; i < names.size(); ++i) {
        const auto zone = TimeZone::make(names[(i + k) % names.size()]).value();
        const auto local = zone.to_local(summer);
        seen[k].push_back((zone.to_utc(local) - summer).count());
      }
    });
  }
  for (auto& t : threads)
    t.join();
  for (const auto& s : seen)
    CHECK(s == std::vector<std::int64_t>(names.size(), 0));
}

TEST_CASE("legacy abbreviations are refused for new input, naming the usual zone",
          "[domain][package]") {
  for (const auto& [legacy, usual] :
       std::vector<std::pair<std::string, std::string>>{{"EST", "America/New_York"},
                                                        {"PST8PDT", "America/Los_Angeles"},
                                                        {"CET", "Europe/Paris"},
                                                        {"HST", "Pacific/Honolulu"}}) {
    CAPTURE(legacy);
    auto zone = TimeZone::make(legacy);
    REQUIRE_FALSE(zone);
    CHECK(zone.error().kind() == ErrorKind::invalid_input);
    CHECK_THAT(zone.error().message(), Catch::Contains(usual) && Catch::Contains("legacy"));
    CHECK_FALSE(Participant::make("Ann", "ann@example.com", legacy));
  }
  for (const auto* fine : {"UTC", "GMT", "Etc/GMT+5", "America/New_York", "Europe/Paris"}) {
    CAPTURE(fine);
    CHECK(TimeZone::make(fine));
  }
  // A record stored before legacy names were refused is still read back.
  const auto stored = nlohmann::json("EST").get<TimeZone>();
  CHECK(stored.name() == "EST");
}
