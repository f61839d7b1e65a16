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
  [[nodiscard]] static Result<ExternalId> make(std::string_view text) {
    if (auto ok = detail::validate_external_id(Tag::kind, text); !ok)
      return ok.error();
    return ExternalId(std::string(text));
  }

  [[nodiscard]] const std::string& str() const noexcept { return value_; }

  friend auto operator<=>(const ExternalId&, const ExternalId&) = default;
  friend bool operator==(const ExternalId&, const ExternalId&) = default;

 private:
  explicit ExternalId(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

struct CandidateIdTag {
  static constexpr std::string_view kind = "candidate id";
};
struct InterviewerIdTag {
  static constexpr std::string_view kind = "interviewer id";
};

using CandidateId = ExternalId<CandidateIdTag>;
using InterviewerId = ExternalId<InterviewerIdTag>;

INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, InterviewId id);
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const CandidateId& id);
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const InterviewerId& id);

}  // namespace interviewkit

// JSON for validated ids goes through adl_serializer (they have no default state); from_json
// throws interviewkit::ErrorException or nlohmann::json::type_error on invalid input.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::CandidateId> {
  static interviewkit::CandidateId from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::CandidateId& value);
};
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::InterviewerId> {
  static interviewkit::InterviewerId from_json(const nlohmann::json& j);
  static void to_json(nlohmann::json& j, const interviewkit::InterviewerId& value);
};

template <class Tag>
struct std::hash<interviewkit::ExternalId<Tag>> {
  std::size_t operator()(const interviewkit::ExternalId<Tag>& id) const noexcept {
    return std::hash<std::string>{}(id.str());
  }
};

template <class Tag>
struct fmt::formatter<interviewkit::ExternalId<Tag>> : fmt::formatter<std::string_view> {
  template <class FormatContext>
  auto format(const interviewkit::ExternalId<Tag>& id, FormatContext& ctx) const {
    return interviewkit::detail::format_text(*this, id.str(), ctx);
  }
};
