// Shared helpers for the message tests: hand-built interviews and notifications, and an
// independent reading of rendered output through tests/channels/check_email.py.
#pragma once

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <interviewkit/channels.hpp>

#include "support/fixture.hpp"
#include "support/temp_dir.hpp"

namespace interviewkit::testing {

inline Participant person(const std::string& name, const std::string& email,
                          const std::string& zone) {
  return Participant::make(name, email, zone).value();
}

/// The notification a real booking enqueues (through BookingService and the store): candidate
/// cand-1 with interviewer int-1 on day 12 at 09:00.
inline Notification booked_notification() {
  Fixture f;
  const auto id = f.create("cand-1", {"int-1"}).id;
  REQUIRE(f.service->book(id, slot(12, std::chrono::hours{9}), recruiter()));
  return f.store->list_outbox({}).value().front().payload.get<Notification>();
}

/// Interview 42, version 2, scheduled for 2024-03-12T14:00Z..15:00Z: a candidate in
/// Asia/Kathmandu and one interviewer in America/New_York.
inline Interview scheduled_interview() {
  return Interview{
      .id = InterviewId{42},
      .title = "Technical interview",
      .candidate = candidate("cand-1", "Asia/Kathmandu"),
      .interviewers = {interviewer("int-1", "America/New_York")},
      .slot = TimeRange::make(at(12, 14h), 60min).value(),
      .status = InterviewStatus::scheduled,
      .version = 2,
      .meeting_link = "https://meet.example.com/s/abc123",
      .created_at = at(1, 9h),
      .updated_at = at(2, 9h),
  };
}

inline Notification notify(NotificationKind kind, Interview interview, bool to_candidate = true) {
  auto recipient = to_candidate ? Recipient::of(interview.candidate)
                                : Recipient::of(interview.interviewers.front());
  auto key = make_idempotency_key(interview.id, interview.version, recipient, kind);
  return Notification{
      .kind = kind,
      .recipient = std::move(recipient),
      .interview = std::move(interview),
      .previous_slot = std::nullopt,
      .reason = {},
      .idempotency_key = std::move(key),
  };
}

inline EmailOptions mail_options() {
  EmailOptions options;
  options.from_name = "Acme Hiring";
  options.from = EmailAddress::make("hiring@acme.example").value();
  options.message_id_domain = "mail.acme.example";
  return options;
}

inline DeliveryContext delivery_context(std::string token = "tok-4Jq9_xYz") {
  return DeliveryContext{.deadline = std::chrono::steady_clock::now() + std::chrono::seconds{30},
                         .attempt = 1,
                         .message_token = std::move(token)};
}

/// 2024-03-01T08:30:00Z.
inline UtcMillis render_time() {
  return UtcMillis{at(1, 8h + 30min)};
}

/// Runs check_email.py on `path` ("--eml" or "--ics") and returns what it parsed.
inline nlohmann::json check_file(const std::filesystem::path& path, std::string_view mode) {
  const auto command = std::string("'") + INTERVIEWKIT_TEST_PYTHON + "' '" +
                       INTERVIEWKIT_CHECK_EMAIL + "' " + std::string(mode) + " '" + path.string() +
                       "' 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
    output.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  INFO("check_email.py said: " << output);
  REQUIRE(status == 0);
  return nlohmann::json::parse(output);
}

inline nlohmann::json check_bytes(std::string_view bytes, std::string_view mode) {
  TempDir dir("message-check");
  const auto path = dir.path() / (mode == "--ics" ? "invite.ics" : "message.eml");
  {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    REQUIRE(out.good());
  }
  return check_file(path, mode);
}

inline nlohmann::json check_email(const EmailMessage& message) {
  return check_bytes(message.data, "--eml");
}

inline nlohmann::json check_ics(std::string_view ics) {
  return check_bytes(ics, "--ics");
}

/// Whether `text` is valid UTF-8.
inline bool is_utf8(std::string_view text) {
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0x80) {
      return false;
    }
    if (lead > 0xF4 || i + length > text.size())
      return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80)
        return false;
    }
    i += length;
  }
  return true;
}

}  // namespace interviewkit::testing
