// ActionLog: the front the library writes through. A failing sink is reported, counted and
// survived; it never turns into a failed booking.
#include <cstdio>
#include <exception>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/log/action_log.hpp>
#include <interviewkit/log/fanout_sink.hpp>
#include <interviewkit/log/jsonl_sink.hpp>
#include <interviewkit/log/memory_sink.hpp>

#include "log_test_support.hpp"

using namespace interviewkit;
using log_test::entry;

namespace {

struct NotAnException {
  int code;
};

/// Collects what the error handler is told.
struct Reports {
  std::mutex mutex;
  std::vector<std::string> messages;

  ErrorHandler handler() {
    return [this](const std::string& message) {
      std::lock_guard lock(mutex);
      messages.push_back(message);
    };
  }
};

/// Sends this process's stderr to a temporary file for the duration of a test.
class CapturedStderr {
 public:
  CapturedStderr() : file_(std::tmpfile()), saved_(::dup(STDERR_FILENO)) {
    std::fflush(stderr);
    ::dup2(::fileno(file_), STDERR_FILENO);
  }
  ~CapturedStderr() {
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    std::fclose(file_);
  }
  CapturedStderr(const CapturedStderr&) = delete;
  CapturedStderr& operator=(const CapturedStderr&) = delete;

  [[nodiscard]] std::string text() const {
    std::fflush(stderr);
    std::string out(static_cast<std::size_t>(std::ftell(file_)), '\0');
    std::rewind(file_);
    out.resize(std::fread(out.data(), 1, out.size(), file_));
    return out;
  }

 private:
  std::FILE* file_;
  int saved_;
};

}  // namespace

TEST_CASE("the action log passes entries to its sink", "[action-log]") {
  auto memory = std::make_shared<MemorySink>();
  auto owned = ActionLog::make(memory).value();
  auto& log = *owned;
  CHECK(log.sink() == memory);
  log.record(log_test::full_entry());
  log.flush();
  CHECK(memory->entries() == std::vector<ActionEntry>{log_test::full_entry()});
  CHECK(log.failed_writes() == 0);
}

TEST_CASE("the action log survives a sink that throws, and says so", "[action-log]") {
  Reports reports;

  SECTION("a standard exception") {
    auto owned =
        ActionLog::make(log_test::throwing_sink([] { throw std::runtime_error("disk full"); }),
                        {.on_error = reports.handler()})
            .value();
    auto& log = *owned;
    CHECK_NOTHROW(log.record(entry(ActionType::notification_failed, 42)));
    CHECK(log.failed_writes() == 1);
    REQUIRE(reports.messages.size() == 1);
    const auto& message = reports.messages[0];
    CAPTURE(message);
    CHECK_THAT(message, Catch::Contains("notification_failed for interview 42"));
    CHECK_THAT(message, Catch::Contains("disk full"));
  }
  SECTION("an interviewkit error") {
    auto owned = ActionLog::make(log_test::throwing_sink([] {
                                   throw ErrorException(Unavailable{"log database is read-only"});
                                 }),
                                 {.on_error = reports.handler()})
                     .value();
    auto& log = *owned;
    log.record(entry(ActionType::interview_booked, 7));
    REQUIRE(reports.messages.size() == 1);
    CHECK_THAT(reports.messages[0], Catch::Contains("unavailable: log database is read-only"));
  }
  SECTION("something that is not an exception class at all") {
    const bool throw_int = GENERATE(true, false);
    auto owned = ActionLog::make(log_test::throwing_sink([throw_int] {
                                   if (throw_int)
                                     throw 42;
                                   throw NotAnException{7};
                                 }),
                                 {.on_error = reports.handler()})
                     .value();
    auto& log = *owned;
    CHECK_NOTHROW(log.record(entry(ActionType::interview_booked, 9)));
    CHECK_NOTHROW(log.record(entry(ActionType::interview_confirmed, 9)));
    CHECK(log.failed_writes() == 2);
    REQUIRE(reports.messages.size() == 2);
    CHECK_THAT(reports.messages[0], Catch::Contains("interview_booked for interview 9"));
    CHECK_THAT(reports.messages[0], Catch::Contains("non-standard exception"));
    CHECK_THAT(reports.messages[1], Catch::Contains("interview_confirmed for interview 9"));
  }
  SECTION("an entry about no single interview says so") {
    auto owned = ActionLog::make(log_test::throwing_sink([] { throw std::runtime_error("gone"); }),
                                 {.on_error = reports.handler()})
                     .value();
    auto& log = *owned;
    log.record(entry(ActionType::notification_expired, 0));
    REQUIRE(reports.messages.size() == 1);
    CHECK_THAT(reports.messages[0], Catch::Contains("notification_expired (no interview)"));
  }
  SECTION("a failed flush is reported but not counted as a lost entry") {
    auto owned =
        ActionLog::make(log_test::throwing_sink([] { throw std::runtime_error("fsync failed"); }),
                        {.on_error = reports.handler()})
            .value();
    auto& log = *owned;
    CHECK_NOTHROW(log.flush());
    CHECK(log.failed_writes() == 0);
    REQUIRE(reports.messages.size() == 1);
    CHECK_THAT(reports.messages[0], Catch::Contains("could not flush: fsync failed"));
  }
}

