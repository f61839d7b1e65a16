// Sample interviews and outbox messages for store tests, and the writes that store them.
#pragma once

#include <string>
#include <vector>

#include "support/fixture.hpp"

namespace interviewkit::testing {

inline Interview sample_interview(const std::string& cand, const std::string& interviewer_id) {
  const auto now = at(1, 0min);
  return Interview{.id = InterviewId{},
                   .title = "Conformance",
                   .candidate = candidate(cand),
                   .interviewers = {interviewer(interviewer_id)},
                   .slot = std::nullopt,
                   .status = InterviewStatus::pending,
                   .version = 1,
                   .meeting_link = {},
                   .created_at = now,
                   .updated_at = now};
}

/// The same interview holding `booked`, as a booking leaves it.
inline Interview scheduled_interview(const std::string& cand, const std::string& interviewer_id,
                                     const TimeRange& booked) {
  auto interview = sample_interview(cand, interviewer_id);
  interview.status = InterviewStatus::scheduled;
  interview.slot = booked;
  return interview;
}

/// An outbox message for `interview`, as BookingService would enqueue it, due at `due`.
inline OutboxMessage sample_message(InterviewId interview, const std::string& key, UtcMillis due) {
  OutboxMessage m;
  m.idempotency_key = key;
  m.interview = interview;
  m.kind = NotificationKind::interview_scheduled;
  m.channel = "mail";
  m.payload = nlohmann::json{{"key", key}};
  m.message_token = "token-" + key;
  m.due = due;
  m.created_at = due;
  m.updated_at = due;
  return m;
}

/// The ids `enqueue` returns dropped, for work that only needs to know it succeeded.
inline Result<void> enqueued(const Result<std::vector<OutboxId>>& ids) {
  if (!ids)
    return ids.error();
  return {};
}

/// Stores a pending interview with `messages` for it; returns the interview's id.
inline InterviewId interview_with_messages(Store& store, std::vector<OutboxMessage> messages) {
  InterviewId id;
  store
      .write([&](StoreTransaction& tx) -> Result<void> {
        id = tx.insert(sample_interview("c-1", "i-1")).value();
        for (auto& m : messages)
          m.interview = id;
        return enqueued(tx.enqueue(messages));
      })
      .value();
  return id;
}

}  // namespace interviewkit::testing
