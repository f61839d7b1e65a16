// Dispatcher: the delivery loop of the transactional outbox.
//
// One pass claims due messages (each claim is a lease and a fencing token), then handles
// them, up to max_in_flight at once (PassPlan decides which may start, WorkerPool runs
// them): checks that decide without sending (unreadable row, crash loop, unknown channel,
// interview already started or moved on), the lease, the destination's circuit breaker,
// the send itself, and the retry decision. Every outcome is stored with a fenced
// `complete`, and its ActionLog entry commits in the same transaction when the log lives in
// the store. Nothing here may throw out of a pass: the background thread runs inside the
// host's process, and an exception escaping it would terminate the host.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <mutex>
#include <random>
#include <span>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <interviewkit/notify/lifecycle.hpp>
#include <interviewkit/outbox/dispatcher.hpp>
#include <interviewkit/store/store_sink.hpp>

#include "../domain/text.hpp"
#include "../log/guarded.hpp"
#include "../notify/notification_json.hpp"
#include "metrics_detail.hpp"
#include "pass_plan.hpp"
#include "worker_pool.hpp"

namespace interviewkit {

namespace {

using detail::guarded;

using std::chrono::milliseconds;

// Outside text (server replies, exception messages) is bounded and made valid UTF-8
// before it reaches the store or the log, so no record is refused for its content.
std::string storable(std::string_view text) {
  return detail::to_storable_text(text, 2000);
}

// Why a message enqueued for `sent` must not go out now that the interview is `current`,
// or nullopt when its content is still true. An invite or reminder is stale once the
// interview no longer holds that slot; a cancellation, completion or no-show notice once
// the status it announces is no longer the interview's.
std::optional<std::string> superseded(const Notification& sent, const Interview& current) {
  if (current.version <= sent.interview.version)
    return std::nullopt;
  const bool stale = carries_slot(sent.kind)
                         ? !holds_slot(current.status) || current.slot != sent.interview.slot
                         : current.status != sent.interview.status;
  if (!stale)
    return std::nullopt;
  return fmt::format("superseded by revision {} of interview {} ({}{})", current.version,
                     current.id, current.status,
                     current.slot ? fmt::format(", {}", *current.slot) : std::string());
}

// Every bound below exists because a value past it cannot work, not as a matter of taste:
// a lease shorter than two deliveries lets a slow send outlive its claim (and be sent twice),
// a zero batch or poll makes a busy loop, durations past a day or a year overflow nothing
// but are certainly typing mistakes in a host's configuration.
Error invalid(std::string message) {
  return InvalidInput{std::move(message)};
}

// The lane a message belongs to (see detail::waits_behind): its order is kept.
std::string lane_of(const OutboxMessage& m) {
  return fmt::format("{}\x1f{}\x1f{}", m.interview, m.recipient, m.channel);
}

Result<void> validate_buckets(const std::vector<double>& bounds) {
  if (bounds.size() > 64)
    return invalid(fmt::format("latency_buckets_seconds has {} bounds; at most 64", bounds.size()));
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i]) || bounds[i] <= 0 || (i > 0 && bounds[i] <= bounds[i - 1])) {
      return invalid(fmt::format(
          "latency_buckets_seconds must be positive, finite and strictly increasing; {} at "
          "position {} is not",
          bounds[i], i));
    }
  }
  return {};
}

Result<void> validate(const DispatcherOptions& o) {
  using std::chrono::hours;
  if (o.batch_size == 0 || o.batch_size > 10000)
    return invalid(fmt::format("batch_size {} must be between 1 and 10000", o.batch_size));
  if (o.max_in_flight == 0 || o.max_in_flight > 1024)
    return invalid(fmt::format("max_in_flight {} must be between 1 and 1024", o.max_in_flight));
  for (const auto& [channel, bound] : o.max_per_channel) {
    if (bound == 0)
      return invalid(
          fmt::format("max_per_channel for \"{}\" is 0: nothing would be delivered", channel));
  }
  if (o.delivery_timeout <= milliseconds::zero() || o.delivery_timeout > hours{1})
    return invalid("delivery_timeout must be positive and at most 1 h");
  if (o.lease > hours{24})
    return invalid("lease must be at most 24 h");
  if (o.lease < 2 * o.delivery_timeout) {
    return invalid(fmt::format(
        "lease ({} ms) must be at least twice delivery_timeout ({} ms), or a slow delivery "
        "could outlive its claim and be sent twice",
        o.lease.count(), o.delivery_timeout.count()));
  }
  if (o.idle_poll < milliseconds{1} || o.idle_poll > hours{1})
    return invalid(
        fmt::format("idle_poll ({} ms) must be between 1 ms and 1 h", o.idle_poll.count()));
  if (o.retry.base <= milliseconds::zero() || o.retry.cap < o.retry.base || o.retry.cap > hours{24})
    return invalid("retry.base must be positive, retry.cap at least retry.base and at most 24 h");
  if (o.retry.max_age <= milliseconds::zero() || o.retry.max_age > hours{24 * 366})
    return invalid("retry.max_age must be positive and at most a year");
  if (o.max_unfinished_claims == 0)
    return invalid("max_unfinished_claims must be at least 1");
  if (o.breaker.failure_threshold > 0 &&
      (o.breaker.open_for <= milliseconds::zero() || o.breaker.open_for > hours{24}))
    return invalid("breaker.open_for must be positive and at most 24 h");
  return validate_buckets(o.latency_buckets_seconds);
}

}  // namespace

// What handling one message decided: the stored outcome and its log entry.
struct Decision {
  OutboxCompletion completion;
  ActionType action = ActionType::notification_delivered;
  nlohmann::json details = nlohmann::json::object();
  bool attempted = false;   // a send was made (its entry must be recorded whatever happens)
  bool superseded = false;  // expired because a later revision made it untrue
};

// What Dispatcher::stats counts in-process. Outcomes and latency change once per stored
// outcome, so one mutex is cheap; the in-flight gauge changes around every send and is
// read without it.
struct Counters {
  std::mutex mutex;
  std::map<std::pair<std::string, NotificationKind>, OutcomeCounters> outcomes;  // GUARDED_BY
  LatencyHistogram latency;                                                      // GUARDED_BY
  std::atomic<std::uint64_t> in_flight{0};

