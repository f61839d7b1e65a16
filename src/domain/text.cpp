// UTF-8 checks for the validators: refuse bad free text, quote any input in an error
// message, and make outside text storable. Shared by every validator in the library.
#include "text.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "utf8.hpp"

namespace interviewkit::detail {

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
