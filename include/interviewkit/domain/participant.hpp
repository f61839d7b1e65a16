// Participant, Candidate, Interviewer: the people an interview involves.
#pragma once

#include <iosfwd>
#include <string>
#include <string_view>

#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/email_address.hpp>
#include <interviewkit/domain/ids.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time_zone.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Someone who takes part in an interview: display name, address and home time zone.
/// Names are 1..256 bytes of valid UTF-8 with no control characters (CR/LF included), so
/// they are safe to place in mail headers and calendar properties.
class INTERVIEWKIT_EXPORT Participant {
 public:
  /// Validates the name (see above); InvalidInput says what is wrong with it.
  [[nodiscard]] static Result<Participant> make(std::string_view name, EmailAddress email,
                                                TimeZone time_zone);
  /// Convenience: validates all three from text.
  [[nodiscard]] static Result<Participant> make(std::string_view name, std::string_view email,
                                                std::string_view time_zone);

  /// Display name, e.g. "Ann Lee".
  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  /// Where their notifications go.
  [[nodiscard]] const EmailAddress& email() const noexcept { return email_; }
  /// Their home time zone: times in their notifications are shown in it.
  [[nodiscard]] const TimeZone& time_zone() const noexcept { return time_zone_; }

  friend bool operator==(const Participant&, const Participant&) = default;

 private:
  Participant(std::string name, EmailAddress email, TimeZone time_zone)
      : name_(std::move(name)), email_(std::move(email)), time_zone_(time_zone) {}
  std::string name_;
  EmailAddress email_;
  TimeZone time_zone_;
};

/// The person interviewed, with the host's id for them.
struct Candidate {
  CandidateId id;      ///< the host's id
  Participant person;  ///< name, address, time zone
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

/// Someone who conducts the interview, with the host's id for them.
struct Interviewer {
  InterviewerId id;    ///< the host's id
  Participant person;  ///< name, address, time zone
  friend bool operator==(const Interviewer&, const Interviewer&) = default;
};

/// Checks a free-text field (name, title, reason): valid UTF-8, no control characters,
/// at most `max_bytes`. `field` names it in the error.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> validate_text(std::string_view field,
                                                             std::string_view text,
                                                             std::size_t max_bytes,
                                                             bool allow_empty = false);

/// Writes "Ann Lee <ann@example.com>", as the fmt formatter does.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const Participant& p);

/// format_local_time in `person`'s own time zone: how they read `t`.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string format_local_time(date::sys_seconds t,
                                                                const Participant& person);

}  // namespace interviewkit

/// JSON `{"name", "email", "time_zone"}`. from_json is strict (exactly these fields) and
/// throws interviewkit::ErrorException or nlohmann::json exceptions naming the bad field.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Participant> {
  /// Reads and validates, as Participant::make does.
  static interviewkit::Participant from_json(const nlohmann::json& j);
  /// Writes the three fields.
  static void to_json(nlohmann::json& j, const interviewkit::Participant& value);
};
/// JSON `{"id", "name", "email", "time_zone"}`, strict as for Participant.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Candidate> {
  /// Reads and validates the id and the person.
  static interviewkit::Candidate from_json(const nlohmann::json& j);
  /// Writes the four fields.
  static void to_json(nlohmann::json& j, const interviewkit::Candidate& value);
};
/// JSON `{"id", "name", "email", "time_zone"}`, strict as for Participant.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Interviewer> {
  /// Reads and validates the id and the person.
  static interviewkit::Interviewer from_json(const nlohmann::json& j);
  /// Writes the four fields.
  static void to_json(nlohmann::json& j, const interviewkit::Interviewer& value);
};

/// "Ann Lee <ann@example.com>" (for logs; mail headers encode names properly).
template <>
struct fmt::formatter<interviewkit::Participant> : fmt::formatter<std::string_view> {
  /// Writes "name <email>".
  template <class FormatContext>
  auto format(const interviewkit::Participant& p, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "{} <{}>", p.name(), p.email());
  }
};
