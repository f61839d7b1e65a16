// How interviewctl prints: --json documents with stable snake_case fields (times as ISO-8601
// UTC strings, ids as numbers), or aligned tables for people. docs/interviewctl.md lists
// every field; renaming one breaks the operators' scripts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/log/action_entry.hpp>
#include <interviewkit/outbox/fate.hpp>
#include <interviewkit/store/outbox.hpp>

namespace interviewctl {

using nlohmann::json;

/// "2026-11-26T10:00:00.000Z" (always three fraction digits), or null.
[[nodiscard]] json time_json(interviewkit::UtcMillis t);
[[nodiscard]] json time_json(const std::optional<interviewkit::UtcMillis>& t);
[[nodiscard]] json time_json(date::sys_seconds t);

[[nodiscard]] json interview_json(const interviewkit::Interview& interview);
[[nodiscard]] json action_json(const interviewkit::ActionEntry& entry);
/// Without the payload unless `with_payload`.
[[nodiscard]] json outbox_json(const interviewkit::OutboxMessage& message, bool with_payload);
[[nodiscard]] json fate_json(const interviewkit::NotificationFate& fate);
[[nodiscard]] json gap_json(const interviewkit::DeliveryGap& gap);

/// Prints `document` on stdout, indented, with a final newline.
void print_json(const json& document);

/// An aligned text table: columns as wide as their widest cell (counted in code points).
class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }
  /// Prints it on stdout; `empty_note` instead of the header when there are no rows.
  void print(const std::string& empty_note = "(none)") const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

/// Text for a table cell: one line, at most `width` code points ("..." when cut).
[[nodiscard]] std::string cell(std::string_view text, std::size_t width = 60);
/// A time for a table: "2026-11-26 10:00:00Z", or "-".
[[nodiscard]] std::string time_cell(const std::optional<interviewkit::UtcMillis>& t);
/// At most `bytes` bytes of `text`, never cutting a UTF-8 sequence in two.
[[nodiscard]] std::string utf8_prefix(std::string_view text, std::size_t bytes);
/// "3h 5m", "2d 4h", "45s": how long, for people.
[[nodiscard]] std::string duration_cell(std::chrono::milliseconds d);

}  // namespace interviewctl
