// Shared test fixture: a booking service on a given store, with a manual clock, an in-memory
// action log, a recording notifier and a dispatcher.
#pragma once

#include <memory>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>  // ActionEntry::details, OutboxMessage::payload

#include <interviewkit/interviewkit.hpp>

namespace interviewkit::testing {

using namespace std::chrono_literals;

inline date::sys_seconds at(int day, std::chrono::minutes time_of_day) {
  return date::sys_days{date::year{2024} / 3 / day} + time_of_day;
}

inline TimeRange slot(int day, std::chrono::minutes start, std::chrono::minutes length = 60min) {
  return TimeRange::make(at(day, start), length).value();
}

inline Candidate candidate(const std::string& id, const std::string& zone = "Asia/Kathmandu") {
  return {CandidateId::make(id).value(),
          Participant::make("Candidate " + id, id + "@candidates.example.com", zone).value()};
}

inline Interviewer interviewer(const std::string& id,
                               const std::string& zone = "America/New_York") {
  return {InterviewerId::make(id).value(),
          Participant::make("Interviewer " + id, id + "@staff.example.com", zone).value()};
}

inline Actor recruiter() {
  return Actor::make(ActorRole::recruiter, "r-1").value();
}

/// A RandomSource that fails, to prove nothing is half-written when randomness is missing.
class BrokenRandom final : public RandomSource {
 public:
  Result<void> fill(std::span<std::byte>) override {
    return Unavailable{"getrandom: entropy source unavailable (test)"};
  }
};

/// `options` with its clock set: every component takes its clock in its options.
template <class Options>
Options with_clock(Options options, std::shared_ptr<const Clock> clock) {
  options.clock = std::move(clock);
  return options;
}

/// BookingOptions with a clock and a source of randomness (null: the default), in test mode
/// (a placeholder meeting URL unless the test names one).
inline BookingOptions with(BookingOptions options, std::shared_ptr<const Clock> clock,
                           std::shared_ptr<RandomSource> random) {
  options.test_mode = true;
  options.clock = std::move(clock);
  options.random = std::move(random);
  return options;
}

struct Fixture {
  explicit Fixture(std::shared_ptr<Store> store_ = std::make_shared<MemoryStore>(),
                   BookingOptions options = {}, std::shared_ptr<Notifier> notifier_ = nullptr,
                   std::shared_ptr<RandomSource> random = nullptr)
      : store(std::move(store_)),
        clock(std::make_shared<ManualClock>(UtcMillis{date::sys_days{date::year{2024} / 3 / 1}})),
        memory_log(std::make_shared<MemorySink>()),
        log(ActionLog::make(memory_log).value()),
        recorder(std::make_shared<RecordingNotifier>()),
        notifier(notifier_ ? std::move(notifier_) : recorder),
        service(BookingService::make(store, log, with(std::move(options), clock, std::move(random)))
                    .value()),
        dispatcher(
            Dispatcher::make(store, notifier, log, with_clock(fast_retries(), clock)).value()) {}

  static DispatcherOptions fast_retries() {
    DispatcherOptions options;
    options.retry.base = 10ms;
    options.retry.cap = 100ms;
    options.retry.max_attempts = 3;
    options.lease = 10s;
    options.delivery_timeout = 2s;
    options.breaker.open_for = 50ms;  // tests advance the clock past it
    options.jitter_seed = 42;
    return options;
  }

  Interview create(const std::string& cand = "cand-1",
                   std::vector<std::string> interviewers = {"int-1"}) {
    CreateRequest request{"Technical interview", candidate(cand), {}};
    for (const auto& id : interviewers)
      request.interviewers.push_back(interviewer(id));
    return service->create(request, recruiter()).value();
  }

  DrainStats drain() { return dispatcher->drain_once().value(); }

  std::vector<ActionEntry> entries(ActionType action, std::optional<InterviewId> id = {}) const {
    return memory_log->query({.action = action, .interview = id, .since = {}, .until = {}});
  }

  std::shared_ptr<Store> store;
  std::shared_ptr<ManualClock> clock;
  std::shared_ptr<MemorySink> memory_log;
  std::shared_ptr<ActionLog> log;
  std::shared_ptr<RecordingNotifier> recorder;
  std::shared_ptr<Notifier> notifier;
  std::unique_ptr<BookingService> service;
  std::unique_ptr<Dispatcher> dispatcher;
};

}  // namespace interviewkit::testing