  void observe_latency(double seconds) {  // REQUIRES: mutex held
    const auto& bounds = latency.bounds_seconds;
    const auto bucket = std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin();
    ++latency.counts[static_cast<std::size_t>(bucket)];
    latency.sum_seconds += seconds;
    ++latency.count;
  }
};

// Counts one send as in flight for as long as it lasts, however it ends.
class InFlight {
 public:
  explicit InFlight(std::atomic<std::uint64_t>& gauge) noexcept : gauge_(gauge) { ++gauge_; }
  ~InFlight() { --gauge_; }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<std::uint64_t>& gauge_;
};

namespace {

// The dispatcher whose pass this thread is delivering for, if any: stop() called from a
// host callback on a delivery thread must not wait for that thread.
thread_local const void* in_pass_of = nullptr;

class InPass {
 public:
  explicit InPass(const void* dispatcher) noexcept : previous_(in_pass_of) {
    in_pass_of = dispatcher;
  }
  ~InPass() { in_pass_of = previous_; }
  InPass(const InPass&) = delete;
  InPass& operator=(const InPass&) = delete;

 private:
  const void* previous_;
};

}  // namespace

// One destination's circuit: consecutive retryable failures, and while open, until when.
// Kept in memory per dispatcher: after a restart a dead destination costs `failure_threshold`
// timeouts again, which is cheap, and no store schema carries breaker state.
// Once `open_until` has passed, one delivery probes the destination; the ones that run
// beside it wait for its outcome (at most a delivery_timeout) and then go on as it decided:
// sent when it closed the circuit, failed fast when it opened it again. A probe whose outcome
// never came back cannot hold the circuit for ever: after a delivery_timeout another may start.
struct Breaker {
  std::uint32_t failures = 0;
  std::optional<UtcMillis> open_until;
  std::optional<UtcMillis> probe_until;
};

struct Dispatcher::Impl {
  std::shared_ptr<Store> store;
  Channels channels;
  std::shared_ptr<ActionLog> log;
  DispatcherOptions options;
  std::shared_ptr<const Clock> clock;
  // The ActionLog writes into `store` itself: entries then ride in the outcome's transaction
  // (OutboxCompletion::log), so an outcome and its entry are never found one without the other.
  bool log_in_store = false;

  // Jitter spreads retries of many messages that failed together (a destination that came
  // back) so they do not all return at once. It needs no secrecy, so a seeded PRNG will do.
  std::mutex jitter_mutex;
  std::mt19937_64 jitter;

  // Passes take turns: the limits of one pass's plan are the dispatcher's limits, and
  // begin_batch/end_batch never interleave with another pass's deliveries.
  std::mutex pass_mutex;
  // The delivery threads besides the pass's own (none in the sequential mode).
  std::unique_ptr<detail::WorkerPool> pool;

  std::mutex breaker_mutex;
  std::map<std::string, Breaker> breakers;  // GUARDED_BY(breaker_mutex)
  std::condition_variable probe_ended;      // a probe's outcome came in, or stop()

  Counters counters;

  // The background thread: it sleeps on `wakeup` until the next message is due, idle_poll
  // passes, or wake() is called after a commit. `stopping` is read between every step of a
  // pass, so stop() never waits for more than the delivery in flight.
  std::mutex thread_mutex;
  std::condition_variable wakeup;
  std::atomic<bool> stopping{false};
  bool woken = false;
  bool exited = false;  // GUARDED_BY(thread_mutex): run() returned, `worker` not yet joined
  std::thread worker;

  void report(const std::string& message) noexcept { report_error(options.on_error, message); }

  milliseconds backoff(std::uint32_t attempt) {
    std::lock_guard lock(jitter_mutex);
    return options.retry.backoff(attempt, jitter);
  }

  // The entry for one outcome. It names the message (id, claim, key, attempt) so that an
  // operator can follow one message through its attempts and match a receiver's records.
  ActionEntry entry(const OutboxMessage& message, ActionType action, nlohmann::json details) {
    details["outbox_id"] = message.id.value();
    details["attempt"] = message.attempts;
    details["claim"] = message.claim;
    details["idempotency_key"] = message.idempotency_key;
    details["kind"] = message.unreadable.empty() ? std::string(to_string(message.kind)) : "?";
    details["channel"] = storable(message.channel);
    return ActionEntry{.time = clock->now(),
                       .action = action,
                       .interview = message.interview,
                       .actor = Actor::system(),
                       .from = std::nullopt,
                       .to = std::nullopt,
                       .details = std::move(details)};
  }

  static Decision ending(OutboxState state, ActionType action, std::string reason) {
    Decision d;
    d.completion = {state, std::nullopt, storable(reason), {}};
    d.action = action;
    d.details["error"] = d.completion.error;
    return d;
  }

  // ---- Checks that decide a message's fate without sending it -------------------------

  std::optional<Decision> precheck(const OutboxMessage& message,
                                   std::optional<Notification>& notification) {
    using enum OutboxState;
    constexpr auto dead_letter = ActionType::notification_dead_lettered;
    if (!message.unreadable.empty()) {
      return ending(dead, dead_letter,
                    fmt::format("this version cannot read the message: {}", message.unreadable));
    }
    if (message.unfinished_claims > options.max_unfinished_claims) {
      return ending(dead, dead_letter,
                    fmt::format("claimed {} times without a recorded outcome: a worker crashed "
                                "or hung while delivering it",
                                message.unfinished_claims - 1));
    }
    try {
      // A payload BookingService deferred (MemoryStore) is never JSON: read it directly.
      const auto* deferred = detail::notification_payload(message.payload);
      notification = deferred ? deferred->notification() : message.payload.get<Notification>();
    } catch (...) {
      return ending(dead, dead_letter,
                    fmt::format("payload is not a valid notification: {}",
                                describe_exception(std::current_exception())));
    }
    if (!channels.contains(message.channel)) {
      return ending(
          dead, dead_letter,
          fmt::format("no notifier for channel \"{}\" in this dispatcher", message.channel));
    }
    const auto now = clock->now();
    const auto& slot = notification->interview.slot;
    if (slot && about_upcoming(*notification) && UtcMillis{slot->start()} <= now) {
      return ending(
          expired, ActionType::notification_expired,
          fmt::format("interview started at {}; not sent late", format_utc(slot->start())));
    }
    return std::nullopt;  // the revision is checked once the lease is renewed
  }

