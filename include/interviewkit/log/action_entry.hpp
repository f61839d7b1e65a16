// ActionEntry: one line of the permanent record of what happened and why.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/actor.hpp>
#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/json_value.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/status.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// What an entry records. Closed set with strict parsing, like InterviewStatus.
enum class ActionType : std::uint8_t {
  interview_created,
  interview_booked,
  interview_confirmed,
  interview_rescheduled,
  interview_cancelled,
  interview_completed,
  interview_no_show,
  notification_enqueued,
  notification_delivered,
  notification_failed,         ///< one failed attempt; a retry may follow
  notification_dead_lettered,  ///< gave up: no more attempts
  notification_expired,        ///< not sent: too late, or superseded
  notification_requeued,       ///< a dead message was put back by an operator
  channel_circuit_opened,      ///< a destination kept failing: deliveries to it fail fast
  channel_circuit_closed,      ///< a delivery to it succeeded again
  records_purged,              ///< retention removed old outbox messages and log entries
  calendar_event_skipped,      ///< an event of an interviewer's calendar could not be read
};

/// Names of ActionType, for to_string, parse_action_type, JSON and formatting.
template <>
struct EnumNames<ActionType> {
  static constexpr std::string_view type = "ActionType";   ///< type name, in "<invalid ActionType>"
  static constexpr std::string_view noun = "action type";  ///< noun in parse errors
  static constexpr std::string_view article = "an";        ///< article before the noun
  using enum ActionType;
  /// Every type with its canonical name, in declaration order. Stored logs hold these names:
  /// never rename one.
  static constexpr auto table = std::to_array<EnumName<ActionType>>({
      {interview_created, "interview_created"},
      {interview_booked, "interview_booked"},
      {interview_confirmed, "interview_confirmed"},
      {interview_rescheduled, "interview_rescheduled"},
      {interview_cancelled, "interview_cancelled"},
      {interview_completed, "interview_completed"},
      {interview_no_show, "interview_no_show"},
      {notification_enqueued, "notification_enqueued"},
      {notification_delivered, "notification_delivered"},
      {notification_failed, "notification_failed"},
      {notification_dead_lettered, "notification_dead_lettered"},
      {notification_expired, "notification_expired"},
      {notification_requeued, "notification_requeued"},
      {channel_circuit_opened, "channel_circuit_opened"},
      {channel_circuit_closed, "channel_circuit_closed"},
      {records_purged, "records_purged"},
      {calendar_event_skipped, "calendar_event_skipped"},
  });
};
static_assert(names_cover_enum<ActionType>());

/// Every ActionType, in declaration order.
inline constexpr std::array<ActionType, 17> all_action_types = enum_values<ActionType>();

/// The canonical lowercase name, e.g. "notification_failed".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(ActionType action) noexcept;
/// Strict parse of a canonical name; the error names the input and lists the valid values.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<ActionType> parse_action_type(std::string_view text);

/// Writes the canonical name.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, ActionType action);

/// One line of the permanent record: what happened (`action`), to which interview, by whom,
/// when, the status change if any, and the particulars in `details`. A plain value.
struct ActionEntry {
  UtcMillis time{};  ///< when it happened, by the clock of the component that wrote it
  ActionType action =
      ActionType::interview_created;  ///< what happened; decides the keys of `details`
  InterviewId interview;              ///< unset for entries about no single interview
  Actor actor =
      Actor::system();  ///< who did it: the caller of the operation, or the system for deliveries
  std::optional<InterviewStatus>
      from;  ///< status before, for an interview transition; unset otherwise
  std::optional<InterviewStatus>
      to;  ///< status after, for interview_created and transitions; unset otherwise
  /// Structured detail: recipient, kind, attempt, error text, ... Always an object. Reads
  /// like an nlohmann::json where <nlohmann/json.hpp> is included (see JsonValue). The keys
  /// of each action type, with their types, are listed on @ref action_log_details.
  JsonValue details = JsonValue::object();

  friend bool operator==(const ActionEntry&, const ActionEntry&) = default;
};

/// Selects entries; every set field must match. The time range is half-open [since, until).
/// The explicit `= std::nullopt` lets `ActionQuery{.action = ...}` leave the other fields out
/// without tripping -Wmissing-field-initializers.
struct ActionQuery {
  std::optional<ActionType> action = std::nullopt;      ///< only entries of this type
  std::optional<InterviewId> interview = std::nullopt;  ///< only entries about this interview
  std::optional<UtcMillis> since = std::nullopt;        ///< only entries with time >= since
  std::optional<UtcMillis> until = std::nullopt;        ///< only entries with time < until

  /// True when `entry` satisfies every field that is set.
  [[nodiscard]] bool matches(const ActionEntry& entry) const noexcept {
    return (!action || entry.action == *action) && (!interview || entry.interview == *interview) &&
           (!since || entry.time >= *since) && (!until || entry.time < *until);
  }
};

/// JSON: the canonical string. from_json throws nlohmann::json::type_error for a non-string
/// and interviewkit::ErrorException for an unknown string.
/// An entry every sink can store and read back: `details` is a JSON object nesting at most 32
/// levels deep (the object itself is level 1), and `time` lies in the years 0000..9999 that the
/// text form can express. Sinks throw interviewkit::ErrorException for an entry that fails this.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> validate(const ActionEntry& entry);

/// Writes the canonical name.
INTERVIEWKIT_EXPORT void to_json(nlohmann::json& j, ActionType action);
/// Reads a canonical name; throws as described above.
INTERVIEWKIT_EXPORT void from_json(const nlohmann::json& j, ActionType& action);

}  // namespace interviewkit

/// One JSON object per entry: {"time","action","interview","actor","from","to","details"};
/// "interview", "from" and "to" are null when unset. from_json is strict: exactly these
/// fields, and it throws interviewkit::ErrorException or nlohmann::json::exception naming the
/// bad field. to_json throws interviewkit::ErrorException for an entry that fails validate(),
/// so nothing is written that could not be read back.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::ActionEntry> {
  /// Reads one entry strictly, as described above.
  static interviewkit::ActionEntry from_json(const nlohmann::json& j);
  /// Writes one entry; throws interviewkit::ErrorException when validate() refuses it.
  static void to_json(nlohmann::json& j, const interviewkit::ActionEntry& value);
};
