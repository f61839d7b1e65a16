// The `details` keys of every ActionLog entry type the library writes are the ones
// docs/action-log.md documents: a scenario produces each type for real (booking, delivery,
// failure, circuit breaker, requeue) and every entry's keys are checked against the table.
// Keep the table below and the page in step.
#include <atomic>
#include <map>
#include <set>
#include <string>

#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {

/// Keys an entry of the type always has, and keys it may have.
struct Keys {
  std::set<std::string> always;
  std::set<std::string> sometimes;
};

using Set = std::set<std::string>;

// What the Dispatcher adds to the entry of every message outcome.
const Set message_keys = {"outbox_id", "attempt", "claim", "idempotency_key", "kind", "channel"};
const Set transition_always = {"version"};
const Set transition_sometimes = {"slot", "previous_slot", "reason", "idempotency_key"};
const Set after_send = {"recipient", "email", "circuit_open", "store_error", "fenced"};

Set plus(Set a, const Set& b) {
  a.insert(b.begin(), b.end());
  return a;
}

// docs/action-log.md, as data. records_purged is written by interviewctl, not the library.
const std::map<ActionType, Keys>& documented() {
  using enum ActionType;
  static const std::map<ActionType, Keys> table = {
      {interview_created, {{"title", "candidate", "interviewers"}, {}}},
      {interview_booked, {transition_always, transition_sometimes}},
      {interview_confirmed, {transition_always, transition_sometimes}},
      {interview_rescheduled, {transition_always, transition_sometimes}},
      {interview_cancelled, {transition_always, transition_sometimes}},
      {interview_completed, {transition_always, transition_sometimes}},
      {interview_no_show, {transition_always, transition_sometimes}},
      {notification_enqueued, {{"idempotency_key", "kind", "channel", "recipient", "due"}, {}}},
      {notification_delivered, {message_keys, plus({"detail"}, after_send)}},
      {notification_failed,
       {plus(message_keys, {"error", "retryable"}), plus({"next_attempt"}, after_send)}},
      {notification_dead_lettered,
       {plus(message_keys, {"error"}), plus({"retryable"}, after_send)}},
      {notification_expired,
       {{"outbox_id", "idempotency_key", "kind", "channel", "error"},
        plus({"attempt", "claim", "superseded_by_version", "retryable"}, after_send)}},
      {notification_requeued, {{"outbox_id", "idempotency_key", "previous_error"}, {}}},
      {channel_circuit_opened, {{"destination", "open_for_ms"}, {"error"}}},
      {channel_circuit_closed, {{"destination"}, {}}},
  };
  return table;
}

Set keys_of(const ActionEntry& entry) {
  Set keys;
  for (const auto& [key, value] : entry.details.json().items())
    keys.insert(key);
  return keys;
}

}  // namespace

TEST_CASE("every entry type's details keys are the documented ones", "[docs]") {
  enum Mode { deliver, transient, permanent };
  std::atomic<int> mode{deliver};
  auto notifier = std::make_shared<RecordingNotifier>(
      [&mode](const Notification&, std::size_t) -> DeliveryOutcome {
        switch (mode.load()) {
          case transient:
            return DeliveryOutcome::transient_failure("421 try later");
          case permanent:
            return DeliveryOutcome::permanent_failure("550 no such user");
          default:
            return DeliveryOutcome::delivered("250 OK");
        }
      });
  Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
  auto options = with_clock(Fixture::fast_retries(), f.clock);
  options.breaker = {.failure_threshold = 1, .open_for = std::chrono::milliseconds{50}};
  auto dispatcher = Dispatcher::make(f.store, notifier, f.log, options).value();

  // Booking, and a reschedule that supersedes the pending invites; then delivered.
  const auto first = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(first, slot(12, 9h), recruiter()));
  REQUIRE(f.service->confirm(first, recruiter()));
  REQUIRE(f.service->reschedule(first, slot(13, 9h), recruiter()));
  REQUIRE(dispatcher->drain_once());

  // A failure opens the circuit; a permanent failure (which closes it) dead-letters.
  mode = transient;
  const auto second = f.create("cand-2", {"int-2"}).id;
  REQUIRE(f.service->book(second, slot(14, 9h), recruiter()));
  REQUIRE(dispatcher->drain_once());
  mode = permanent;
  f.clock->advance(std::chrono::minutes{1});
  REQUIRE(dispatcher->drain_once());
  const auto dead = f.entries(ActionType::notification_dead_lettered);
  REQUIRE_FALSE(dead.empty());
  const OutboxId dead_id{dead.front().details.json().at("outbox_id").get<std::uint64_t>()};
  REQUIRE(dispatcher->requeue(dead_id, recruiter()).value());
  REQUIRE(f.service->cancel(second, "candidate withdrew", recruiter()));

  // Completed and no-show, once their slots have started.
  const auto third = f.create("cand-3", {"int-3"}).id;
  const auto fourth = f.create("cand-4", {"int-4"}).id;
  REQUIRE(f.service->book(third, slot(2, 9h), recruiter()));
  REQUIRE(f.service->book(fourth, slot(2, 11h), recruiter()));
  f.clock->set(UtcMillis{at(2, 12h)});
  REQUIRE(f.service->complete(third, recruiter()));
  REQUIRE(f.service->mark_no_show(fourth, recruiter()));

  std::set<ActionType> seen;
  for (const auto& entry : f.memory_log->query({})) {
    CAPTURE(entry.action, entry.details.dump());
    const auto found = documented().find(entry.action);
    REQUIRE(found != documented().end());
    const auto keys = keys_of(entry);
    for (const auto& key : found->second.always) {
      CAPTURE(key);
      CHECK(keys.contains(key));
    }
    for (const auto& key : keys) {
      CAPTURE(key);
      CHECK((found->second.always.contains(key) || found->second.sometimes.contains(key)));
    }
    seen.insert(entry.action);
  }
  // Every type the library writes was produced here, so none of the rows above is unchecked.
  for (const auto& [action, keys] : documented()) {
    CAPTURE(action);
    CHECK(seen.contains(action));
  }
  CHECK_FALSE(seen.contains(ActionType::records_purged));
}
