// The Dispatcher delivers what the outbox holds: every notifier failure is recorded, never
// swallowed, and never undoes a booking; retries back off until delivered or dead; late and
// superseded messages expire instead of going out.
#include <stdexcept>

#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

namespace {
using K = NotificationKind;
}  // namespace

TEST_CASE("every notifier failure mode is recorded while the booking stands", "[notify]") {
  struct Custom {};  // not derived from std::exception
  const auto mode = GENERATE(0, 1, 2, 3);
  auto notifier = std::make_shared<RecordingNotifier>(
      [mode](const Notification&, std::size_t) -> DeliveryOutcome {
        switch (mode) {
          case 0:
            throw std::runtime_error("SMTP connection reset");
          case 1:
            throw Custom{};
          case 2:
            return DeliveryOutcome::transient_failure("421 try later");
          default:
            return DeliveryOutcome::permanent_failure("550 no such user");
        }
      });
  Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.clock->advance(std::chrono::minutes{1});
  const auto stats = f.drain();
  CHECK(stats.delivered == 0);

  const auto stored = f.service->get(id).value();
  CHECK(stored.status == InterviewStatus::scheduled);  // the booking stands

  // One entry per attempt: a retryable failure is notification_failed, a permanent one
  // goes straight to notification_dead_lettered.
  const auto failed = f.entries(
      mode == 3 ? ActionType::notification_dead_lettered : ActionType::notification_failed, id);
  REQUIRE_FALSE(failed.empty());
  CHECK(f.entries(ActionType::notification_failed, id).size() +
            f.entries(ActionType::notification_dead_lettered, id).size() ==
        stats.claimed);
  const auto& d = failed.front().details;
  CHECK(d.at("attempt") == 1);
  CHECK(d.contains("recipient"));
  CHECK(d.contains("kind"));
  const std::string error = d.at("error");
  CAPTURE(error);
  switch (mode) {
    case 0:
      CHECK(error.find("SMTP connection reset") != std::string::npos);
      CHECK(d.at("retryable") == true);
      break;
    case 1:
      CHECK(error.find("non-standard exception") != std::string::npos);
      break;
    case 2:
      CHECK(error == "421 try later");
      CHECK(d.contains("next_attempt"));
      break;
    default:
      CHECK(error == "550 no such user");
      CHECK(d.at("retryable") == false);
      CHECK(f.entries(ActionType::notification_failed, id).empty());
      break;
  }
}

