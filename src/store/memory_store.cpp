// MemoryStore: the Store in process memory, with the same answers as the SQL stores.
//
// How it stays correct: one mutex serialises every call, so a write transaction is simply
// "hold the lock, stage the changes, apply them if the work succeeded". Staging (rather than
// writing through and undoing) is what makes a failed or throwing transaction leave no
// trace without an undo log. The indexes below mirror the SQL stores' tables and indexes,
// so the conflict check and the claim are as cheap here as there and answer the same way.
#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>

#include <fmt/format.h>

#include <interviewkit/store/memory_store.hpp>

#include "store_detail.hpp"

namespace interviewkit {

using detail::people_of;
using detail::person_key;

// Everything the store holds. Every member is guarded by `mutex`; every method below
// REQUIRES: mutex held.
struct MemoryStore::State {
  mutable std::mutex mutex;
  // The next ids to hand out. A transaction counts on copies, so a rolled-back one's ids are
  // handed out again (as SQLite's AUTOINCREMENT does); a committed id is never reused.
  std::uint64_t next_interview = 1;
  std::uint64_t next_message = 1;
  std::map<InterviewId, Interview> interviews;
  // person key -> slot start -> interviews that hold a slot: the conflict index (SQL:
  // interview_people). Slots are at most max_interview_length long, so a search only
  // visits starts that close before the window.
  std::unordered_map<std::string, std::multimap<date::sys_seconds, InterviewId>> active_by_person;
  std::map<OutboxId, OutboxMessage> outbox;
  // Pending messages by due time, leased or not: the order claims take (SQL: ORDER BY
  // due_ms, id over the pending index).
  std::set<std::pair<UtcMillis, OutboxId>> pending_by_due;
  // Pending messages by the moment they become claimable (due time, or lease end): what
  // next_due answers.
  std::set<std::pair<UtcMillis, OutboxId>> claimable;
  std::multimap<InterviewId, OutboxId> outbox_by_interview;
  // The outbox's unique idempotency keys (SQL: UNIQUE on outbox.idempotency_key).
  std::unordered_map<std::string, OutboxId> outbox_keys;
  std::unordered_map<std::string, IdempotencyRecord> idempotency;
  // The transition that made each interview's current revision (SQL: interviews.last_event
  // and last_from); absent when the last write recorded none.
  std::unordered_map<InterviewId, RecordedTransition> transitions;
  // The latest cutoff retention used (SQL: the retention table).
  std::optional<UtcMillis> purged_before;
  // Interviews by the time of their current revision (SQL: the index on updated_ms).
  std::set<std::pair<date::sys_seconds, InterviewId>> by_change;

  // The fenced update every outcome goes through: applies `change` to a copy of message `id`
  // and stores it if `holds(message)`; answers as detail::fenced_answer (true, false when
  // fenced off, InvalidInput for an unknown id), like the SQL stores' fenced UPDATEs.
  template <class Holds, class Change>
  Result<bool> update_if(OutboxId id, Holds&& holds, Change&& change) {
    const auto it = outbox.find(id);
    const bool known = it != outbox.end();
    const bool held = known && holds(it->second);
    if (held) {
      auto message = it->second;
      change(message);
      put(std::move(message));
    }
    return detail::fenced_answer(id, held, [&] { return known; });
  }

  // The same bounded scan of the conflict index as find_conflict, for one person: calls
  // `found(slot, interview)` for each of their slots overlapping `window`, by start. The
  // caller holds the mutex.
  template <class Found>
  void each_busy(const std::string& person, const TimeRange& window, Found&& found) const {
    auto it = active_by_person.find(person);
    if (it == active_by_person.end())
      return;
    // One descent of the tree, then a walk to the window's end.
    const auto& starts = it->second;
    for (auto entry = starts.lower_bound(window.start() - max_interview_length);
         entry != starts.end() && entry->first < window.end(); ++entry) {
      const auto& slot = interviews.at(entry->second).slot;
      if (slot && slot->overlaps(window))
        found(*slot, entry->second);
    }
  }

  // The usual fence: still pending under the caller's claim.
  static auto under(std::uint64_t claim) {
    return [claim](const OutboxMessage& m) {
      return m.state == OutboxState::pending && m.claim == claim;
    };
  }

