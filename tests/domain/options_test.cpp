// Every public option and query struct can be written with designated initializers naming
// only the fields a host cares about: each member has a default, so host code built with
// -Wextra (-Wmissing-field-initializers) compiles cleanly. This file is built with our own
// warnings as errors, so a member added without a default fails the build here.
#include <catch2/catch.hpp>

#include <interviewkit/interviewkit.hpp>

using namespace interviewkit;
using namespace std::chrono_literals;

TEST_CASE("option structs take designated initializers naming one field", "[package]") {
  const BookingOptions booking{.meeting_base_url = "https://meet.example.com/"};
  CHECK(booking.meeting_base_url == "https://meet.example.com/");
  const OperationOptions operation{.idempotency_key = "retry-1"};
  CHECK_FALSE(operation.expected_version);
  const DispatcherOptions dispatcher{.batch_size = 8};
  CHECK(dispatcher.max_in_flight == 32);
  CHECK_FALSE(dispatcher.clock);
  const RetryPolicy retry{.max_attempts = 3};
  const CircuitBreakerOptions breaker{.failure_threshold = 2};
  CHECK(retry.max_attempts == 3);
  CHECK(breaker.open_for == 30s);
  const OutboxQuery outbox{.limit = 5};
  CHECK(outbox.after == OutboxId{});
  const RevisionQuery revisions{.with_delivered = true};
  const ActionLogOptions log{.on_error = nullptr};
  const ActionQuery actions{.action = ActionType::interview_booked};
  const PurgeRequest purge{.log_before = UtcMillis{}};
  const ReconcileOptions reconcile{.channels = {"mail"}};
  CHECK(revisions.with_delivered);
  CHECK_FALSE(log.on_error);
  CHECK(actions.action);
  CHECK_FALSE(purge.delivered_before);
  CHECK(reconcile.channels.size() == 1);
  const SlotQuery slots{.window = TimeRange::make(date::sys_days{}, 24h).value()};
  CHECK_FALSE(slots.now);  // the clock, when the search runs
  const InterviewerAvailability person{.id = InterviewerId::make("i-1").value(),
                                       .time_zone = TimeZone::make("Europe/Berlin").value()};
  CHECK(person.booked.empty());
}
