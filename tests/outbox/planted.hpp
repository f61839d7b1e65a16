// Outbox messages planted straight into a store (no BookingService): an interview and one
// message per (channel, kind) for its candidate, as BookingService would enqueue them.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "support/fixture.hpp"

namespace interviewkit::testing {

struct Planted {
  Interview interview;
  std::vector<OutboxId> ids;  // in the order the messages were given
};

/// A scheduled interview for `cand` holding `booked`, with one message per (channel, kind)
/// due at `due`.
inline Planted plant(Store& store, const std::string& cand, const TimeRange& booked,
                     const std::vector<std::pair<std::string, NotificationKind>>& messages,
                     UtcMillis due) {
  Planted planted{Interview{.id = InterviewId{},
                            .title = "Planted",
                            .candidate = candidate(cand),
                            .interviewers = {interviewer("int-" + cand)},
                            .slot = booked,
                            .status = InterviewStatus::scheduled,
                            .version = 1,
                            .meeting_link = {},
                            .created_at = date::floor<std::chrono::seconds>(due),
                            .updated_at = date::floor<std::chrono::seconds>(due)},
                  {}};
  store
      .write([&](StoreTransaction& tx) -> Result<void> {
        auto id = tx.insert(planted.interview);
        if (!id)
          return id.error();
        planted.interview.id = *id;
        std::vector<OutboxMessage> outbox;
        for (const auto& [channel, kind] : messages) {
          const auto to = Recipient::of(planted.interview.candidate);
          const auto key = make_idempotency_key(*id, 1, to, kind);
          const Notification n{kind, to, planted.interview, std::nullopt, {}, key};
          OutboxMessage m;
          m.idempotency_key = key + "/" + channel;
          m.interview = *id;
          m.kind = kind;
          m.channel = channel;
          m.payload = nlohmann::json(n);
          m.message_token = "token-" + m.idempotency_key;
          m.due = due;
          m.created_at = due;
          m.updated_at = due;
          outbox.push_back(std::move(m));
        }
        auto ids = tx.enqueue(outbox);
        if (!ids)
          return ids.error();
        planted.ids = std::move(*ids);
        return {};
      })
      .value();
  return planted;
}

/// A new revision of `interview` that cancels it, written without BookingService: a message
/// planted for the old revision is then superseded.
inline void cancel_behind_the_back(Store& store, Interview interview) {
  interview.status = InterviewStatus::cancelled;
  interview.version += 1;
  store.write([&](StoreTransaction& tx) { return tx.update(interview); }).value();
}

}  // namespace interviewkit::testing
