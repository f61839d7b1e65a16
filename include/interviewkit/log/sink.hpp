// ActionLogSink: where action entries go. Modelled on spdlog's sink: a tiny interface and
// one small implementation per file.
#pragma once

#include <vector>

#include <interviewkit/export.hpp>
#include <interviewkit/log/action_entry.hpp>

namespace interviewkit {

/// Receives action entries. ActionLog writes through exactly one sink (FanoutSink makes
/// several look like one), and the library never reads entries back for its own decisions,
/// so a sink that does nothing is correct.
///
/// Contract for implementers (what ActionLog, BookingService and Dispatcher rely on):
/// - Thread safety: ActionLog adds no locking. `write` may be called from several threads
///   at once: every thread running a BookingService operation, the Dispatcher's background
///   thread, drain_once() callers and Dispatcher::requeue() callers. Implementations say
///   whether they are thread-safe; one shared by those components must be, and all the sinks
///   the library ships are.
/// - Errors: `write` may throw (anything) to say the entry was not recorded, or not in
///   full. ActionLog catches it, counts it in `failed_writes()`, and gives its error handler
///   a description of the entry (not its details) and of the exception, on the writing
///   thread. The operation that produced the entry has already committed and is not
///   affected; nothing retries the entry. A sink that can leave a partial record behind
///   must cope with it on the next write (JsonLinesSink starts a fresh line).
/// - Transactions: the library never calls `write` inside a store transaction; entries reach
///   ActionLog after the change they record has committed (or when there is none to
///   commit), so a sink may use the store itself (StoreSink does). When the log lives in the store
///   (see `logs_into`), BookingService and Dispatcher append most entries inside their own
///   transaction and do not call `write` for them; `write` still gets the entries that have no
///   transaction (circuit breaker changes, outcomes the store could not record).
/// - Re-entrancy: `write` may run while the Dispatcher holds its delivery lock, so it must not
///   call Dispatcher::drain_once, nor record into the ActionLog that called it, and should
///   not block for long: a slow sink slows bookings and deliveries alike.
/// - Arguments: `entry` is valid only during the call; copy what is kept. Its details may
///   quote outside text (server replies, exception messages): a sink that writes a text
///   format escapes what matters to that format (the shipped ones write details as JSON).
/// - `flush` asks that entries written so far be durable or visible to readers. The library
///   never calls it by itself; a host does, through ActionLog::flush. Errors as for `write`
///   (reported, not counted in failed_writes). The default does nothing, which is correct
///   for a sink that does not buffer.
///
/// - `wants` says whether the sink keeps entries of an action at all. A sink that answers
///   false for an action promises to ignore such entries, so a component may skip building
///   them and not call `write` for them (BookingService does, when the log is not in the
///   store: a sink that drops everything costs a booking nothing). Entries of that action may
///   still arrive from elsewhere; `write` accepts them as before. The answer must not change
///   over the sink's life, and `wants` may be called from any thread. The default keeps
///   everything, which is correct for every sink.
///
/// Ownership: ActionLog and FanoutSink hold sinks by std::shared_ptr; a sink is destroyed on
/// whichever thread drops the last reference.
class INTERVIEWKIT_EXPORT ActionLogSink {
 public:
  virtual ~ActionLogSink() = default;
  /// Records `entry`; throws to say it was not recorded (see the contract above).
  virtual void write(const ActionEntry& entry) = 0;
  /// Makes the entries written so far durable or visible (see above); by default nothing.
  virtual void flush() {}
  /// Whether this sink keeps entries of `action` at all: false lets the library skip building
  /// them (see the contract above). By default true.
  [[nodiscard]] virtual bool wants(ActionType /*action*/) const noexcept { return true; }
};

/// A sink that can also answer queries ("all failed notifications for interview X"). Only
/// hosts query: the library itself never does.
///
/// Contract for implementers: `query` may run at the same time as `write` (on other
/// threads) and should see every entry whose `write` has returned. It reports a failure
/// (a store or a file that cannot be read) by throwing, ErrorException by convention, since
/// a partial answer would look like a complete one; nothing catches it for the host.
class INTERVIEWKIT_EXPORT QueryableSink : public ActionLogSink {
 public:
  /// Matching entries in the order they were written.
  [[nodiscard]] virtual std::vector<ActionEntry> query(const ActionQuery& query) const = 0;
};

}  // namespace interviewkit