  // True while an earlier message of m's lane holds it back (see detail::waits_behind): the
  // SQL stores' NOT EXISTS over the interview's index.
  bool queued(const OutboxMessage& m) const {
    auto [first, last] = outbox_by_interview.equal_range(m.interview);
    return std::any_of(first, last, [&](const auto& entry) {
      return entry.second < m.id && detail::waits_behind(m, outbox.at(entry.second));
    });
  }

  static UtcMillis claimable_at(const OutboxMessage& m) {
    return m.claimed_until && *m.claimed_until > m.due ? *m.claimed_until : m.due;
  }

  // Stores `m` (new or changed), keeping every outbox index in step: the one writer of
  // `outbox`, so the indexes cannot drift from it.
  // A new message has the highest id yet, so it goes at the end of `outbox` without a
  // search (and usually, its interview being the newest, at the end of
  // outbox_by_interview): with 100k rows stored, each search is a dozen cache misses.
  void put(OutboxMessage&& m) {
    const bool fresh = outbox.empty() || outbox.rbegin()->first < m.id;
    auto it = fresh ? outbox.end() : outbox.find(m.id);
    if (it != outbox.end()) {
      if (it->second.state == OutboxState::pending) {
        claimable.erase({claimable_at(it->second), m.id});
        pending_by_due.erase({it->second.due, m.id});
      }
    } else {
      outbox_by_interview.emplace_hint(outbox_by_interview.end(), m.interview, m.id);
      outbox_keys.emplace(m.idempotency_key, m.id);
    }
    // Hinted at the end: a new reminder is usually due after every message already pending,
    // and then goes in without a search (a wrong hint costs one comparison).
    if (m.state == OutboxState::pending) {
      claimable.insert(claimable.end(), {claimable_at(m), m.id});
      pending_by_due.insert(pending_by_due.end(), {m.due, m.id});
    }
    if (it == outbox.end())
      outbox.emplace_hint(outbox.end(), m.id, std::move(m));
    else
      it->second = std::move(m);
  }

  // What reconciliation reads about one interview.
  RevisionDigest digest(const Interview& interview, bool with_delivered) const {
    RevisionDigest d{.interview = interview.id,
                     .version = interview.version,
                     .status = interview.status,
                     .changed_at = UtcMillis{interview.updated_at},
                     .slot = interview.slot,
                     .recipients = detail::recipients_of(interview)};
    if (auto t = transitions.find(interview.id); t != transitions.end())
      d.transition = t->second;
    auto [first, last] = outbox_by_interview.equal_range(interview.id);
    std::vector<OutboxId> ids;
    for (auto it = first; it != last; ++it)
      ids.push_back(it->second);
    std::sort(ids.begin(), ids.end());
    for (auto id : ids) {
      const auto& m = outbox.at(id);
      const bool in_force = m.revision < interview.version &&
                            (m.state == OutboxState::pending || m.state == OutboxState::dead);
      if (m.revision != interview.version && !in_force)
        continue;
      if (in_force) {  // an earlier revision's message no later change superseded
        d.messages.push_back(detail::digest(m));
        continue;
      }
      if (m.state == OutboxState::delivered)
        ++d.delivered;
      if (m.state != OutboxState::delivered || with_delivered)
        d.messages.push_back(detail::digest(m));
    }
    return d;
  }

  // Removes a message that retention purges, with its index entries.
  void erase(OutboxId id) {
    const auto it = outbox.find(id);
    if (it == outbox.end() || it->second.state == OutboxState::pending)
      return;  // pending messages are never purged, so they have no index entries to drop
    auto [first, last] = outbox_by_interview.equal_range(it->second.interview);
    for (auto entry = first; entry != last; ++entry) {
      if (entry->second == id) {
        outbox_by_interview.erase(entry);
        break;
      }
    }
    outbox_keys.erase(it->second.idempotency_key);
    outbox.erase(it);
  }

  // Adds an interview that holds a slot to the conflict index (SQL: the rows the SQLite
  // and PostgreSQL stores write).
  void index(const Interview& interview) {
    if (!holds_slot(interview.status) || !interview.slot)
      return;
    for (const auto& person : people_of(interview)) {
      active_by_person[person].emplace(interview.slot->start(), interview.id);
    }
  }
  void unindex(const Interview& interview) {
    if (!holds_slot(interview.status) || !interview.slot)
      return;
    for (const auto& person : people_of(interview)) {
      auto& starts = active_by_person[person];
      auto [first, last] = starts.equal_range(interview.slot->start());
      for (auto it = first; it != last; ++it) {
        if (it->second == interview.id) {
          starts.erase(it);
          break;
        }
      }
    }
  }
};

// Stages every change and applies it only when the work succeeds, so a failed or throwing
// transaction leaves no trace. Reads see this transaction's own staged writes first, as a
// database transaction sees its own uncommitted rows. Lives only inside MemoryStore::write,
// with the mutex held.
class MemoryStore::Transaction final : public StoreTransaction {
 public:
  explicit Transaction(State& state) : state_(state) {}

