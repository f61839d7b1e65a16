// A seeded randomized simulation of the delivery core: random histories of bookings,
// changes, dispatcher passes (two dispatchers), clock jumps, channel faults, store faults
// and simulated worker crashes, each checked against the invariants the library promises:
//   I1 every notification planned for an interview's current revision ends delivered, or
//      pending with a future due time, or expired/dead with a recorded reason;
//   I2 nothing of a superseded revision is delivered after it was superseded;
//   I3 nothing is sent twice except across a crash between send and completion, and then
//      with the same idempotency key and message token;
//   I4 every attempt has exactly one ActionLog entry;
//   I5 no exception escapes;
//   I6 no double booking.
// A failure names its seed; INTERVIEWKIT_SIM_SEED=<seed> INTERVIEWKIT_SIM_HISTORIES=1
// replays it (scripts/simulate runs as many histories as asked).
#pragma once

#include <cstdlib>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <set>

#include <interviewkit/store/store_sink.hpp>

#include "support/faulty_store.hpp"
#include "support/fixture.hpp"

namespace interviewkit::testing::sim {

struct Delivery {
  std::string key;  // idempotency key (per channel)
  std::string token;
  InterviewId interview;
  std::uint64_t version = 0;
  NotificationKind kind{};
  std::optional<TimeRange> slot;
  InterviewStatus status{};
  std::uint64_t seq = 0;  // simulation step when it was sent
  bool by_crashed_worker = false;
};

// A channel whose behaviour the history script sets; it records every call. Deliveries
// run concurrently (up to `concurrency` per channel, both channels at once), so what a
// call does is drawn from its message and attempt, not from a shared stream: a seed
// replays the same outcomes whatever order the threads take.
class SimChannel final : public Notifier {
 public:
  SimChannel(std::string name, std::uint64_t seed, std::mutex& mutex, std::uint64_t& seq,
             std::vector<Delivery>& sent)
      : name_(std::move(name)), seed_(seed), mutex_(mutex), seq_(seq), sent_(sent) {}

  double fail_rate = 0;  // set between passes only
  bool healthy = true;
  std::size_t concurrency = 1;

  DeliveryOutcome deliver(const Notification& n, const DeliveryContext& context) override {
    const auto roll = static_cast<int>(
        mix(std::hash<std::string>{}(n.idempotency_key) ^ (std::uint64_t{context.attempt} << 40U)) %
        100);
    std::lock_guard lock(mutex_);
    ++calls;
    if (!healthy && roll < static_cast<int>(fail_rate * 100)) {
      switch (roll % 5) {
        case 0:
          throw std::runtime_error("connection reset \xC3( by peer");  // invalid UTF-8
        case 1:
          return DeliveryOutcome::transient_failure(std::string("451 \0 busy", 10),
                                                    UtcMillis{std::chrono::years{40}});
        case 2:
          return DeliveryOutcome::transient_failure(std::string(10000, 'x'));
        case 3:
          return DeliveryOutcome::transient_failure("421 try later", UtcMillis{});
        default:
          return DeliveryOutcome::transient_failure("timeout");
      }
    }
    sent_.push_back(Delivery{.key = key_of(n),
                             .token = context.message_token,
                             .interview = n.interview.id,
                             .version = n.interview.version,
                             .kind = n.kind,
                             .slot = n.interview.slot,
                             .status = n.interview.status,
                             .seq = seq_});
    return DeliveryOutcome::delivered("250 ok");
  }
  [[nodiscard]] std::string destination() const override { return "sim://" + name_; }
  [[nodiscard]] std::size_t max_concurrency() const noexcept override { return concurrency; }
  [[nodiscard]] std::string key_of(const Notification& n) const {
    return name_ == "default" ? n.idempotency_key : n.idempotency_key + "/" + name_;
  }

  std::size_t calls = 0;  // GUARDED_BY(mutex_) while a pass runs

 private:
  // splitmix64's finalizer: every input bit moves every output bit.
  [[nodiscard]] std::uint64_t mix(std::uint64_t x) const {
    x ^= seed_;
    x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31U);
  }

