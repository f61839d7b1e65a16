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

struct MemoryStore::State {
  mutable std::mutex mutex;
  std::uint64_t next_interview = 1;
  std::uint64_t next_message = 1;
  std::map<InterviewId, Interview> interviews;
  // person -> slot start -> interviews that hold a slot: the conflict index. Slots are at
  // most max_interview_length long, so a search only visits starts near the window.
  std::unordered_map<std::string, std::multimap<date::sys_seconds, InterviewId>> active_by_person;
  std::map<OutboxId, OutboxMessage> outbox;
  // Pending messages by the moment they become claimable (due time, or lease end).
  std::set<std::pair<UtcMillis, OutboxId>> claimable;
  std::multimap<InterviewId, OutboxId> outbox_by_interview;
  std::unordered_map<std::string, IdempotencyRecord> idempotency;

  // REQUIRES: mutex held. The message if it is still pending under `claim`; nullopt when
  // another claim or an outcome fenced it off; InvalidInput for an unknown id (the answer
  // every store gives).
  Result<std::optional<OutboxMessage>> held(OutboxId id, std::uint64_t claim) const {
    auto it = outbox.find(id);
    if (it == outbox.end())
      return InvalidInput{fmt::format("no outbox message {}", id)};
    if (it->second.state != OutboxState::pending || it->second.claim != claim)
      return std::optional<OutboxMessage>{};
    return std::optional(it->second);
  }

  static UtcMillis claimable_at(const OutboxMessage& m) {
    return m.claimed_until && *m.claimed_until > m.due ? *m.claimed_until : m.due;
  }
  // Stores `m` (new or changed), keeping the claimable index in step.
  void put(OutboxMessage m) {
    auto it = outbox.find(m.id);
    if (it != outbox.end()) {
      if (it->second.state == OutboxState::pending) {
        claimable.erase({claimable_at(it->second), m.id});
      }
    } else {
      outbox_by_interview.emplace(m.interview, m.id);
    }
    if (m.state == OutboxState::pending)
      claimable.insert({claimable_at(m), m.id});
    outbox.insert_or_assign(m.id, std::move(m));
  }

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
// transaction leaves no trace.
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
    return {};
  }

  Result<std::optional<SlotConflict>> find_conflict(const Interview& interview,
                                                    const TimeRange& window) override {
    for (const auto& person : people_of(interview)) {
      auto it = state_.active_by_person.find(person);
      if (it == state_.active_by_person.end())
        continue;
      const auto& starts = it->second;
      const auto first = starts.lower_bound(window.start() - max_interview_length);
      const auto last = starts.lower_bound(window.end());
      for (auto entry = first; entry != last; ++entry) {
        const auto other_id = entry->second;
        if (other_id == interview.id)
          continue;
        const auto& other =
            staged_.contains(other_id) ? staged_.at(other_id) : state_.interviews.at(other_id);
        if (holds_slot(other.status) && other.slot && other.slot->overlaps(window)) {
          return std::optional(SlotConflict{other_id, person});
        }
      }
    }
    return std::optional<SlotConflict>{};
  }

  Result<void> enqueue(std::span<const OutboxMessage> messages) override {
    for (const auto& message : messages) {
      auto staged = message;
      staged.id = OutboxId{next_message_++};
      outbox_.push_back(std::move(staged));
    }
    return {};
  }

  Result<std::vector<OutboxMessage>> supersede(InterviewId interview, NotificationKind kind,
                                               const std::string& reason, UtcMillis now) override {
    std::vector<OutboxMessage> superseded;
    auto [first, last] = state_.outbox_by_interview.equal_range(interview);
    for (auto it = first; it != last; ++it) {
      const auto& message = state_.outbox.at(it->second);
      const bool open = message.state == OutboxState::pending || message.state == OutboxState::dead;
      if (message.kind == kind && open) {
        auto changed = message;
        changed.state = OutboxState::expired;
        changed.last_error = reason;
        changed.updated_at = now;
        changed.claimed_until.reset();
        superseded.push_back(changed);
      }
    }
    for (const auto& m : superseded)
      outbox_updates_.push_back(m);
    return superseded;
  }

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

  void commit() {
    for (auto& [id, interview] : staged_) {
      if (auto old = state_.interviews.find(id); old != state_.interviews.end()) {
        state_.unindex(old->second);
      }
      state_.index(interview);
      state_.interviews.insert_or_assign(id, std::move(interview));
    }
    state_.next_interview = next_interview_;
    state_.next_message = next_message_;
    for (auto& m : outbox_updates_)
      state_.put(std::move(m));
    for (auto& m : outbox_)
      state_.put(std::move(m));
    for (auto& [key, record] : idempotency_)
      state_.idempotency.insert_or_assign(key, record);
  }

 private:
  State& state_;
  std::uint64_t next_interview_ = state_.next_interview;
  std::uint64_t next_message_ = state_.next_message;
  std::map<InterviewId, Interview> staged_;
  std::vector<OutboxMessage> outbox_;
  std::vector<OutboxMessage> outbox_updates_;
  std::unordered_map<std::string, IdempotencyRecord> idempotency_;
};

MemoryStore::MemoryStore() : state_(std::make_unique<State>()) {}
MemoryStore::~MemoryStore() = default;

