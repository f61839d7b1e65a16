// The sender and Message-ID domain in effect for a set of EmailOptions: the given ones, or in
// test mode the RFC 2606 placeholders. Callers have passed check_email_options first (or
// checked it themselves), so a missing value here is a test-mode one. Not installed.
#pragma once

#include <string_view>

#include <interviewkit/channels/email_message.hpp>

namespace interviewkit::detail {

/// `options.from`, or interviews@example.invalid when it is missing (test mode).
[[nodiscard]] const EmailAddress& sender(const EmailOptions& options);

/// `options.message_id_domain`, or interviewkit.invalid when it is empty (test mode).
[[nodiscard]] std::string_view message_id_domain(const EmailOptions& options);

}  // namespace interviewkit::detail
