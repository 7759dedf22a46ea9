// Preallocated pool of 32-byte resting-order records with an intrusive free list.
// Owned by one BookShard and used only by its core; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "tachyon/book/types.h"

namespace tachyon::book {

inline constexpr uint32_t kNil = UINT32_MAX;

// Order flag bits.
inline constexpr uint8_t kFlagPostOnly = 1;

// One resting order. Its price and symbol live in its Level (order -> level is one
// load), so the record fits half a cache line.
struct Order {
  OrderId id;
  Qty qty;         // remaining quantity, > 0 while resting
  uint32_t level;  // index into the LevelPool
  uint32_t next;   // FIFO successor in the level, or the next free slot
  uint32_t prev;   // FIFO predecessor
  Side side;
  uint8_t flags;
  uint16_t pad_;
};
static_assert(sizeof(Order) == 32, "two orders per cache line");
static_assert(alignof(Order) == 8);
static_assert(offsetof(Order, level) == 16);

class OrderPool {
 public:
  // Allocates and touches capacity records from mr. Not on the hot path.
  OrderPool(uint32_t capacity, std::pmr::memory_resource* mr);
  ~OrderPool();
  OrderPool(const OrderPool&) = delete;
  OrderPool& operator=(const OrderPool&) = delete;

  // Pops a free slot; kNil when the pool is exhausted. O(1), hot path.
  uint32_t acquire() noexcept {
    const uint32_t s = free_head_;
    if (s != kNil) {
      free_head_ = orders_[s].next;
      ++live_;
    }
    return s;
  }
  // Returns a slot to the pool (LIFO, so recently used lines stay hot). O(1), hot path.
  void release(uint32_t s) noexcept {
    orders_[s].next = free_head_;
    free_head_ = s;
    --live_;
  }

  Order& operator[](uint32_t s) noexcept { return orders_[s]; }
  const Order& operator[](uint32_t s) const noexcept { return orders_[s]; }
  const Order* data() const noexcept { return orders_; }
  uint32_t capacity() const noexcept { return capacity_; }
  uint32_t live() const noexcept { return live_; }
  uint32_t free() const noexcept { return capacity_ - live_; }
  std::size_t bytes() const noexcept { return std::size_t{capacity_} * sizeof(Order); }

 private:
  Order* orders_;
  uint32_t capacity_;
  uint32_t free_head_;
  uint32_t live_ = 0;
  std::pmr::memory_resource* mr_;
};

}  // namespace tachyon::book
