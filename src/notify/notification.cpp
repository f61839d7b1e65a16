#include <algorithm>
#include <charconv>
#include <iterator>
#include <limits>
#include <string_view>
#include <variant>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/notify/notification.hpp>

#include "../domain/enum_text.hpp"
#include "../domain/json_detail.hpp"
#include "../domain/text.hpp"
#include "notification_json.hpp"

namespace interviewkit {

std::string_view to_string(NotificationKind kind) noexcept {
  return enum_name(kind);
}

Result<NotificationKind> parse_notification_kind(std::string_view text) {
  return detail::parse_enum<NotificationKind>(text);
}

// The two keys below are built by appending, not with fmt::format: a booking makes a dozen
// of them, and formatting was a sixth of its instructions.
namespace {

// Recipient::key() appended to `out`, so a longer key containing it needs no temporary.
void append_recipient_key(std::string& out, const Recipient& recipient) {
  std::visit(
      [&](const auto& value) {
        using T = std::decay_t<decltype(value)>;
        out += std::is_same_v<T, CandidateId> ? std::string_view("candidate:")
                                              : std::string_view("interviewer:");
        out += value.str();
      },
      recipient.id);
}

}  // namespace

std::string Recipient::key() const {
  std::string key;
  append_recipient_key(key, *this);
  return key;
}

// The parts are measured first and copied into a string of exactly their length: one
// allocation and no growth, for a key every outbox message of a booking needs.
std::string calendar_uid(InterviewId id, std::string_view domain) {
  return fmt::format("interview-{}@{}", id.value(), domain);
}

std::string make_idempotency_key(InterviewId id, std::uint64_t version, const Recipient& recipient,
                                 NotificationKind kind) {
  struct Number {
    char digits[20];
    std::size_t size;
  };
  const auto number = [](std::uint64_t n) {
    Number out{};
    out.size = static_cast<std::size_t>(
        std::to_chars(std::begin(out.digits), std::end(out.digits), n).ptr - out.digits);
    return out;
  };
  const auto interview = number(id.value());
  const auto revision = number(version);
  const std::string_view role = recipient.is_candidate() ? "candidate:" : "interviewer:";
  const std::string_view person =
      std::visit([](const auto& value) { return std::string_view(value.str()); }, recipient.id);
  const auto name = to_string(kind);
  const std::string_view parts[] = {"interview/", {interview.digits, interview.size},
                                    "/v",         {revision.digits, revision.size},
                                    "/",          role,
                                    person,       "/",
                                    name};
  std::size_t size = 0;
  for (const auto part : parts)
    size += part.size();
  std::string key(size, '\0');
  auto* out = key.data();
  for (const auto part : parts)
    out = std::copy(part.begin(), part.end(), out);
  return key;
}

// Fields assigned one by one rather than from a braced list: nlohmann copies every value of
// a braced list once more, and this runs for every outbox message a booking enqueues.
nlohmann::json detail::notification_json(NotificationKind kind, const nlohmann::json& recipient,
                                         const nlohmann::json& interview,
                                         const std::optional<TimeRange>& previous_slot,
                                         const std::string& reason,
                                         const std::string& idempotency_key) {
  auto j = nlohmann::json::object();
  j["kind"] = kind;
  j["recipient"] = recipient;
  j["interview"] = interview;
  j["previous_slot"] = previous_slot ? nlohmann::json(*previous_slot) : nlohmann::json();
  j["reason"] = reason;
  j["idempotency_key"] = idempotency_key;
  return j;
}

detail::NotificationPayload::NotificationPayload(std::shared_ptr<const NotificationParts> parts,
                                                 std::size_t recipient, NotificationKind kind)
    : parts_(std::move(parts)), recipient_(recipient), kind_(kind) {}

namespace {
// The interview's JSON, for all the notifications of one change.
class InterviewJson final : public JsonValue::Source {
 public:
  explicit InterviewJson(const Interview& interview) : interview_(interview) {}
  nlohmann::json make() const override { return interview_; }

