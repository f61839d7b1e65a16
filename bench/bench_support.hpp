// Pieces the benchmarks share: sinks and channels that cost nothing, and one booking.
#pragma once

#include <chrono>
#include <string>

#include <fmt/format.h>

#include <interviewkit/interviewkit.hpp>

namespace interviewkit::bench {

/// The ActionLog is not what the benchmarks measure: this sink drops every entry, and says so
/// (wants), so the library does not build entries for it.
class NullSink final : public ActionLogSink {
 public:
  void write(const ActionEntry&) override {}
  bool wants(ActionType) const noexcept override { return false; }
};

/// A channel that delivers instantly: what is left is the store and the dispatcher.
class NoopNotifier final : public Notifier {
 public:
  DeliveryOutcome deliver(const Notification&, const DeliveryContext&) override {
    return DeliveryOutcome::delivered();
  }
};

inline Participant person(const std::string& id) {
  return Participant::make(id, id + "@example.com", "Europe/Berlin").value();
}

/// Creates and books interview number `i`: interviewer i % `interviewers` gets consecutive
/// hourly slots from 2100-01-01, so bookings never conflict.
inline void book_one(BookingService& service, int i, int interviewers) {
  const auto base = date::sys_days{date::year{2100} / 1 / 1};
  const auto interviewer = fmt::format("int-{}", i % interviewers);
  const auto candidate = fmt::format("cand-{}", i);
  auto created = service
                     .create({"Bench",
                              {CandidateId::make(candidate).value(), person(candidate)},
                              {{InterviewerId::make(interviewer).value(), person(interviewer)}}},
                             Actor::system())
                     .value();
  const auto start = date::sys_seconds{base} + std::chrono::hours{i / interviewers};
  (void)service
      .book(created.id, TimeRange::make(start, std::chrono::hours{1}).value(), Actor::system())
      .value();
}

}  // namespace interviewkit::bench
