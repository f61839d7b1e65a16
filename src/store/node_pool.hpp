// NodePool and PoolAllocator: memory for the nodes of MemoryStore's indexes. Not installed.
//
// Why: a booking adds some forty tree and hash nodes to a MemoryStore (an interview, six
// messages, and their index entries), all kept until the store goes. From malloc each one
// took its slow path (nothing freed to reuse), which was a sixth of a booking's
// instructions, and nodes made one after another ended up scattered among the booking's
// temporaries. Here a node costs a pointer bump or a pop from a free list, and the nodes of
// one index lie side by side in the order they were made, which is also the order the
// indexes are mostly walked in (by id, by due time).
//
// Blocks of up to max_block bytes come from 64 KiB slabs in 16-byte size classes; a freed
// block goes on its class's free list for the next node of that size. Memory goes back to
// the system only with the pool, that is with the store. Larger requests (the bucket
// arrays of big hash tables) go to operator new as usual. Not thread-safe: MemoryStore uses
// it only with its mutex held.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <new>
#include <utility>
#include <vector>

namespace interviewkit::detail {

class NodePool {
 public:
  NodePool() = default;
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

  void* allocate(std::size_t bytes) {
    if (bytes > max_block)
      return ::operator new(bytes);
    const auto size_class = class_of(bytes);
    if (auto* block = free_[size_class]) {
      free_[size_class] = block->next;
      return block;
    }
    const auto size = (size_class + 1) * granule;
    if (static_cast<std::size_t>(end_ - next_) < size) {
      // Left uninitialised (no make_unique, which would zero it): every block is
      // constructed into. operator new[] aligns it for any fundamental type, so to 16.
      slabs_.emplace_back(new std::byte[slab_bytes]);
      next_ = slabs_.back().get();
      end_ = next_ + slab_bytes;  // the old slab's tail, under one block, stays unused
    }
    return std::exchange(next_, next_ + size);
  }

  void deallocate(void* pointer, std::size_t bytes) noexcept {
    if (bytes > max_block) {
      ::operator delete(pointer);
      return;
    }
    auto& head = free_[class_of(bytes)];
    head = ::new (pointer) Free{head};
  }

  static constexpr std::size_t granule = 16;  // every block is aligned to it
  static constexpr std::size_t max_block = 512;

 private:
  struct Free {
    Free* next;
  };
  static constexpr std::size_t slab_bytes = std::size_t{64} * 1024;

  static std::size_t class_of(std::size_t bytes) noexcept {
    return bytes == 0 ? 0 : (bytes - 1) / granule;
  }

  std::array<Free*, max_block / granule> free_{};
  std::vector<std::unique_ptr<std::byte[]>> slabs_;
  std::byte* next_ = nullptr;
  std::byte* end_ = nullptr;
};

// A standard allocator drawing on one NodePool: containers that use it must be given it
// (it has no default), and are equal only when they share the pool.
template <class T>
class PoolAllocator {
 public:
  using value_type = T;
  static_assert(alignof(T) <= NodePool::granule, "NodePool blocks are 16-byte aligned");

  explicit PoolAllocator(NodePool& pool) noexcept : pool_(&pool) {}
  template <class U>
  PoolAllocator(const PoolAllocator<U>& other) noexcept  // NOLINT(google-explicit-constructor)
      : pool_(other.pool()) {}

  T* allocate(std::size_t n) { return static_cast<T*>(pool_->allocate(n * sizeof(T))); }
  void deallocate(T* pointer, std::size_t n) noexcept { pool_->deallocate(pointer, n * sizeof(T)); }

  NodePool* pool() const noexcept { return pool_; }

  friend bool operator==(const PoolAllocator& a, const PoolAllocator& b) noexcept {
    return a.pool_ == b.pool_;
  }

 private:
  NodePool* pool_;
};

}  // namespace interviewkit::detail
