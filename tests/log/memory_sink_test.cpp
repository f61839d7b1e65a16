// MemorySink: keeps entries in order and answers queries over them.
#include <catch2/catch.hpp>

#include <interviewkit/log/memory_sink.hpp>

#include "log_test_support.hpp"

using namespace interviewkit;
using log_test::at;
using log_test::entry;
using namespace std::chrono_literals;

namespace {

std::vector<std::uint64_t> interviews_of(const std::vector<ActionEntry>& entries) {
  std::vector<std::uint64_t> ids;
  for (const auto& e : entries)
    ids.push_back(e.interview.value());
  return ids;
}

std::vector<std::int64_t> seconds_of(const std::vector<ActionEntry>& entries) {
  std::vector<std::int64_t> offsets;
  for (const auto& e : entries)
    offsets.push_back(std::chrono::duration_cast<std::chrono::seconds>(e.time - at()).count());
  return offsets;
}

}  // namespace

TEST_CASE("the memory log keeps entries in the order they were written", "[action-log]") {
  MemorySink log;
  CHECK(log.size() == 0);
  CHECK(log.entries().empty());

  log.write(log_test::full_entry());
  log.write(entry(ActionType::notification_enqueued, 42, 1s));
  REQUIRE(log.size() == 2);
  const auto entries = log.entries();
  CHECK(entries[0] == log_test::full_entry());
  CHECK(entries[1].action == ActionType::notification_enqueued);

  SECTION("entries() is a copy, unaffected by later writes") {
    log.write(entry(ActionType::notification_delivered, 42, 2s));
    CHECK(entries.size() == 2);
    CHECK(log.size() == 3);
  }
  SECTION("clear() forgets everything") {
    log.clear();
    CHECK(log.size() == 0);
    CHECK(log.query({}).empty());
  }
}

TEST_CASE("the memory log refuses an entry that a file log could not store", "[action-log]") {
  MemorySink log;
  auto bad = log_test::full_entry();
  bad.details = "not an object";
  CHECK_THROWS_AS(log.write(bad), ErrorException);
  CHECK(log.size() == 0);
}

TEST_CASE("the memory log answers queries by action, interview and time", "[action-log]") {
  MemorySink log;
  // Interview 1: enqueued, failed, delivered. Interview 2: enqueued, failed twice, dead.
  log.write(entry(ActionType::notification_enqueued, 1, 0s));
  log.write(entry(ActionType::notification_enqueued, 2, 1s));
  log.write(entry(ActionType::notification_failed, 1, 2s));
  log.write(entry(ActionType::notification_failed, 2, 3s));
  log.write(entry(ActionType::notification_delivered, 1, 4s));
  log.write(entry(ActionType::notification_failed, 2, 5s));
  log.write(entry(ActionType::notification_dead_lettered, 2, 6s));

  SECTION("an empty query returns everything in order") {
    CHECK(seconds_of(log.query({})) == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6});
  }
  SECTION("by action") {
    const auto failed = log.query({.action = ActionType::notification_failed});
    CHECK(interviews_of(failed) == std::vector<std::uint64_t>{1, 2, 2});
    CHECK(log.query({.action = ActionType::interview_booked}).empty());
  }
  SECTION("by interview") {
    CHECK(seconds_of(log.query({.interview = InterviewId{1}})) ==
          std::vector<std::int64_t>{0, 2, 4});
    CHECK(log.query({.interview = InterviewId{3}}).empty());
  }
  SECTION("by a half-open time range") {
    CHECK(seconds_of(log.query({.since = at(2s), .until = at(5s)})) ==
          std::vector<std::int64_t>{2, 3, 4});
    CHECK(seconds_of(log.query({.since = at(5s)})) == std::vector<std::int64_t>{5, 6});
    CHECK(seconds_of(log.query({.until = at(1s)})) == std::vector<std::int64_t>{0});
    CHECK(log.query({.since = at(3s), .until = at(3s)}).empty());
  }
  SECTION("all failed notifications for one interview") {
    const auto failed =
        log.query({.action = ActionType::notification_failed, .interview = InterviewId{2}});
    CHECK(seconds_of(failed) == std::vector<std::int64_t>{3, 5});
  }
  SECTION("every field at once") {
    const ActionQuery query{.action = ActionType::notification_failed,
                            .interview = InterviewId{2},
                            .since = at(4s),
                            .until = at(6s)};
    CHECK(seconds_of(log.query(query)) == std::vector<std::int64_t>{5});
  }
}