  // Reads the interview as it is now: a message for an older revision whose content the
  // interview has moved past is expired, not sent (a stale invite after a cancel).
  std::optional<Decision> check_revision(const OutboxMessage& message,
                                         const Notification& notification) {
    auto current = guarded("the store", [&] { return store->find(message.interview); });
    if (!current && current.error().is<NotFound>()) {
      return ending(OutboxState::dead, ActionType::notification_dead_lettered,
                    fmt::format("interview {} no longer exists", message.interview));
    }
    if (!current) {
      return retry_or_give_up(
          message, notification,
          DeliveryOutcome::transient_failure(fmt::format(
              "cannot read the interview's current revision: {}", current.error().message())));
    }
    if (auto why = superseded(notification, *current)) {
      auto d = ending(OutboxState::expired, ActionType::notification_expired, *why);
      d.details["superseded_by_version"] = current->version;
      d.superseded = true;
      return d;
    }
    return std::nullopt;
  }

  // ---- Retry decision -----------------------------------------------------------------

  // The next attempt's time for a retryable failure, or why there is none. Bounded by the
  // retry cap (a channel's Retry-After included), the horizon and the interview's start.
  std::variant<UtcMillis, Decision> next_attempt(const OutboxMessage& message,
                                                 const Notification& notification,
                                                 const DeliveryOutcome& outcome, bool tried) {
    const auto now = clock->now();
    const auto& retry = options.retry;
    if (tried && retry.max_attempts != 0 && message.attempts >= retry.max_attempts) {
      return ending(OutboxState::dead, ActionType::notification_dead_lettered,
                    fmt::format("gave up after {} attempts: {}", message.attempts, outcome.detail));
    }
    const auto horizon = message.first_attempt_at.value_or(now) + retry.max_age;
    if (now >= horizon) {
      return ending(OutboxState::dead, ActionType::notification_dead_lettered,
                    fmt::format("retry budget exhausted: still failing {} min after the first "
                                "attempt ({} attempts): {}",
                                retry.max_age.count() / 60000, message.attempts, outcome.detail));
    }
    // A Retry-After is honoured between the base delay (so "0" or a past date cannot make a
    // busy loop) and the cap (so "999999999" cannot park a message for decades).
    // An open circuit's own time (not tried) is kept as it is.
    auto next = now + backoff(message.attempts);
    if (outcome.retry_at) {
      next = tried ? std::clamp(*outcome.retry_at, now + retry.base, now + retry.cap)
                   : std::max(*outcome.retry_at, now + retry.base);
    }
    next = std::min(next, horizon);
    if (const auto& slot = notification.interview.slot; slot && about_upcoming(notification)) {
      const UtcMillis start{slot->start()};
      if (next >= start) {
        const auto half = (start - now) / 2;  // one more try before it starts, not after
        if (half < std::chrono::seconds{1}) {
          return ending(OutboxState::expired, ActionType::notification_expired,
                        fmt::format("interview starts at {}, before another attempt could be "
                                    "made; not sent late: {}",
                                    format_utc(slot->start()), outcome.detail));
        }
        next = now + half;
      }
    }
    return next;
  }

  // Whether the message is about an interview still to come (an invite, a reminder, a move,
  // a cancellation), which is worthless once it has started: not one sent because it took
  // place or was missed, which can only be sent after it started.
  static bool about_upcoming(const Notification& notification) {
    const auto status = notification.interview.status;
    return status != InterviewStatus::completed && status != InterviewStatus::no_show;
  }

  // `tried`: false when nothing was sent (an open circuit): that does not use up attempts.
  Decision retry_or_give_up(const OutboxMessage& message, const Notification& notification,
                            const DeliveryOutcome& outcome, bool tried = true) {
    Decision d;
    d.details["error"] = storable(outcome.detail);
    d.details["retryable"] = outcome.retryable;
    if (!outcome.retryable) {
      d = ending(OutboxState::dead, ActionType::notification_dead_lettered, outcome.detail);
      d.details["retryable"] = false;
      return d;
    }
    auto next = next_attempt(message, notification, outcome, tried);
    if (auto* given_up = std::get_if<Decision>(&next)) {
      given_up->details["retryable"] = true;
      return std::move(*given_up);
    }
    const auto at = std::get<UtcMillis>(next);
    d.completion = {OutboxState::pending, at, storable(outcome.detail), {}};
    d.action = ActionType::notification_failed;
    d.details["next_attempt"] = format_utc(at);
    return d;
  }

  // ---- Circuit breaker ----------------------------------------------------------------

  static std::string destination_of(const std::string& channel, const Notifier& notifier) {
    auto where = notifier.destination();
    return where.empty() ? channel : channel + " " + where;
  }

  // What the destination's circuit says about a send now.
  struct Gate {
    std::optional<DeliveryOutcome> open;  ///< fail fast with this (a retryable failure)
    bool waited = false;                  ///< a probe was waited for: check again
  };

  // Closed: send. Open: fail fast, due when it may close. Open and due to close: this send is
  // the probe. A probe in flight: with `may_wait`, waits for its outcome (at most a
  // delivery_timeout of real time, or until stop()) and says so, so that the caller renews
  // its lease and reads the revision again before asking once more; a probe that closes the
  // circuit then lets the sends beside it go out in the same pass instead of parking them
  // until its deadline. Deciding and claiming the probe happen under one lock.
  Gate breaker_gate(const std::string& destination, bool may_wait) {
    if (options.breaker.failure_threshold == 0)
      return {};
    std::unique_lock lock(breaker_mutex);
    auto& b = breakers[destination];
    auto now = clock->now();
    const auto probing = [&] { return b.probe_until && now < *b.probe_until; };
    if (b.open_until && now >= *b.open_until && probing() && may_wait) {
      const auto until = std::chrono::steady_clock::now() + options.delivery_timeout;
      probe_ended.wait_until(lock, until, [&] {
        now = clock->now();
        return stopping.load() || !probing();
      });
      return {.open = std::nullopt, .waited = true};
    }
    if (!b.open_until)
      return {};
    if (now >= *b.open_until && !probing()) {
      b.probe_until = now + options.delivery_timeout;  // this delivery is the probe
      return {};
    }
    const auto retry = std::max(*b.open_until, b.probe_until.value_or(*b.open_until));
    return {.open = DeliveryOutcome::transient_failure(
                fmt::format("circuit open for {} until {} after {} consecutive failures; not tried",
                            destination, format_utc(retry), b.failures),
                retry),
            .waited = false};
  }

