// InterviewId: the store-assigned identity of one interview.
//
// Kept in its own header because error values name interviews, and errors must not depend on
// the rest of the domain model.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/formatting.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// Identity of an interview, assigned by the Store when the interview is created.
/// Never zero for a stored interview; a default-constructed id is "no interview".
class InterviewId {
 public:
  constexpr InterviewId() noexcept = default;
  constexpr explicit InterviewId(std::uint64_t value) noexcept : value_(value) {}

  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return value_; }
  [[nodiscard]] constexpr bool is_set() const noexcept { return value_ != 0; }

  friend constexpr auto operator<=>(InterviewId, InterviewId) noexcept = default;

 private:
  std::uint64_t value_ = 0;
};

/// JSON: a positive integer. from_json throws interviewkit::ErrorException otherwise.
INTERVIEWKIT_EXPORT void to_json(nlohmann::json& j, InterviewId id);
INTERVIEWKIT_EXPORT void from_json(const nlohmann::json& j, InterviewId& id);

}  // namespace interviewkit

template <>
struct std::hash<interviewkit::InterviewId> {
  std::size_t operator()(interviewkit::InterviewId id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value());
  }
};

template <>
struct fmt::formatter<interviewkit::InterviewId> : fmt::formatter<std::uint64_t> {
  auto format(interviewkit::InterviewId id, fmt::format_context& ctx) const {
    return interviewkit::detail::format_number(*this, id.value(), ctx);
  }
};
