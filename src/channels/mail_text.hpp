// Internal text helpers for the message renderers (iCalendar, templates, MIME): UTF-8
// walking, cleaning free text for the context it lands in, base64. Not installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <interviewkit/domain/result.hpp>

#include "../domain/utf8.hpp"

namespace interviewkit::mail_text {

// The library's one UTF-8 decoder and control-character test (src/domain/utf8.hpp).
using detail::decode_utf8;
using detail::is_control;
using detail::Utf8Char;

/// Ok when `text` is valid UTF-8; otherwise an InvalidInput naming `field` and the offset.
[[nodiscard]] Result<void> require_utf8(std::string_view field, std::string_view text);

/// Free text for a body (text, HTML, DESCRIPTION): CRLF and lone CR become LF, TAB becomes a
/// space, every other control character becomes U+FFFD. `text` must be valid UTF-8.
[[nodiscard]] std::string body_text(std::string_view text);

/// Free text for one line (a header, SUMMARY, a CN): every run of white space and control
/// characters, line breaks included, becomes one space; the ends are trimmed. `text` must be
/// valid UTF-8.
[[nodiscard]] std::string one_line(std::string_view text);

/// Every line break (CRLF, LF or CR) as CRLF: the canonical form MIME wants for text parts.
[[nodiscard]] std::string crlf_lines(std::string_view text);

/// Standard base64 (RFC 4648 section 4) with padding, on one line.
[[nodiscard]] std::string base64(std::string_view bytes);

/// Base64 in lines of 76 characters, each ending in CRLF (RFC 2045 section 6.8).
[[nodiscard]] std::string base64_lines(std::string_view bytes);

/// FNV-1a, 64 bits: a stable, platform-independent digest for names, not for secrets.
[[nodiscard]] std::uint64_t fnv1a64(std::string_view bytes) noexcept;

/// `text` in double quotes for an error message: one line, printable ASCII, with quotes,
/// backslashes and every other byte escaped; cut after 80 bytes.
[[nodiscard]] std::string shown(std::string_view text);

/// True when every byte is printable ASCII (0x20..0x7E).
[[nodiscard]] bool is_printable_ascii(std::string_view text) noexcept;

}  // namespace interviewkit::mail_text
