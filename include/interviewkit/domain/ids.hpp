// Strong identifiers. An InterviewerId is not a CandidateId is not an InterviewId: mixing them
// does not compile.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/formatting.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

namespace detail {
/// Validates a host-supplied id: 1..128 bytes of printable ASCII without spaces.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<void> validate_external_id(std::string_view kind,
                                                                    std::string_view text);
}  // namespace detail

/// An id the host application owns (a user id, a UUID, ...). Printable ASCII, no spaces,
/// at most 128 bytes. Construct with make(); there is no unchecked constructor.
template <class Tag>
class ExternalId {
 public:
  /// Validates `text` (see above); InvalidInput names the kind of id and what is wrong.
  [[nodiscard]] static Result<ExternalId> make(std::string_view text) {
    if (auto ok = detail::validate_external_id(Tag::kind, text); !ok)
      return ok.error();
    return ExternalId(std::string(text));
  }

  /// The id as given to make().
  [[nodiscard]] const std::string& str() const noexcept { return value_; }

  friend auto operator<=>(const ExternalId&, const ExternalId&) = default;
  friend bool operator==(const ExternalId&, const ExternalId&) = default;

 private:
  explicit ExternalId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

/// Tag of CandidateId.
struct CandidateIdTag {
  static constexpr std::string_view kind = "candidate id";  ///< how errors name it
};
/// Tag of InterviewerId.
struct InterviewerIdTag {
  static constexpr std::string_view kind = "interviewer id";  ///< how errors name it
};

/// The host's id of a candidate.
using CandidateId = ExternalId<CandidateIdTag>;
/// The host's id of an interviewer.
using InterviewerId = ExternalId<InterviewerIdTag>;

/// Writes the number.
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, InterviewId id);
/// Writes str().
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const CandidateId& id);
/// Writes str().
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const InterviewerId& id);

}  // namespace interviewkit

/// JSON for validated ids goes through adl_serializer (they have no default state); from_json
/// throws interviewkit::ErrorException or nlohmann::json::type_error on invalid input.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::CandidateId> {
  /// Reads a string and validates it as make() does.
  static interviewkit::CandidateId from_json(const nlohmann::json& j);
  /// Writes str().
  static void to_json(nlohmann::json& j, const interviewkit::CandidateId& value);
};
/// JSON for an InterviewerId: a string, read and written as for CandidateId.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::InterviewerId> {
  /// Reads a string and validates it as make() does.
  static interviewkit::InterviewerId from_json(const nlohmann::json& j);
  /// Writes str().
  static void to_json(nlohmann::json& j, const interviewkit::InterviewerId& value);
};

/// Hashes the id's text, so ids can key unordered containers.
template <class Tag>
struct std::hash<interviewkit::ExternalId<Tag>> {
  /// Hash of str().
  std::size_t operator()(const interviewkit::ExternalId<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};

/// Formats an ExternalId as str(), with the usual string format specs.
template <class Tag>
struct fmt::formatter<interviewkit::ExternalId<Tag>> : fmt::formatter<std::string_view> {
  /// Writes str() as the spec says.
  template <class FormatContext>
  auto format(const interviewkit::ExternalId<Tag>& id, FormatContext& ctx) const {
    return interviewkit::detail::format_text(*this, id.str(), ctx);
  }
};
