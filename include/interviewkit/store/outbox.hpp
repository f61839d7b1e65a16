// OutboxMessage: a notification written in the same transaction as the change that caused it.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>

namespace interviewkit {

class OutboxId {
 public:
  constexpr OutboxId() noexcept = default;
  constexpr explicit OutboxId(std::uint64_t value) noexcept : value_(value) {}
  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return value_; }
  friend constexpr auto operator<=>(OutboxId, OutboxId) noexcept = default;

 private:
  std::uint64_t value_ = 0;
};

enum class OutboxState : std::uint8_t {
  pending,    ///< waiting for its due time or for a retry
  delivered,  ///< the notifier reported success
  dead,       ///< gave up after a permanent failure or the last attempt; can be requeued
  expired,    ///< not sent: the interview started, or a later change superseded it
};

[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(OutboxState state) noexcept;
[[nodiscard]] INTERVIEWKIT_EXPORT Result<OutboxState> parse_outbox_state(std::string_view text);

struct OutboxMessage {
  OutboxId id;  ///< assigned by the store
  std::string idempotency_key;
  InterviewId interview;
  NotificationKind kind = NotificationKind::interview_scheduled;
  std::string channel = "default";
  nlohmann::json payload;     ///< the Notification as JSON
  std::string message_token;  ///< random, fixed at enqueue; e.g. the email's Message-ID
  UtcMillis due{};
  std::uint32_t attempts = 0;  ///< attempts started so far
  std::string last_error;
  OutboxState state = OutboxState::pending;
  std::optional<UtcMillis> claimed_until;  ///< lease of the worker delivering it
  UtcMillis created_at{};
  UtcMillis updated_at{};

  friend bool operator==(const OutboxMessage&, const OutboxMessage&) = default;
};

/// How a delivery attempt ends, as the dispatcher reports it to the store.
struct OutboxCompletion {
  OutboxState state = OutboxState::delivered;  ///< pending means "retry at next_due"
  std::optional<UtcMillis> next_due;
  std::string error;
};

/// Selects outbox messages; every set field must match. Ordered by id.
struct OutboxQuery {
  std::optional<OutboxState> state;
  std::optional<InterviewId> interview;
  std::size_t limit = 1000;
};

}  // namespace interviewkit

template <>
struct fmt::formatter<interviewkit::OutboxId> : fmt::formatter<std::uint64_t> {
  template <class FormatContext>
  auto format(interviewkit::OutboxId id, FormatContext& ctx) const {
    return fmt::formatter<std::uint64_t>::format(id.value(), ctx);
  }
};

template <>
struct fmt::formatter<interviewkit::OutboxState> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(interviewkit::OutboxState state, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(to_string(state), ctx);
  }
};