  void breaker_outcome(const std::string& destination, bool ok, const std::string& error) {
    if (options.breaker.failure_threshold == 0)
      return;
    std::optional<ActionEntry> change;
    {
      std::lock_guard lock(breaker_mutex);
      auto& b = breakers[destination];
      const auto now = clock->now();
      if (ok) {
        if (b.open_until)
          change = circuit_entry(ActionType::channel_circuit_closed, destination, {});
        b = Breaker{};
      } else if (++b.failures >= options.breaker.failure_threshold) {
        if (!b.open_until)
          change = circuit_entry(ActionType::channel_circuit_opened, destination, error);
        b.open_until = now + options.breaker.open_for;
        b.probe_until.reset();  // a failed probe: the next one after open_for
      }
    }
    probe_ended.notify_all();
    if (change)
      log->record(*change);
  }

  ActionEntry circuit_entry(ActionType action, const std::string& destination,
                            const std::string& error) {
    nlohmann::json details = {{"destination", storable(destination)}};
    if (!error.empty())
      details["error"] = storable(error);
    if (action == ActionType::channel_circuit_opened)
      details["open_for_ms"] = options.breaker.open_for.count();
    return ActionEntry{.time = clock->now(),
                       .action = action,
                       .interview = InterviewId{},
                       .actor = Actor::system(),
                       .from = std::nullopt,
                       .to = std::nullopt,
                       .details = std::move(details)};
  }

  // ---- Sending ------------------------------------------------------------------------

  // True if this worker holds the message for at least one whole delivery from now. With
  // `force` (right before a send) the store always confirms it: the renewal is fenced on
  // the message still being pending under this claim, so a cancel that expired it, or a
  // worker that took it over, stops the send. Without it, renews once half the lease is
  // gone. A renewal that itself took long is checked against the clock again.
  bool hold_lease(OutboxMessage& message, DrainStats& stats, bool force) {
    const auto now = clock->now();
    if (!force && message.claimed_until && *message.claimed_until - now >= options.lease / 2)
      return true;
    auto renewed = guarded("the store", [&] {
      return store->renew(message.id, message.claim, now + options.lease, now);
    });
    if (!renewed) {
      ++stats.store_errors;
      report(fmt::format("cannot renew the lease of outbox message {}: {}", message.id,
                         renewed.error().message()));
      return false;
    }
    if (!*renewed)
      return false;
    message.claimed_until = now + options.lease;
    return *message.claimed_until - clock->now() >= options.delivery_timeout;
  }

  Decision send(const OutboxMessage& message, const Notification& notification,
                const std::string& destination, std::optional<DeliveryOutcome> open) {
    DeliveryOutcome outcome;
    if (open) {
      outcome = *open;
    } else {
      auto& notifier = *channels.find(message.channel)->second;
      outcome = deliver(notifier, message, notification);
      breaker_outcome(destination, outcome.ok() || !outcome.retryable, outcome.detail);
    }
    Decision d;
    if (outcome.ok()) {
      // The receiver's reply becomes the message's last_error: what an operator asking
      // "did it arrive?" wants to see (a queue id, "250 OK").
      d.completion = {OutboxState::delivered, std::nullopt, storable(outcome.detail), {}};
      if (!d.completion.error.empty())
        d.details["detail"] = d.completion.error;
    } else {
      d = retry_or_give_up(message, notification, outcome, !open);
    }
    d.attempted = !open;
    if (open)
      d.details["circuit_open"] = true;  // failed fast: nothing was sent
    d.details["recipient"] = notification.recipient.key();
    d.details["email"] = notification.recipient.person.email().str();
    return d;
  }

  DeliveryOutcome deliver(Notifier& notifier, const OutboxMessage& message,
                          const Notification& notification) {
    const DeliveryContext context{
        .deadline = std::chrono::steady_clock::now() + options.delivery_timeout,
        .attempt = message.attempts,
        .message_token = message.message_token,
    };
    const InFlight in_flight(counters.in_flight);
    try {
      return notifier.deliver(notification, context);
    } catch (...) {
      return DeliveryOutcome::transient_failure(
          fmt::format("notifier threw: {}", describe_exception(std::current_exception())));
    }
  }

  // ---- Recording ----------------------------------------------------------------------

  // Stores an outcome; a failed attempt is tried again a few times while the lease still
  // holds, since a message whose sent outcome is not stored is sent again after its lease.
  Result<bool> complete(const OutboxMessage& message, const OutboxCompletion& completion) {
    auto stored = guarded("the store", [&] {
      return store->complete(message.id, message.claim, completion, clock->now());
    });
    for (auto pause : {milliseconds{50}, milliseconds{250}, milliseconds{1000}}) {
      const bool lease_left =
          message.claimed_until && *message.claimed_until - clock->now() > 2 * pause;
      if (stored || !lease_left || stopping.load())
        break;
      clock->pause(pause);
      stored = guarded("the store", [&] {
        return store->complete(message.id, message.claim, completion, clock->now());
      });
    }
    return stored;
  }