TEST_CASE("the action log reports to stderr unless told otherwise, never to the host's loggers",
          "[action-log]") {
  const CapturedStderr captured;
  auto owned = ActionLog::make(log_test::throwing_sink([] {
                 throw std::runtime_error("disk full");
               })).value();
  CHECK_NOTHROW(owned->record(entry(ActionType::notification_dead_lettered, 3)));
  CHECK(owned->failed_writes() == 1);
  const auto text = captured.text();
  CAPTURE(text);
  CHECK_THAT(text, Catch::StartsWith("interviewkit: action log: could not record "
                                     "notification_dead_lettered for interview 3"));
  CHECK_THAT(text, Catch::Contains("disk full"));
}

TEST_CASE("a handler that throws falls back to stderr", "[action-log]") {
  const CapturedStderr captured;
  auto owned =
      ActionLog::make(
          log_test::throwing_sink([] { throw 42; }),
          {.on_error = [](const std::string&) { throw std::runtime_error("handler broke"); }})
          .value();
  CHECK_NOTHROW(owned->record(entry(ActionType::interview_booked, 4)));
  CHECK_NOTHROW(owned->flush());
  CHECK(owned->failed_writes() == 1);
  CHECK_THAT(captured.text(), Catch::Contains("interview_booked for interview 4"));
}

TEST_CASE("the action log needs a sink", "[action-log]") {
  auto made = ActionLog::make(nullptr);
  REQUIRE_FALSE(made);
  CHECK(made.error().is<InvalidInput>());
  CHECK_THAT(made.error().message(), Catch::Contains("needs a sink"));
}

TEST_CASE("describe_exception describes any exception", "[action-log]") {
  const auto describe = [](auto thrower) {
    try {
      thrower();
    } catch (...) {
      return describe_exception(std::current_exception());
    }
    return std::string("nothing thrown");
  };
  CHECK(describe([] { throw std::runtime_error("disk full"); }) == "disk full");
  CHECK(describe([] { throw ErrorException(InvalidInput{"bad"}); }) == "invalid input: bad");
  CHECK(describe([] { throw std::string("text"); }) ==
        "non-standard exception (std::string): text");
  CHECK(describe([] { throw "literal"; }) == "non-standard exception (const char*): literal");
  CHECK(describe([] { throw 42; }) == "non-standard exception (not derived from std::exception)");
  CHECK(describe([] { throw std::runtime_error(""); }) == "exception with an empty message");
  CHECK(describe_exception(nullptr) == "no exception");
  CHECK(describe_exception(std::make_exception_ptr(std::logic_error("made"))) == "made");
}

TEST_CASE("many threads can record through one action log into memory and a file",
          "[action-log][concurrency]") {
  constexpr int threads = 8;
  constexpr int per_thread = 200;
  const log_test::TempDir dir;
  const auto path = dir / "concurrent.jsonl";
  auto memory = std::make_shared<MemorySink>();
  auto file = JsonLinesSink::open(path).value();
  Reports reports;
  auto owned =
      ActionLog::make(FanoutSink::make({memory, file}).value(), {.on_error = reports.handler()})
          .value();
  auto& log = *owned;

  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&log, t] {
      for (int i = 0; i < per_thread; ++i) {
        auto e = entry(ActionType::notification_delivered, static_cast<std::uint64_t>(t + 1),
                       std::chrono::milliseconds{i});
        e.details = {{"thread", t}, {"sequence", i}, {"padding", std::string(512, 'x')}};
        log.record(e);
      }
    });
  }
  for (auto& thread : pool)
    thread.join();
  log.flush();

  CHECK(reports.messages.empty());
  CHECK(log.failed_writes() == 0);
  CHECK(memory->size() == threads * per_thread);

  const auto lines = log_test::read_lines(path);
  REQUIRE(lines.size() == threads * per_thread);
  std::set<std::pair<int, int>> seen;
  for (const auto& line : lines) {
    const auto e = nlohmann::json::parse(line).get<ActionEntry>();
    seen.emplace(e.details.at("thread").get<int>(), e.details.at("sequence").get<int>());
  }
  CHECK(seen.size() == threads * per_thread);
  CHECK(file->query({}).size() == threads * per_thread);
  CHECK(file->query({.interview = InterviewId{3}}).size() == per_thread);
}
