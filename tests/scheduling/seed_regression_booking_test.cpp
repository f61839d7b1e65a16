// The seed scenario end to end: book through the service, and the invite goes out, or its
// failure is on record naming the candidate and the error.
#include <stdexcept>

#include "support/fixture.hpp"

using namespace interviewkit;
using namespace interviewkit::testing;

TEST_CASE("a booked candidate gets exactly one interview_scheduled notification",
          "[seed-regression]") {
  Fixture f;
  const auto id = f.create("cand-1", {"int-1"}).id;
  auto booked = f.service->book(id, slot(12, 14h), recruiter());
  REQUIRE(booked);
  CHECK(booked->interview.status == InterviewStatus::scheduled);
  CHECK(nlohmann::json(booked->interview)["status"] == "scheduled");
  f.drain();
  f.drain();
  int invites = 0;
  for (const auto& n : f.recorder->delivered()) {
    if (n.kind == NotificationKind::interview_scheduled && n.recipient.is_candidate())
      ++invites;
  }
  CHECK(invites == 1);
}

TEST_CASE("with a throwing notifier the failure names the candidate and the error",
          "[seed-regression]") {
  auto notifier =
      std::make_shared<RecordingNotifier>([](const Notification&, std::size_t) -> DeliveryOutcome {
        throw std::runtime_error("SMTPAuthenticationError: bad credentials");
      });
  Fixture f(std::make_shared<MemoryStore>(), {}, notifier);
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(12, 14h), recruiter()));
  f.drain();

  // "Which candidates never got their invite, and why?" is one query.
  const auto failed = f.memory_log->query({.action = ActionType::notification_failed,
                                           .interview = id,
                                           .since = std::nullopt,
                                           .until = std::nullopt});
  const auto it = std::find_if(failed.begin(), failed.end(), [](const ActionEntry& e) {
    return e.details.at("recipient") == "candidate:cand-1";
  });
  REQUIRE(it != failed.end());
  CHECK(it->details.at("email") == "cand-1@candidates.example.com");
  CHECK(it->details.at("kind") == "interview_scheduled");
  CHECK(it->details.at("error").get<std::string>().find("bad credentials") != std::string::npos);
  CHECK(f.service->get(id)->status == InterviewStatus::scheduled);
}
