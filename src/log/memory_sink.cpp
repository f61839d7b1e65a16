// MemorySink: action entries in a vector behind one mutex, for tests and in-process reading.
#include <interviewkit/log/memory_sink.hpp>

namespace interviewkit {

void MemorySink::write(const ActionEntry& entry) {
  // Same rule as the file sinks, so a fan-out never keeps an entry in one place only because
  // the other could not store it.
  if (auto ok = validate(entry); !ok)
    throw ErrorException(ok.error());
  std::lock_guard lock(mutex_);
  entries_.push_back(entry);
}

// Readers get copies, made under the lock: nothing handed out can change or dangle while
// other threads keep writing. Matching runs under the lock too; this sink is for tests and
// small logs, where holding writers back for one scan costs nothing that matters.
std::vector<ActionEntry> MemorySink::query(const ActionQuery& query) const {
  std::lock_guard lock(mutex_);
  std::vector<ActionEntry> matching;
  for (const auto& entry : entries_) {
    if (query.matches(entry))
      matching.push_back(entry);
  }
  return matching;
}

std::vector<ActionEntry> MemorySink::entries() const {
  std::lock_guard lock(mutex_);
  return entries_;
}

std::size_t MemorySink::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

void MemorySink::clear() {
  std::lock_guard lock(mutex_);
  entries_.clear();
}

}  // namespace interviewkit