  Result<Interview> load(InterviewId id) override {
    if (auto it = staged_.find(id); it != staged_.end())
      return it->second;
    if (auto it = state_.interviews.find(id); it != state_.interviews.end())
      return it->second;
    return NotFound{id};
  }

  Result<InterviewId> insert(const Interview& interview) override {
    const InterviewId id{next_interview_++};
    auto stored = interview;
    stored.id = id;
    staged_.insert_or_assign(id, std::move(stored));
    return id;
  }

  Result<void> update(const Interview& interview) override {
    if (!staged_.contains(interview.id) && !state_.interviews.contains(interview.id)) {
      return NotFound{interview.id};
    }
    staged_.insert_or_assign(interview.id, interview);
    transitions_.insert_or_assign(interview.id, std::nullopt);  // until one is recorded
    return {};
  }

  Result<void> record_transition(InterviewId interview,
                                 const RecordedTransition& transition) override {
    if (!staged_.contains(interview) && !state_.interviews.contains(interview))
      return NotFound{interview};
    transitions_.insert_or_assign(interview, transition);
    return {};
  }

  // Committed interviews through the index, then those this transaction wrote (which the
  // index does not hold yet, and whose staged version replaces the committed one).
  Result<std::optional<SlotConflict>> find_conflict(const Interview& interview,
                                                    const TimeRange& window) override {
    for (const auto& person : people_of(interview)) {
      if (auto other = committed_conflict(person, interview.id, window))
        return std::optional(SlotConflict{*other, person});
      if (auto other = staged_conflict(person, interview.id, window))
        return std::optional(SlotConflict{*other, person});
    }
    return std::optional<SlotConflict>{};
  }

  // Ids are assigned now, as a database assigns them on INSERT; a duplicate idempotency key
  // fails the transaction, as the SQL stores' UNIQUE constraint does.
  Result<std::vector<OutboxId>> enqueue(std::span<const OutboxMessage> messages) override {
    return stage(messages, [](const OutboxMessage& m) { return m; });
  }

  // The payload is the bulk of a message (the whole interview as a JSON tree): taking it
  // spares a deep copy per message, most of what enqueueing would cost here.
  Result<std::vector<OutboxId>> enqueue_taking_payloads(
      std::span<OutboxMessage> messages) override {
    return stage(messages, [](OutboxMessage& m) {
      auto payload = std::move(m.payload);
      auto copy = m;  // the payload left behind is null: nothing deep to copy
      copy.payload = std::move(payload);
      return copy;
    });
  }

  // Committed messages (as this transaction last left them), then the ones it enqueued
  // itself: in id order, like the SQL stores.
  Result<std::vector<OutboxMessage>> supersede(InterviewId interview, NotificationKind kind,
                                               const std::string& reason, UtcMillis now) override {
    const auto open = [&](const OutboxMessage& m) {
      return m.interview == interview && m.kind == kind &&
             (m.state == OutboxState::pending || m.state == OutboxState::dead);
    };
    std::vector<OutboxMessage> superseded;
    auto [first, last] = state_.outbox_by_interview.equal_range(interview);
    for (auto it = first; it != last; ++it) {
      auto staged = outbox_updates_.find(it->second);
      auto message =
          staged != outbox_updates_.end() ? staged->second : state_.outbox.at(it->second);
      if (!open(message))
        continue;
      detail::mark_superseded(message, reason, now);
      outbox_updates_.insert_or_assign(message.id, message);
      superseded.push_back(std::move(message));
    }
    for (auto& message : outbox_) {
      if (!open(message))
        continue;
      detail::mark_superseded(message, reason, now);
      superseded.push_back(message);
    }
    return superseded;
  }

  // The mutex already makes a concurrent request with the same key wait for this one.
  Result<std::optional<IdempotencyRecord>> find_idempotency(const std::string& key) override {
    if (auto it = idempotency_.find(key); it != idempotency_.end())
      return std::optional(it->second);
    if (auto it = state_.idempotency.find(key); it != state_.idempotency.end()) {
      return std::optional(it->second);
    }
    return std::optional<IdempotencyRecord>{};
  }

