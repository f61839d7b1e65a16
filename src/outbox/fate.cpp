// Delivery fate and reconciliation: what the policy says a revision should have sent,
// matched against what the outbox holds for it.
//
// Why recompute rather than trust the outbox: the outbox only knows what was enqueued. A
// row deleted by hand, or an interview changed by a writer that is not a BookingService,
// leaves no trace there; the transition each store records with the revision does, so the
// expected set is rebuilt from it with the same policy walk the BookingService used
// (NotificationPolicy::expect, the key-only twin of plan).
//
// Why the counting shortcut in `reconcile`: the scan reads delivered messages as a count
// per revision, not as rows (100,000 interviews must stay well under a second on SQLite).
// When the delivered count plus the undelivered rows account for every expected
// notification, the expected ones without an undelivered row are the delivered ones; only
// when the numbers disagree is the interview read again, with its delivered rows.
#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include <interviewkit/outbox/fate.hpp>

#include "../domain/enum_text.hpp"

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

// The (recipient, kind, channel) notifications the policy wants for the revision, each with
// the moment it was due; empty when the store does not know what made the revision.
std::map<Key, UtcMillis> expected_of(const RevisionDigest& d, const ReconcileOptions& options) {
  std::map<Key, UtcMillis> expected;
  if (!d.transition)
    return expected;
  const Transition t{d.transition->from, d.transition->event, d.status};
  for (auto& e : options.policy.expect(t, d.recipients, d.slot, d.changed_at)) {
    for (const auto& channel : options.channels)
      expected.emplace(Key{e.recipient, e.kind, channel}, e.due);
  }
  return expected;
}

// Every notification of the current revision: the stored ones (required when the policy
// wants them, or when the store cannot say what the revision wanted), then the expected
// ones with no stored row, as missing.
std::vector<NotificationFate> current_fates(const RevisionDigest& d,
                                            const ReconcileOptions& options) {
  auto expected = expected_of(d, options);
  const bool known = d.transition.has_value();
  std::vector<NotificationFate> out;
  for (const auto& m : d.messages) {
    auto n = fate_of(m, d.version, d.version);
    const auto it = expected.find(key_of(n));
    n.required = !known || it != expected.end();
    if (it != expected.end())
      expected.erase(it);
    out.push_back(std::move(n));
  }
  for (const auto& [key, due] : expected) {
    const auto& [recipient, kind, channel] = key;
    out.push_back(
        {.revision = d.version,
         .recipient = recipient,
         .kind = kind,
         .channel = channel,
         .fate = Fate::missing,
         .due = due,
         .detail = fmt::format("never enqueued: {} of revision {} ({} from {}) plans it", d.status,
                               d.version, d.transition->event, d.transition->from),
         .required = true});
  }
  return out;
}

}  // namespace

Reconciler::Reconciler(std::shared_ptr<const Store> store, ReconcileOptions options)
    : store_(std::move(store)), options_(std::move(options)) {}

Result<Reconciler> Reconciler::make(std::shared_ptr<const Store> store, ReconcileOptions options) {
  if (!store)
    return InvalidInput{"a Reconciler needs a store"};
  if (options.channels.empty())
    return InvalidInput{"a Reconciler needs at least one channel name"};
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

OutboxDigest digest_of(const OutboxMessage& m) {
  return {m.id,  m.recipient, m.kind,       m.channel,   m.state,
          m.due, m.attempts,  m.last_error, m.updated_at};
}

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
  if (!n.required || n.fate == Fate::delivered)
    return std::nullopt;
  const auto overdue = std::max(std::chrono::milliseconds{0}, now - n.due);
  if (n.fate == Fate::pending && overdue <= grace)
    return std::nullopt;  // on its way
  return DeliveryGap{interview, n, overdue};
}

}  // namespace

// The current revision from its digest (with delivered rows), the older ones from the
// outbox pages of the interview.
Result<InterviewFate> Reconciler::fate(InterviewId interview) const {
  auto digests = store_->revisions({.interview = interview, .with_delivered = true});
  if (!digests)
    return digests.error();
  if (digests->empty())
    return NotFound{interview};
  const auto& d = digests->front();
  InterviewFate out{interview, d.version, d.status, current_fates(d, options_)};
  OutboxQuery query{.interview = interview, .limit = 10000};
  for (;;) {
    auto page = page_outbox(*store_, query);
    if (!page)
      return page.error();
    for (const auto& m : page->messages) {
      if (m.revision != d.version)
        out.notifications.push_back(fate_of(digest_of(m), m.revision, d.version));
    }
    if (!page->next)
      break;
    query.after = *page->next;
  }
  sort_fates(out.notifications);
  return out;
}

// True when the revision's delivered count and undelivered rows account for every expected
// notification (see the top of this file), so the delivered rows need not be read.
static bool accounted_for(const RevisionDigest& d, const ReconcileOptions& options) {
  if (!d.transition)
    return true;  // nothing is known to be expected beyond the rows themselves
  const auto expected = expected_of(d, options);
  for (const auto& m : d.messages) {
    if (!expected.contains({m.recipient, m.kind, m.channel}))
      return false;
  }
  return d.delivered + d.messages.size() == expected.size();
}

Result<std::vector<DeliveryGap>> Reconciler::reconcile(UtcMillis since, UtcMillis until) const {
  auto digests = store_->revisions({.since = since, .until = until});
  if (!digests)
    return digests.error();
  const auto now = options_.clock->now();
  std::vector<DeliveryGap> gaps;
  for (auto& d : *digests) {
    std::vector<NotificationFate> fates;
    if (accounted_for(d, options_)) {
      for (const auto& m : d.messages) {  // every row is wanted; the rest were delivered
        fates.push_back(fate_of(m, d.version, d.version));
        fates.back().required = true;
      }
    } else {
      auto full = store_->revisions({.interview = d.interview, .with_delivered = true});
      if (!full)
        return full.error();
      if (full->empty())
        continue;  // the interview was removed since the scan
      fates = current_fates(full->front(), options_);
    }
    sort_fates(fates);
    for (const auto& n : fates) {
      if (auto gap = gap_of(d.interview, n, now, options_.grace))
        gaps.push_back(std::move(*gap));
    }
  }
  return gaps;
}

}  // namespace interviewkit
