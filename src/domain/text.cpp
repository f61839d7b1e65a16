// UTF-8 checks for the validators: refuse bad free text, quote any input in an error
// message, and make outside text storable. Shared by every validator in the library.
#include "text.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace interviewkit::detail {

namespace {

// One decoded character. A strict decoder of our own rather than a locale or iconv call:
// the answer must not depend on the host's locale, and every caller needs the byte
// position of the first problem for its error message.
struct Decoded {
  char32_t code_point;
  std::size_t length;  // 0 when the sequence at the position is invalid
};

// Decodes the character starting at byte `i` as RFC 3629 defines UTF-8: sequences of at
// most four bytes, no overlong forms, no surrogates (U+D800..U+DFFF) and nothing above
// U+10FFFF. Anything else is "invalid" (length 0) rather than guessed at, because a lenient
// decoder lets the same character be spelled several ways and slip past the checks.
Decoded decode_utf8(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80)
    return {lead, 1};
  // The lead byte gives the length and the first bits; `min` is the smallest code point
  // that needs this many bytes, so a smaller one is an overlong encoding.
  std::size_t length = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, cp = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, cp = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, cp = lead & 0x07, min = 0x10000;
  } else {
    return {0, 0};  // a continuation byte or 0xF8..0xFF cannot start a character
  }
  if (i + length > text.size())
    return {0, 0};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80)
      return {0, 0};
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return {0, 0};
  return {cp, length};
}

// C0 controls and DEL, C1 controls (0x9B is a terminal's CSI, so C1 can drive a terminal
// that shows a log), and the Unicode line and paragraph separators, which some viewers and
// JavaScript treat as line breaks: none of them belongs in a name or title that ends up in
// a mail header, a calendar property or one line of a log.
bool is_control(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

}  // namespace

std::string to_storable_text(std::string_view text, std::size_t max_bytes) {
  constexpr std::string_view replacement = "\xEF\xBF\xBD";  // U+FFFD
  constexpr std::string_view ellipsis = "\xE2\x80\xA6";     // U+2026
  std::string out;
  out.reserve(std::min(text.size(), max_bytes) + ellipsis.size());
  // Repair rather than refuse: this text comes from outside (a server's reply, an
  // exception's message) and a record with a garbled detail beats a record refused. Each
  // bad byte is replaced on its own and decoding resumes at the very next byte, so one bad
  // byte never swallows the valid characters after it.
  // `max_bytes` bounds the kept text; the ellipsis may add its three bytes on top.
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode_utf8(text, i);
    const bool bad = d.length == 0 || d.code_point == 0;
    const auto piece = bad ? replacement : text.substr(i, d.length);
    if (out.size() + piece.size() > max_bytes) {
      out += ellipsis;  // cut on a character boundary, and say so
      break;
    }
    out += piece;
    i += bad ? 1 : d.length;
  }
  return out;
}

// Error messages show the input exactly but always on one line and unambiguous: invalid
// bytes as \xNN, controls as \uNNNN, so the message cannot itself inject a line or hide
// what was wrong. The cut is made in bytes before decoding; a character split by it shows
// as \x escapes, which is acceptable in a message that says "..." anyway.
std::string quoted(std::string_view text, std::size_t max_bytes) {
  std::string out = "\"";
  const bool truncated = text.size() > max_bytes;
  if (truncated)
    text = text.substr(0, max_bytes);
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode_utf8(text, i);
    if (d.length == 0) {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(text[i]));
      ++i;
      continue;
    }
    if (d.code_point == '"' || d.code_point == '\\') {
      out += '\\';
      out += static_cast<char>(d.code_point);
    } else if (d.code_point == '\n') {
      out += "\\n";
    } else if (d.code_point == '\r') {
      out += "\\r";
    } else if (d.code_point == '\t') {
      out += "\\t";
    } else if (is_control(d.code_point)) {
      out += fmt::format("\\u{:04X}", static_cast<std::uint32_t>(d.code_point));
    } else {
      out.append(text.substr(i, d.length));
    }
    i += d.length;
  }
  out += truncated ? "\"..." : "\"";
  return out;
}

// Refuse rather than repair: this checks input a caller hands us (names, titles, reasons),
// and the caller can fix it; silently changing it would store something nobody wrote. The
// first problem is reported with its byte offset.
std::optional<std::string> text_problem(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto d = decode_utf8(text, i);
    if (d.length == 0)
      return fmt::format("invalid UTF-8 at byte {}", i);
    if (is_control(d.code_point)) {
      return fmt::format("control character U+{:04X} at byte {}",
                         static_cast<std::uint32_t>(d.code_point), i);
    }
    i += d.length;
  }
  return std::nullopt;
}

}  // namespace interviewkit::detail