  Result<void> save_idempotency(const IdempotencyRecord& record) override {
    if (idempotency_.contains(record.key) || state_.idempotency.contains(record.key)) {
      return InvalidInput{fmt::format("idempotency key \"{}\" already has a record", record.key)};
    }
    idempotency_.insert_or_assign(record.key, record);
    return {};
  }

  // Applies everything staged. Cannot fail (short of bad_alloc), so nothing is half-applied.
  void commit() {
    auto& interviews = state_.interviews;
    for (auto& [id, interview] : staged_) {
      // A new interview has the highest id yet: it goes at the end without a search.
      const bool fresh = interviews.empty() || interviews.rbegin()->first < id;
      auto old = fresh ? interviews.end() : interviews.find(id);
      if (old != interviews.end()) {
        state_.unindex(old->second);
        state_.by_change.erase({old->second.updated_at, id});
      }
      state_.index(interview);
      state_.by_change.insert({interview.updated_at, id});
      if (old == interviews.end())
        interviews.emplace_hint(interviews.end(), id, std::move(interview));
      else
        old->second = std::move(interview);
    }
    state_.next_interview = next_interview_;
    state_.next_message = next_message_;
    for (auto& [id, m] : outbox_updates_)
      state_.put(std::move(m));
    for (auto& m : outbox_)
      state_.put(std::move(m));
    for (auto& [key, record] : idempotency_)
      state_.idempotency.insert_or_assign(key, record);
    for (auto& [id, transition] : transitions_) {
      if (transition)
        state_.transitions.insert_or_assign(id, *transition);
      else
        state_.transitions.erase(id);
    }
  }

 private:
  // A committed interview other than `self` holding an overlapping slot of `person`, unless
  // this transaction rewrote it (staged_conflict judges that one).
  std::optional<InterviewId> committed_conflict(const std::string& person, InterviewId self,
                                                const TimeRange& window) const {
    auto it = state_.active_by_person.find(person);
    if (it == state_.active_by_person.end())
      return std::nullopt;
    const auto& starts = it->second;
    // One descent of the tree, then a walk to the window's end (usually no step at all).
    for (auto entry = starts.lower_bound(window.start() - max_interview_length);
         entry != starts.end() && entry->first < window.end(); ++entry) {
      const auto other = entry->second;
      if (other == self || staged_.contains(other))
        continue;
      const auto& slot = state_.interviews.at(other).slot;
      if (slot && slot->overlaps(window))
        return other;
    }
    return std::nullopt;
  }

  // The same among the interviews this transaction wrote.
  std::optional<InterviewId> staged_conflict(const std::string& person, InterviewId self,
                                             const TimeRange& window) const {
    for (const auto& [id, other] : staged_) {
      if (id == self || !holds_slot(other.status) || !other.slot || !other.slot->overlaps(window))
        continue;
      const auto people = people_of(other);
      if (std::binary_search(people.begin(), people.end(), person))
        return id;
    }
    return std::nullopt;
  }

  // Checks every key first, so a duplicate fails the transaction before anything is taken;
  // then stages `take(message)` with its id and derived keys.
  template <class Message, class Take>
  Result<std::vector<OutboxId>> stage(std::span<Message> messages, Take take) {
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const auto& key = messages[i].idempotency_key;
      const auto same = [&](const OutboxMessage& other) { return other.idempotency_key == key; };
      if (state_.outbox_keys.contains(key) || std::any_of(outbox_.begin(), outbox_.end(), same) ||
          std::any_of(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(i), same))
        return InvalidInput{fmt::format("outbox idempotency key \"{}\" is already used", key)};
    }
    std::vector<OutboxId> ids;
    ids.reserve(messages.size());
    outbox_.reserve(outbox_.size() + messages.size());  // growing moves every message staged
    for (auto& message : messages) {
      auto& staged = outbox_.emplace_back(take(message));  // a throw fails the transaction
      detail::derive_keys(staged);
      staged.id = OutboxId{next_message_++};
      ids.push_back(staged.id);
    }
    return ids;
  }

  State& state_;
  std::uint64_t next_interview_ = state_.next_interview;
  std::uint64_t next_message_ = state_.next_message;
  std::map<InterviewId, Interview> staged_;
  std::vector<OutboxMessage> outbox_;                 // enqueued, ids assigned
  std::map<OutboxId, OutboxMessage> outbox_updates_;  // committed messages, changed
  std::unordered_map<std::string, IdempotencyRecord> idempotency_;
  std::unordered_map<InterviewId, std::optional<RecordedTransition>> transitions_;
};