  // Stores the outcome, with its log entry in the same transaction when the log lives in
  // the store. When the store cannot take the outcome, the entry still reaches the log
  // (noting why), so an attempt is never invisible.
  void finish(const OutboxMessage& message, Decision d, DrainStats& stats) {
    auto record = entry(message, d.action, d.details);
    if (d.completion.state == OutboxState::pending && d.completion.next_due)
      record.details["next_attempt"] = format_utc(*d.completion.next_due);
    if (log_in_store)
      d.completion.log.push_back(record);
    auto stored = complete(message, d.completion);
    if (!stored) {
      ++stats.store_errors;
      record.details["store_error"] = storable(stored.error().message());
      record.details.erase("next_attempt");  // not stored: the message retries after its lease
      report(fmt::format("cannot record the outcome of outbox message {}: {}", message.id,
                         stored.error().message()));
      log->record(record);
      return;
    }
    if (!*stored) {
      ++stats.fenced;
      if (!d.attempted)
        return;  // another worker owns it and decides
      record.details["fenced"] = true;
      log->record(record);
      return;
    }
    count(d.completion.state, stats);
    if (!log_in_store)
      log->record(record);
    count_outcome(message, d);
    if (d.completion.state == OutboxState::dead)
      dead_lettered(message, d.completion.error);
  }

  // ---- Metrics and callbacks ----------------------------------------------------------

  // Counts a stored outcome for stats(): per channel and kind, and for a delivery the
  // seconds since the message became due (its due time, or the first attempt of this
  // round if earlier, so a delivery after retries counts their wait too).
  void count_outcome(const OutboxMessage& message, const Decision& d) {
    const auto now = clock->now();
    std::lock_guard lock(counters.mutex);
    auto& c = counters.outcomes[{message.channel, message.kind}];
    switch (d.completion.state) {
      case OutboxState::delivered: {
        ++c.delivered;
        const auto since = std::min(message.due, message.first_attempt_at.value_or(message.due));
        const auto late = std::chrono::duration<double>(now - since).count();
        counters.observe_latency(std::max(late, 0.0));
        break;
      }
      case OutboxState::pending:
        ++c.failed;
        break;
      case OutboxState::dead:
        ++c.dead;
        break;
      case OutboxState::expired:
        ++(d.superseded ? c.superseded : c.expired);
        break;
    }
  }

  // The host's callback, after the dead letter was stored; nothing it throws leaves here.
  void dead_lettered(const OutboxMessage& message, const std::string& reason) noexcept {
    if (!options.on_dead_letter)
      return;
    try {
      auto dead = message;
      dead.state = OutboxState::dead;
      dead.last_error = reason;
      dead.claimed_until.reset();
      options.on_dead_letter(dead, reason);
    } catch (...) {
      report(fmt::format("on_dead_letter threw for outbox message {}: {}", message.id,
                         describe_exception(std::current_exception())));
    }
  }

  static void count(OutboxState state, DrainStats& stats) {
    switch (state) {
      case OutboxState::delivered:
        ++stats.delivered;
        break;
      case OutboxState::pending:
        ++stats.failed;
        break;
      case OutboxState::dead:
        ++stats.dead;
        break;
      case OutboxState::expired:
        ++stats.expired;
        break;
    }
  }

  // Gives an unattempted claim back (stop() was called): due at once for the next worker,
  // instead of waiting out a lease nobody works on. A failure here only costs that wait.
  void release(const OutboxMessage& message, DrainStats& stats) {
    auto released = guarded(
        "the store", [&] { return store->release(message.id, message.claim, clock->now()); });
    if (!released) {
      report(fmt::format("cannot give back outbox message {}: {}; it is retried after its lease",
                         message.id, released.error().message()));
    }
    ++stats.released;
  }

  // One message, in the order that makes a stale or duplicate send impossible: decide what
  // needs no send; renew the lease fenced on the message still being ours and pending; only
  // then read the interview's revision (a cancel committed before the renewal is seen);
  // send; store the outcome fenced on the same claim.
  void handle(OutboxMessage& message, DrainStats& stats) {
    // A wait for a circuit's probe can last a delivery_timeout: everything is checked
    // again after it (the interview may have started, the message been superseded).
    for (bool waited = false;; waited = true) {
      std::optional<Notification> notification;
      if (auto decided = precheck(message, notification)) {
        finish(message, std::move(*decided), stats);
        return;
      }
      if (!hold_lease(message, stats, /*force=*/true)) {
        ++stats.fenced;
        return;
      }
      // Read after the fenced renewal: a change committed before it is seen here.
      if (auto decided = check_revision(message, *notification)) {
        finish(message, std::move(*decided), stats);
        return;
      }
      if (stopping.load()) {
        release(message, stats);
        return;
      }
      const auto destination =
          destination_of(message.channel, *channels.find(message.channel)->second);
      auto gate = breaker_gate(destination, /*may_wait=*/!waited);
      if (!gate.waited) {
        finish(message, send(message, *notification, destination, std::move(gate.open)), stats);
        return;
      }
    }
  }

  // Keeps the messages of a batch that still wait for a slot under this worker's lease:
  // when the leases are about to run short (half the lease gone), every waiting message is
  // renewed, so a slow batch is never claimed (and sent) again by another worker. Renewal
  // happens once per lease period, not per message. Runs under the plan's lock, so no
  // waiting message starts meanwhile.
  void hold_waiting(std::span<OutboxMessage> batch, std::span<const std::size_t> waiting,
                    DrainStats& stats) {
    if (waiting.empty())
      return;
    const auto& first = batch[waiting.front()];
    if (!first.claimed_until || *first.claimed_until - clock->now() >= options.lease / 2)
      return;
    for (const auto index : waiting) {
      auto& message = batch[index];
      if (!message.unreadable.empty() || message.claim == 0)
        continue;
      if (!hold_lease(message, stats, /*force=*/false))
        message.claim = 0;  // lost to another worker: skipped when its turn comes
    }
  }

  // One claimed message, whatever happens: never throws.
  void deliver_one(OutboxMessage& message, DrainStats& stats) noexcept {
    try {
      if (stopping.load()) {
        release(message, stats);
        return;
      }
      if (message.claim == 0) {
        ++stats.fenced;
        return;
      }
      handle(message, stats);
    } catch (...) {
      report(fmt::format("outbox message {}: {}", message.id,
                         describe_exception(std::current_exception())));
    }
  }

