// MemoryStore: the Store in process memory, with the same answers as the SQL stores.
//
// How it stays correct: one mutex serialises every call, so a write transaction is simply
// "hold the lock, stage the changes, apply them if the work succeeded". Staging (rather than
// writing through and undoing) is what makes a failed or throwing transaction leave no
// trace without an undo log. The indexes below mirror the SQL stores' tables and indexes,
// so the conflict check and the claim are as cheap here as there and answer the same way.
//
// How it stays fast with 100k interviews and a million messages stored: a booking's cost is
// then mostly cache misses and malloc, so the indexes avoid both where the usual containers
// did not. Tree and hash nodes come from one std::pmr::unsynchronized_pool_resource per
// store; the idempotency keys are a hash set of pointers to the stored messages, with their
// hashes cached (KeyIndex); each person's slots are one sorted array (Calendar); the due-time
// indexes try the places inserts usually go before searching (HintedSet); transitions are an
// array by interview id; staged messages and interviews are moved into the maps as nodes.
#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory_resource>
#include <mutex>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <interviewkit/store/memory_store.hpp>

#include "store_detail.hpp"

namespace interviewkit {

using detail::people_of;
using detail::person_key;

namespace {

// An ordered set whose inserts mostly land after every entry, or right after an entry
// inserted recently. The outbox's due-time indexes are like that: a new reminder is usually
// due after every pending message, while a new invite (due now) goes after the previous
// invite but before the reminders, and a booking enqueues the two alternately. Trying the
// end and the places after the last few inserts turns such an insert into a few comparisons
// instead of a descent of a tree of 100k entries, which costs a cache miss per level. Any
// other insert searches as a plain set would.
template <class Key>
class HintedSet {
 public:
  using Items = std::pmr::set<Key>;

  explicit HintedSet(std::pmr::memory_resource& pool) : items_(&pool) {
    recent_.fill(items_.end());
  }
  HintedSet(const HintedSet&) = delete;
  HintedSet& operator=(const HintedSet&) = delete;

  void insert(const Key& key) {
    if (items_.empty() || *items_.rbegin() < key) {
      items_.insert(items_.end(), key);  // last: the end is not remembered, it is always tried
      return;
    }
    for (auto& recent : recent_) {
      if (recent == items_.end() || !(*recent < key))
        continue;
      const auto next = std::next(recent);
      if (next == items_.end() || key < *next) {
        recent = items_.insert(next, key);  // the right hint: inserted without a search
        return;
      }
    }
    const auto inserted = items_.insert(key);
    if (inserted.second)
      recent_[victim_++ % recent_.size()] = inserted.first;
  }

  void erase(const Key& key) {
    const auto it = items_.find(key);
    if (it == items_.end())
      return;
    for (auto& recent : recent_) {
      if (recent == it)
        recent = items_.end();
    }
    items_.erase(it);
  }

  const Items& items() const noexcept { return items_; }

