// PassPlan: which of a pass's claimed messages a delivery thread may start next.
//
// Internal to the Dispatcher. A pass claims a batch; its messages start in claim order
// (oldest due first), bounded three ways, like a mail server's queue manager:
//  - per channel, by the channel's Notifier::max_concurrency() and the host's own bound, so
//    a notifier that is not thread-safe is never called twice at once;
//  - per destination (SMTP host, webhook origin), so one slow receiver cannot take every
//    slot and a receiver is not flooded (Postfix bounds deliveries per destination too);
//  - per lane (interview, recipient, channel): one at a time and in claim order, so the
//    store's lane rule (detail::waits_behind) also holds inside a batch.
// A message that must wait for its channel or destination lets later ones start first; a
// lane never lets a later message of its own start first.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace interviewkit::detail {

/// What the plan needs to know about one claimed message.
struct PlannedJob {
  std::string lane;         ///< messages of one lane run one at a time, in order
  std::string channel;      ///< bounded by the host's limit for the channel name
  std::string notifier;     ///< bounded by the notifier's max_concurrency (one notifier may
                            ///< serve several channel names)
  std::string destination;  ///< bounded by the per-destination limit
};

struct PlanLimits {
  std::map<std::string, std::size_t, std::less<>> per_channel;   ///< absent: unbounded
  std::map<std::string, std::size_t, std::less<>> per_notifier;  ///< absent: unbounded
  std::size_t per_destination = 0;                               ///< 0: unbounded
};

/// Thread-safe: every member may be called from any thread of the pass.
class PassPlan {
 public:
  PassPlan(std::vector<PlannedJob> jobs, PlanLimits limits);

  /// Called with the jobs still waiting, under the plan's lock, before each pick: the
  /// dispatcher renews their leases there (no job starts meanwhile).
  using WaitingHook = std::function<void(std::span<const std::size_t> waiting)>;

  /// The next job this thread should run (now counted as running), blocking while every
  /// waiting job is held back by running ones; nullopt once no job is left waiting. A
  /// blocked thread wakes at least every `hook_every` to run the hook again, so waiting
  /// jobs keep their leases even while every slot is taken by slow deliveries.
  std::optional<std::size_t> acquire(const WaitingHook& hook, std::chrono::milliseconds hook_every);
  /// A job acquired before has ended: its channel, destination and lane are free again.
  void release(std::size_t job);

 private:
  [[nodiscard]] bool startable(const PlannedJob& job) const;  // REQUIRES: mutex_ held
  std::optional<std::size_t> pick();                          // REQUIRES: mutex_ held

  std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<PlannedJob> jobs_;
  PlanLimits limits_;
  std::vector<std::size_t> waiting_;  // GUARDED_BY(mutex_), in claim order
  std::map<std::string, std::size_t, std::less<>> running_channel_;      // GUARDED_BY(mutex_)
  std::map<std::string, std::size_t, std::less<>> running_notifier_;     // GUARDED_BY(mutex_)
  std::map<std::string, std::size_t, std::less<>> running_destination_;  // GUARDED_BY(mutex_)
  std::map<std::string, bool, std::less<>> lane_busy_;                   // GUARDED_BY(mutex_)
};

}  // namespace interviewkit::detail