  std::string name_;
  std::uint64_t seed_;
  std::mutex& mutex_;
  std::uint64_t& seq_;
  std::vector<Delivery>& sent_;
};

// One interview as the history saw it change: the state after each committed step.
struct Revision {
  std::uint64_t seq;
  Interview interview;
};

struct Totals {
  std::size_t histories = 0, steps = 0, deliveries = 0, crashes = 0, restarts = 0;
  std::size_t store_errors = 0, store_exceptions = 0, in_doubt = 0, channel_faults = 0;
};

class History {
 public:
  History(std::uint64_t seed, std::shared_ptr<Store> base, std::shared_ptr<ActionLog> log,
          std::function<std::vector<ActionEntry>()> entries)
      : seed_(seed),
        rng_(seed),
        base_(std::move(base)),
        log_(std::move(log)),
        entries_(std::move(entries)) {
    clock_ = std::make_shared<ManualClock>(UtcMillis{at(1, 8h)});
    booking_store_ = std::make_shared<FaultyStore>(base_, seed ^ 0x5eed);
    dispatch_store_ = std::make_shared<FaultyStore>(base_, seed ^ 0xd15);
    two_channels_ = rng_() % 2 == 0;
    BookingOptions options{.test_mode = true};
    if (two_channels_)
      options.channels = {"default", "hook"};
    // The log lives in the store when it is a StoreSink over base_: bookings then go
    // through base_ directly so their entries commit with them (a wrapper is another
    // object); store faults are injected on the dispatcher's side.
    auto booking_store = logs_into(*log_, *base_) ? base_ : booking_store_;
    service_ = BookingService::make(booking_store, log_, with_clock(options, clock_)).value();
    for (const auto* name : {"default", "hook"})
      channels_.emplace(name,
                        std::make_shared<SimChannel>(name, rng_(), channel_mutex_, seq_, sent_));
    for (auto& d : dispatchers_)
      d = make_dispatcher();
  }

  // Runs the history; returns a description of the first broken invariant, or "".
  std::string run(std::size_t steps, Totals& totals) {
    for (std::size_t i = 0; i < steps; ++i) {
      ++seq_;
      step();
    }
    settle();
    totals.histories += 1;
    totals.steps += steps;
    totals.deliveries += sent_.size();
    totals.crashes += crashes_;
    totals.restarts += restarts_;
    for (const auto& s : {booking_store_, dispatch_store_}) {
      const auto n = s->injected();
      totals.store_errors += n[0];
      totals.store_exceptions += n[1];
      totals.in_doubt += n[2];
    }
    for (auto& [name, c] : channels_)
      totals.channel_faults += c->calls;
    return check();
  }

 private:
  std::unique_ptr<Dispatcher> make_dispatcher() {
    DispatcherOptions o;
    o.retry.base = 1s;
    o.retry.cap = 1min;
    o.retry.max_age = 6h;
    o.lease = 2min;
    o.delivery_timeout = 30s;
    o.batch_size = 1 + rng_() % 8;
    // Sequential in some histories, concurrent in most: the invariants hold either way.
    o.max_in_flight = 1 + rng_() % 6;
    o.max_per_destination = rng_() % 3;  // 0: unbounded
    for (auto& [name, c] : channels_)
      c->concurrency = 1 + rng_() % 3;
    o.breaker.failure_threshold = 3;
    o.breaker.open_for = 30s;
    o.jitter_seed = rng_() | 1;
    o.on_error = [](const std::string&) {};
    Dispatcher::Channels channels;
    for (auto& [name, c] : channels_)
      channels.emplace(name, c);
    return Dispatcher::make(dispatch_store_, std::move(channels), log_, with_clock(o, clock_))
        .value();
  }

  int pick(int n) { return static_cast<int>(rng_() % static_cast<std::uint64_t>(n)); }

  TimeRange random_slot() {
    const auto now = date::floor<std::chrono::minutes>(clock_->now());
    const auto start = date::sys_seconds{now} + std::chrono::minutes{30 * (1 + pick(96))};
    return TimeRange::make(start, std::chrono::minutes{30 * (1 + pick(3))}).value();
  }

