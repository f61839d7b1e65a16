// Outbox metrics: reading them from a store, and writing any snapshot in Prometheus' text
// exposition format (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include <cmath>
#include <iterator>
#include <string_view>

#include <fmt/format.h>

#include <interviewkit/outbox/metrics.hpp>
#include <interviewkit/store/store.hpp>

#include "../domain/text.hpp"
#include "../log/guarded.hpp"
#include "metrics_detail.hpp"

namespace interviewkit {

namespace {

using std::chrono::duration;

constexpr OutboxState all_states[] = {OutboxState::pending, OutboxState::delivered,
                                      OutboxState::dead, OutboxState::expired};

// ---- Text format ----------------------------------------------------------------------

// A sample value or `le` bound. fmt's "{}" is the shortest text that parses back to the
// same double (Dragonbox); the format spells the special values as Go's ParseFloat does.
std::string number(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", value);
}

// A label value: valid UTF-8 first (the format requires it; a channel name is the host's
// text), then the three escapes the format defines. Everything else, including non-ASCII
// and other control characters, is written as it is.
std::string label_value(std::string_view raw) {
  const auto text = detail::to_storable_text(raw, 4096);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  // HELP texts are our own constants, free of backslashes and line feeds (which would need
  // escaping there).
  fmt::format_to(std::back_inserter(out), "# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void render_outcomes(std::string& out, const MetricsSnapshot& s) {
  family(out, "interviewkit_notifications_total", "counter",
         "Notification outcomes by channel, kind and outcome.");
  for (const auto& [key, c] : s.outcomes) {
    const auto channel = label_value(key.first);
    const std::pair<std::string_view, std::uint64_t> values[] = {
        {"delivered", c.delivered}, {"failed", c.failed},         {"dead", c.dead},
        {"expired", c.expired},     {"superseded", c.superseded},
    };
    for (const auto& [outcome, value] : values) {
      fmt::format_to(std::back_inserter(out),
                     "interviewkit_notifications_total{{channel=\"{}\",kind=\"{}\",outcome=\"{}\"}}"
                     " {}\n",
                     channel, to_string(key.second), outcome, value);
    }
  }
}

void render_gauges(std::string& out, const MetricsSnapshot& s) {
  family(out, "interviewkit_outbox_messages", "gauge", "Outbox messages by state.");
  for (const auto state : all_states) {
    const auto found = s.messages.find(state);
    fmt::format_to(std::back_inserter(out), "interviewkit_outbox_messages{{state=\"{}\"}} {}\n",
                   to_string(state), found == s.messages.end() ? 0 : found->second);
  }
  family(out, "interviewkit_outbox_due_messages", "gauge",
         "Pending outbox messages whose due time has passed.");
  fmt::format_to(std::back_inserter(out), "interviewkit_outbox_due_messages {}\n", s.due_messages);
  family(out, "interviewkit_outbox_oldest_due_age_seconds", "gauge",
         "Seconds since the oldest due outbox message became due.");
  if (s.oldest_due_age_seconds) {
    fmt::format_to(std::back_inserter(out), "interviewkit_outbox_oldest_due_age_seconds {}\n",
                   number(*s.oldest_due_age_seconds));
  }
  family(out, "interviewkit_deliveries_in_flight", "gauge",
         "Deliveries being made by this dispatcher right now.");
  fmt::format_to(std::back_inserter(out), "interviewkit_deliveries_in_flight {}\n", s.in_flight);
}

// Buckets are cumulative in the format (each counts everything at or below its bound), and
// the +Inf bucket equals _count.
void render_latency(std::string& out, const LatencyHistogram& h) {
  if (h.bounds_seconds.empty() && h.counts.empty())
    return;  // not measured here
  constexpr std::string_view name = "interviewkit_delivery_latency_seconds";
  family(out, name, "histogram", "Seconds from a message becoming due to its delivery.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.bounds_seconds.size(); ++i) {
    cumulative += i < h.counts.size() ? h.counts[i] : 0;
    fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"{}\"}} {}\n", name,
                   number(h.bounds_seconds[i]), cumulative);
  }
  fmt::format_to(std::back_inserter(out), "{}_bucket{{le=\"+Inf\"}} {}\n", name, h.count);
  fmt::format_to(std::back_inserter(out), "{}_sum {}\n", name, number(h.sum_seconds));
  fmt::format_to(std::back_inserter(out), "{}_count {}\n", name, h.count);
}

// ---- Reading a store ------------------------------------------------------------------

// Expired by a later revision, rather than by the interview starting: both writers of that
// reason (BookingService's supersede, the dispatcher's revision check) start it so.
bool superseded_reason(std::string_view reason) {
  return reason.starts_with("superseded");
}

void count_row(const OutboxMessage& m, MetricsSnapshot& s) {
  auto& c = s.outcomes[{m.channel, m.kind}];
  switch (m.state) {
    case OutboxState::pending:
      if (m.attempts > 0 && !m.last_error.empty())
        ++c.failed;
      break;
    case OutboxState::delivered:
      ++c.delivered;
      break;
    case OutboxState::dead:
      ++c.dead;
      break;
    case OutboxState::expired:
      ++(superseded_reason(m.last_error) ? c.superseded : c.expired);
      break;
  }
}

// Every row once, in id order, a page at a time.
Result<void> count_rows(const Store& store, MetricsSnapshot& s) {
  OutboxQuery query;
  query.limit = 10000;
  for (;;) {
    auto page = store.list_outbox(query);
    if (!page)
      return page.error();
    for (const auto& m : *page)
      count_row(m, s);
    if (page->size() < query.limit)
      return {};
    query.after = page->back().id;
  }
}

}  // namespace

Result<void> detail::read_outbox_gauges(const Store& store, UtcMillis now, MetricsSnapshot& s) {
  auto all = store.count_outbox({});
  if (!all)
    return all.error();
  s.messages = {{OutboxState::pending, all->pending},
                {OutboxState::delivered, all->delivered},
                {OutboxState::dead, all->dead},
                {OutboxState::expired, all->expired}};
  // Due strictly before the next millisecond: due at `now` counts as due.
  auto due = store.count_outbox(
      {.state = OutboxState::pending, .due_before = now + std::chrono::milliseconds{1}});
  if (!due)
    return due.error();
  s.due_messages = due->pending;
  if (due->pending > 0 && due->oldest_pending_due) {
    s.oldest_due_age_seconds = duration<double>(now - *due->oldest_pending_due).count();
  }
  return {};
}

std::string render_prometheus(const MetricsSnapshot& snapshot) {
  std::string out;
  render_outcomes(out, snapshot);
  render_gauges(out, snapshot);
  render_latency(out, snapshot.latency);
  return out;
}

// The store is the host's: whatever it throws becomes an error value here.
Result<MetricsSnapshot> store_metrics(const Store& store, UtcMillis now) {
  return detail::guarded("store_metrics", [&]() -> Result<MetricsSnapshot> {
    MetricsSnapshot s;
    if (auto counted = detail::read_outbox_gauges(store, now, s); !counted)
      return counted.error();
    if (auto counted = count_rows(store, s); !counted)
      return counted.error();
    return s;
  });
}

}  // namespace interviewkit
