// Delivery fate and reconciliation: what the policy says a revision should have sent,
// matched against what the outbox holds for it.
//
// Why recompute rather than trust the outbox: the outbox only knows what was enqueued. A
// row deleted by hand, or an interview changed by a writer that is not a BookingService,
// leaves no trace there; the transition each store records with the revision does, so the
// expected set is rebuilt from it with the same policy walk the BookingService used
// (NotificationPolicy::expect, the key-only twin of plan).
//
// Why earlier revisions count too: a change that makes a message untrue (a reschedule, a
// cancellation) expires it through the policy's supersede rules. A message of an earlier
// revision that is still pending or dead was therefore not made untrue (a confirmation
// leaves the invite standing), and the person it is for is still owed it.
//
// Why the retention cutoff: purged delivered rows are indistinguishable from rows never
// written. A revision made before the latest purge cutoff may have lost delivered rows to
// it, so what it lacks is reported as purged, not missing.
#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include <interviewkit/outbox/fate.hpp>

#include "../domain/enum_text.hpp"
#include "../store/store_detail.hpp"

namespace interviewkit {

std::string_view to_string(Fate fate) noexcept {
  return enum_name(fate);
}

namespace {

using Key = std::tuple<std::string, NotificationKind, std::string>;  // recipient, kind, channel

Key key_of(const NotificationFate& n) {
  return {n.recipient, n.kind, n.channel};
}

// What a stored message says about its notification. An expired message of an older
// revision was made untrue by a later change: superseded, not failed.
NotificationFate fate_of(const OutboxDigest& m, std::uint64_t revision, std::uint64_t current) {
  NotificationFate n{.revision = revision,
                     .recipient = m.recipient,
                     .kind = m.kind,
                     .channel = m.channel,
                     .outbox = m.id,
                     .due = m.due,
                     .attempts = m.attempts,
                     .changed_at = m.updated_at,
                     .detail = m.last_error};
  switch (m.state) {
    case OutboxState::delivered:
      n.fate = Fate::delivered;
      break;
    case OutboxState::pending:
      n.fate = Fate::pending;
      break;
    case OutboxState::dead:
      n.fate = Fate::dead;
      break;
    case OutboxState::expired:
      n.fate = revision < current ? Fate::superseded : Fate::expired;
      break;
  }
  return n;
}

// One (recipient, kind, channel) notification the policy wants for a revision, and the
// moment it was due. A revision expects a handful (people x kinds x channels), so a flat
// vector searched linearly is cheaper than a tree of string keys, 100,000 times over.
struct Expected {
  Key key;
  UtcMillis due;
};

// The channels an interview's own messages use, for options that name none.
std::vector<std::string> channels_of(const RevisionDigest& d) {
  std::vector<std::string> channels;
  for (const auto& m : d.messages) {
    if (std::find(channels.begin(), channels.end(), m.channel) == channels.end())
      channels.push_back(m.channel);
  }
  return channels;
}

std::vector<Expected> expected_of(const RevisionDigest& d, const ReconcileOptions& options) {
  std::vector<Expected> expected;
  if (!d.transition)
    return expected;
  const Transition t{d.transition->from, d.transition->event, d.status};
  const auto channels = options.channels.empty() ? channels_of(d) : options.channels;
  for (auto& e : options.policy.expect(t, d.recipients, d.slot, d.changed_at)) {
    for (const auto& channel : channels)
      expected.push_back({Key{e.recipient, e.kind, channel}, e.due});
  }
  return expected;
}

// Removes and reports the expectation `m` meets, if any.
bool meets(std::vector<Expected>& expected, const OutboxDigest& m) {
  const auto it = std::find_if(expected.begin(), expected.end(), [&](const Expected& e) {
    const auto& [recipient, kind, channel] = e.key;
    return kind == m.kind && recipient == m.recipient && channel == m.channel;
  });
  if (it == expected.end())
    return false;
  expected.erase(it);
  return true;
}

// Why an expected notification has no row: never enqueued, or (for a revision made before
// the retention cutoff) possibly delivered and purged since.
NotificationFate absent(const RevisionDigest& d, const Key& key, UtcMillis due,
                        std::optional<UtcMillis> purged_before) {
  const auto& [recipient, kind, channel] = key;
  NotificationFate n{.revision = d.version,
                     .recipient = recipient,
                     .kind = kind,
                     .channel = channel,
                     .fate = Fate::missing,
                     .due = due,
                     .required = true};
  if (purged_before && d.changed_at < *purged_before) {
    n.fate = Fate::purged;
    n.detail = fmt::format("not in the outbox; retention purged messages before {}",
                           format_utc(*purged_before));
  } else {
    n.detail = fmt::format("never enqueued: {} of revision {} ({} from {}) plans it", d.status,
                           d.version, d.transition->event, d.transition->from);
  }
  return n;
}

// Every notification still owed or settled for the interview's current state: the current
// revision's rows (required when the policy wants them, or when the store cannot say what
// the revision wanted), earlier revisions' rows still in force (required), then the
// expected notifications with no row.
// With `settled` false (reconciliation) a delivered row that meets an expectation is only
// matched off, not reported: the answer is the gaps, and most rows are not.
std::vector<NotificationFate> current_fates(const RevisionDigest& d,
                                            const ReconcileOptions& options,
                                            std::optional<UtcMillis> purged_before,
                                            bool settled = true) {
  auto expected = expected_of(d, options);
  const bool known = d.transition.has_value();
  std::vector<NotificationFate> out;
  for (const auto& m : d.messages) {
    const bool current = m.revision == d.version;
    const bool wanted = current && meets(expected, m);
    if (!settled && wanted && m.state == OutboxState::delivered)
      continue;
    auto n = fate_of(m, m.revision, d.version);
    // An earlier revision's row here is in force: no later change superseded it.
    n.required = !current || !known || wanted;
    out.push_back(std::move(n));
  }
  for (const auto& [key, due] : expected)
    out.push_back(absent(d, key, due, purged_before));
  return out;
}

}  // namespace

Reconciler::Reconciler(std::shared_ptr<const Store> store, ReconcileOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}

Result<Reconciler> Reconciler::make(std::shared_ptr<const Store> store, ReconcileOptions options) {
  if (!store)
    return InvalidInput{"a Reconciler needs a store"};
  if (std::any_of(options.channels.begin(), options.channels.end(),
                  [](const auto& c) { return c.empty(); }))
    return InvalidInput{"a channel name must not be empty"};
  if (options.grace.count() < 0)
    return InvalidInput{"the grace period must not be negative"};
  if (!options.clock)
    options.clock = std::make_shared<SystemClock>();
  return Reconciler(std::move(store), std::move(options));
}

namespace {

// Newest revision first, then by recipient, kind and channel: the order a reader scans.
void sort_fates(std::vector<NotificationFate>& fates) {
  std::stable_sort(fates.begin(), fates.end(), [](const auto& a, const auto& b) {
    if (a.revision != b.revision)
      return a.revision > b.revision;
    return key_of(a) < key_of(b);
  });
}

// The gap a required notification is, if it is one at `now`.
std::optional<DeliveryGap> gap_of(InterviewId interview, const NotificationFate& n, UtcMillis now,
                                  std::chrono::milliseconds grace) {
  if (!n.required || n.fate == Fate::delivered || n.fate == Fate::purged)
    return std::nullopt;
  const auto overdue = std::max(std::chrono::milliseconds{0}, now - n.due);
  if (n.fate == Fate::pending && overdue <= grace)
    return std::nullopt;  // on its way
  return DeliveryGap{interview, n, overdue};
}

}  // namespace

// The current state from its digest (with delivered rows), then the earlier revisions'
// settled messages from the outbox pages of the interview.
Result<InterviewFate> Reconciler::fate(InterviewId interview) const {
  auto digests = store_->revisions({.interview = interview, .with_delivered = true});
  if (!digests)
    return digests.error();
  if (digests->empty())
    return NotFound{interview};
  auto purged_before = store_->purged_before();
  if (!purged_before)
    return purged_before.error();
  const auto& d = digests->front();
  InterviewFate out{interview, d.version, d.status, current_fates(d, options_, *purged_before)};
  OutboxQuery query{.interview = interview, .limit = 10000};
  for (;;) {
    auto page = page_outbox(*store_, query);
    if (!page)
      return page.error();
    for (const auto& m : page->messages) {
      const bool in_digest = m.revision == d.version || m.state == OutboxState::pending ||
                             m.state == OutboxState::dead;
      if (!in_digest)
        out.notifications.push_back(fate_of(detail::digest(m), m.revision, d.version));
    }
    if (!page->next)
      break;
    query.after = *page->next;
  }
  sort_fates(out.notifications);
  return out;
}

std::vector<DeliveryGap> Reconciler::gaps(const InterviewFate& fate) const {
  const auto now = options_.clock->now();
  std::vector<DeliveryGap> out;
  for (const auto& n : fate.notifications) {
    if (auto gap = gap_of(fate.interview, n, now, options_.grace))
      out.push_back(std::move(*gap));
  }
  return out;
}

// Exact rather than clever: every message of the range's current revisions is read, the
// delivered ones as plain columns, so nothing is inferred from counts.
Result<std::vector<DeliveryGap>> Reconciler::reconcile(UtcMillis since, UtcMillis until) const {
  auto digests = store_->revisions({.since = since, .until = until, .with_delivered = true});
  if (!digests)
    return digests.error();
  auto purged_before = store_->purged_before();
  if (!purged_before)
    return purged_before.error();
  const auto now = options_.clock->now();
  std::vector<DeliveryGap> gaps;
  for (const auto& d : *digests) {
    auto fates = current_fates(d, options_, *purged_before, /*settled=*/false);
    sort_fates(fates);
    for (const auto& n : fates) {
      if (auto gap = gap_of(d.interview, n, now, options_.grace))
        gaps.push_back(std::move(*gap));
    }
  }
  return gaps;
}

}  // namespace interviewkit