  void observe(const Result<Interview>& r) {
    if (r)
      revisions_[r->id].push_back({seq_, *r});
  }
  void observe(const Result<TransitionOutcome>& r) {
    if (r)
      revisions_[r->interview.id].push_back({seq_, r->interview});
  }

  std::optional<InterviewId> any_interview() {
    if (revisions_.empty())
      return std::nullopt;
    auto it = revisions_.begin();
    std::advance(it, pick(static_cast<int>(revisions_.size())));
    return it->first;
  }

  void booking_step() {
    const auto who = recruiter();
    const auto op = pick(10);
    if (op == 0 || revisions_.size() < 2) {
      const auto n = revisions_.size();
      CreateRequest request{"Sim",
                            candidate(fmt::format("c-{}", n % 5)),
                            {interviewer(fmt::format("i-{}", pick(3)))}};
      observe(service_->create(request, who));
      return;
    }
    const auto id = *any_interview();
    switch (op) {
      case 1:
      case 2:
      case 3:
        observe(service_->book(id, random_slot(), who));
        break;
      case 4:
        observe(service_->confirm(id, who));
        break;
      case 5:
      case 6:
        observe(service_->reschedule(id, random_slot(), who));
        break;
      case 7:
        observe(service_->cancel(id, "changed plans", who));
        break;
      case 8:
        observe(service_->complete(id, who));
        break;
      default:
        observe(service_->mark_no_show(id, who));
        break;
    }
  }

  // A worker that claims, maybe sends, and dies before recording anything.
  void crash_worker() {
    auto claimed = base_->claim_due(clock_->now(), 1 + rng_() % 3, std::chrono::minutes{2});
    if (!claimed)
      return;
    ++crashes_;
    for (const auto& m : *claimed) {
      if (pick(2) == 0 || !m.unreadable.empty())
        continue;  // died before sending
      auto n = m.payload.get<Notification>();
      auto& channel = *channels_.at(m.channel);
      crashed_keys_.insert(m.idempotency_key);
      const auto before = sent_.size();
      try {
        (void)channel.deliver(
            n, DeliveryContext{
                   .deadline = {}, .attempt = m.attempts, .message_token = m.message_token});
      } catch (const std::exception&) {  // NOLINT(bugprone-empty-catch): it died anyway
      }
      --channel.calls;  // not a dispatcher attempt (I4 counts those)
      if (sent_.size() > before)
        sent_.back().by_crashed_worker = true;
    }
  }

  void set_faults(bool on) {
    const StoreFaults faults{
        .error = on ? 0.08 : 0, .exception = on ? 0.03 : 0, .after_commit = on ? 0.04 : 0};
    dispatch_store_->set_all(faults);
    booking_store_->set_all({.error = on ? 0.05 : 0});
    for (auto& [name, c] : channels_) {
      c->healthy = !on || pick(3) == 0;
      c->fail_rate = on ? 0.5 : 0;
    }
  }

  void step() {
    const auto op = pick(20);
    if (op < 8) {
      booking_step();
    } else if (op < 13) {
      (void)dispatchers_[static_cast<std::size_t>(pick(2))]->drain_once();
    } else if (op < 15) {
      clock_->advance(std::chrono::seconds{1 + pick(120)});
    } else if (op == 15) {
      clock_->advance(std::chrono::hours{1 + pick(12)});
    } else if (op == 16) {
      set_faults(pick(2) == 0);
    } else if (op == 17) {
      crash_worker();
    } else if (op == 18) {
      ++restarts_;
      dispatchers_[static_cast<std::size_t>(pick(2))] = make_dispatcher();
    } else {
      auto dead = base_->list_outbox({.state = OutboxState::dead, .limit = 5});
      if (dead && !dead->empty())
        (void)dispatchers_[0]->requeue(dead->front().id, recruiter());
    }
  }

