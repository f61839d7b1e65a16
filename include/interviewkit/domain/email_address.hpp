// EmailAddress: a validated addr-spec, safe to place in a mail header.
#pragma once

#include <compare>
#include <iosfwd>
#include <string>
#include <string_view>

#include <fmt/core.h>
#include <nlohmann/json_fwd.hpp>

#include <interviewkit/domain/formatting.hpp>
#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// An email address in dot-atom form (`local@domain`), ASCII only.
///
/// Rules: exactly one '@'; local part 1..64 octets, domain 1..255 octets, whole address at
/// most 254 octets (RFC 5321); no whitespace, control characters (CR/LF included) or the
/// specials `<>()[],;:\"`; no empty, leading or trailing dot-separated labels. Quoted local
/// parts are refused on purpose: they are the usual vehicle for header injection.
class INTERVIEWKIT_EXPORT EmailAddress {
 public:
  /// Validates `text` against the rules above; InvalidInput says which rule it breaks.
  [[nodiscard]] static Result<EmailAddress> make(std::string_view text);

  /// The address as given to make(), e.g. "ada@example.com".
  [[nodiscard]] const std::string& str() const noexcept { return value_; }
  /// The part before the '@'.
  [[nodiscard]] std::string_view local_part() const noexcept;
  /// The part after the '@'.
  [[nodiscard]] std::string_view domain() const noexcept;

  friend auto operator<=>(const EmailAddress&, const EmailAddress&) = default;
  friend bool operator==(const EmailAddress&, const EmailAddress&) = default;

 private:
  explicit EmailAddress(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

/// Writes str().
INTERVIEWKIT_EXPORT std::ostream& operator<<(std::ostream& os, const EmailAddress& address);

}  // namespace interviewkit

/// JSON: EmailAddress has no default state, so it serializes through adl_serializer; from_json
/// throws interviewkit::ErrorException (or nlohmann::json::type_error) on invalid input.
template <>
struct INTERVIEWKIT_EXPORT nlohmann::adl_serializer<interviewkit::EmailAddress> {
  /// Reads a JSON string and validates it as make() does.
  static interviewkit::EmailAddress from_json(const nlohmann::json& j);
  /// Writes str() as a JSON string.
  static void to_json(nlohmann::json& j, const interviewkit::EmailAddress& value);
};

/// Formats an EmailAddress as str(), with the usual string format specs.
template <>
struct fmt::formatter<interviewkit::EmailAddress> : fmt::formatter<std::string_view> {
  /// Writes str() as the spec says.
  template <class FormatContext>
  auto format(const interviewkit::EmailAddress& address, FormatContext& ctx) const {
    return interviewkit::detail::format_text(*this, address.str(), ctx);
  }
};
