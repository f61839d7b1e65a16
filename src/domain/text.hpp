// Internal text helpers shared by the validators. Not installed.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace interviewkit::detail {

/// `text` in double quotes with control, non-ASCII-invalid and quote characters escaped, so
/// an error message can show any input unambiguously on one line. Long input is truncated.
std::string quoted(std::string_view text, std::size_t max_bytes = 200);

/// Why `text` is not acceptable free text (invalid UTF-8, or a control character such as
/// CR/LF/TAB/NUL, DEL, C1, U+2028/U+2029), or nullopt when it is fine.
std::optional<std::string> text_problem(std::string_view text);

/// `text` made safe to store and log: every invalid UTF-8 byte and every NUL becomes U+FFFD
/// (NUL because PostgreSQL text and JSON columns refuse it), and text longer than
/// `max_bytes` is cut on a character boundary with "…" appended. Text from outside the
/// process (a server's reply, an exception's message) goes through this before it reaches
/// a store or the ActionLog, so no record is ever refused for its content.
std::string to_storable_text(std::string_view text, std::size_t max_bytes = 2000);

}  // namespace interviewkit::detail