MemoryStore::MemoryStore() : state_(std::make_unique<State>()) {}
MemoryStore::~MemoryStore() = default;

// ---- Interviews. ---------------------------------------------------------------------------

Result<void> MemoryStore::write(const Work& work) {
  std::lock_guard lock(state_->mutex);
  Transaction tx(*state_);
  auto result = work(tx);  // a throw leaves through here, before commit: nothing applied
  if (result)
    tx.commit();
  return result;
}

Result<Interview> MemoryStore::find(InterviewId id) const {
  std::lock_guard lock(state_->mutex);
  if (auto it = state_->interviews.find(id); it != state_->interviews.end())
    return it->second;
  return NotFound{id};
}

// Both answer from the conflict index, as find_conflict does (State::each_busy).
Result<std::vector<BusyInterval>> MemoryStore::busy_intervals(
    std::span<const InterviewerId> interviewers, const TimeRange& window) const {
  std::lock_guard lock(state_->mutex);
  std::vector<BusyInterval> busy;
  for (const auto& interviewer : interviewers) {
    state_->each_busy(person_key(interviewer), window, [&](const TimeRange& slot, InterviewId id) {
      busy.push_back(BusyInterval{interviewer, slot, id});
    });
  }
  return busy;
}

Result<std::vector<CandidateBusyInterval>> MemoryStore::candidate_busy_intervals(
    const CandidateId& candidate, const TimeRange& window) const {
  std::lock_guard lock(state_->mutex);
  std::vector<CandidateBusyInterval> busy;
  state_->each_busy(person_key(candidate), window, [&](const TimeRange& slot, InterviewId id) {
    busy.push_back(CandidateBusyInterval{slot, id});
  });
  return busy;
}

// ---- The outbox. ---------------------------------------------------------------------------

// Oldest due first, passing over messages whose lease has not run out and messages queued
// behind an earlier one of their lane: the SQL stores' `ORDER BY due_ms, id` with the same
// filters. Only leased and queued messages are skipped, so the scan stays short.
Result<std::vector<OutboxMessage>> MemoryStore::claim_due(UtcMillis now, std::size_t limit,
                                                          std::chrono::milliseconds lease) {
  std::lock_guard lock(state_->mutex);
  std::vector<OutboxMessage> claimed;
  for (auto it = state_->pending_by_due.begin();
       it != state_->pending_by_due.end() && it->first <= now && claimed.size() < limit; ++it) {
    const auto& message = state_->outbox.at(it->second);
    if ((!message.claimed_until || *message.claimed_until <= now) && !state_->queued(message))
      claimed.push_back(message);
  }
  for (auto& message : claimed) {
    detail::mark_claimed(message, now, lease);
    state_->put(OutboxMessage(message));  // the caller gets `message` too
  }
  return claimed;
}

Result<bool> MemoryStore::renew(OutboxId id, std::uint64_t claim, UtcMillis until, UtcMillis now) {
  std::lock_guard lock(state_->mutex);
  return state_->update_if(id, State::under(claim), [&](OutboxMessage& m) {
    m.claimed_until = until;
    m.updated_at = now;
  });
}

// Undoes what the claim counted, but not the claim number: the fencing token never goes
// back, so the worker that gave it up cannot use it again.
Result<bool> MemoryStore::release(OutboxId id, std::uint64_t claim, UtcMillis now) {
  std::lock_guard lock(state_->mutex);
  return state_->update_if(id, State::under(claim), [&](OutboxMessage& m) {
    m.claimed_until.reset();
    if (m.attempts <= 1)
      m.first_attempt_at.reset();
    m.attempts = m.attempts > 0 ? m.attempts - 1 : 0;
    m.unfinished_claims = m.unfinished_claims > 0 ? m.unfinished_claims - 1 : 0;
    m.updated_at = now;
  });
}

// `completion.log` is not kept: a MemoryStore keeps no action log (keeps_action_log() is
// false), so the dispatcher records those entries through its ActionLog instead.
Result<bool> MemoryStore::complete(OutboxId id, std::uint64_t claim,
                                   const OutboxCompletion& completion, UtcMillis now) {
  std::lock_guard lock(state_->mutex);
  return state_->update_if(id, State::under(claim), [&](OutboxMessage& m) {
    m.state = completion.state;
    m.last_error = completion.error;
    m.claimed_until.reset();
    m.unfinished_claims = 0;
    m.updated_at = now;
    if (completion.state == OutboxState::pending)  // only a retry moves the due time
      m.due = completion.next_due.value_or(now);
  });
}