  // What one delivery thread does in a pass: take the next message the plan allows until
  // none is left waiting. Its counts join the pass's under `total_mutex`.
  void work(detail::PassPlan& plan, std::span<OutboxMessage> batch, DrainStats& total,
            std::mutex& total_mutex) noexcept {
    const InPass marker(this);
    DrainStats mine;
    const detail::PassPlan::WaitingHook hook = [&](std::span<const std::size_t> waiting) {
      hold_waiting(batch, waiting, mine);
    };
    try {
      const auto renew_every = std::max(milliseconds{1}, options.lease / 4);
      while (const auto job = plan.acquire(hook, renew_every)) {
        deliver_one(batch[*job], mine);
        plan.release(*job);
      }
    } catch (...) {  // the rest of the batch waits out its lease: late, not lost
      report(fmt::format("dispatcher pass stopped early: {}",
                         describe_exception(std::current_exception())));
    }
    std::lock_guard lock(total_mutex);
    add(total, mine);
  }

  // Where a channel delivers, for the plan; the host's destination() may throw, and then
  // the channel's name stands in (as if it had none) rather than failing the pass.
  std::string planned_destination(const std::string& channel) {
    const auto notifier = channels.find(channel);
    if (notifier == channels.end())
      return channel;
    try {
      return destination_of(channel, *notifier->second);
    } catch (...) {
      report(fmt::format("channel {}: destination() threw: {}", channel,
                         describe_exception(std::current_exception())));
      return channel;
    }
  }

  // The identity of the notifier serving `channel`: one notifier may serve several names,
  // and its max_concurrency bounds them together.
  std::string notifier_key(const std::string& channel) const {
    const auto notifier = channels.find(channel);
    return notifier == channels.end()
               ? channel
               : fmt::format("{}", static_cast<const void*>(notifier->second.get()));
  }

  // The plan's view of a batch: each message's lane, channel, notifier and destination
  // (asked of each channel once per pass).
  std::vector<detail::PlannedJob> plan_jobs(std::span<const OutboxMessage> batch) {
    std::map<std::string, std::pair<std::string, std::string>, std::less<>> known;
    std::vector<detail::PlannedJob> jobs;
    jobs.reserve(batch.size());
    for (const auto& m : batch) {
      auto it = known.find(m.channel);
      if (it == known.end()) {
        it = known
                 .emplace(m.channel,
                          std::pair(notifier_key(m.channel), planned_destination(m.channel)))
                 .first;
      }
      jobs.push_back({lane_of(m), m.channel, it->second.first, it->second.second});
    }
    return jobs;
  }

  detail::PlanLimits plan_limits() const {
    detail::PlanLimits limits{
        .per_channel = options.max_per_channel,
        .per_notifier = {},
        .per_destination = options.max_per_destination,
    };
    for (const auto& [name, notifier] : channels) {
      limits.per_notifier.emplace(notifier_key(name),
                                  std::max<std::size_t>(notifier->max_concurrency(), 1));
    }
    return limits;
  }

  // Delivers a claimed batch, up to max_in_flight at once. Whatever fails here (memory),
  // the messages not handled wait out their lease: late, not lost.
  void deliver_batch(std::span<OutboxMessage> batch, DrainStats& stats) noexcept {
    try {
      detail::PassPlan plan(plan_jobs(batch), plan_limits());
      std::mutex stats_mutex;
      const std::function<void()> each_thread = [&] { work(plan, batch, stats, stats_mutex); };
      if (pool && batch.size() > 1)
        pool->run(each_thread);
      else
        each_thread();
    } catch (...) {
      report(fmt::format("dispatcher pass stopped early: {}",
                         describe_exception(std::current_exception())));
    }
  }

  // One pass: claim up to batch_size due messages and handle them, up to max_in_flight at
  // once. A failure of one message is reported and the others go on; only a failed claim
  // is returned. The thread counts as in the pass, so stop() from a callback on it (a
  // begin_batch failure reported to on_error) does not wait for itself.
  Result<DrainStats> drain_once() {
    const InPass marker(this);
    // Taken before claiming: messages claimed while waiting for another pass to finish would
    // sit under a running lease that nobody works on.
    std::lock_guard lock(pass_mutex);
    auto claimed = guarded("the store", [&] {
      return store->claim_due(clock->now(), options.batch_size, options.lease);
    });
    if (!claimed)
      return claimed.error();
    DrainStats stats;
    if (claimed->empty())
      return stats;
    for_each_notifier([](Notifier& n) { n.begin_batch(); });
    deliver_batch(*claimed, stats);
    for_each_notifier([](Notifier& n) { n.end_batch(); });
    stats.claimed = claimed->size();
    return stats;
  }

  template <class F>
  void for_each_notifier(F&& f) noexcept {
    for (auto& [name, notifier] : channels) {
      try {
        f(*notifier);
      } catch (...) {
        report(fmt::format("channel {}: batch hook failed: {}", name,
                           describe_exception(std::current_exception())));
      }
    }
  }

  // ---- Draining until idle ------------------------------------------------------------

  // Pending messages that keep the outbox from being idle, and the earliest moment one of
  // them becomes claimable (its due time, or its lease's end if later).
  struct Remaining {
    std::uint64_t due_now = 0;      // claimable now
    std::uint64_t leased = 0;       // being delivered by a pass (ours or another worker's)
    std::uint64_t due_soon = 0;     // claimable by the deadline
    std::uint64_t retry_later = 0;  // attempted before, and not claimable by the deadline
    std::uint64_t queued = 0;       // waiting behind an earlier message of its lane
    std::optional<UtcMillis> next;
    // Per lane, what its earlier pending messages hold back: detail::waits_behind, folded.
    struct LaneHead {
      UtcMillis earliest_due;
      bool attempted = false;
    };
    std::map<std::string, LaneHead, std::less<>> lanes;
    [[nodiscard]] std::uint64_t total() const {
      return due_now + leased + due_soon + retry_later + queued;
    }
    [[nodiscard]] bool waitable() const { return due_now + leased + due_soon > 0; }
  };

