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

bool PassPlan::startable(const PlannedJob& job) const {
  if (const auto busy = lane_busy_.find(job.lane); busy != lane_busy_.end() && busy->second)
    return false;
  if (const auto bound = limits_.per_channel.find(job.channel);
      bound != limits_.per_channel.end()) {
    const auto running = running_channel_.find(job.channel);
    if (running != running_channel_.end() && running->second >= bound->second)
      return false;
  }
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
    ++running_destination_[job.destination];
    lane_busy_[job.lane] = true;
    return chosen;
  }
  return std::nullopt;
}

std::optional<std::size_t> PassPlan::acquire(const WaitingHook& hook) {
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
    freed_.wait(lock);
  }
}

// One ending frees at most three jobs: the next of its lane, one held by its channel's
// bound and one held by its destination's. Waking every sleeper would make each rescan the
// whole batch for nothing.
void PassPlan::release(std::size_t job) {
  {
    std::lock_guard lock(mutex_);
    const auto& j = jobs_[job];
    --running_channel_[j.channel];
    --running_destination_[j.destination];
    lane_busy_[j.lane] = false;
  }
  for (int i = 0; i < 3; ++i)
    freed_.notify_one();
}

}  // namespace interviewkit::detail