  // Heals every fault and lets the dispatchers run until nothing is due now.
  void settle() {
    set_faults(false);
    for (int round = 0; round < 400; ++round) {
      ++seq_;
      for (auto& d : dispatchers_)
        (void)d->drain_once();
      auto pending = base_->list_outbox({.state = OutboxState::pending, .limit = 10000});
      if (pending && std::none_of(pending->begin(), pending->end(),
                                  [&](const auto& m) { return m.due <= clock_->now(); }))
        return;
      clock_->advance(std::chrono::seconds{30});
    }
  }

  std::string check();

  std::uint64_t seed_;
  std::mt19937_64 rng_;
  std::shared_ptr<Store> base_;
  std::shared_ptr<ActionLog> log_;
  std::function<std::vector<ActionEntry>()> entries_;
  std::shared_ptr<ManualClock> clock_;
  std::shared_ptr<FaultyStore> booking_store_, dispatch_store_;
  bool two_channels_ = false;
  std::unique_ptr<BookingService> service_;
  std::map<std::string, std::shared_ptr<SimChannel>> channels_;
  std::array<std::unique_ptr<Dispatcher>, 2> dispatchers_;
  std::uint64_t seq_ = 0;
  std::mutex channel_mutex_;  // the channels' shared record, written by delivery threads
  std::vector<Delivery> sent_;
  std::map<InterviewId, std::vector<Revision>> revisions_;
  std::set<std::string> crashed_keys_;
  std::size_t crashes_ = 0, restarts_ = 0;
};

// Whether a delivered notification's content was already untrue when it was sent: a later
// revision, committed before the send, moved the slot or the status it announces.
inline bool stale_when_sent(const Delivery& d, const std::vector<Revision>& revisions) {
  const bool slot_kind = d.kind != NotificationKind::interview_cancelled &&
                         d.kind != NotificationKind::interview_completed &&
                         d.kind != NotificationKind::interview_no_show;
  for (const auto& r : revisions) {
    if (r.interview.version <= d.version || r.seq > d.seq)
      continue;
    const auto& now = r.interview;
    const bool stale =
        slot_kind ? !holds_slot(now.status) || now.slot != d.slot : now.status != d.status;
    if (stale)
      return true;
  }
  return false;
}