  // A leased message is being delivered (by the background thread's pass, or another
  // worker): its outcome is awaited, looking again shortly rather than at its lease's end.
  // Messages are tallied in id order, so a lane's earlier messages are seen first.
  static void tally(const OutboxMessage& m, UtcMillis now, UtcMillis deadline, Remaining& left) {
    auto [lane, first] = left.lanes.try_emplace(lane_of(m), Remaining::LaneHead{m.due, false});
    auto& head = lane->second;
    const bool queued = !first && (head.earliest_due <= m.due || head.attempted);
    head.earliest_due = std::min(head.earliest_due, m.due);
    head.attempted = head.attempted || m.attempts > 0;
    if (queued) {
      if (m.attempts == 0 && m.due > deadline)
        return;       // not yet due and never tried (a reminder behind an invite): nothing owed
      ++left.queued;  // it goes when the message ahead of it is done
      return;
    }
    if (m.claimed_until && *m.claimed_until > now && m.due <= now) {
      ++left.leased;
      const auto soon = now + milliseconds{10};
      left.next = left.next ? std::min(*left.next, soon) : soon;
      return;
    }
    const auto claimable = m.claimed_until ? std::max(m.due, *m.claimed_until) : m.due;
    if (claimable <= now)
      ++left.due_now;
    else if (claimable <= deadline)
      ++left.due_soon;
    else if (m.attempts > 0)
      ++left.retry_later;
    else
      return;  // not yet due and never tried (a reminder): no work left undone
    left.next = left.next ? std::min(*left.next, claimable) : claimable;
  }

  // Every pending message, a page at a time: a message waiting for a retry cannot be told
  // apart by a count, only by its attempts.
  Result<Remaining> remaining(UtcMillis now, UtcMillis deadline) const {
    Remaining left;
    OutboxQuery query{.state = OutboxState::pending};
    query.limit = 10000;
    for (;;) {
      auto page = guarded("the store", [&] { return store->list_outbox(query); });
      if (!page)
        return page.error();
      for (const auto& m : *page)
        tally(m, now, deadline, left);
      if (page->size() < query.limit)
        return left;
      query.after = page->back().id;
    }
  }

  static void add(DrainStats& total, const DrainStats& pass) {
    total.claimed += pass.claimed;
    total.delivered += pass.delivered;
    total.failed += pass.failed;
    total.dead += pass.dead;
    total.expired += pass.expired;
    total.fenced += pass.fenced;
    total.released += pass.released;
    total.store_errors += pass.store_errors;
  }

  static Error not_idle(const Remaining& left, milliseconds timeout) {
    return Unavailable{fmt::format(
        "outbox not idle within {} ms: {} pending messages remain ({} due now, {} being "
        "delivered, {} due within the timeout, {} waiting for a retry after it, {} queued "
        "behind an earlier message to the same recipient); the next is due at {}",
        timeout.count(), left.total(), left.due_now, left.leased, left.due_soon, left.retry_later,
        left.queued, left.next ? format_utc(*left.next) : std::string("?"))};
  }

  // Passes until nothing is left that could be done by the deadline; in between, sleeps
  // until the next message becomes claimable (never past the deadline or idle_poll).
  Result<DrainStats> drain_until_idle(milliseconds timeout) {
    using steady = std::chrono::steady_clock;
    const auto deadline = steady::now() + timeout;
    DrainStats total;
    for (;;) {
      auto pass = drain_once();
      if (!pass)
        return pass.error();
      add(total, *pass);
      // Rounded up: zero means the deadline has passed, not that less than 1 ms is left.
      const auto time_left =
          std::max(std::chrono::ceil<milliseconds>(deadline - steady::now()), milliseconds{0});
      if (pass->claimed == options.batch_size && time_left > milliseconds::zero())
        continue;  // a full batch: more may be due
      const auto now = clock->now();
      auto left = remaining(now, now + time_left);
      if (!left)
        return left.error();
      if (left->total() == 0)
        return total;
      if (time_left == milliseconds::zero() || !left->waitable())
        return not_idle(*left, timeout);
      const auto until_next = std::chrono::duration_cast<milliseconds>(*left->next - now);
      std::this_thread::sleep_for(
          std::clamp(until_next, milliseconds{1}, std::min(time_left, options.idle_poll)));
    }
  }

  // ---- Background thread --------------------------------------------------------------

  // One pass of the background thread, and how long to sleep after it: not at all when the
  // batch was full, until the next due message otherwise, never longer than idle_poll (other
  // processes may enqueue without waking this one).
  milliseconds pass() noexcept {
    try {
      auto stats = drain_once();
      if (!stats) {
        report(fmt::format("cannot claim messages: {}", stats.error().message()));
        return options.idle_poll;
      }
      if (stats->claimed == options.batch_size)
        return milliseconds::zero();  // more may be waiting
      auto due = guarded("the store", [&] { return store->next_due(); });
      if (!due || !*due)
        return options.idle_poll;
      const auto until = std::chrono::duration_cast<milliseconds>(**due - clock->now());
      // Due, yet this pass claimed nothing: it waits behind an earlier message of its lane
      // (which another pass or worker is delivering, or which waits for a retry). Polling
      // for it at once would spin.
      if (until <= milliseconds::zero() && stats->claimed == 0)
        return options.idle_poll;
      return std::clamp(until, milliseconds{1}, options.idle_poll);
    } catch (...) {
      report(
          fmt::format("dispatcher pass failed: {}", describe_exception(std::current_exception())));
      return options.idle_poll;
    }
  }

  // Ends when stop() is called. Called from a callback, stop() could not join this thread:
  // the thread then marks itself exited and clears `stopping`, so the dispatcher is not
  // left half-stopped (host passes giving every claim back, start() doing nothing).
  void run() noexcept {
    std::unique_lock lock(thread_mutex);
    while (!stopping.load()) {
      lock.unlock();
      const auto wait = pass();
      lock.lock();
      if (wait > milliseconds::zero() && !stopping.load()) {
        wakeup.wait_for(lock, wait, [&] { return woken || stopping.load(); });
      }
      woken = false;
    }
    exited = true;
    stopping = false;
  }
};

