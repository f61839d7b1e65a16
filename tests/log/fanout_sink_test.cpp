// FanoutSink: every child gets every entry, and failures are reported together.
#include <stdexcept>

#include <catch2/catch.hpp>

#include <interviewkit/log/fanout_sink.hpp>
#include <interviewkit/log/memory_sink.hpp>

#include "log_test_support.hpp"

using namespace interviewkit;
using log_test::entry;

TEST_CASE("the fan-out writes every entry to every child", "[action-log]") {
  auto first = std::make_shared<MemorySink>();
  auto second = std::make_shared<MemorySink>();
  auto fanout_owned =
      FanoutSink::make(std::vector<std::shared_ptr<ActionLogSink>>{first, second}).value();
  auto& fanout = *fanout_owned;
  CHECK(fanout.sinks().size() == 2);

  fanout.write(log_test::full_entry());
  fanout.write(entry(ActionType::notification_enqueued, 42));
  fanout.flush();
  CHECK(first->entries() == second->entries());
  CHECK(first->size() == 2);
}

TEST_CASE("the fan-out keeps writing when a child throws, then reports it", "[action-log]") {
  auto before = std::make_shared<MemorySink>();
  auto failing = log_test::throwing_sink([] { throw std::runtime_error("disk full"); });
  auto after = std::make_shared<MemorySink>();
  auto fanout_owned =
      FanoutSink::make(std::vector<std::shared_ptr<ActionLogSink>>{before, failing, after}).value();
  auto& fanout = *fanout_owned;

  try {
    fanout.write(log_test::full_entry());
    FAIL("the failure was swallowed");
  } catch (const std::runtime_error& e) {
    CHECK(std::string(e.what()) == "1 of 3 action log sinks failed to write: sink 1: disk full");
  }
  CHECK(before->size() == 1);
  CHECK(after->size() == 1);
  CHECK(failing->attempts() == 1);

  SECTION("flush reports the same way") {
    CHECK_THROWS_WITH(fanout.flush(), "1 of 3 action log sinks failed to flush: sink 1: disk full");
  }
}

TEST_CASE("the fan-out names every failing child, whatever it threw", "[action-log]") {
  auto memory = std::make_shared<MemorySink>();
  auto fanout_owned =
      FanoutSink::make(std::vector<std::shared_ptr<ActionLogSink>>{
                           log_test::throwing_sink([] { throw std::logic_error("first"); }), memory,
                           log_test::throwing_sink([] { throw 42; })})
          .value();
  auto& fanout = *fanout_owned;
  try {
    fanout.write(log_test::full_entry());
    FAIL("the failures were swallowed");
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    CAPTURE(what);
    CHECK_THAT(what, Catch::StartsWith("2 of 3 action log sinks failed to write"));
    CHECK_THAT(what, Catch::Contains("sink 0: first"));
    CHECK_THAT(what, Catch::Contains("sink 2: non-standard exception"));
  }
  CHECK(memory->size() == 1);
}

TEST_CASE("the fan-out rejects a null child", "[action-log]") {
  auto made = FanoutSink::make({std::make_shared<MemorySink>(), nullptr});
  REQUIRE_FALSE(made);
  CHECK(made.error().is<InvalidInput>());
  CHECK_THAT(made.error().message(), Catch::Contains("sink 1 of 2 is a null pointer"));
}
