// WorkerPool: see worker_pool.hpp for why threads. A task is posted with a generation
// number; each thread runs each generation at most once, and `run` returns only after
// taking the task down and seeing every thread that took it finish, so the task (a
// reference to the caller's pass) is never used after `run` returns.
#include "worker_pool.hpp"

#include <fmt/format.h>

#include <interviewkit/log/action_log.hpp>

namespace interviewkit::detail {

WorkerPool::WorkerPool(std::size_t threads, ErrorHandler on_error)
    : wanted_(threads), on_error_(std::move(on_error)) {}

WorkerPool::~WorkerPool() {
  std::vector<std::thread> threads;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    threads.swap(threads_);
  }
  task_posted_.notify_all();
  for (auto& t : threads)
    t.join();
}

// Threads are made on the first run, not with the dispatcher: a host that only ever calls
// drain_once with small batches, or never starts one, pays nothing.
void WorkerPool::start() {
  while (threads_.size() < wanted_) {
    try {
      threads_.emplace_back([this] { loop(); });
    } catch (...) {
      report_error(
          on_error_,
          fmt::format("dispatcher: could start only {} of {} delivery threads: {}", threads_.size(),
                      wanted_, describe_exception(std::current_exception())));
      wanted_ = threads_.size();
    }
  }
}

void WorkerPool::run(const std::function<void()>& work) {
  {
    std::lock_guard lock(mutex_);
    start();
    task_ = &work;
    ++generation_;
  }
  task_posted_.notify_all();
  work();
  std::unique_lock lock(mutex_);
  task_ = nullptr;  // a thread waking late takes nothing
  task_done_.wait(lock, [&] { return active_ == 0; });
}

void WorkerPool::loop() noexcept {
  std::uint64_t seen = 0;
  std::unique_lock lock(mutex_);
  for (;;) {
    task_posted_.wait(lock,
                      [&] { return shutting_down_ || (task_ != nullptr && generation_ != seen); });
    if (shutting_down_)
      return;
    seen = generation_;
    const auto* task = task_;
    ++active_;
    lock.unlock();
    (*task)();
    lock.lock();
    if (--active_ == 0)
      task_done_.notify_all();
  }
}

}  // namespace interviewkit::detail
