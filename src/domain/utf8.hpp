// The one UTF-8 decoder of the library, and the one definition of a control character.
// Header-only and internal (not installed): the core's validators and the channels'
// renderers (a separate library) both use it, and inline functions need no export.
#pragma once

#include <cstddef>
#include <string_view>

namespace interviewkit::detail {

struct Utf8Char {
  char32_t code_point = 0;
  std::size_t length = 0;  ///< 0 when the bytes at the position are not valid UTF-8
};

/// The character starting at byte `at` of `text` (REQUIRES: at < text.size()), decoded as
/// RFC 3629 defines UTF-8: at most four bytes, no overlong forms, no surrogates
/// (U+D800..U+DFFF), nothing above U+10FFFF. Anything else is invalid (length 0) rather than
/// guessed at: a lenient decoder lets one character be spelled several ways and slip past
/// the checks. Our own rather than a locale or iconv call, so the answer never depends on
/// the host's locale and every caller gets the byte offset of the first problem.
[[nodiscard]] inline Utf8Char decode_utf8(std::string_view text, std::size_t at) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80U)
    return {lead, 1};
  // The lead byte gives the length and the first bits; `min` is the smallest code point
  // that needs this many bytes, so a smaller one is an overlong encoding.
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0U) == 0xC0U) {
    length = 2, cp = lead & 0x1FU, min = 0x80;
  } else if ((lead & 0xF0U) == 0xE0U) {
    length = 3, cp = lead & 0x0FU, min = 0x800;
  } else if ((lead & 0xF8U) == 0xF0U) {
    length = 4, cp = lead & 0x07U, min = 0x10000;
  } else {
    return {};  // a continuation byte or 0xF8..0xFF cannot start a character
  }
  if (at + length > text.size())
    return {};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(at + k) & 0xC0U) != 0x80U)
      return {};
    cp = (cp << 6U) | (byte(at + k) & 0x3FU);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return {};
  return {cp, length};
}

/// C0 controls and DEL, C1 controls (0x9B is a terminal's CSI, so C1 can drive a terminal
/// that shows a log), and the Unicode line and paragraph separators, which some viewers and
/// JavaScript treat as line breaks: none belongs in a name, a title, a mail header, a
/// calendar property or one line of a log.
[[nodiscard]] inline bool is_control(char32_t cp) noexcept {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

}  // namespace interviewkit::detail
