// RandomSource: where secrets (meeting session keys, message tokens) come from.
#pragma once

#include <cstddef>
#include <span>
#include <string>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/export.hpp>

namespace interviewkit {

/// A cryptographically secure source of random bytes: meeting session keys and message
/// tokens come from it, and anyone who can predict them can join a meeting or forge a
/// message id. Set in BookingOptions::random; default SystemRandom.
///
/// Contract for implementers:
/// - Thread-safe: `fill` may be called at the same time from every thread that calls a
///   BookingService operation. It is not const, so an implementation may keep state (a
///   DRBG, say) but must synchronise it itself.
/// - It is called inside a store transaction, whose work may run more than once
///   (Store::write's contract): every call must return fresh bytes, never a replay.
/// - It must not block for long nor call back into the library: the store's write
///   transaction is open, and other writers wait for it.
/// - All or nothing: either the whole buffer is filled and the result is a value, or the
///   result is an error (Unavailable suits) and the buffer's content must not be used;
///   never a partly filled buffer that looks fine. The operation then fails with
///   Unavailable and writes nothing. An implementation must not fall back to weaker
///   randomness to avoid the error.
/// - Should not throw. If it does, the BookingService operation fails with Unavailable
///   naming what was thrown (its transaction is rolled back); no exception reaches the host.
///
/// Ownership: shared (std::shared_ptr) by the services that use it. A predictable source
/// belongs in tests only.
class INTERVIEWKIT_EXPORT RandomSource {
 public:
  virtual ~RandomSource() = default;
  /// Fills all of `out` with unpredictable bytes, or returns why it could not.
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