Result<std::unique_ptr<Dispatcher>> Dispatcher::make(std::shared_ptr<Store> store,
                                                     Channels channels,
                                                     std::shared_ptr<ActionLog> log,
                                                     DispatcherOptions options) {
  if (!store || !log)
    return InvalidInput{"Dispatcher needs a store and an action log"};
  if (channels.empty())
    return InvalidInput{"Dispatcher needs at least one channel"};
  for (const auto& [name, notifier] : channels) {
    if (!notifier)
      return InvalidInput{fmt::format("Dispatcher: channel \"{}\" has no notifier", name)};
  }
  if (auto ok = validate(options); !ok)
    return InvalidInput{fmt::format("DispatcherOptions: {}", ok.error().message())};
  auto impl = std::make_unique<Impl>();
  impl->log_in_store = logs_into(*log, *store);
  impl->store = std::move(store);
  impl->channels = std::move(channels);
  impl->log = std::move(log);
  impl->clock = options.clock ? options.clock : std::make_shared<SystemClock>();
  impl->jitter.seed(options.jitter_seed != 0 ? options.jitter_seed : std::random_device{}());
  impl->counters.latency.bounds_seconds = options.latency_buckets_seconds;
  impl->counters.latency.counts.assign(options.latency_buckets_seconds.size() + 1, 0);
  if (options.max_in_flight > 1) {
    impl->pool = std::make_unique<detail::WorkerPool>(options.max_in_flight - 1, options.on_error);
  }
  impl->options = std::move(options);
  return std::unique_ptr<Dispatcher>(new Dispatcher(std::move(impl)));
}

Result<std::unique_ptr<Dispatcher>> Dispatcher::make(std::shared_ptr<Store> store,
                                                     std::shared_ptr<Notifier> notifier,
                                                     std::shared_ptr<ActionLog> log,
                                                     DispatcherOptions options) {
  Channels channels;
  channels.emplace("default", std::move(notifier));
  return make(std::move(store), std::move(channels), std::move(log), std::move(options));
}

Dispatcher::Dispatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Dispatcher::~Dispatcher() {
  stop();
}

Result<DrainStats> Dispatcher::drain_once() {
  try {
    return impl_->drain_once();
  } catch (...) {
    return Unavailable{
        fmt::format("dispatcher pass failed: {}", describe_exception(std::current_exception()))};
  }
}

Result<DrainStats> Dispatcher::drain_until_idle(std::chrono::milliseconds timeout) {
  try {
    return impl_->drain_until_idle(timeout);
  } catch (...) {
    return Unavailable{
        fmt::format("drain_until_idle failed: {}", describe_exception(std::current_exception()))};
  }
}

// Counters are copied under their lock; the gauges are read from the store, whose
// exceptions (and the clock's) become error values.
Result<MetricsSnapshot> Dispatcher::stats() const {
  return guarded("Dispatcher::stats", [&]() -> Result<MetricsSnapshot> {
    MetricsSnapshot s;
    if (auto read = detail::read_outbox_gauges(*impl_->store, impl_->clock->now(), s); !read)
      return read.error();
    auto& counters = impl_->counters;
    {
      std::lock_guard lock(counters.mutex);
      s.outcomes = counters.outcomes;
      s.latency = counters.latency;
    }
    s.in_flight = counters.in_flight.load();
    return s;
  });
}

// The clock, the store and the log are the host's: whatever they throw stays here.
Result<bool> Dispatcher::requeue(OutboxId id, const Actor& actor) {
  return guarded("requeue", [&]() -> Result<bool> {
    auto message = guarded("the store", [&] { return impl_->store->find_outbox(id); });
    if (!message)
      return message.error();
    if (!*message)
      return InvalidInput{fmt::format("no outbox message {}", id)};
    const auto now = impl_->clock->now();
    const ActionEntry record{.time = now,
                             .action = ActionType::notification_requeued,
                             .interview = (*message)->interview,
                             .actor = actor,
                             .from = std::nullopt,
                             .to = std::nullopt,
                             .details = {{"outbox_id", id.value()},
                                         {"idempotency_key", (*message)->idempotency_key},
                                         {"previous_error", storable((*message)->last_error)}}};
    std::span<const ActionEntry> in_store;
    if (impl_->log_in_store)
      in_store = std::span(&record, 1);
    auto done = guarded("the store", [&] { return impl_->store->requeue(id, now, in_store); });
    if (!done || !*done)
      return done;
    if (!impl_->log_in_store)
      impl_->log->record(record);
    wake();
    return true;
  });
}

void Dispatcher::start() {
  std::lock_guard lock(impl_->thread_mutex);
  if (impl_->worker.joinable()) {
    if (!impl_->exited)
      return;
    impl_->worker.join();  // stopped from a callback: it has ended already
  }
  impl_->stopping = false;
  impl_->exited = false;
  try {
    impl_->worker = std::thread([impl = impl_.get()] { impl->run(); });
  } catch (...) {
    impl_->report(fmt::format("dispatcher: cannot start the background thread: {}",
                              describe_exception(std::current_exception())));
  }
}

void Dispatcher::stop() {
  std::thread worker;
  {
    std::lock_guard lock(impl_->thread_mutex);
    if (!impl_->worker.joinable())
      return;
    impl_->stopping = true;
    // Called from a callback on the background thread, or on a delivery thread of its pass
    // (which the background thread waits for): joining would wait for ourselves. The
    // thread ends after this pass instead.
    if (impl_->worker.get_id() == std::this_thread::get_id() || in_pass_of == impl_.get())
      return;
    worker = std::move(impl_->worker);
  }
  impl_->wakeup.notify_all();
  {
    std::lock_guard lock(impl_->breaker_mutex);  // a delivery waiting on a probe stops waiting
  }
  impl_->probe_ended.notify_all();
  worker.join();
  impl_->stopping = false;
}

void Dispatcher::wake() noexcept {
  {
    std::lock_guard lock(impl_->thread_mutex);
    impl_->woken = true;
  }
  impl_->wakeup.notify_all();
}

bool Dispatcher::running() const noexcept {
  std::lock_guard lock(impl_->thread_mutex);
  return impl_->worker.joinable() && !impl_->exited;
}

}  // namespace interviewkit
