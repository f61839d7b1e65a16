#include "mail_text.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace interviewkit::mail_text {

namespace {

constexpr std::string_view replacement_character = "\xEF\xBF\xBD";  // U+FFFD

void append_base64_group(std::string& out, const unsigned char* in, std::size_t n) {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const std::uint32_t b0 = in[0];
  const std::uint32_t b1 = n > 1 ? in[1] : 0U;
  const std::uint32_t b2 = n > 2 ? in[2] : 0U;
  const std::uint32_t group = (b0 << 16U) | (b1 << 8U) | b2;
  out += alphabet[(group >> 18U) & 0x3FU];
  out += alphabet[(group >> 12U) & 0x3FU];
  out += n > 1 ? alphabet[(group >> 6U) & 0x3FU] : '=';
  out += n > 2 ? alphabet[group & 0x3FU] : '=';
}

}  // namespace

Utf8Char decode_utf8(std::string_view text, std::size_t at) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80)
    return {lead, 1};
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
    return {};
  }
  if (at + length > text.size())
    return {};
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(at + k) & 0xC0U) != 0x80U)
      return {};
    cp = (cp << 6U) | (byte(at + k) & 0x3FU);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return {};
  return {cp, length};
}

bool is_control(char32_t cp) noexcept {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
}

Result<void> require_utf8(std::string_view field, std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto c = decode_utf8(text, i);
    if (c.length == 0)
      return InvalidInput{fmt::format("{} is not valid UTF-8 (at byte {})", field, i)};
    i += c.length;
  }
  return {};
}

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
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  for (std::size_t i = 0; i < bytes.size(); i += 3)
    append_base64_group(out, data + i, std::min<std::size_t>(3, bytes.size() - i));
  return out;
}

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

std::uint64_t fnv1a64(std::string_view bytes) noexcept {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

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
