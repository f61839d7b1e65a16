// EmailAddress: validation of an addr-spec (RFC 5321/5322) strict enough to go into a
// mail header unescaped, and its JSON form.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/email_address.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

namespace {

using detail::quoted;

// RFC 5321 section 4.5.3.1: a forward-path is at most 256 octets including its angle
// brackets, which leaves 254 for the address itself (RFC 3696 erratum 1690); the local part
// is at most 64 octets and the domain at most 255. Longer addresses are refused rather than
// stored, because a mail server would refuse them later, when nobody is there to fix them.
constexpr std::size_t max_address = 254;
constexpr std::size_t max_local = 64;
// Cannot bind while max_address holds (the domain is then at most 252 bytes); kept so each
// limit of the RFC is checked where it applies.
constexpr std::size_t max_domain = 255;
// RFC 5322 section 3.2.3 specials except '.', which separates labels, and '@', which is
// checked on its own. Without them an address is a dot-atom on both sides of the '@'.
constexpr std::string_view specials = "<>()[],;:\\\"@";

// Step 1, the whole text: present, within the length limit, and printable ASCII only.
// Non-ASCII (SMTPUTF8, RFC 6531) is refused rather than encoded: an ASCII address goes into
// a mail header as it is, and an internationalized domain can be given as its A-label
// ("xn--..."). Whitespace and controls are what header injection is made of.
Result<void> check_characters(std::string_view text) {
  if (text.empty())
    return InvalidInput{"email address must not be empty"};
  if (text.size() > max_address) {
    return InvalidInput{fmt::format("email address {} is {} bytes long; at most {} allowed",
                                    quoted(text, 60), text.size(), max_address)};
  }
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F) {
      return InvalidInput{
          fmt::format("email address {} contains whitespace, a control or a non-ASCII character",
                      quoted(text))};
    }
  }
  return {};
}

// Step 2: the position of the one '@'. A second '@' is only legal inside a quoted local
// part or a domain literal, and step 4 refuses both anyway.
Result<std::size_t> single_at(std::string_view text) {
  const auto at = text.find('@');
  if (at == std::string_view::npos) {
    return InvalidInput{fmt::format("email address {} has no '@'", quoted(text))};
  }
  if (text.find('@', at + 1) != std::string_view::npos) {
    return InvalidInput{fmt::format("email address {} has more than one '@'", quoted(text))};
  }
  return at;
}

// Step 3: each side within its RFC 5321 limit, and neither empty.
Result<void> check_part_sizes(std::string_view text, std::string_view local,
                              std::string_view domain) {
  if (local.empty() || local.size() > max_local) {
    return InvalidInput{fmt::format("email address {} needs a local part of 1 to {} bytes",
                                    quoted(text), max_local)};
  }
  if (domain.empty() || domain.size() > max_domain) {
    return InvalidInput{
        fmt::format("email address {} needs a domain of 1 to {} bytes", quoted(text), max_domain)};
  }
  return {};
}

// Step 4: no specials anywhere. This refuses quoted local parts ("a b"@x) and domain
// literals (a@[192.0.2.1]) on purpose: both are legal in RFC 5322, rarely used, and the
// usual vehicle for smuggling header syntax into an address.
Result<void> check_specials(std::string_view text) {
  for (char c : text) {
    if (c != '@' && specials.find(c) != std::string_view::npos) {
      return InvalidInput{
          fmt::format("email address {} contains the special character '{}'", quoted(text), c)};
    }
  }
  return {};
}

// Step 5, for each side: a dot-atom (RFC 5322 section 3.2.3) has no empty label, so no
// leading, trailing or doubled '.'. Walks the labels between the dots of `part`.
Result<void> check_labels(std::string_view text, std::string_view part, std::string_view name) {
  std::size_t start = 0;
  while (true) {
    const auto dot = part.find('.', start);
    const auto label = part.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) {
      return InvalidInput{fmt::format(
          "email address {} has an empty, leading or trailing '.' in its {}", quoted(text), name)};
    }
    if (dot == std::string_view::npos)
      return {};
    start = dot + 1;
  }
}

}  // namespace

// Whole-text checks first, then the split at the '@' that the later steps rely on; an address
// with several problems is reported for the first in this order.
Result<EmailAddress> EmailAddress::make(std::string_view text) {
  if (auto ok = check_characters(text); !ok)
    return ok.error();
  const auto at = single_at(text);
  if (!at)
    return at.error();
  const auto local = text.substr(0, *at);
  const auto domain = text.substr(*at + 1);
  if (auto ok = check_part_sizes(text, local, domain); !ok)
    return ok.error();
  if (auto ok = check_specials(text); !ok)
    return ok.error();
  if (auto ok = check_labels(text, local, "local part"); !ok)
    return ok.error();
  if (auto ok = check_labels(text, domain, "domain"); !ok)
    return ok.error();
  return EmailAddress(std::string(text));
}

// make() guarantees exactly one '@', so these two need no checks.
std::string_view EmailAddress::local_part() const noexcept {
  return std::string_view(value_).substr(0, value_.find('@'));
}

std::string_view EmailAddress::domain() const noexcept {
  return std::string_view(value_).substr(value_.find('@') + 1);
}

std::ostream& operator<<(std::ostream& os, const EmailAddress& address) {
  return os << address.str();
}

}  // namespace interviewkit

using interviewkit::EmailAddress;

// from_json validates like make(): a stored or received address is never trusted more than
// one typed in.
EmailAddress nlohmann::adl_serializer<EmailAddress>::from_json(const nlohmann::json& j) {
  return interviewkit::detail::unwrap(
      EmailAddress::make(interviewkit::detail::expect_string(j, "email address")));
}
void nlohmann::adl_serializer<EmailAddress>::to_json(nlohmann::json& j, const EmailAddress& v) {
  j = v.str();
}
