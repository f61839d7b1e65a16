// The ActionStore conformance suite: written once, run against every store that keeps the
// action log (SqliteStore, PostgresStore). A test binary defines `ActionStores` (a std::tuple
// of factories with `static std::shared_ptr<Store> make()` whose stores are ActionStores) and
// includes this header after store_conformance.hpp.
#pragma once

#include <algorithm>
#include <iterator>

#include "conformance/store_conformance.hpp"

namespace interviewkit::testing {

inline ActionEntry sample_entry(ActionType action, InterviewId interview, UtcMillis time) {
  ActionEntry entry;
  entry.time = time;
  entry.action = action;
  entry.interview = interview;
  entry.details = {
      {"note", fmt::format("{} at {}", to_string(action), time.time_since_epoch().count())}};
  return entry;
}

}  // namespace interviewkit::testing

TEMPLATE_LIST_TEST_CASE("an action store answers ActionQuery as ActionQuery::matches does",
                        "[conformance][action-log]", ActionStores) {
  std::shared_ptr<Store> store = TestType::make();
  auto actions = std::dynamic_pointer_cast<ActionStore>(store);
  REQUIRE(actions);
  CHECK(store->keeps_action_log());
  const auto t0 = UtcMillis{at(1, 0min)};
  const std::vector entries{
      sample_entry(ActionType::interview_created, InterviewId{1}, t0),
      sample_entry(ActionType::interview_booked, InterviewId{1}, t0 + 1s),
      sample_entry(ActionType::interview_created, InterviewId{2}, t0 + 2s),
      sample_entry(ActionType::notification_failed, InterviewId{}, t0 + 3s),
  };
  for (const auto& entry : entries)
    REQUIRE(actions->append_action(entry));

  const std::vector<ActionQuery> queries{
      {},
      {.action = ActionType::interview_created},
      {.interview = InterviewId{1}},
      {.interview = InterviewId{}},  // entries about no single interview
      {.interview = InterviewId{99}},
      {.since = t0 + 1s},  // inclusive
      {.until = t0 + 2s},  // exclusive
      {.action = ActionType::interview_created, .interview = InterviewId{2}, .since = t0},
  };
  for (const auto& query : queries) {
    std::vector<ActionEntry> expected;
    std::copy_if(entries.begin(), entries.end(), std::back_inserter(expected),
                 [&](const auto& e) { return query.matches(e); });
    CHECK(actions->query_actions(query).value() == expected);
  }
  // The sink over the store answers the same.
  auto sink = StoreSink::make(actions).value();
  CHECK(sink->query({.interview = InterviewId{1}}).size() == 2);
}

TEMPLATE_LIST_TEST_CASE("log entries commit with the change they record, or not at all",
                        "[conformance][action-log][outbox]", ActionStores) {
  std::shared_ptr<Store> store = TestType::make();
  auto actions = std::dynamic_pointer_cast<ActionStore>(store);
  REQUIRE(actions);
  const auto t0 = UtcMillis{at(1, 0min)};
  const auto id = interview_with_messages(*store, {sample_message({}, "a", t0)});
  // In a write transaction: kept if the work succeeds, gone if it fails.
  REQUIRE(store->write([&](StoreTransaction& tx) -> Result<void> {
    return tx.append_action(sample_entry(ActionType::interview_booked, id, t0));
  }));
  CHECK_FALSE(store->write([&](StoreTransaction& tx) -> Result<void> {
    REQUIRE(tx.append_action(sample_entry(ActionType::interview_cancelled, id, t0)));
    return InvalidInput{"changed my mind"};
  }));
  CHECK(actions->query_actions({.interview = id}).value().size() == 1);

  // With an outcome: a fenced-off completion records nothing; the holder's records its log.
  auto claimed = store->claim_due(t0, 1, 1min).value();
  REQUIRE(claimed.size() == 1);
  OutboxCompletion dead{OutboxState::dead, std::nullopt, "550", {}};
  dead.log.push_back(sample_entry(ActionType::notification_failed, id, t0 + 1s));
  CHECK_FALSE(store->complete(claimed[0].id, claimed[0].claim + 1, dead, t0 + 1s).value());
  CHECK(actions->query_actions({.action = ActionType::notification_failed}).value().empty());
  CHECK(store->complete(claimed[0].id, claimed[0].claim, dead, t0 + 1s).value());
  CHECK(actions->query_actions({.action = ActionType::notification_failed}).value() == dead.log);

  // A requeue records its log once; a second requeue (no longer dead) records nothing.
  const std::vector requeued{sample_entry(ActionType::notification_requeued, id, t0 + 2s)};
  CHECK(store->requeue(claimed[0].id, t0 + 2s, requeued).value());
  CHECK_FALSE(store->requeue(claimed[0].id, t0 + 3s, requeued).value());
  CHECK(actions->query_actions({.action = ActionType::notification_requeued}).value() == requeued);
}

TEMPLATE_LIST_TEST_CASE("purge removes log entries before a date and records itself",
                        "[conformance][action-log][cli]", ActionStores) {
  std::shared_ptr<Store> store = TestType::make();
  auto actions = std::dynamic_pointer_cast<ActionStore>(store);
  REQUIRE(actions);
  const auto t0 = UtcMillis{at(1, 0min)};
  for (int hour = 0; hour < 3; ++hour) {
    REQUIRE(actions->append_action(sample_entry(ActionType::notification_delivered, InterviewId{1},
                                                t0 + std::chrono::hours{hour})));
  }
  auto record = sample_entry(ActionType::records_purged, InterviewId{}, t0 + 3h);
  const auto purged = store->purge({.log_before = t0 + 90min}, std::vector{record}).value();
  CHECK(purged.log_entries == 2);
  CHECK(purged.messages == 0);
  const auto left = actions->query_actions({}).value();
  REQUIRE(left.size() == 2);
  CHECK(left[0].time == t0 + 2h);
  CHECK(left[1] == record);
}
