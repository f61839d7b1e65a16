#include <interviewkit/log/memory_action_log.hpp>

namespace interviewkit {

void MemoryActionLog::write(const ActionEntry& entry) {
  // Same rule as the file sinks, so a fan-out never keeps an entry in one place only because
  // the other could not store it.
  if (auto ok = validate(entry); !ok)
    throw ErrorException(ok.error());
  std::lock_guard lock(mutex_);
  entries_.push_back(entry);
}

std::vector<ActionEntry> MemoryActionLog::query(const ActionQuery& query) const {
  std::lock_guard lock(mutex_);
  std::vector<ActionEntry> matching;
  for (const auto& entry : entries_) {
    if (query.matches(entry))
      matching.push_back(entry);
  }
  return matching;
}

std::vector<ActionEntry> MemoryActionLog::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

std::size_t MemoryActionLog::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void MemoryActionLog::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace interviewkit
