// NumericId: a store-assigned numeric identity, one distinct type per kind of record.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

#include <fmt/core.h>

#include <interviewkit/domain/formatting.hpp>

namespace interviewkit {

/// An identity the Store assigns (a row id). `Tag` makes each kind its own type, so an
/// OutboxId cannot be passed where an InterviewId is meant. Zero is "none": a stored record
/// never has it, and a default-constructed id is unset.
template <class Tag>
class NumericId {
 public:
  /// Unset (zero).
  constexpr NumericId() noexcept = default;
  /// An id with this value (zero gives an unset id).
  constexpr explicit NumericId(std::uint64_t value) noexcept : value_(value) {}

  /// The number; 0 when unset.
  [[nodiscard]] constexpr std::uint64_t value() const noexcept { return value_; }
  /// True unless zero.
  [[nodiscard]] constexpr bool is_set() const noexcept { return value_ != 0; }

  friend constexpr auto operator<=>(NumericId, NumericId) noexcept = default;

 private:
  std::uint64_t value_ = 0;
};

}  // namespace interviewkit

/// Hashes the id's value, so ids can key unordered containers.
template <class Tag>
struct std::hash<interviewkit::NumericId<Tag>> {
  /// Hash of value().
  std::size_t operator()(interviewkit::NumericId<Tag> id) const noexcept {
    return std::hash<std::uint64_t>{}(id.value());
  }
};

/// Formats a NumericId as its number, with the usual integer format specs.
template <class Tag>
struct fmt::formatter<interviewkit::NumericId<Tag>> : fmt::formatter<std::uint64_t> {
  /// Writes value() as the spec says.
  template <class FormatContext>
  auto format(interviewkit::NumericId<Tag> id, FormatContext& ctx) const {
    return interviewkit::detail::format_number(*this, id.value(), ctx);
  }
};
