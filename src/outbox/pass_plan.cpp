// PassPlan: see pass_plan.hpp for the rules. The scan is linear over the waiting jobs, but
// in the common case (no bound reached) the first waiting job starts, so a pick costs O(1);
// the scan only grows when a channel or destination is saturated, and then the threads
// that find nothing sleep until a job ends.
#include "pass_plan.hpp"

#include <algorithm>
#include <numeric>
#include <set>
#include <string_view>

namespace interviewkit::detail {

PassPlan::PassPlan(std::vector<PlannedJob> jobs, PlanLimits limits)
    : jobs_(std::move(jobs)), limits_(std::move(limits)), waiting_(jobs_.size()) {
  std::iota(waiting_.begin(), waiting_.end(), std::size_t{0});
}

namespace {

// True while `key` runs as many jobs as `bounds` allows it (no bound: never).
bool full(const std::map<std::string, std::size_t, std::less<>>& bounds,
          const std::map<std::string, std::size_t, std::less<>>& running, const std::string& key) {
  const auto bound = bounds.find(key);
  if (bound == bounds.end())
    return false;
  const auto now = running.find(key);
  return now != running.end() && now->second >= bound->second;
}

}  // namespace

bool PassPlan::startable(const PlannedJob& job) const {
  if (const auto busy = lane_busy_.find(job.lane); busy != lane_busy_.end() && busy->second)
    return false;
  if (full(limits_.per_channel, running_channel_, job.channel) ||
      full(limits_.per_notifier, running_notifier_, job.notifier))
    return false;
  if (limits_.per_destination != 0) {
    const auto running = running_destination_.find(job.destination);
    if (running != running_destination_.end() && running->second >= limits_.per_destination)
      return false;
  }
  return true;
}

// The first waiting job that may start, skipping every job of a lane whose earlier job
// still waits: a lane keeps its order even when its head waits for a slot.
std::optional<std::size_t> PassPlan::pick() {
  std::set<std::string_view> held_lanes;
  for (auto it = waiting_.begin(); it != waiting_.end(); ++it) {
    const auto& job = jobs_[*it];
    if (held_lanes.contains(job.lane))
      continue;
    if (!startable(job)) {
      held_lanes.insert(job.lane);
      continue;
    }
    const auto chosen = *it;
    waiting_.erase(it);
    ++running_channel_[job.channel];
    ++running_notifier_[job.notifier];
    ++running_destination_[job.destination];
    lane_busy_[job.lane] = true;
    return chosen;
  }
  return std::nullopt;
}

std::optional<std::size_t> PassPlan::acquire(const WaitingHook& hook,
                                             std::chrono::milliseconds hook_every) {
  std::unique_lock lock(mutex_);
  for (;;) {
    if (waiting_.empty())
      return std::nullopt;
    if (hook)
      hook(waiting_);
    if (auto chosen = pick()) {
      if (waiting_.empty())
        freed_.notify_all();  // the sleepers have nothing left to wait for
      return chosen;
    }
    freed_.wait_for(lock, hook_every);
  }
}

// One ending frees at most four jobs: the next of its lane, one held by its channel's
// bound, one by its notifier's and one by its destination's. Waking every sleeper would make each
// rescan the whole batch for nothing.
void PassPlan::release(std::size_t job) {
  {
    std::lock_guard lock(mutex_);
    const auto& j = jobs_[job];
    --running_channel_[j.channel];
    --running_notifier_[j.notifier];
    --running_destination_[j.destination];
    lane_busy_[j.lane] = false;
  }
  for (int i = 0; i < 4; ++i)
    freed_.notify_one();
}

}  // namespace interviewkit::detail