 private:
  Items items_;
  std::array<typename Items::iterator, 2> recent_;  // end() when unset or erased
  std::size_t victim_ = 0;                          // the next of recent_ to replace
};

// The outbox's idempotency keys: the stored messages, found by key text. Messages are
// referred to, not copied: their nodes in MemoryStore's `outbox` never move, and an update
// never changes a key (put re-indexes a message whose key it changed), so a pointer is all
// an entry needs, where a copy of the key would be another allocation per message and
// another cache miss per lookup. KeyHash and KeyEqual look through the pointer to the key,
// and take the key text itself too (is_transparent), so a lookup makes no string and needs
// no message (C++20 heterogeneous lookup). KeyHash is not noexcept on purpose: libstdc++ then
// keeps each hash in its node, so a lookup compares the keys of equal hashes only, and a
// rehash touches no message.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  std::size_t operator()(const OutboxMessage* m) const { return (*this)(m->idempotency_key); }
};

struct KeyEqual {
  using is_transparent = void;
  static std::string_view key(std::string_view key) noexcept { return key; }
  static std::string_view key(const OutboxMessage* m) noexcept { return m->idempotency_key; }
  template <class A, class B>
  bool operator()(const A& a, const B& b) const noexcept {
    return key(a) == key(b);
  }
};

using KeyIndex = std::pmr::unordered_set<const OutboxMessage*, KeyHash, KeyEqual>;

// An interview's person keys, spelt and ordered as detail::people_of's, in one buffer: two
// allocations where people_of makes one per person and one for the list. A booking wants
// them twice (the conflict check, then the index), so that was a tenth of the store's work.
class PersonKeys {
 public:
  explicit PersonKeys(const Interview& interview) {
    std::size_t size = key_size(detail::candidate_key_prefix, interview.candidate.id.str());
    for (const auto& i : interview.interviewers)
      size += key_size(detail::interviewer_key_prefix, i.id.str());
    text_.reserve(size);  // so the views below stay valid
    keys_.reserve(interview.interviewers.size() + 1);
    add(detail::candidate_key_prefix, interview.candidate.id.str());
    for (const auto& i : interview.interviewers)
      add(detail::interviewer_key_prefix, i.id.str());
    std::sort(keys_.begin(), keys_.end());
  }
  PersonKeys(const PersonKeys&) = delete;
  PersonKeys& operator=(const PersonKeys&) = delete;

  auto begin() const noexcept { return keys_.begin(); }
  auto end() const noexcept { return keys_.end(); }

 private:
  static std::size_t key_size(std::string_view prefix, std::string_view id) {
    return prefix.size() + id.size();
  }
  void add(std::string_view prefix, std::string_view id) {
    const auto at = text_.size();
    text_.append(prefix).append(id);
    keys_.emplace_back(text_.data() + at, prefix.size() + id.size());
  }

  std::string text_;
  std::vector<std::string_view> keys_;
};

// Hashes a person key given as a string or a view, so the conflict index is searched without
// making a string. Not noexcept on purpose: std::unordered_map then keeps each hash in its node,
// and a lookup compares the keys of equal hashes only.
struct TextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const {
    return std::hash<std::string_view>{}(text);
  }
};

}  // namespace

// Everything the store holds. Every member is guarded by `mutex`; every method below
// REQUIRES: mutex held.
struct MemoryStore::State {
  mutable std::mutex mutex;
  // The nodes of the containers below, and of the ones transactions stage in. Why a pool: a
  // booking adds some forty tree and hash nodes (an interview, six messages, their index
  // entries), all kept until the store goes. From malloc each took its slow path (nothing
  // freed to reuse), a sixth of a booking's instructions, and nodes made one after another
  // lay scattered among the booking's temporaries; from a pool, the nodes of one size lie
  // side by side in the order they were made, the order the indexes are mostly walked in.
  // Unsynchronized: the mutex guards it. Declared before the containers, so it outlives them.
  std::pmr::unsynchronized_pool_resource pool{pool_tuning()};

  static std::pmr::pool_options pool_tuning() {
    // Nodes are well under 512 bytes. Larger blocks (big hash tables' bucket arrays) go to
    // operator new directly, so one a rehash frees goes back to malloc, where a pool would
    // keep it for a block of its size that never comes. (Chunk sizes: the defaults, which
    // measured the same as larger ones.)
    return {.largest_required_pool_block = 512};
  }

  template <class K, class V>
  using Map = std::pmr::map<K, V>;
  template <class K, class V>
  using MultiMap = std::pmr::multimap<K, V>;
  template <class K>
  using Set = std::pmr::set<K>;
  // An entry of the conflict index: the interview and its slot, kept here so that a search
  // reads the slot without looking the interview up (a cache miss or more apiece).
  struct Busy {
    InterviewId interview;
    TimeRange slot;
  };
  // One person's entries, by slot start (equal starts in the order added, as a multimap
  // keeps them), in one array: a new booking is usually the person's latest, so it is
  // appended, and a search reads a few neighbouring entries at the end. A tree took a cache
  // miss per level to search, and more to rebalance, for every person of every booking.
  // Removing shifts the entries after it, which for one person's active bookings is cheap.
  class Calendar {
   public:
    using const_iterator = std::vector<Busy>::const_iterator;

