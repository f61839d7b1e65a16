// Internal: the part of store_metrics that Dispatcher::stats shares. Not installed.
#pragma once

#include <interviewkit/domain/result.hpp>
#include <interviewkit/domain/time.hpp>
#include <interviewkit/outbox/metrics.hpp>

namespace interviewkit {
class Store;
}  // namespace interviewkit

namespace interviewkit::detail {

/// Fills `messages`, `due_messages` and `oldest_due_age_seconds` of `snapshot` from two
/// `count_outbox` calls. May throw what the store throws: callers guard it.
Result<void> read_outbox_gauges(const Store& store, UtcMillis now, MetricsSnapshot& snapshot);

}  // namespace interviewkit::detail
