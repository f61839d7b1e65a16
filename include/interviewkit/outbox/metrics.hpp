// Outbox metrics: what was delivered, failed, given up or expired, per channel and kind, how
// many messages wait, and how late deliveries are; rendered in Prometheus' text format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/export.hpp>
#include <interviewkit/notify/notification.hpp>
#include <interviewkit/store/outbox.hpp>

namespace interviewkit {

class Store;

/// Outcomes of one (channel, kind). `Dispatcher::stats` counts attempts and outcomes
/// recorded since the dispatcher was made; `store_metrics` counts the outbox rows by their
/// current state (see there). An expiry because a later revision superseded the message
/// counts as `superseded`, never as `expired`.
struct OutcomeCounters {
  std::uint64_t delivered = 0;   ///< messages delivered
  std::uint64_t failed = 0;      ///< failed attempts that will be retried
  std::uint64_t dead = 0;        ///< messages given up (dead-lettered)
  std::uint64_t expired = 0;     ///< too late: the interview started first
  std::uint64_t superseded = 0;  ///< expired because a later change made them untrue
  friend bool operator==(const OutcomeCounters&, const OutcomeCounters&) = default;
};

/// A cumulative-ready histogram: `counts[i]` is the number of observations in bucket i only
/// (not cumulative), i.e. above `bounds_seconds[i-1]` and at most `bounds_seconds[i]`;
/// `counts.size() == bounds_seconds.size() + 1`, the last bucket being +Inf. Both empty
/// means "not measured" (what `store_metrics` returns).
struct LatencyHistogram {
  std::vector<double> bounds_seconds;  ///< upper bounds, strictly increasing
  std::vector<std::uint64_t> counts;   ///< observations per bucket, the last for +Inf
  double sum_seconds = 0;              ///< sum of all observations, in seconds
  std::uint64_t count = 0;             ///< number of observations
  friend bool operator==(const LatencyHistogram&, const LatencyHistogram&) = default;
};

/// A point-in-time view of the outbox and its deliveries. A plain value: copy it freely.
struct MetricsSnapshot {
  /// By (channel, kind).
  std::map<std::pair<std::string, NotificationKind>, OutcomeCounters> outcomes;
  /// Outbox rows by state; every state is present (0 when there are none).
  std::map<OutboxState, std::uint64_t> messages;
  /// Pending messages whose due time has passed (waiting for a worker, or leased by one).
  std::uint64_t due_messages = 0;
  /// How long the oldest of those has been due; unset when none is due.
  std::optional<double> oldest_due_age_seconds;
  /// Deliveries this dispatcher is making right now (0 from `store_metrics`).
  std::uint64_t in_flight = 0;
  /// Seconds from when a message became due (the earlier of its due time and the first
  /// attempt of its current round, so retries count) to its successful delivery.
  LatencyHistogram latency;
  friend bool operator==(const MetricsSnapshot&, const MetricsSnapshot&) = default;
};

/// `snapshot` in the Prometheus text exposition format (version 0.0.4), one family each:
///   interviewkit_notifications_total{channel,kind,outcome}  counter
///   interviewkit_outbox_messages{state}                     gauge
///   interviewkit_outbox_due_messages                        gauge
///   interviewkit_outbox_oldest_due_age_seconds              gauge (no sample when none due)
///   interviewkit_deliveries_in_flight                       gauge
///   interviewkit_delivery_latency_seconds                   histogram (left out when the
///                                                           snapshot has no buckets)
/// Label values are escaped (backslash, double quote, line feed) and made valid UTF-8
/// (invalid bytes and NUL become U+FFFD); floats are written so that they parse back to the
/// same double, with +Inf, -Inf and NaN spelled as the format wants. Pure; thread-safe.
[[nodiscard]] INTERVIEWKIT_EXPORT std::string render_prometheus(const MetricsSnapshot& snapshot);

/// What a process without a dispatcher can know, read from `store` at `now`:
/// - `messages`, `due_messages` and `oldest_due_age_seconds` from `Store::count_outbox`;
/// - `outcomes` from every row's current state, per channel and kind: `delivered`, `dead`,
///   `expired` and `superseded` count messages in that state (an expired message whose
///   reason starts with "superseded" is superseded); `failed` counts pending messages whose
///   last attempt failed (they wait for a retry). Reads the whole outbox page by page, so
///   its cost grows with the outbox: purge delivered and expired rows (`Store::purge`).
/// - `in_flight` 0 and `latency` empty: only a dispatcher knows those.
/// Thread-safe as the store is. A store failure is returned as its error value.
[[nodiscard]] INTERVIEWKIT_EXPORT Result<MetricsSnapshot> store_metrics(const Store& store,
                                                                        UtcMillis now);

}  // namespace interviewkit
