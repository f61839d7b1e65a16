// JSON documents and aligned tables for interviewctl's read commands.
#include "output.hpp"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace interviewctl {

using namespace interviewkit;

json time_json(UtcMillis t) {
  return format_utc(t);
}

json time_json(const std::optional<UtcMillis>& t) {
  return t ? json(format_utc(*t)) : json(nullptr);
}

json time_json(date::sys_seconds t) {
  return format_utc(UtcMillis{t});
}

namespace {

json person_json(const std::string& id, const Participant& person) {
  return {{"id", id},
          {"name", person.name()},
          {"email", person.email().str()},
          {"time_zone", std::string(person.time_zone().name())}};
}

json slot_json(const std::optional<TimeRange>& slot) {
  if (!slot)
    return nullptr;
  return {{"start", time_json(slot->start())}, {"end", time_json(slot->end())}};
}

template <class E>
json optional_name(const std::optional<E>& value) {
  return value ? json(std::string(to_string(*value))) : json(nullptr);
}

// Code points in UTF-8 text: every byte that does not continue a sequence.
std::size_t display_width(std::string_view text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

json interview_json(const Interview& interview) {
  json interviewers = json::array();
  for (const auto& i : interview.interviewers)
    interviewers.push_back(person_json(i.id.str(), i.person));
  return {{"id", interview.id.value()},
          {"title", interview.title},
          {"status", std::string(to_string(interview.status))},
          {"version", interview.version},
          {"slot", slot_json(interview.slot)},
          {"meeting_link", interview.meeting_link},
          {"candidate", person_json(interview.candidate.id.str(), interview.candidate.person)},
          {"interviewers", std::move(interviewers)},
          {"created_at", time_json(interview.created_at)},
          {"updated_at", time_json(interview.updated_at)}};
}

json action_json(const ActionEntry& entry) {
  return {
      {"time", time_json(entry.time)},
      {"action", std::string(to_string(entry.action))},
      {"interview", entry.interview.is_set() ? json(entry.interview.value()) : json(nullptr)},
      {"actor", {{"role", std::string(to_string(entry.actor.role()))}, {"id", entry.actor.id()}}},
      {"from", optional_name(entry.from)},
      {"to", optional_name(entry.to)},
      {"details", entry.details.json()}};
}

json outbox_json(const OutboxMessage& message, bool with_payload) {
  json out = {{"id", message.id.value()},
              {"interview", message.interview.value()},
              {"revision", message.revision},
              {"recipient", message.recipient},
              {"kind", message.unreadable.empty() ? json(std::string(to_string(message.kind)))
                                                  : json(nullptr)},
              {"channel", message.channel},
              {"state", std::string(to_string(message.state))},
              {"due", time_json(message.due)},
              {"attempts", message.attempts},
              {"last_error", message.last_error},
              {"idempotency_key", message.idempotency_key},
              {"claimed_until", time_json(message.claimed_until)},
              {"created_at", time_json(message.created_at)},
              {"updated_at", time_json(message.updated_at)},
              {"unreadable", message.unreadable}};
  if (with_payload)
    out["payload"] = message.payload.json();
  return out;
}

json fate_json(const NotificationFate& fate) {
  return {{"revision", fate.revision},
          {"recipient", fate.recipient},
          {"kind", std::string(to_string(fate.kind))},
          {"channel", fate.channel},
          {"fate", std::string(to_string(fate.fate))},
          {"outbox_id", fate.outbox ? json(fate.outbox->value()) : json(nullptr)},
          {"due", time_json(fate.due)},
          {"attempts", fate.attempts},
          {"changed_at", time_json(fate.changed_at)},
          {"detail", fate.detail},
          {"required", fate.required}};
}

json gap_json(const DeliveryGap& gap) {
  json out = fate_json(gap.notification);
  out["interview"] = gap.interview.value();
  out["overdue_seconds"] = std::chrono::duration_cast<std::chrono::seconds>(gap.overdue).count();
  return out;
}

void print_json(const json& document) {
  // Replace rather than throw on invalid UTF-8 from a foreign row: output must not fail.
  const auto text = document.dump(2, ' ', false, json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void Table::print(const std::string& empty_note) const {
  if (rows_.empty()) {
    fmt::print("{}\n", empty_note);
    return;
  }
  std::vector<std::size_t> widths(headers_.size());
  const auto measure = [&](const std::vector<std::string>& row) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  };
  measure(headers_);
  std::for_each(rows_.begin(), rows_.end(), measure);
  const auto line = [&](const std::vector<std::string>& row) {
    std::string out;
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size())
        out.append(widths[i] - display_width(row[i]) + 2, ' ');
    }
    fmt::print("{}\n", out);
  };
  line(headers_);
  std::for_each(rows_.begin(), rows_.end(), line);
}

std::string cell(std::string_view text, std::size_t width) {
  std::string out;
  std::size_t points = 0;
  for (char c : text) {
    if ((c & 0xC0) != 0x80 && ++points > width) {
      out += "...";
      break;
    }
    out += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
  }
  return out.empty() ? "-" : out;
}

std::string time_cell(const std::optional<UtcMillis>& t) {
  if (!t)
    return "-";
  return date::format("%F %TZ", date::floor<std::chrono::seconds>(*t));
}

std::string utf8_prefix(std::string_view text, std::size_t bytes) {
  if (text.size() <= bytes)
    return std::string(text);
  while (bytes > 0 && (text[bytes] & 0xC0) == 0x80)
    --bytes;  // text[bytes] continues a sequence: cut before the sequence starts
  return std::string(text.substr(0, bytes));
}

std::string duration_cell(std::chrono::milliseconds d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s >= 86400)
    return fmt::format("{}d {}h", s / 86400, s % 86400 / 3600);
  if (s >= 3600)
    return fmt::format("{}h {}m", s / 3600, s % 3600 / 60);
  if (s >= 60)
    return fmt::format("{}m {}s", s / 60, s % 60);
  return fmt::format("{}s", s);
}

}  // namespace interviewctl
