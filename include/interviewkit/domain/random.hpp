// RandomSource: where secrets (meeting session keys, message tokens) come from.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// A cryptographically secure source of random bytes. `fill` either fills the whole buffer
/// or returns an error (never a partly filled buffer that looks fine). Thread-safe.
class INTERVIEWKIT_EXPORT RandomSource {
 public:
  virtual ~RandomSource() = default;
  [[nodiscard]] virtual Result<void> fill(std::span<std::byte> out) = 0;
};

/// The operating system's CSPRNG (getrandom(2)).
class INTERVIEWKIT_EXPORT SystemRandom final : public RandomSource {
 public:
  [[nodiscard]] Result<void> fill(std::span<std::byte> out) override;
};

/// URL-safe base64 (RFC 4648 section 5) without padding.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string base64url(std::span<const std::byte> bytes);

/// `bytes` random bytes from `source`, base64url-encoded: an unguessable URL-safe token.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<std::string> random_token(RandomSource& source,
                                                                   std::size_t bytes);

}  // namespace interviewkit
