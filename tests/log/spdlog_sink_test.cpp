// SpdlogSink: entries go to the host's logger, one readable line each.
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>
#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

#include <interviewkit/log/spdlog_sink.hpp>

#include "log_test_support.hpp"

using namespace interviewkit;
using log_test::entry;
using namespace std::chrono_literals;

namespace {

struct HostLogger {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> logger;

  explicit HostLogger(spdlog::level::level_enum threshold = spdlog::level::trace) {
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_pattern("[%l] %v");
    logger = std::make_shared<spdlog::logger>("host", std::move(sink));
    logger->set_level(threshold);
  }
};

}  // namespace

TEST_CASE("the spdlog sink writes one line per entry to the host's logger", "[action-log]") {
  HostLogger host;
  auto log_owned = SpdlogSink::make(host.logger).value();
  auto& log = *log_owned;
  CHECK(log.logger() == host.logger);

  log.write(log_test::full_entry());
  log.flush();
  const auto text = host.out.str();
  CAPTURE(text);
  CHECK(text.rfind("[info] interview_booked interview=42 actor=recruiter:r-1 pending->scheduled "
                   "time=2024-03-12T14:00:00.250Z details={",
                   0) == 0);
  // The newline inside the details is escaped, so the entry stays on one line.
  CHECK(text.find('\n') == text.size() - 1);
  CHECK_THAT(text, Catch::Contains(R"("note":"line one\nline two \"quoted\")"));
}

TEST_CASE("the spdlog message leaves out what the entry does not have", "[action-log]") {
  const auto message = SpdlogSink::format(entry(ActionType::notification_expired, 0, 1s));
  CHECK(message ==
        "notification_expired interview=none actor=system "
        "time=2024-03-12T14:00:01.000Z");

  auto cancelled = entry(ActionType::interview_cancelled, 9, 0s);
  cancelled.from = InterviewStatus::scheduled;
  CHECK(SpdlogSink::format(cancelled) ==
        "interview_cancelled interview=9 actor=system scheduled->none "
        "time=2024-03-12T14:00:00.000Z");
}

TEST_CASE("failed and dead-lettered notifications are logged louder", "[action-log]") {
  HostLogger host;
  auto log_owned = SpdlogSink::make(host.logger).value();
  auto& log = *log_owned;
  log.write(entry(ActionType::notification_delivered, 1, 0s));
  log.write(entry(ActionType::notification_failed, 1, 1s));
  log.write(entry(ActionType::notification_dead_lettered, 1, 2s));
  const auto lines = [&] {
    std::vector<std::string> result;
    std::istringstream in(host.out.str());
    for (std::string line; std::getline(in, line);)
      result.push_back(line);
    return result;
  }();
  REQUIRE(lines.size() == 3);
  CHECK(lines[0].rfind("[info] notification_delivered", 0) == 0);
  CHECK(lines[1].rfind("[warning] notification_failed", 0) == 0);
  CHECK(lines[2].rfind("[error] notification_dead_lettered", 0) == 0);

  SECTION("a base level above warn is never lowered") {
    auto loud_owned = SpdlogSink::make(host.logger, spdlog::level::critical).value();
    auto& loud = *loud_owned;
    CHECK(loud.level_for(entry(ActionType::notification_failed, 1)) == spdlog::level::critical);
    CHECK(loud.level_for(entry(ActionType::interview_booked, 1)) == spdlog::level::critical);
  }
}

TEST_CASE("the spdlog sink respects the host logger's threshold", "[action-log]") {
  HostLogger host(spdlog::level::warn);
  auto log_owned = SpdlogSink::make(host.logger, spdlog::level::debug).value();
  auto& log = *log_owned;
  log.write(entry(ActionType::interview_booked, 1));
  CHECK(host.out.str().empty());
  log.write(entry(ActionType::notification_failed, 1));
  CHECK_THAT(host.out.str(), Catch::Contains("[warning] notification_failed interview=1"));
}

TEST_CASE("the spdlog sink needs a logger", "[action-log]") {
  auto made = SpdlogSink::make(nullptr);
  REQUIRE_FALSE(made);
  CHECK(made.error().is<InvalidInput>());
  CHECK_THAT(made.error().message(), Catch::Contains("null pointer"));
}