inline std::string History::check() {
  const auto fail = [&](const std::string& what) {
    return fmt::format("seed {}: {}", seed_, what);
  };
  auto outbox = base_->list_outbox({.limit = 10000});
  if (!outbox)
    return fail("cannot list the outbox: " + outbox.error().message());
  const auto now = clock_->now();
  // I1: the current revision's messages are settled, each with its reason.
  std::map<InterviewId, Interview> current;
  for (const auto& [id, revs] : revisions_) {
    auto stored = base_->find(id);
    if (!stored)
      return fail("cannot read interview: " + stored.error().message());
    current.insert_or_assign(id, *stored);
  }
  for (const auto& m : *outbox) {
    const auto& interview = current.at(m.interview);
    const auto version = m.payload.at("interview").at("version").get<std::uint64_t>();
    if (version != interview.version)
      continue;
    const bool ok = m.state == OutboxState::delivered ||
                    (m.state == OutboxState::pending && m.due > now) ||
                    ((m.state == OutboxState::dead || m.state == OutboxState::expired) &&
                     !m.last_error.empty());
    if (!ok)
      return fail(fmt::format("I1: message {} ({}) of the current revision is {} due {}", m.id,
                              m.idempotency_key, m.state, format_utc(m.due)));
  }
  // I2: nothing stale was sent by a dispatcher.
  for (const auto& d : sent_) {
    if (!d.by_crashed_worker && stale_when_sent(d, revisions_[d.interview])) {
      std::string trail;
      for (const auto& r : revisions_[d.interview])
        trail += fmt::format(" [seq {} v{} {} {}]", r.seq, r.interview.version, r.interview.status,
                             r.interview.slot ? fmt::format("{}", *r.interview.slot) : "-");
      return fail(fmt::format("I2: {} (slot {}) was delivered at seq {} after it was superseded:{}",
                              d.key, d.slot ? fmt::format("{}", *d.slot) : "-", d.seq, trail));
    }
  }
  // I3: duplicates only across a crash, with the same key and token.
  std::map<std::string, std::set<std::string>> tokens;
  std::map<std::string, int> count;
  for (const auto& d : sent_) {
    tokens[d.key].insert(d.token);
    ++count[d.key];
  }
  // A completion the store failed to record is a crash between send and completion too.
  std::set<std::string> unrecorded = crashed_keys_;
  for (const auto& e : entries_()) {
    if (e.details.contains("store_error") && e.details.contains("idempotency_key"))
      unrecorded.insert(e.details.at("idempotency_key").get<std::string>());
  }
  for (const auto& [key, n] : count) {
    if (tokens[key].size() != 1)
      return fail(fmt::format("I3: {} was sent with {} different tokens", key, tokens[key].size()));
    if (n > 1 && !unrecorded.contains(key))
      return fail(fmt::format("I3: {} was sent {} times without a crash", key, n));
  }
  // I4: one ActionLog entry per dispatcher attempt.
  std::size_t calls = 0;
  for (auto& [name, c] : channels_)
    calls += c->calls;
  std::size_t attempts = 0;
  for (const auto& e : entries_()) {
    if (e.details.contains("recipient") && !e.details.contains("circuit_open") &&
        (e.action == ActionType::notification_delivered ||
         e.action == ActionType::notification_failed ||
         e.action == ActionType::notification_dead_lettered))
      ++attempts;
  }
  if (attempts != calls)
    return fail(fmt::format("I4: {} attempts but {} attempt entries", calls, attempts));
  // I6: no two slot-holding interviews share a person and overlap.
  std::vector<Interview> holding;
  for (const auto& [id, i] : current) {
    if (holds_slot(i.status) && i.slot)
      holding.push_back(i);
  }
  for (std::size_t a = 0; a < holding.size(); ++a) {
    for (std::size_t b = a + 1; b < holding.size(); ++b) {
      const auto& x = holding[a];
      const auto& y = holding[b];
      const bool shared = x.candidate.id == y.candidate.id ||
                          x.interviewers.front().id == y.interviewers.front().id;
      if (shared && x.slot->overlaps(*y.slot))
        return fail(fmt::format("I6: interviews {} and {} overlap", x.id, y.id));
    }
  }
  return {};
}

// Runs `histories` histories from `first_seed` (or the seed in INTERVIEWKIT_SIM_SEED), each
// on a fresh store from `make_store`, and fails the test with the seed of the first one that
// breaks an invariant. I5: any exception escaping a history fails it too.
template <class MakeStore>
Totals run_histories(std::size_t histories, std::uint64_t first_seed, std::size_t steps,
                     MakeStore make_store) {
  if (const char* env = std::getenv("INTERVIEWKIT_SIM_HISTORIES"))
    histories = std::strtoull(env, nullptr, 10);
  if (const char* env = std::getenv("INTERVIEWKIT_SIM_SEED"))
    first_seed = std::strtoull(env, nullptr, 10);
  Totals totals;
  for (std::size_t i = 0; i < histories; ++i) {
    const auto seed = first_seed + i;
    std::string failure;
    try {
      auto [store, log, entries] = make_store(seed);
      History history(seed, store, log, entries);
      failure = history.run(steps, totals);
    } catch (...) {
      failure = fmt::format("seed {}: I5: exception escaped: {}", seed,
                            describe_exception(std::current_exception()));
    }
    INFO("replay with INTERVIEWKIT_SIM_SEED=" << seed << " INTERVIEWKIT_SIM_HISTORIES=1");
    REQUIRE(failure == "");
  }
  return totals;
}

inline void report(const char* store, const Totals& t) {
  fmt::print(
      "simulation on {}: {} histories, {} steps, {} deliveries, {} worker crashes, {} dispatcher "
      "restarts; store faults injected: {} errors, {} exceptions, {} in-doubt commits\n",
      store, t.histories, t.steps, t.deliveries, t.crashes, t.restarts, t.store_errors,
      t.store_exceptions, t.in_doubt);
}

}  // namespace interviewkit::testing::sim
