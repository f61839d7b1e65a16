// Notification: what one person must be told about one change to one interview.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/participant.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/domain/transition.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

enum class NotificationKind : std::uint8_t {
  interview_scheduled,
  interview_confirmed,
  interview_rescheduled,
  interview_cancelled,
  interview_completed,
  interview_no_show,
  interview_reminder,
};

template <>
struct EnumNames<NotificationKind> {
  static constexpr std::string_view type = "NotificationKind";
  static constexpr std::string_view noun = "notification kind";
  static constexpr std::string_view article = "a";
  using enum NotificationKind;
  // Outbox rows and idempotency keys hold these names: never rename one.
  static constexpr auto table = std::to_array<EnumName<NotificationKind>>({
      {interview_scheduled, "interview_scheduled"},
      {interview_confirmed, "interview_confirmed"},
      {interview_rescheduled, "interview_rescheduled"},
      {interview_cancelled, "interview_cancelled"},
      {interview_completed, "interview_completed"},
      {interview_no_show, "interview_no_show"},
      {interview_reminder, "interview_reminder"},
  });
};
static_assert(names_cover_enum<NotificationKind>());

inline constexpr std::array<NotificationKind, 7> all_notification_kinds =
    enum_values<NotificationKind>();

[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(NotificationKind kind) noexcept;
[[nodiscard]] INTERVIEWKIT_EXPORT Result<NotificationKind> parse_notification_kind(
    std::string_view text);

/// Who receives a notification: the candidate or one interviewer.
struct Recipient {
  std::variant<CandidateId, InterviewerId> id;
  Participant person;

  [[nodiscard]] static Recipient of(const Candidate& c) { return {c.id, c.person}; }
  [[nodiscard]] static Recipient of(const Interviewer& i) { return {i.id, i.person}; }
  [[nodiscard]] bool is_candidate() const noexcept { return id.index() == 0; }
  /// "candidate:cand-1" or "interviewer:int-7": stable, unique within an interview.
  [[nodiscard]] INTERVIEWKIT_EXPORT std::string key() const;

  friend bool operator==(const Recipient&, const Recipient&) = default;
};

struct Notification {
  NotificationKind kind = NotificationKind::interview_scheduled;
  Recipient recipient;
  Interview interview;                     ///< snapshot after the transition
  std::optional<TimeRange> previous_slot;  ///< the slot before a reschedule or cancellation
  std::string reason;                      ///< e.g. the cancellation reason; may be empty
  /// Stable across retries and restarts: interview id + version + recipient + kind.
  std::string idempotency_key;

  friend bool operator==(const Notification&, const Notification&) = default;
};

/// "interview/42/v3/candidate:cand-1/interview_scheduled".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string make_idempotency_key(InterviewId id,
                                                                   std::uint64_t version,
                                                                   const Recipient& recipient,
                                                                   NotificationKind kind);

}  // namespace interviewkit

template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Recipient> {
  static interviewkit::Recipient from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::Recipient& value);
};
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Notification> {
  static interviewkit::Notification from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::Notification& value);
};
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::NotificationKind> {
  static interviewkit::NotificationKind from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, interviewkit::NotificationKind value);
};
