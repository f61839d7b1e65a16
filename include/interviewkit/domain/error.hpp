// Error: the one error type of the library. Expected failures are values, not exceptions.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <fmt/core.h>

#include <interviewkit/domain/enum_names.hpp>
#include <interviewkit/domain/formatting.hpp>
#include <interviewkit/domain/interview_id.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

enum class InterviewStatus : std::uint8_t;
enum class InterviewEvent : std::uint8_t;

/// Input that failed validation. `what` names the offending input and the rule it broke.
struct InvalidInput {
  std::string what;  ///< e.g. `interview title "..." is 600 bytes long; at most 512 allowed`
};

/// The requested operation is not allowed from the interview's current status.
struct IllegalTransition {
  InterviewStatus from;  ///< the interview's status when the event was asked for
  InterviewEvent event;  ///< what was asked for (book, cancel, ...)
  InterviewStatus to;    ///< where the event would have led
};

/// The slot overlaps (or violates the buffer around) another active interview.
struct SlotConflict {
  InterviewId other;   ///< the interview that holds the slot
  std::string person;  ///< who is double-booked, e.g. "interviewer:alice"
};

/// No interview with this id in the store.
struct NotFound {
  InterviewId id;  ///< the id that was looked up
};

/// Optimistic concurrency: the caller saw `expected`, the store holds `actual`.
struct StaleVersion {
  InterviewId id;  ///< the interview whose version was checked
  std::uint64_t expected =
      0;                     ///< the version the caller passed (OperationOptions::expected_version)
  std::uint64_t actual = 0;  ///< the version the store holds
};

/// A resource the operation needs is unavailable (randomness, database busy or lost, ...).
/// Nothing was written; the operation may be retried.
struct Unavailable {
  std::string what;  ///< what was unavailable and why, e.g. "database is locked"
};

/// Which alternative an Error holds, in the order of Error::Detail (Error::kind()).
enum class ErrorKind : std::uint8_t {
  invalid_input,
  illegal_transition,
  slot_conflict,
  not_found,
  stale_version,
  unavailable,
};

/// Names of ErrorKind, for to_string, JSON and formatting (see EnumNames).
template <>
struct EnumNames<ErrorKind> {
  static constexpr std::string_view type = "ErrorKind";   ///< type name, in "<invalid ErrorKind>"
  static constexpr std::string_view noun = "error kind";  ///< noun in parse errors
  static constexpr std::string_view article = "an";       ///< article before the noun
  using enum ErrorKind;
  /// Every kind with its canonical name, in declaration order.
  static constexpr auto table = std::to_array<EnumName<ErrorKind>>({
      {invalid_input, "invalid_input"},
      {illegal_transition, "illegal_transition"},
      {slot_conflict, "slot_conflict"},
      {not_found, "not_found"},
      {stale_version, "stale_version"},
      {unavailable, "unavailable"},
  });
};
static_assert(names_cover_enum<ErrorKind>());

/// The canonical lowercase name, e.g. "slot_conflict".
[[nodiscard]] INTERVIEWKIT_EXPORT std::string_view to_string(ErrorKind kind) noexcept;

/// What went wrong: exactly one of the failure structs above. Cheap to copy; compare
/// by kind() or get_if<T>() and read the struct's fields, or show message().
class INTERVIEWKIT_EXPORT Error {
 public:
  /// The failure itself; its index is kind().
  using Detail = std::variant<InvalidInput, IllegalTransition, SlotConflict, NotFound, StaleVersion,
                              Unavailable>;

  /// @{
  /// An Error holding this failure. Implicit on purpose: `return InvalidInput{"..."};` reads
  /// naturally in a Result function.
  Error(Detail detail) : detail_(std::move(detail)) {}  // NOLINT(google-explicit-constructor)
  Error(InvalidInput d) : detail_(std::move(d)) {}      // NOLINT(google-explicit-constructor)
  Error(IllegalTransition d) : detail_(d) {}            // NOLINT(google-explicit-constructor)
  Error(SlotConflict d) : detail_(std::move(d)) {}      // NOLINT(google-explicit-constructor)
  Error(NotFound d) : detail_(d) {}                     // NOLINT(google-explicit-constructor)
  Error(StaleVersion d) : detail_(d) {}                 // NOLINT(google-explicit-constructor)
  Error(Unavailable d) : detail_(std::move(d)) {}       // NOLINT(google-explicit-constructor)
  /// @}

  /// The failure, to std::visit.
  [[nodiscard]] const Detail& detail() const noexcept { return detail_; }
  /// Which failure this is.
  [[nodiscard]] ErrorKind kind() const noexcept { return static_cast<ErrorKind>(detail_.index()); }

  /// True when the failure is an `E` (e.g. `error.is<NotFound>()`).
  template <class E>
  [[nodiscard]] bool is() const noexcept {
    return std::holds_alternative<E>(detail_);
  }
  /// The failure as an `E`, or null when it is another kind.
  template <class E>
  [[nodiscard]] const E* get_if() const noexcept {
    return std::get_if<E>(&detail_);
  }

  /// Human-readable description naming the offending input.
  [[nodiscard]] std::string message() const;

 private:
  Detail detail_;
};

static_assert(EnumNames<ErrorKind>::table.size() == std::variant_size_v<Error::Detail>,
              "Error::kind() is the variant index: one ErrorKind per alternative");

/// Writes message().
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const Error& error);

/// Thrown by the throwing APIs (nlohmann `from_json`, value() on an error) to carry an Error.
class INTERVIEWKIT_EXPORT ErrorException : public std::runtime_error {
 public:
  /// Carries `error`; what() is error.message().
  explicit ErrorException(Error error);
  /// The error thrown.
  [[nodiscard]] const Error& error() const noexcept { return error_; }

 private:
  Error error_;
};

}  // namespace interviewkit

/// Formats an Error as its message(), with the usual string format specs.
template <>
struct fmt::formatter<interviewkit::Error> : fmt::formatter<std::string_view> {
  /// Writes error.message() as the spec says.
  template <class FormatContext>
  auto format(const interviewkit::Error& error, FormatContext& ctx) const {
    return interviewkit::detail::format_text(*this, error.message(), ctx);
  }
};
