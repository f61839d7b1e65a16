// base64url and random tokens: RFC 4648 section 10's vectors, and every length and byte value
// against a bit-by-bit reference.
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <interviewkit/domain/random.hpp>

using namespace interviewkit;

namespace {

std::vector<std::byte> bytes_of(const std::string& text) {
  std::vector<std::byte> out;
  for (char c : text)
    out.push_back(static_cast<std::byte>(c));
  return out;
}

// One bit at a time, MSB first, six to a character: slow and obviously right.
std::string reference_base64url(const std::vector<std::byte>& bytes) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  unsigned value = 0;
  int bits = 0;
  for (std::size_t i = 0; i < bytes.size() * 8; ++i) {
    const auto byte = std::to_integer<unsigned>(bytes[i / 8]);
    value = (value << 1) | ((byte >> (7 - i % 8)) & 1U);
    if (++bits == 6) {
      out += alphabet[value];
      value = 0;
      bits = 0;
    }
  }
  if (bits > 0)
    out += alphabet[value << (6 - bits)];
  return out;
}

}  // namespace

TEST_CASE("base64url encodes RFC 4648's vectors, unpadded", "[random]") {
  const std::pair<const char*, const char*> vectors[] = {
      {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},         {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}};
  for (const auto& [text, encoded] : vectors)
    CHECK(base64url(bytes_of(text)) == encoded);
  // The two characters that differ from plain base64 ('+' and '/' there).
  CHECK(base64url(std::vector{std::byte{0xfb}, std::byte{0xff}}) == "-_8");
}

TEST_CASE("base64url agrees with a bit-by-bit reference at every length and byte", "[random]") {
  std::vector<std::byte> bytes;
  for (int length = 0; length <= 70; ++length) {
    CHECK(base64url(bytes) == reference_base64url(bytes));
    bytes.push_back(static_cast<std::byte>((length * 37 + 11) & 0xff));
  }
  for (int value = 0; value < 256; ++value) {
    for (int length = 1; length <= 3; ++length) {
      const std::vector<std::byte> same(static_cast<std::size_t>(length),
                                        static_cast<std::byte>(value));
      CHECK(base64url(same) == reference_base64url(same));
    }
  }
}

TEST_CASE("random_token refuses sizes outside 1..64 bytes and encodes what it drew", "[random]") {
  SystemRandom random;
  CHECK_FALSE(random_token(random, 0));
  CHECK_FALSE(random_token(random, 65));
  const auto token = random_token(random, 16).value();
  CHECK(token.size() == 22);
  CHECK(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
      std::string::npos);
  CHECK(random_token(random, 64).value().size() == 86);
}
