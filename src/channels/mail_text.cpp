// mail_text: the text rules shared by the MIME, iCalendar and template renderers (UTF-8,
// free text made safe for a body or a single line, base64, names for errors and files).
#include "mail_text.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <openssl/evp.h>

namespace interviewkit::mail_text {

namespace {

// U+FFFD, what Unicode recommends in place of bytes that cannot be shown as they are.
constexpr std::string_view replacement_character = "\xEF\xBF\xBD";

}  // namespace

Result<void> require_utf8(std::string_view field, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (c.length == 0)
      return InvalidInput{fmt::format("{} is not valid UTF-8 (at byte {})", field, i)};
    i += c.length;
  }
  return {};
}

// Bodies keep their line breaks (as LF, turned into CRLF when the MIME part is built) but no
// other control character: a raw ESC or NUL in a mail or an invite helps no reader.
std::string body_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (c.length == 0) {  // precondition broken: never pass the bytes through
      out += replacement_character;
      ++i;
      continue;
    }
    if (c.code_point == '\r') {
      out += '\n';
      if (i + 1 < text.size() && text[i + 1] == '\n')
        ++i;
    } else if (c.code_point == '\n') {
      out += '\n';
    } else if (c.code_point == '\t') {
      out += ' ';
    } else if (is_control(c.code_point)) {
      out += replacement_character;
    } else {
      out.append(text.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

// What makes header injection impossible: no CR or LF survives, however the text was
// written. Runs collapse to one space so "a\r\n b" reads as "a b", not "a  b".
std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (c.length == 0) {
      if (pending_space && !out.empty())
        out += ' ';
      pending_space = false;
      out += replacement_character;
      ++i;
      continue;
    }
    if (c.code_point == ' ' || is_control(c.code_point)) {
      pending_space = true;
    } else {
      if (pending_space && !out.empty())
        out += ' ';
      pending_space = false;
      out.append(text.substr(i, c.length));
    }
    i += c.length;
  }
  return out;
}

// RFC 2046 section 4.1.1: text parts use CRLF, and a bare CR or LF is not allowed.
std::string crlf_lines(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 16);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      out += "\r\n";
      if (i + 1 < text.size() && text[i + 1] == '\n')
        ++i;
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string base64(std::string_view bytes) {
  // EVP_EncodeBlock writes exactly this alphabet and padding on one line (no line breaks,
  // unlike the EVP_Encode* stream functions) and a NUL after it, hence the extra byte.
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// RFC 2045 section 6.8: encoded lines are at most 76 characters.
std::string base64_lines(std::string_view bytes) {
  constexpr std::size_t line_bytes = 57;  // 76 characters of base64
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4 + (bytes.size() / line_bytes + 1) * 2);
  for (std::size_t i = 0; i < bytes.size(); i += line_bytes) {
    out += base64(bytes.substr(i, line_bytes));
    out += "\r\n";
  }
  return out;
}

// FNV-1a rather than std::hash: its value is fixed by its definition, so file names and MIME
// boundaries come out the same on every platform, build and run.
std::uint64_t fnv1a64(std::string_view bytes) noexcept {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

// Error messages end up in logs: a value from outside is shown escaped and bounded, so it
// cannot forge a log line or flood one.
std::string shown(std::string_view text) {
  constexpr std::size_t max_bytes = 80;
  std::string out = "\"";
  for (const char c : text.substr(0, max_bytes)) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c >= 0x20 && c <= 0x7E) {
      out += c;
    } else {
      out += fmt::format("\\x{:02X}", static_cast<unsigned char>(c));
    }
  }
  out += text.size() > max_bytes ? "\"..." : "\"";
  return out;
}

bool is_printable_ascii(std::string_view text) noexcept {
  for (const char c : text) {
    if (c < 0x20 || c > 0x7E)
      return false;
  }
  return true;
}

}  // namespace interviewkit::mail_text
