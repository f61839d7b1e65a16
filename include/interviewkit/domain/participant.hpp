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
  [[nodiscard]] static Result<Participant> make(std::string_view name, EmailAddress email,
                                                TimeZone time_zone);
  /// Convenience: validates all three from text.
  [[nodiscard]] static Result<Participant> make(std::string_view name, std::string_view email,
                                                std::string_view time_zone);

  [[nodiscard]] const std::string& name() const noexcept { return name_; }
  [[nodiscard]] const EmailAddress& email() const noexcept { return email_; }
  [[nodiscard]] const TimeZone& time_zone() const noexcept { return time_zone_; }

  friend bool operator==(const Participant&, const Participant&) = default;

 private:
  Participant(std::string name, EmailAddress email, TimeZone time_zone)
      : name_(std::move(name)), email_(std::move(email)), time_zone_(time_zone) {}
  std::string name_;
  EmailAddress email_;
  TimeZone time_zone_;
};

struct Candidate {
  CandidateId id;
  Participant person;
  friend bool operator==(const Candidate&, const Candidate&) = default;
};

struct Interviewer {
  InterviewerId id;
  Participant person;
  friend bool operator==(const Interviewer&, const Interviewer&) = default;
};

/// Checks a free-text field (name, title, reason): valid UTF-8, no control characters,
/// at most `max_bytes`. `field` names it in the error.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> validate_text(std::string_view field,
                                                             std::string_view text,
                                                             std::size_t max_bytes,
                                                             bool allow_empty = false);

INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const Participant& p);

}  // namespace interviewkit

template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Participant> {
  static interviewkit::Participant from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::Participant& value);
};
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Candidate> {
  static interviewkit::Candidate from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::Candidate& value);
};
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::Interviewer> {
  static interviewkit::Interviewer from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::Interviewer& value);
};

/// "Ann Lee <ann@example.com>" (for logs; mail headers encode names properly).
template <>
struct fmt::formatter<interviewkit::Participant> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const interviewkit::Participant& p, FormatContext& ctx) const {
    return fmt::format_to(ctx.out(), "{} <{}>", p.name(), p.email());
  }
};