Result<void> MemoryStore::write(const Work& work) {
  std::lock_guard lock(state_->mutex);
  Transaction tx(*state_);
  auto result = work(tx);
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

Result<std::vector<BusyInterval>> MemoryStore::busy_intervals(
    std::span<const InterviewerId> interviewers, const TimeRange& window) const {
  std::lock_guard lock(state_->mutex);
  std::vector<BusyInterval> busy;
  for (const auto& interviewer : interviewers) {
    auto it = state_->active_by_person.find("interviewer:" + interviewer.str());
    if (it == state_->active_by_person.end())
      continue;
    const auto& starts = it->second;
    const auto last = starts.lower_bound(window.end());
    for (auto entry = starts.lower_bound(window.start() - max_interview_length); entry != last;
         ++entry) {
      const auto& slot = state_->interviews.at(entry->second).slot;
      if (slot && slot->overlaps(window))
        busy.push_back(BusyInterval{interviewer, *slot, entry->second});
    }
  }
  return busy;
}

Result<std::vector<OutboxMessage>> MemoryStore::claim_due(UtcMillis now, std::size_t limit,
                                                          std::chrono::milliseconds lease) {
  std::lock_guard lock(state_->mutex);
  std::vector<OutboxMessage> claimed;
  for (auto it = state_->claimable.begin();
       it != state_->claimable.end() && it->first <= now && claimed.size() < limit; ++it) {
    claimed.push_back(state_->outbox.at(it->second));
  }
  for (auto& message : claimed) {
    message.claimed_until = now + lease;
    ++message.attempts;
    ++message.claim;
    ++message.unfinished_claims;
    if (!message.first_attempt_at)
      message.first_attempt_at = now;
    message.updated_at = now;
    state_->put(message);
  }
  return claimed;
}

Result<bool> MemoryStore::renew(OutboxId id, std::uint64_t claim, UtcMillis until, UtcMillis now) {
  std::lock_guard lock(state_->mutex);
  auto held = state_->held(id, claim);
  if (!held || !*held)
    return held ? Result<bool>(false) : held.error();
  auto message = **held;
  message.claimed_until = until;
  message.updated_at = now;
  state_->put(std::move(message));
  return true;
}

Result<bool> MemoryStore::release(OutboxId id, std::uint64_t claim, UtcMillis now) {
  std::lock_guard lock(state_->mutex);
  auto held = state_->held(id, claim);
  if (!held || !*held)
    return held ? Result<bool>(false) : held.error();
  auto message = **held;
  message.claimed_until.reset();
  if (message.attempts <= 1)
    message.first_attempt_at.reset();
  message.attempts = message.attempts > 0 ? message.attempts - 1 : 0;
  message.unfinished_claims = message.unfinished_claims > 0 ? message.unfinished_claims - 1 : 0;
  message.updated_at = now;
  state_->put(std::move(message));
  return true;
}

Result<bool> MemoryStore::complete(OutboxId id, std::uint64_t claim,
                                   const OutboxCompletion& completion, UtcMillis now) {
  std::lock_guard lock(state_->mutex);
  auto held = state_->held(id, claim);
  if (!held || !*held)
    return held ? Result<bool>(false) : held.error();
  auto message = **held;
  message.state = completion.state;
  message.last_error = completion.error;
  message.claimed_until.reset();
  message.unfinished_claims = 0;
  message.updated_at = now;
  if (completion.state == OutboxState::pending)
    message.due = completion.next_due.value_or(now);
  state_->put(std::move(message));
  return true;
}

Result<std::optional<OutboxMessage>> MemoryStore::find_outbox(OutboxId id) const {
  std::lock_guard lock(state_->mutex);
  if (auto it = state_->outbox.find(id); it != state_->outbox.end())
    return std::optional(it->second);
  return std::optional<OutboxMessage>{};
}

Result<std::vector<OutboxMessage>> MemoryStore::list_outbox(const OutboxQuery& query) const {
  std::lock_guard lock(state_->mutex);
  std::vector<OutboxMessage> out;
  for (const auto& [id, message] : state_->outbox) {
    if (out.size() >= query.limit)
      break;
    if (query.state && message.state != *query.state)
      continue;
    if (query.interview && message.interview != *query.interview)
      continue;
    out.push_back(message);
  }
  return out;
}

Result<bool> MemoryStore::requeue(OutboxId id, UtcMillis now,
                                  std::span<const ActionEntry> /*log: kept by no memory store*/) {
  std::lock_guard lock(state_->mutex);
  auto it = state_->outbox.find(id);
  if (it == state_->outbox.end())
    return InvalidInput{fmt::format("no outbox message {}", id)};
  if (it->second.state != OutboxState::dead)
    return false;
  auto message = it->second;
  message.state = OutboxState::pending;
  message.attempts = 0;
  message.unfinished_claims = 0;
  message.first_attempt_at.reset();
  message.due = now;
  message.claimed_until.reset();
  message.updated_at = now;
  state_->put(std::move(message));
  return true;
}

Result<std::optional<UtcMillis>> MemoryStore::next_due() const {
  std::lock_guard lock(state_->mutex);
  if (state_->claimable.empty())
    return std::optional<UtcMillis>{};
  return std::optional(state_->claimable.begin()->first);
}

}  // namespace interviewkit
