#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/domain/email_address.hpp>

#include "json_detail.hpp"
#include "text.hpp"

namespace interviewkit {

namespace {

constexpr std::size_t max_address = 254;
constexpr std::size_t max_local = 64;
constexpr std::size_t max_domain = 255;
constexpr std::string_view specials = "<>()[],;:\\\"@";

Result<void> check_labels(std::string_view text, std::string_view part, std::string_view whole) {
  std::size_t start = 0;
  while (true) {
    const auto dot = part.find('.', start);
    const auto label = part.substr(start, dot == std::string_view::npos ? dot : dot - start);
    if (label.empty()) {
      return InvalidInput{
          fmt::format("email address {} has an empty, leading or trailing '.' in its {}",
                      detail::quoted(text), whole)};
    }
    if (dot == std::string_view::npos)
      return {};
    start = dot + 1;
  }
}

}  // namespace

Result<EmailAddress> EmailAddress::make(std::string_view text) {
  using detail::quoted;
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
  const auto at = text.find('@');
  if (at == std::string_view::npos) {
    return InvalidInput{fmt::format("email address {} has no '@'", quoted(text))};
  }
  if (text.find('@', at + 1) != std::string_view::npos) {
    return InvalidInput{fmt::format("email address {} has more than one '@'", quoted(text))};
  }
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  if (local.empty() || local.size() > max_local) {
    return InvalidInput{fmt::format("email address {} needs a local part of 1 to {} bytes",
                                    quoted(text), max_local)};
  }
  if (domain.empty() || domain.size() > max_domain) {
    return InvalidInput{
        fmt::format("email address {} needs a domain of 1 to {} bytes", quoted(text), max_domain)};
  }
  for (char c : text) {
    if (c != '@' && specials.find(c) != std::string_view::npos) {
      return InvalidInput{
          fmt::format("email address {} contains the special character '{}'", quoted(text), c)};
    }
  }
  if (auto ok = check_labels(text, local, "local part"); !ok)
    return ok.error();
  if (auto ok = check_labels(text, domain, "domain"); !ok)
    return ok.error();
  return EmailAddress(std::string(text));
}

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

EmailAddress nlohmann::adl_serializer<EmailAddress>::from_json(const nlohmann::json& j) {
  return interviewkit::detail::unwrap(
      EmailAddress::make(interviewkit::detail::expect_string(j, "email address")));
}
void nlohmann::adl_serializer<EmailAddress>::to_json(nlohmann::json& j, const EmailAddress& v) {
  j = v.str();
}
