#include <array>
#include <cerrno>
#include <cstring>
#include <sys/random.h>

#include <fmt/format.h>

#include <interviewkit/domain/random.hpp>

namespace interviewkit {

Result<void> SystemRandom::fill(std::span<std::byte> out) {
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

std::string base64url(std::span<const std::byte> bytes) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (auto b : bytes) {
    buffer = (buffer << 8) | std::to_integer<std::uint32_t>(b);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += alphabet[(buffer >> bits) & 0x3F];
    }
  }
  if (bits > 0)
    out += alphabet[(buffer << (6 - bits)) & 0x3F];
  return out;
}

Result<std::string> random_token(RandomSource& source, std::size_t bytes) {
  std::array<std::byte, 64> buffer{};
  if (bytes == 0 || bytes > buffer.size()) {
    return InvalidInput{
        fmt::format("random token size must be 1..{} bytes, got {}", buffer.size(), bytes)};
  }
  const auto span = std::span(buffer).first(bytes);
  if (auto ok = source.fill(span); !ok)
    return ok.error();
  return base64url(span);
}

}  // namespace interviewkit
