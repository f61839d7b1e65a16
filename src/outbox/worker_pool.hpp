// WorkerPool: the Dispatcher's delivery threads.
//
// Internal. Why threads and not libcurl's multi interface: a Notifier is a synchronous
// interface that hosts implement (files, calendars, their own APIs), and the dispatcher's
// per-message steps (lease renewal, the revision check, the fenced outcome) are store
// calls that block too. A thread per delivery slot keeps every channel, ours and the
// host's, concurrent with no callback state machines; each slot keeps its own connection
// (SMTP session, HTTP keep-alive), so reuse needs no shared state. At the concurrency a
// dispatcher needs (tens to a few hundred deliveries in flight, each waiting on the network)
// threads cost a little memory and no CPU while they wait.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <interviewkit/log/error_handler.hpp>

namespace interviewkit::detail {

/// Threads made on first use and kept until the pool is destroyed. Thread-safe, but `run`
/// calls are meant to come one at a time (a dispatcher's passes take turns).
class WorkerPool {
 public:
  /// `threads`: how many pool threads besides the caller's (0: the caller does all work).
  /// Failures to start a thread are told to `on_error`; the pool then runs with fewer.
  WorkerPool(std::size_t threads, ErrorHandler on_error);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Runs `work` on the calling thread and on every pool thread at once, and returns when
  /// every one of them has returned. `work` must not throw and must return once there is
  /// nothing left for it to do.
  void run(const std::function<void()>& work);

 private:
  void start();  // REQUIRES: mutex_ held
  void loop() noexcept;

  std::size_t wanted_;
  ErrorHandler on_error_;
  std::mutex mutex_;
  std::condition_variable task_posted_;
  std::condition_variable task_done_;
  std::vector<std::thread> threads_;             // GUARDED_BY(mutex_)
  const std::function<void()>* task_ = nullptr;  // GUARDED_BY(mutex_)
  std::uint64_t generation_ = 0;                 // GUARDED_BY(mutex_)
  std::size_t active_ = 0;                       // GUARDED_BY(mutex_)
  bool shutting_down_ = false;                   // GUARDED_BY(mutex_)
};

}  // namespace interviewkit::detail