 private:
  const Interview& interview_;  // a member of the parts that own this source
};
}  // namespace

std::shared_ptr<const detail::NotificationParts> detail::NotificationParts::make(
    Interview interview, std::vector<Recipient> recipients, std::optional<TimeRange> previous_slot,
    std::string reason) {
  auto parts = std::make_shared<NotificationParts>(NotificationParts{
      .interview = std::move(interview),
      .recipients = std::move(recipients),
      .previous_slot = previous_slot,
      .reason = std::move(reason),
      .interview_json = {},
  });
  parts->interview_json = JsonValue::deferred(std::make_shared<InterviewJson>(parts->interview));
  return parts;
}

nlohmann::json detail::NotificationPayload::make() const {
  return notification_json(
      kind_, nlohmann::json(recipient()), parts_->interview_json.json(), parts_->previous_slot,
      parts_->reason,
      make_idempotency_key(parts_->interview.id, parts_->interview.version, recipient(), kind_));
}

Notification detail::NotificationPayload::notification() const {
  return {
      kind_,
      recipient(),
      parts_->interview,
      parts_->previous_slot,
      parts_->reason,
      make_idempotency_key(parts_->interview.id, parts_->interview.version, recipient(), kind_)};
}

const Recipient& detail::NotificationPayload::recipient() const noexcept {
  return parts_->recipients[recipient_];
}

std::uint64_t detail::NotificationPayload::revision() const noexcept {
  const auto version = parts_->interview.version;
  return version <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) ? version
                                                                                         : 0;
}

const detail::NotificationPayload* detail::notification_payload(const JsonValue& payload) noexcept {
  return dynamic_cast<const NotificationPayload*>(payload.source());
}

}  // namespace interviewkit

namespace d = interviewkit::detail;
using interviewkit::Notification;
using interviewkit::NotificationKind;
using interviewkit::Recipient;

NotificationKind nlohmann::adl_serializer<NotificationKind>::from_json(const nlohmann::json& j) {
  return d::unwrap(interviewkit::parse_notification_kind(d::expect_string(j, "notification kind")));
}
void nlohmann::adl_serializer<NotificationKind>::to_json(nlohmann::json& j, NotificationKind v) {
  d::enum_to_json(j, v);
}

Recipient nlohmann::adl_serializer<Recipient>::from_json(const nlohmann::json& j) {
  d::expect_object(j, "recipient", {"role", "id", "name", "email", "time_zone"});
  const auto& role = d::expect_string(j.at("role"), "recipient role");
  auto person =
      nlohmann::json{
          {"name", j.at("name")}, {"email", j.at("email")}, {"time_zone", j.at("time_zone")}}
          .get<interviewkit::Participant>();
  if (role == "candidate")
    return {j.at("id").get<interviewkit::CandidateId>(), std::move(person)};
  if (role == "interviewer") {
    return {j.at("id").get<interviewkit::InterviewerId>(), std::move(person)};
  }
  d::throw_invalid(
      fmt::format("recipient role {} must be \"candidate\" or \"interviewer\"", d::quoted(role)));
}
void nlohmann::adl_serializer<Recipient>::to_json(nlohmann::json& j, const Recipient& v) {
  j = nlohmann::json::object();
  j["role"] = v.is_candidate() ? "candidate" : "interviewer";
  j["name"] = v.person.name();
  j["email"] = v.person.email();
  j["time_zone"] = v.person.time_zone();
  std::visit([&](const auto& id) { j["id"] = id.str(); }, v.id);
}

Notification nlohmann::adl_serializer<Notification>::from_json(const nlohmann::json& j) {
  d::expect_object(
      j, "notification",
      {"kind", "recipient", "interview", "previous_slot", "reason", "idempotency_key"});
  const auto& previous = j.at("previous_slot");
  // The free-text fields hold what the library's producers put there: a reason the
  // BookingService accepted (its rules) and a key without control characters (the webhook
  // channel may send it as a header). A payload with anything else was not written by us.
  constexpr std::size_t max_reason = 2000;  // BookingService's limit for a reason
  constexpr std::size_t max_key = 512;
  const auto& reason = d::expect_string(j.at("reason"), "notification reason");
  d::unwrap_void(interviewkit::validate_text("notification reason", reason, max_reason, true));
  const auto& key = d::expect_string(j.at("idempotency_key"), "idempotency key");
  d::unwrap_void(interviewkit::validate_text("idempotency key", key, max_key, true));
  return Notification{
      .kind = j.at("kind").get<NotificationKind>(),
      .recipient = j.at("recipient").get<Recipient>(),
      .interview = j.at("interview").get<interviewkit::Interview>(),
      .previous_slot = previous.is_null() ? std::nullopt
                                          : std::optional(previous.get<interviewkit::TimeRange>()),
      .reason = reason,
      .idempotency_key = key,
  };
}
void nlohmann::adl_serializer<Notification>::to_json(nlohmann::json& j, const Notification& v) {
  j = d::notification_json(v.kind, nlohmann::json(v.recipient), nlohmann::json(v.interview),
                           v.previous_slot, v.reason, v.idempotency_key);
}