    // The first entry starting at or after `from`: looked for from the end first, where it
    // usually is, and by binary search after a few steps back.
    const_iterator first_from(date::sys_seconds from) const {
      auto it = entries_.end();
      for (int step = 0; step < 4; ++step) {
        if (it == entries_.begin() || std::prev(it)->slot.start() < from)
          return it;
        --it;
      }
      return std::partition_point(entries_.begin(), it,
                                  [&](const Busy& b) { return b.slot.start() < from; });
    }
    const_iterator end() const noexcept { return entries_.end(); }

    void add(const Busy& busy) {
      const auto start = busy.slot.start();
      if (entries_.empty() || !(start < entries_.back().slot.start())) {
        entries_.push_back(busy);
        return;
      }
      entries_.insert(
          std::partition_point(entries_.begin(), entries_.end(),
                               [&](const Busy& b) { return !(start < b.slot.start()); }),
          busy);
    }

    void remove(date::sys_seconds start, InterviewId interview) {
      for (auto it = first_from(start); it != entries_.end() && it->slot.start() == start; ++it) {
        if (it->interview == interview) {
          entries_.erase(it);
          return;
        }
      }
    }

   private:
    std::vector<Busy> entries_;
  };

  // The next ids to hand out. A transaction counts on copies, so a rolled-back one's ids are
  // handed out again (as SQLite's AUTOINCREMENT does); a committed id is never reused.
  std::uint64_t next_interview = 1;
  std::uint64_t next_message = 1;
  Map<InterviewId, Interview> interviews{&pool};
  // person key -> the person's slots by start (Calendar): the conflict index (SQL:
  // interview_people). Slots are at most max_interview_length long, so a search only
  // visits starts that close before the window.
  std::pmr::unordered_map<std::string, Calendar, TextHash, std::equal_to<>> active_by_person{&pool};
  Map<OutboxId, OutboxMessage> outbox{&pool};
  // Every pending message is in one of the two due-time indexes, under the moment it becomes
  // claimable (claimable_at), so next_due reads the first entry of each. Pending messages
  // claimable at their due time (no lease, or one that ended by then), by due time: the
  // order claims take (SQL: ORDER BY due_ms, id over the pending index). A new message goes
  // here, and only here.
  HintedSet<std::pair<UtcMillis, OutboxId>> pending_by_due{pool};
  // Pending messages under a lease that ends after their due time, by the lease's end, then
  // due time and id: the messages in flight, and those whose worker died (each_claimable
  // reads their due times from the keys).
  HintedSet<std::tuple<UtcMillis, UtcMillis, OutboxId>> leased{pool};
  MultiMap<InterviewId, OutboxId> outbox_by_interview{&pool};
  // The outbox's unique idempotency keys (SQL: UNIQUE on outbox.idempotency_key).
  KeyIndex outbox_keys = [this] {
    KeyIndex index(&pool);
    // Half the buckets empty, so a lookup of a new key (the usual one) mostly ends at its
    // bucket without reading a node: create + book measured ~10% faster than at 1.0, and no
    // faster at 0.25.
    index.max_load_factor(0.5F);
    return index;
  }();
  std::unordered_map<std::string, IdempotencyRecord> idempotency;
  // The transition that made each interview's current revision (SQL: interviews.last_event
  // and last_from); absent when the last write recorded none.
  // Indexed by interview id: the store hands ids out from 1 without gaps (next_interview),
  // so an array serves, without a hash table's node and cache misses per interview.
  std::vector<std::optional<RecordedTransition>> transitions;
  // The latest cutoff retention used (SQL: the retention table).
  std::optional<UtcMillis> purged_before;
  // Interviews by the time of their current revision (SQL: the index on updated_ms).
  Set<std::pair<date::sys_seconds, InterviewId>> by_change{&pool};
  // External calendars by key (SQL: calendars, calendar_resources, calendar_busy). Kept off
  // the pool: a calendar is replaced whole at each sync, so its memory is given back.
  std::map<std::string, CachedCalendar, std::less<>> calendars;

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
  void each_busy(std::string_view person, const TimeRange& window, Found&& found) const {
    auto it = active_by_person.find(person);
    if (it == active_by_person.end())
      return;
    // From the first start that may overlap, then a walk to the window's end.
    const auto& calendar = it->second;
    for (auto entry = calendar.first_from(window.start() - max_interview_length);
         entry != calendar.end() && entry->slot.start() < window.end(); ++entry) {
      if (entry->slot.overlaps(window))
        found(entry->slot, entry->interview);
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
    if (it == outbox.end()) {
      outbox_by_interview.emplace_hint(outbox_by_interview.end(), m.interview, m.id);
      index_pending(m);
      const auto& stored = outbox.emplace_hint(outbox.end(), m.id, std::move(m))->second;
      outbox_keys.insert(&stored);
      return;
    }
    auto& stored = it->second;
    unindex_pending(stored);
    index_pending(m);
    // outbox_keys finds the message by its key's text, which an update leaves as it was.
    const bool rekeyed = stored.idempotency_key != m.idempotency_key;
    if (rekeyed)
      outbox_keys.erase(&stored);
    stored = std::move(m);
    if (rekeyed)
      outbox_keys.insert(&stored);
  }

  // The same for a message staged in a node of `pool`: a new one (as every message enqueued
  // is) goes into `outbox` as that node, without moving the message.
  void put(Map<OutboxId, OutboxMessage>::node_type&& node) {
    auto& m = node.mapped();
    if (!outbox.empty() && !(outbox.rbegin()->first < m.id)) {
      put(std::move(m));
      return;
    }
    outbox_by_interview.emplace_hint(outbox_by_interview.end(), m.interview, m.id);
    index_pending(m);
    const auto& stored = outbox.insert(outbox.end(), std::move(node))->second;
    outbox_keys.insert(&stored);
  }

  // A pending message's entry in the due-time indexes (pending_by_due or leased).
  void index_pending(const OutboxMessage& m) {
    if (m.state != OutboxState::pending)
      return;
    if (const auto at = claimable_at(m); at == m.due)
      pending_by_due.insert({m.due, m.id});
    else
      leased.insert({at, m.due, m.id});
  }
  void unindex_pending(const OutboxMessage& m) {
    if (m.state != OutboxState::pending)
      return;
    if (const auto at = claimable_at(m); at == m.due)
      pending_by_due.erase({m.due, m.id});
    else
      leased.erase({at, m.due, m.id});
  }

  // Visits the messages claimable at `now`, in due time then id order, until `visit`
  // returns false: those of pending_by_due due by now, merged with the leased ones whose
  // lease has ended. Those are usually none (a lease ends unrenewed only when its worker died
  // or gave up), but a dead worker may have held thousands: they are read off the keys, in
  // one pass without lookups, into a heap that yields them in due order as the walk needs
  // them.
  template <class Visit>
  void each_claimable(UtcMillis now, Visit visit) const {
    std::vector<std::pair<UtcMillis, OutboxId>> ended;  // (due, id), a min-heap
    for (const auto& [end, due, id] : leased.items()) {
      if (end > now)
        break;
      ended.emplace_back(due, id);
    }
    const std::greater<> later;
    std::make_heap(ended.begin(), ended.end(), later);
    const auto& by_due = pending_by_due.items();
    for (auto next_due = by_due.begin();;) {
      const bool due_first = next_due != by_due.end() && next_due->first <= now &&
                             (ended.empty() || *next_due < ended.front());
      if (!due_first && ended.empty())
        return;
      OutboxId id;
      if (due_first) {
        id = (next_due++)->second;
      } else {
        std::pop_heap(ended.begin(), ended.end(), later);
        id = ended.back().second;
        ended.pop_back();
      }
      if (!visit(outbox.at(id)))
        return;
    }
  }

  // What reconciliation reads about one interview.
  RevisionDigest digest(const Interview& interview, bool with_delivered) const {
    RevisionDigest d{.interview = interview.id,
                     .version = interview.version,
                     .status = interview.status,
                     .changed_at = UtcMillis{interview.updated_at},
                     .slot = interview.slot,
                     .recipients = detail::recipients_of(interview)};
    if (interview.id.value() < transitions.size())
      d.transition = transitions[interview.id.value()];
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
    outbox_keys.erase(&it->second);
    outbox.erase(it);
  }

  // Adds an interview that holds a slot to the conflict index (SQL: the rows the SQLite
  // and PostgreSQL stores write).
  void index(const Interview& interview) {
    if (!holds_slot(interview.status) || !interview.slot)
      return;
    for (const auto person : PersonKeys(interview)) {
      auto it = active_by_person.find(person);
      if (it == active_by_person.end())
        it = active_by_person.try_emplace(std::string(person)).first;
      it->second.add(Busy{interview.id, *interview.slot});
    }
  }
  void unindex(const Interview& interview) {
    if (!holds_slot(interview.status) || !interview.slot)
      return;
    for (const auto person : PersonKeys(interview)) {
      const auto found = active_by_person.find(person);
      if (found == active_by_person.end())
        continue;
      found->second.remove(interview.slot->start(), interview.id);
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
    set_transition(interview.id, std::nullopt);  // until one is recorded
    return {};
  }

  Result<void> record_transition(InterviewId interview,
                                 const RecordedTransition& transition) override {
    if (!staged_.contains(interview) && !state_.interviews.contains(interview))
      return NotFound{interview};
    set_transition(interview, transition);
    return {};
  }

  // Committed interviews through the index, then those this transaction wrote (which the
  // index does not hold yet, and whose staged version replaces the committed one).
  Result<std::optional<SlotConflict>> find_conflict(const Interview& interview,
                                                    const TimeRange& window) override {
    for (const auto person : PersonKeys(interview)) {
      if (auto other = committed_conflict(person, interview.id, window))
        return std::optional(SlotConflict{*other, std::string(person)});
      if (auto other = staged_conflict(person, interview.id, window))
        return std::optional(SlotConflict{*other, std::string(person)});
    }
    return std::optional<SlotConflict>{};
  }

  // Ids are assigned now, as a database assigns them on INSERT; a duplicate idempotency key
  // fails the transaction, as the SQL stores' UNIQUE constraint does.
  Result<std::vector<OutboxId>> enqueue(std::span<const OutboxMessage> messages) override {
    return stage(messages, [this](const OutboxMessage& m, OutboxId id) -> OutboxMessage& {
      return outbox_.emplace_hint(outbox_.end(), id, m)->second;
    });
  }

  // Taking the payload spares a deep copy of it (unless deferred, the whole interview as a
  // JSON tree); taking the key and the token, an allocation each. What is left to copy is
  // what the caller reports: short strings. Each message is built in its node, not moved
  // there. Should the copy throw, the message gets back what was taken.
  Result<std::vector<OutboxId>> enqueue_taking(std::span<OutboxMessage> messages) override {
    return stage(messages, [this](OutboxMessage& m, OutboxId id) -> OutboxMessage& {
      auto payload = std::move(m.payload);
      auto key = std::move(m.idempotency_key);
      auto token = std::move(m.message_token);
      try {
        auto& staged = outbox_.emplace_hint(outbox_.end(), id, m)->second;
        staged.payload = std::move(payload);
        staged.idempotency_key = std::move(key);
        staged.message_token = std::move(token);
        return staged;
      } catch (...) {
        m.payload = std::move(payload);
        m.idempotency_key = std::move(key);
        m.message_token = std::move(token);
        throw;
      }
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
    for (auto& [id, message] : outbox_) {
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
    for (auto next = staged_.begin(); next != staged_.end();) {
      const auto staged = next++;
      const auto id = staged->first;
      auto& interview = staged->second;
      // A new interview has the highest id yet: it goes at the end without a search.
      const bool fresh = interviews.empty() || interviews.rbegin()->first < id;
      auto old = fresh ? interviews.end() : interviews.find(id);
      if (old != interviews.end()) {
        state_.unindex(old->second);
        state_.by_change.erase({old->second.updated_at, id});
      }
      state_.index(interview);
      state_.by_change.insert({interview.updated_at, id});
      if (old == interviews.end())  // the staged node itself, from the same pool: no copy
        interviews.insert(interviews.end(), staged_.extract(staged));
      else
        old->second = std::move(interview);
    }
    state_.next_interview = next_interview_;
    state_.next_message = next_message_;
    for (auto& [id, m] : outbox_updates_)
      state_.put(std::move(m));
    while (!outbox_.empty())
      state_.put(outbox_.extract(outbox_.begin()));
    for (auto& [key, record] : idempotency_)
      state_.idempotency.insert_or_assign(key, record);
    auto& transitions = state_.transitions;
    for (const auto& [id, transition] : transitions_) {
      if (id.value() >= transitions.size())
        transitions.resize(id.value() + 1);  // geometric growth, as push_back's
      transitions[id.value()] = transition;
    }
  }

 private:
  // A committed interview other than `self` holding an overlapping slot of `person`, unless
  // this transaction rewrote it (staged_conflict judges that one).
  std::optional<InterviewId> committed_conflict(std::string_view person, InterviewId self,
                                                const TimeRange& window) const {
    auto it = state_.active_by_person.find(person);
    if (it == state_.active_by_person.end())
      return std::nullopt;
    const auto& calendar = it->second;
    // From the first start that may overlap, then a walk to the window's end (usually no
    // step at all).
    for (auto entry = calendar.first_from(window.start() - max_interview_length);
         entry != calendar.end() && entry->slot.start() < window.end(); ++entry) {
      const auto other = entry->interview;
      if (other == self || staged_.contains(other))
        continue;
      if (entry->slot.overlaps(window))
        return other;
    }
    return std::nullopt;
  }

  // The same among the interviews this transaction wrote.
  std::optional<InterviewId> staged_conflict(std::string_view person, InterviewId self,
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

  void set_transition(InterviewId id, const std::optional<RecordedTransition>& transition) {
    const auto same = [&](const auto& entry) { return entry.first == id; };
    if (auto it = std::find_if(transitions_.begin(), transitions_.end(), same);
        it != transitions_.end())
      it->second = transition;
    else
      transitions_.emplace_back(id, transition);
  }

  // Checks every key first, so a duplicate fails the transaction before anything is taken;
  // then stages each message as `emplace(message, id)` builds it in outbox_ (in id order, so
  // at its end), with its derived keys.
  template <class Message, class Emplace>
  Result<std::vector<OutboxId>> stage(std::span<Message> messages, Emplace emplace) {
    for (std::size_t i = 0; i < messages.size(); ++i) {
      const auto& key = messages[i].idempotency_key;
      const auto same = [&](const OutboxMessage& other) { return other.idempotency_key == key; };
      const auto same_staged = [&](const auto& entry) { return same(entry.second); };
      if (state_.outbox_keys.contains(std::string_view(key)) ||
          std::any_of(outbox_.begin(), outbox_.end(), same_staged) ||
          std::any_of(messages.begin(), messages.begin() + static_cast<std::ptrdiff_t>(i), same))
        return InvalidInput{fmt::format("outbox idempotency key \"{}\" is already used", key)};
    }
    std::vector<OutboxId> ids;
    ids.reserve(messages.size());
    for (auto& message : messages) {
      const OutboxId id{next_message_};
      auto& staged = emplace(message, id);  // a throw fails the transaction
      ++next_message_;
      detail::derive_keys(staged);
      staged.id = id;
      ids.push_back(id);
    }
    return ids;
  }

  State& state_;
  std::uint64_t next_interview_ = state_.next_interview;
  std::uint64_t next_message_ = state_.next_message;
  // Staged in nodes of the store's own pool, which commit moves into its maps as they are.
  State::Map<InterviewId, Interview> staged_{&state_.pool};
  State::Map<OutboxId, OutboxMessage> outbox_{&state_.pool};  // enqueued
  std::map<OutboxId, OutboxMessage> outbox_updates_;          // committed messages, changed
  std::unordered_map<std::string, IdempotencyRecord> idempotency_;
  // A transaction changes one interview or two: a short list beats a hash table.
  std::vector<std::pair<InterviewId, std::optional<RecordedTransition>>> transitions_;
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

// Oldest due first, passing over messages queued behind an earlier one of their lane: the SQL
// stores' `ORDER BY due_ms, id` with the same filters. Messages whose lease has not run out
// are not in the walk at all (State::each_claimable), so it stays short.
Result<std::vector<OutboxMessage>> MemoryStore::claim_due(UtcMillis now, std::size_t limit,
                                                          std::chrono::milliseconds lease) {
  std::lock_guard lock(state_->mutex);
  std::vector<OutboxMessage> claimed;
  if (limit == 0)
    return claimed;
  state_->each_claimable(now, [&](const OutboxMessage& message) {
    if (!state_->queued(message))
      claimed.push_back(message);
    return claimed.size() < limit;
  });
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
  std::optional<UtcMillis> first;
  if (const auto& due = state_->pending_by_due.items(); !due.empty())
    first = due.begin()->first;
  if (const auto& leased = state_->leased.items(); !leased.empty()) {
    const auto end = std::get<0>(*leased.begin());
    first = first ? std::min(*first, end) : end;
  }
  return first;
}

// ---- External calendars. -------------------------------------------------------------------

Result<std::optional<CachedCalendar>> MemoryStore::load_calendar(const std::string& key) const {
  std::lock_guard lock(state_->mutex);
  const auto it = state_->calendars.find(key);
  if (it == state_->calendars.end())
    return std::optional<CachedCalendar>{};
  return std::optional(it->second);
}

Result<void> MemoryStore::save_calendar(const CachedCalendar& calendar) {
  if (auto problem = detail::calendar_problem(calendar))
    return *problem;
  auto copy = detail::normalised(calendar);
  std::lock_guard lock(state_->mutex);
  state_->calendars.insert_or_assign(calendar.key, std::move(copy));
  return {};
}

// A scan of every calendar: an interviewer has a few, and each holds a window's busy time.
Result<std::vector<TimeRange>> MemoryStore::calendar_busy(const InterviewerId& interviewer,
                                                          const TimeRange& window) const {
  std::lock_guard lock(state_->mutex);
  std::vector<TimeRange> out;
  for (const auto& [key, calendar] : state_->calendars) {
    if (calendar.interviewer != interviewer)
      continue;
    for (const auto& b : calendar.busy) {
      if (b.overlaps(window))
        out.push_back(b);
    }
  }
  std::ranges::sort(out, [](const TimeRange& a, const TimeRange& b) {
    return std::pair(a.start(), a.end()) < std::pair(b.start(), b.end());
  });
  return out;
}

}  // namespace interviewkit
