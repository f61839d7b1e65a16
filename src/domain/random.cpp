// Randomness for secrets: the OS generator, base64url, and the tokens built from them.
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string.h>
#include <sys/random.h>

#include <fmt/format.h>

#include <interviewkit/domain/random.hpp>

namespace interviewkit {

// getrandom(2) rather than opening /dev/urandom: no descriptor to exhaust or leak, works in
// a chroot without /dev, and with flags 0 it blocks until the kernel's pool is first
// seeded instead of handing out guessable bytes early in boot. Stateless, so thread-safe.
Result<void> SystemRandom::fill(std::span<std::byte> out) {
  // A call may return fewer bytes than asked, or be interrupted by a signal: loop until the
  // buffer is full. Any other failure (ENOSYS on a pre-3.17 kernel, say) is an error with no
  // fallback to a weaker generator: a booking that fails beats a guessable meeting link.
  std::size_t done = 0;
  while (done < out.size()) {
    const auto n = ::getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return Unavailable{fmt::format("getrandom failed: {}", std::strerror(errno))};
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// RFC 4648 section 5 without the '=' padding: tokens go into meeting URLs, Message-IDs and
// webhook ids, where '+', '/' and '=' would need escaping.
std::string base64url(std::span<const std::byte> bytes) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out((bytes.size() * 4 + 2) / 3, '\0');  // written in place: a token per message
  auto* next = out.data();
  const auto at = [&](std::size_t i) { return std::to_integer<std::uint32_t>(bytes[i]); };
  // Three bytes make four characters; a booking encodes a 16-byte token per message, and
  // taking a group at a time halves the work of a bit queue.
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const auto group = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    *next++ = alphabet[group >> 18];
    *next++ = alphabet[(group >> 12) & 0x3F];
    *next++ = alphabet[(group >> 6) & 0x3F];
    *next++ = alphabet[group & 0x3F];
  }
  // One or two bytes left: two or three characters, the last padded with zero bits.
  if (const auto left = bytes.size() - i; left > 0) {
    const auto group = at(i) << 16 | (left == 2 ? at(i + 1) << 8 : 0);
    *next++ = alphabet[group >> 18];
    *next++ = alphabet[(group >> 12) & 0x3F];
    if (left == 2)
      *next++ = alphabet[(group >> 6) & 0x3F];
  }
  return out;
}

// The raw bytes live in a fixed buffer on the stack. 64 bytes (512 bits) is far beyond any
// token we mint (16 and 24 bytes); a larger request is a caller's mistake, not a need.
Result<std::string> random_token(RandomSource& source, std::size_t bytes) {
  std::array<std::byte, 64> buffer{};
  if (bytes == 0 || bytes > buffer.size()) {
    return InvalidInput{
        fmt::format("random token size must be 1..{} bytes, got {}", buffer.size(), bytes)};
  }
  const auto span = std::span(buffer).first(bytes);
  if (auto ok = source.fill(span); !ok)
    return ok.error();
  auto token = base64url(span);
  explicit_bzero(buffer.data(), buffer.size());  // the token is the only copy left
  return token;
}

}  // namespace interviewkit
