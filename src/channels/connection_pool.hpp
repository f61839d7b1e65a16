// Internal: the connection slots of a network channel (SMTP, webhook). Not installed.
//
// A slot is one libcurl easy handle (and so one connection to the server) plus the state of
// the transfer running on it. Each delivery checks a slot out, runs its transfer on it alone
// and gives it back. Why a pool of easy handles rather than libcurl's multi interface: the
// Notifier interface is synchronous and each deliver runs on a dispatcher worker thread of
// its own, so every transfer already has a thread to block in; a slot per running delivery
// gives connection reuse (the SMTP session, the HTTP keep-alive connection stays open for
// the next delivery that takes the slot) with no state shared between transfers, and no
// lock is held while one runs.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <interviewkit/domain/error.hpp>
#include <interviewkit/notify/notifier.hpp>

namespace interviewkit::detail {

// make()'s check of a channel's max_connections. The ceiling, 1000, is far above what a
// server grants one client (Postfix runs 20 deliveries per destination at once by default)
// and stays below the 1024 file descriptors a process usually gets.
inline std::optional<InvalidInput> check_max_connections(std::string_view channel,
                                                         std::size_t max_connections) {
  if (max_connections >= 1 && max_connections <= 1000)
    return std::nullopt;
  return InvalidInput{fmt::format("{} max_connections must be between 1 and 1000, got {}", channel,
                                  max_connections)};
}

// At most `limit` slots exist at once, whether running a transfer or idle. Idle slots (with
// their open connections) are kept only between begin_batch and end_batch: outside a batch
// nobody would close them, and a server times an idle connection out (RFC 5321 section
// 4.5.3.2.7 allows it after 5 minutes), so the next delivery would first fail on a dead one.
template <class Slot>
class ConnectionPool {
 public:
  // One delivery's use of a slot; gives it back when it goes out of scope. Empty when no
  // slot became free by the deadline.
  class Lease {
   public:
    Lease() = default;
    Lease(ConnectionPool* pool, std::unique_ptr<Slot> slot) noexcept
        : pool_(pool), slot_(std::move(slot)) {}
    Lease(Lease&& other) noexcept
        : pool_(other.pool_), slot_(std::move(other.slot_)), keep_(other.keep_) {}
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (slot_)
        pool_->give_back(std::move(slot_), keep_);
    }
    explicit operator bool() const noexcept { return slot_ != nullptr; }
    Slot& operator*() const noexcept { return *slot_; }
    Slot* operator->() const noexcept { return slot_.get(); }
    // The transfer left the connection in a known, usable state: the next delivery may
    // reuse it. Without this the slot is closed when given back.
    void keep() noexcept { keep_ = true; }

   private:
    ConnectionPool* pool_ = nullptr;
    std::unique_ptr<Slot> slot_;
    bool keep_ = false;
  };

  // Room for every slot is reserved up front: giving one back never allocates, so never
  // fails.
  explicit ConnectionPool(std::size_t limit) : limit_(limit) { idle_.reserve(limit); }

  [[nodiscard]] std::size_t limit() const noexcept { return limit_; }

  // The most recently used idle slot (its connection is the least likely to have been
  // dropped by the server), else a new one while fewer than `limit` exist, else waits for
  // one until `deadline`. A Dispatcher never runs more deliveries at once than the limit,
  // so only a host calling deliver from more threads than that ever waits here.
  Lease checkout(Deadline deadline) {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_until(lock, deadline, [&] { return !idle_.empty() || open_ < limit_; }))
      return {};
    if (!idle_.empty()) {
      auto slot = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(slot));
    }
    ++open_;
    lock.unlock();
    try {
      return Lease(this, std::make_unique<Slot>());
    } catch (...) {
      forget();
      throw;
    }
  }

  // Whether a batch is open: only then may a connection outlive its delivery.
  [[nodiscard]] bool in_batch() {
    std::lock_guard lock(mutex_);
    return batches_ > 0;
  }

  void begin_batch() {
    std::lock_guard lock(mutex_);
    ++batches_;
  }

  // Once the last open batch ends, closes every idle slot: their connections would only sit
  // open until the server drops them. Counted, so that two Dispatchers sharing this channel
  // keep their connections until the last of their passes ends. Slots still running a
  // transfer (a host's own call) are closed when given back. One slot at a time, never under
  // the lock: closing an SMTP session waits for the server's reply to QUIT.
  void end_batch() noexcept {
    std::size_t idle = 0;
    {
      std::lock_guard lock(mutex_);
      if (batches_ > 0)
        --batches_;
      idle = batches_ == 0 ? idle_.size() : 0;
    }
    for (; idle > 0; --idle) {
      std::unique_ptr<Slot> slot;
      {
        std::lock_guard lock(mutex_);
        if (idle_.empty())
          return;
        slot = std::move(idle_.back());
        idle_.pop_back();
      }
      slot.reset();
      forget();
    }
  }

  ~ConnectionPool() = default;  // REQUIRES: no Lease outlives the pool
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

 private:
  void give_back(std::unique_ptr<Slot> slot, bool keep) noexcept {
    {
      std::lock_guard lock(mutex_);
      if (keep && batches_ > 0) {
        idle_.push_back(std::move(slot));
        freed_.notify_one();
        return;
      }
    }
    slot.reset();  // closes its connection, outside the lock (see end_batch)
    forget();
  }

  // A slot is gone; counted only once its connection is closed, so the server never sees
  // more than `limit` of ours at once.
  void forget() noexcept {
    std::lock_guard lock(mutex_);
    --open_;
    freed_.notify_one();
  }

  const std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable freed_;  // a slot went idle or was closed
  std::vector<std::unique_ptr<Slot>> idle_;
  std::size_t open_ = 0;  // slots in existence: idle, running, or being closed
  std::size_t batches_ = 0;
};

}  // namespace interviewkit::detail
