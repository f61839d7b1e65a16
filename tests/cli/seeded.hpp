// A database with two booked interviews for the CLI tests: "good" (every invite delivered)
// and "doomed" (every invite dead: the channel refused the recipients). Written through the
// library itself, with the real clock, as a host would.
#pragma once

#include <memory>

#include <interviewkit/interviewkit.hpp>

#include "support/fixture.hpp"

namespace interviewkit::testing {

struct Seeded {
  std::shared_ptr<Store> store;
  std::shared_ptr<ActionStore> actions;
  InterviewId good;
  InterviewId doomed;
};

/// A slot `days` from now, on the hour, an hour long.
inline TimeRange slot_in_days(int days, int hour_offset = 0) {
  const auto now = date::floor<std::chrono::hours>(SystemClock{}.now());
  const auto start =
      date::floor<std::chrono::seconds>(now + std::chrono::hours{24 * days + hour_offset});
  return TimeRange::make(start, std::chrono::hours{1}).value();
}

inline Interview book(BookingService& service, const std::string& title, const std::string& who,
                      const TimeRange& slot) {
  CreateRequest request{title, candidate("cand-" + who), {interviewer("int-" + who)}};
  const auto created = service.create(request, recruiter()).value();
  return service.book(created.id, slot, recruiter()).value().interview;
}

/// Books both interviews on `channels` and runs a dispatcher pass until nothing is due.
inline Seeded seed(std::shared_ptr<Store> store, std::shared_ptr<ActionStore> actions,
                   std::vector<std::string> channels = {"default"}) {
  auto log = ActionLog::make(StoreSink::make(actions).value()).value();
  BookingOptions options{.test_mode = true};
  options.channels = channels;
  auto service = BookingService::make(store, log, options).value();
  const auto good = book(*service, "good", "a", slot_in_days(2));
  const auto doomed = book(*service, "doomed", "b", slot_in_days(3));
  auto notifier = std::make_shared<RecordingNotifier>([](const Notification& n, std::size_t) {
    if (n.interview.title == "doomed")
      return DeliveryOutcome::permanent_failure("550 5.1.1 no such user (test)");
    return DeliveryOutcome::delivered("250 2.0.0 OK queued (test)");
  });
  Dispatcher::Channels by_name;
  for (const auto& c : channels)
    by_name[c] = notifier;
  auto dispatcher = Dispatcher::make(store, by_name, log).value();
  for (int pass = 0; pass < 10 && dispatcher->drain_once().value().claimed > 0; ++pass) {
  }
  return Seeded{store, actions, good.id, doomed.id};
}

}  // namespace interviewkit::testing
