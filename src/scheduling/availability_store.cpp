// Reads booked interviews from a Store into the slot search's inputs.
#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include <interviewkit/domain/interview.hpp>
#include <interviewkit/scheduling/availability_store.hpp>

#include "../log/guarded.hpp"

namespace interviewkit {

namespace {

// The UTC range whose bookings can matter to the query: buffers reach this far around the
// window, and a daily cap counts the whole local day a slot starts on, which lies within a
// couple of UTC days of it (even next to a date line jump).
Result<TimeRange> reach_of(const SlotQuery& query,
                           std::span<const InterviewerAvailability> interviewers) {
  std::chrono::seconds widest = query.candidate_buffer;
  for (const auto& person : interviewers)
    widest = std::max({widest, person.buffer_before, person.buffer_after});
  const auto reach = std::chrono::seconds{std::chrono::days{3}} +
                     std::min<std::chrono::seconds>(widest, max_interview_length);
  return TimeRange::make(query.window.start() - reach, query.window.end() + reach);
}

// Each interviewer once, even if listed twice, sorted: one store query for all of them.
std::vector<InterviewerId> distinct_ids(std::span<const InterviewerAvailability> interviewers) {
  std::vector<InterviewerId> ids;
  ids.reserve(interviewers.size());
  for (const auto& person : interviewers)
    ids.push_back(person.id);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

// Hands each busy interval to every listing of its interviewer, through positions sorted by
// id: a binary search per interval instead of a scan over all interviewers.
void distribute(std::span<const BusyInterval> busy, std::optional<InterviewId> excluding,
                std::span<InterviewerAvailability> interviewers) {
  std::vector<std::size_t> by_id(interviewers.size());
  for (std::size_t k = 0; k < by_id.size(); ++k)
    by_id[k] = k;
  std::sort(by_id.begin(), by_id.end(),
            [&](std::size_t a, std::size_t b) { return interviewers[a].id < interviewers[b].id; });
  for (const auto& entry : busy) {
    if (entry.interview == excluding)
      continue;
    auto first = std::lower_bound(
        by_id.begin(), by_id.end(), entry.interviewer,
        [&](std::size_t k, const InterviewerId& id) { return interviewers[k].id < id; });
    for (; first != by_id.end() && interviewers[*first].id == entry.interviewer; ++first)
      interviewers[*first].booked.push_back(entry.range);
  }
}

}  // namespace

Result<void> load_booked(const Store& store, const SlotQuery& query,
                         std::span<InterviewerAvailability> interviewers) {
  if (interviewers.empty())
    return {};
  auto window = reach_of(query, interviewers);
  if (!window)
    return window.error();
  // The store is the host's: whatever it throws becomes an error value here.
  auto busy = detail::guarded(
      "the store", [&] { return store.busy_intervals(distinct_ids(interviewers), *window); });
  if (!busy)
    return busy.error();
  // Replaced, not appended to: a host may reuse its inputs across searches.
  for (auto& person : interviewers)
    person.booked.clear();
  distribute(*busy, query.excluding, interviewers);
  return {};
}

Result<void> load_candidate_booked(const Store& store, SlotQuery& query) {
  query.candidate_booked.clear();
  if (!query.candidate)
    return {};
  // reach_of covers a buffer of at most a day; the search refuses a longer one anyway.
  if (query.candidate_buffer > max_interview_length) {
    return InvalidInput{fmt::format("candidate buffer {} s must be between 0 and {} hours",
                                    query.candidate_buffer.count(), max_interview_length.count())};
  }
  auto window = reach_of(query, {});
  if (!window)
    return window.error();
  auto busy = detail::guarded(
      "the store", [&] { return store.candidate_busy_intervals(*query.candidate, *window); });
  if (!busy)
    return busy.error();
  for (const auto& entry : *busy) {
    if (entry.interview != query.excluding)
      query.candidate_booked.push_back(entry.range);
  }
  return {};
}

Result<std::vector<Slot>> find_slots(const Store& store, SlotQuery query,
                                     std::vector<InterviewerAvailability> interviewers) {
  if (auto loaded = load_booked(store, query, interviewers); !loaded)
    return loaded.error();
  if (auto loaded = load_candidate_booked(store, query); !loaded)
    return loaded.error();
  return find_slots(query, interviewers);
}

}  // namespace interviewkit
