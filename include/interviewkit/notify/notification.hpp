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

/// What a notification tells its recipient. Closed set with strict parsing; outbox rows and
/// idempotency keys hold the names.
enum class NotificationKind : std::uint8_t {
  interview_scheduled,
  interview_confirmed,
  interview_rescheduled,
  interview_cancelled,
  interview_completed,
  interview_no_show,
  interview_reminder,
};

/// Names of NotificationKind, for to_string, parse_notification_kind, JSON and formatting.
template <>
struct EnumNames<NotificationKind> {
  static constexpr std::string_view type =
      "NotificationKind";  ///< type name, in "<invalid NotificationKind>"
  static constexpr std::string_view noun = "notification kind";  ///< noun in parse errors
  static constexpr std::string_view article = "a";               ///< article before the noun
  using enum NotificationKind;
  /// Outbox rows and idempotency keys hold these names: never rename one.
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

/// Every NotificationKind, in declaration order.
inline constexpr std::array<NotificationKind, 7> all_notification_kinds =
    enum_values<NotificationKind>();

/// The canonical lowercase name, e.g. "interview_scheduled".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(NotificationKind kind) noexcept;
/// Strict parse of a canonical name; the error names the input and lists the valid values.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<NotificationKind> parse_notification_kind(
    std::string_view text);

/// Who receives a notification: the candidate or one interviewer.
struct Recipient {
  std::variant<CandidateId, InterviewerId> id;  ///< the host's id: a CandidateId for the candidate
  Participant person;                           ///< name, address and time zone to write to

  /// The candidate as a recipient.
  [[nodiscard]] static Recipient of(const Candidate& c) { return {c.id, c.person}; }
  /// An interviewer as a recipient.
  [[nodiscard]] static Recipient of(const Interviewer& i) { return {i.id, i.person}; }
  /// True for the candidate, false for an interviewer.
  [[nodiscard]] bool is_candidate() const noexcept { return id.index() == 0; }
  /// "candidate:cand-1" or "interviewer:int-7": stable, unique within an interview.
  [[nodiscard]] INTERVIEWKIT_EXPORT std::string key() const;

  friend bool operator==(const Recipient&, const Recipient&) = default;
};

/// One message to one recipient about one revision of an interview: what a Notifier
/// delivers. Built by NotificationPolicy::plan and stored as an outbox payload.
struct Notification {
  NotificationKind kind = NotificationKind::interview_scheduled;  ///< what it tells
  Recipient recipient;                                            ///< who it goes to
  Interview interview;                                            ///< snapshot after the transition
  std::optional<TimeRange> previous_slot;  ///< the slot before a reschedule or cancellation
  std::string reason;                      ///< e.g. the cancellation reason; may be empty
  /// Stable across retries and restarts: interview id + version + recipient + kind.
  std::string idempotency_key;

  friend bool operator==(const Notification&, const Notification&) = default;
};

/// "interview-42@example.com": the UID every calendar entry about interview `id` carries (the
/// email invites of the channels component, the events the calendar component writes), so
/// clients update or cancel one entry instead of adding another, and the events read back from
/// an interviewer's calendar are known as the library's own. `domain` is one the host
/// controls (RFC 5545 section 3.8.4.7), e.g. the email options' message_id_domain.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string calendar_uid(InterviewId id, std::string_view domain);

/// "interview/42/v3/candidate:cand-1/interview_scheduled".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string make_idempotency_key(InterviewId id,
                                                                   std::uint64_t version,
                                                                   const Recipient& recipient,
                                                                   NotificationKind kind);

}  // namespace interviewkit

/// JSON `{"role": "candidate"|"interviewer", "id", "name", "email", "time_zone"}`. from_json
/// is strict (exactly these fields) and throws interviewkit::ErrorException or
/// nlohmann::json exceptions naming the bad field.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Recipient> {
  /// Reads and validates a recipient.
  static interviewkit::Recipient from_json(const nlohmann::json& j);
  /// Writes the five fields.
  static void to_json(nlohmann::json& j, const interviewkit::Recipient& value);
};
/// JSON `{"kind", "recipient", "interview", "previous_slot", "reason", "idempotency_key"}`
/// ("previous_slot" null when unset): the outbox payload. from_json is strict, as for
/// Recipient.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Notification> {
  /// Reads and validates a notification.
  static interviewkit::Notification from_json(const nlohmann::json& j);
  /// Writes every field.
  static void to_json(nlohmann::json& j, const interviewkit::Notification& value);
};
/// JSON: the canonical name. from_json throws nlohmann::json::type_error for a non-string and
/// interviewkit::ErrorException for an unknown name.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::NotificationKind> {
  /// Reads a canonical name.
  static interviewkit::NotificationKind from_json(const nlohmann::json& j);
  /// Writes the canonical name.
  static void to_json(nlohmann::json& j, interviewkit::NotificationKind value);
};