TEST_CASE("failures are retried with backoff until delivered or dead", "[notify][outbox]") {
  SECTION("a channel that recovers") {
    auto notifier =
        std::make_shared<RecordingNotifier>([](const Notification&, std::size_t attempt) {
          return attempt < 2 ? DeliveryOutcome::transient_failure("451 busy")
                             : DeliveryOutcome::delivered("250 ok");
        });
    BookingOptions options{.test_mode = true};
    options.policy =
        NotificationPolicy::defaults(std::nullopt)
            .remove(K::interview_scheduled)
            .add(NotificationRule{InterviewEvent::book, std::nullopt, K::interview_scheduled,
                                  Audience::candidate, std::nullopt});
    Fixture f(std::make_shared<MemoryStore>(), options, notifier);
    const auto id = f.create().id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
    for (int pass = 0; pass < 5; ++pass) {
      f.drain();
      f.clock->advance(std::chrono::milliseconds{200});  // past any backoff (cap 100 ms)
    }
    const auto messages = f.store->list_outbox({.interview = id}).value();
    REQUIRE(messages.size() == 1);
    CHECK(messages[0].state == OutboxState::delivered);
    CHECK(messages[0].attempts == 3);
    CHECK(f.entries(ActionType::notification_failed, id).size() == 2);
    CHECK(f.entries(ActionType::notification_delivered, id).size() == 1);
  }
  SECTION("a channel that never recovers: dead after max attempts, then requeued") {
    auto notifier = std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) {
      return DeliveryOutcome::transient_failure("down");
    });
    // Retries alone: with the breaker on, whether the last attempts are made or failed
    // fast depends on which of the two concurrent deliveries opens the circuit.
    auto options = Fixture::fast_retries();
    options.breaker.failure_threshold = 0;
    Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
    f.dispatcher = Dispatcher::make(f.store, notifier, f.log, with_clock(options, f.clock)).value();
    const auto id = f.create().id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
    for (int pass = 0; pass < 6; ++pass) {
      f.drain();
      f.clock->advance(std::chrono::milliseconds{200});
    }
    auto dead = f.store->list_outbox({.state = OutboxState::dead}).value();
    REQUIRE(dead.size() == 2);  // the candidate and the interviewer
    CHECK(dead[0].attempts == 3);
    CHECK(dead[0].last_error == "gave up after 3 attempts: down");
    CHECK(f.entries(ActionType::notification_dead_lettered, id).size() == 2);
    REQUIRE(f.store->requeue(dead[0].id, f.clock->now(), {}).value());
    CHECK_FALSE(f.store->requeue(dead[0].id, f.clock->now(), {}).value());  // no longer dead
    CHECK(f.store->list_outbox({.state = OutboxState::pending}).value().size() >= 1);
  }
  SECTION("a Retry-After from the channel sets the next attempt, bounded by the cap") {
    const auto base = Fixture{}.clock->now();
    const auto soon = base + 60ms;                                // within the 100 ms cap: honoured
    const auto year_2058 = UtcMillis{at(1, 0min)} + 12000 * 24h;  // "Retry-After: 999999999"
    auto notifier =
        std::make_shared<RecordingNotifier>([&](const Notification& n, std::size_t attempt) {
          if (attempt > 1)  // the first two calls: one per recipient
            return DeliveryOutcome::delivered();
          return DeliveryOutcome::transient_failure("429",
                                                    n.recipient.is_candidate() ? soon : year_2058);
        });
    Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
    const auto id = f.create().id;
    REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
    f.drain();
    auto pending = f.store->list_outbox({.state = OutboxState::pending}).value();
    std::vector<UtcMillis> due;
    for (const auto& m : pending) {
      if (m.kind == K::interview_scheduled)
        due.push_back(m.due);
    }
    std::sort(due.begin(), due.end());
    REQUIRE(due.size() == 2);
    CHECK(due[0] == soon);
    CHECK(due[1] == f.clock->now() + Fixture::fast_retries().retry.cap);
  }
}

TEST_CASE("messages about interviews that already started expire instead of going out late",
          "[notify][outbox]") {
  Fixture f;
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  f.clock->set(UtcMillis{at(12, 9h)});
  const auto stats = f.drain();
  CHECK(stats.expired >= 2);
  CHECK(f.recorder->attempts() == 0);
  CHECK(f.entries(ActionType::notification_expired, id).size() >= 2);
}

TEST_CASE("reminders are due before the start and superseded by a reschedule", "[notify][outbox]") {
  Fixture f;
  const auto id = f.create().id;
  REQUIRE(f.service->book(id, slot(12, 9h), recruiter()));
  auto reminders = [&](OutboxState state) {
    std::vector<OutboxMessage> out;
    for (auto& m : f.store->list_outbox({.state = state, .interview = id}).value()) {
      if (m.kind == K::interview_reminder)
        out.push_back(m);
    }
    return out;
  };
  auto pending = reminders(OutboxState::pending);
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].due == UtcMillis{at(11, 9h)});

  REQUIRE(f.service->reschedule(id, slot(14, 9h), recruiter()));
  CHECK(reminders(OutboxState::expired).size() == 2);
  pending = reminders(OutboxState::pending);
  REQUIRE(pending.size() == 2);
  CHECK(pending[0].due == UtcMillis{at(13, 9h)});

  SECTION("no reminder when the slot is sooner than the lead time") {
    const auto soon = f.create("cand-9", {"int-9"}).id;
    REQUIRE(f.service->book(soon, TimeRange::make(at(1, 12h), 30min).value(), recruiter()));
    for (const auto& m : f.store->list_outbox({.interview = soon}).value()) {
      CHECK(m.kind != K::interview_reminder);
    }
  }
}
