// EmailAddress::make: accepted addresses keep their text, obey the documented rules (so they
// are safe in a mail header) and survive JSON; rejected ones get a message.
#include <interviewkit/domain/email_address.hpp>

#include "../fuzz_support.hpp"

using namespace interviewkit;
using namespace interviewkit::fuzz;

namespace {

void check_rules(std::string_view text, const EmailAddress& address) {
  require(address.str() == text, "EmailAddress changed its text");
  require(text.size() <= 254, "accepted an address longer than 254 bytes");
  require(address.local_part().size() >= 1 && address.local_part().size() <= 64,
          "accepted a local part outside 1..64 bytes");
  require(!address.domain().empty(), "accepted an empty domain");
  require(address.local_part().size() + 1 + address.domain().size() == text.size(),
          "local part and domain do not make up the address");
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    require(u > 0x20 && u < 0x7F, "accepted whitespace, a control or a non-ASCII byte");
    require(std::string_view("<>()[],;:\\\"").find(c) == std::string_view::npos,
            "accepted a special character");
  }
  for (auto part : {address.local_part(), address.domain()}) {
    require(
        !part.starts_with('.') && !part.ends_with('.') && part.find("..") == std::string_view::npos,
        "accepted an empty dot-separated label");
  }
}

}  // namespace

INTERVIEWKIT_FUZZ_TARGET(email_address) {
  const auto text = as_text(data, size);
  no_exception("EmailAddress::make", [&] {
    auto address = EmailAddress::make(text);
    if (!address) {
      require_message(address.error(), "EmailAddress::make");
      return;
    }
    check_rules(text, *address);
    require(EmailAddress::make(address->str()).value() == *address,
            "EmailAddress::make is not idempotent");
    const auto j = nlohmann::json(*address);
    require(j.get<EmailAddress>() == *address, "EmailAddress changed in a JSON round trip");
  });
}