Result<std::optional<OutboxMessage>> MemoryStore::find_outbox(OutboxId id) const {
  std::lock_guard lock(state_->mutex);
  if (auto it = state_->outbox.find(id); it != state_->outbox.end())
    return std::optional(it->second);
  return std::optional<OutboxMessage>{};
}

Result<std::vector<OutboxMessage>> MemoryStore::list_outbox(const OutboxQuery& query) const {
  if (auto ok = detail::check_page(query); !ok)
    return ok.error();
  std::lock_guard lock(state_->mutex);
  std::vector<OutboxMessage> out;
  for (auto it = state_->outbox.upper_bound(query.after);
       it != state_->outbox.end() && out.size() < query.limit; ++it) {
    if (detail::matches(query, it->second))
      out.push_back(it->second);
  }
  return out;
}

Result<OutboxCounts> MemoryStore::count_outbox(const OutboxQuery& query) const {
  std::lock_guard lock(state_->mutex);
  OutboxCounts counts;
  for (const auto& [id, message] : state_->outbox) {
    if (detail::matches(query, message))
      detail::count(counts, message);
  }
  return counts;
}

// The interviews through the change-time index (or the one asked for), each with the
// messages of its current revision from the per-interview outbox index.
Result<std::vector<RevisionDigest>> MemoryStore::revisions(const RevisionQuery& query) const {
  std::lock_guard lock(state_->mutex);
  std::vector<RevisionDigest> out;
  const auto add = [&](const Interview& interview) {
    const auto changed = UtcMillis{interview.updated_at};
    if ((query.since && changed < *query.since) || (query.until && changed >= *query.until))
      return;
    out.push_back(state_->digest(interview, query.with_delivered));
  };
  if (query.interview) {
    if (auto it = state_->interviews.find(*query.interview); it != state_->interviews.end())
      add(it->second);
    return out;
  }
  const auto from = query.since ? std::chrono::floor<std::chrono::seconds>(*query.since)
                                : date::sys_seconds::min();
  for (auto it = state_->by_change.lower_bound({from, InterviewId{}});
       it != state_->by_change.end(); ++it) {
    if (query.until && UtcMillis{it->first} >= *query.until)
      break;
    add(state_->interviews.at(it->second));
  }
  return out;
}

Result<std::optional<UtcMillis>> MemoryStore::purged_before() const {
  std::lock_guard lock(state_->mutex);
  return state_->purged_before;
}

Result<PurgeResult> MemoryStore::purge(const PurgeRequest& request,
                                       std::span<const ActionEntry> /*log: kept by none*/) {
  std::lock_guard lock(state_->mutex);
  PurgeResult result;
  if (!request.delivered_before)
    return result;
  if (!state_->purged_before || *state_->purged_before < *request.delivered_before)
    state_->purged_before = request.delivered_before;
  std::vector<OutboxId> doomed;
  for (const auto& [id, m] : state_->outbox) {
    const bool done = m.state == OutboxState::delivered || m.state == OutboxState::expired;
    if (done && m.updated_at < *request.delivered_before)
      doomed.push_back(id);
  }
  for (auto id : doomed)
    state_->erase(id);
  result.messages = doomed.size();
  return result;
}

Result<bool> MemoryStore::requeue(OutboxId id, UtcMillis now,
                                  std::span<const ActionEntry> /*log: kept by no memory store*/) {
  std::lock_guard lock(state_->mutex);
  const auto dead = [](const OutboxMessage& m) { return m.state == OutboxState::dead; };
  return state_->update_if(id, dead, [&](OutboxMessage& m) {
    m.state = OutboxState::pending;
    m.attempts = 0;
    m.unfinished_claims = 0;
    m.first_attempt_at.reset();
    m.due = now;
    m.claimed_until.reset();
    m.updated_at = now;
  });
}

Result<std::optional<UtcMillis>> MemoryStore::next_due() const {
  std::lock_guard lock(state_->mutex);
  if (state_->claimable.empty())
    return std::optional<UtcMillis>{};
  return std::optional(state_->claimable.begin()->first);
}

}  // namespace interviewkit
