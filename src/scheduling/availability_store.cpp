// Reads booked interviews from a Store into the slot search's inputs.
#include <algorithm>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/scheduling/availability_store.hpp>

namespace interviewkit {

Result<void> load_booked(const Store& store, const SlotQuery& query,
                         std::span<InterviewerAvailability> interviewers) {
  if (interviewers.empty())
    return {};
  // Buffers reach this far; a daily cap counts the whole local day a slot starts on, and a
  // local day (even one next to a date line jump) lies within a couple of UTC days of it.
  std::chrono::seconds widest{0};
  for (const auto& person : interviewers)
    widest = std::max({widest, person.buffer_before, person.buffer_after});
  const auto reach = std::chrono::seconds{std::chrono::days{3}} +
                     std::min<std::chrono::seconds>(widest, max_interview_length);
  auto window = TimeRange::make(query.window.start() - reach, query.window.end() + reach);
  if (!window)
    return window.error();

  // Each interviewer once, even if listed twice.
  std::vector<InterviewerId> ids;
  ids.reserve(interviewers.size());
  for (const auto& person : interviewers)
    ids.push_back(person.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

  auto busy = store.busy_intervals(ids, *window);
  if (!busy)
    return busy.error();
  for (auto& person : interviewers) {
    person.booked.clear();
  }
  // Positions by id, so each entry finds its interviewers without a scan over all of them.
  std::vector<std::size_t> by_id(interviewers.size());
  for (std::size_t k = 0; k < by_id.size(); ++k)
    by_id[k] = k;
  std::sort(by_id.begin(), by_id.end(),
            [&](std::size_t a, std::size_t b) { return interviewers[a].id < interviewers[b].id; });
  for (const auto& entry : *busy) {
    auto first = std::lower_bound(
        by_id.begin(), by_id.end(), entry.interviewer,
        [&](std::size_t k, const InterviewerId& id) { return interviewers[k].id < id; });
    for (; first != by_id.end() && interviewers[*first].id == entry.interviewer; ++first)
      interviewers[*first].booked.push_back(entry.range);
  }
  return {};
}

Result<std::vector<Slot>> find_slots(const Store& store, const SlotQuery& query,
                                     std::vector<InterviewerAvailability> interviewers) {
  if (auto loaded = load_booked(store, query, interviewers); !loaded)
    return loaded.error();
  return find_slots(query, interviewers);
}

}  // namespace interviewkit
