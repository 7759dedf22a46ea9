// Price levels (FIFO queue heads and aggregates) and their preallocated pool.
// Owned by one BookShard's core; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "tachyon/book/order_pool.h"
#include "tachyon/book/types.h"

namespace tachyon::book {

// One price on one side of one book: a FIFO of orders plus the aggregates the views
// need in O(1).
struct Level {
  Price price;
  Qty total;       // sum of the resting quantities
  uint32_t head;   // oldest order (first to fill), kNil when empty
  uint32_t tail;   // newest order
  uint32_t count;  // number of resting orders
  uint32_t symbol; // owning book
};
static_assert(sizeof(Level) == 32, "two levels per cache line");

class LevelPool {
 public:
  LevelPool(uint32_t capacity, std::pmr::memory_resource* mr);
  ~LevelPool();
  LevelPool(const LevelPool&) = delete;
  LevelPool& operator=(const LevelPool&) = delete;

  // Pops a free level (fields uninitialised); kNil when exhausted. O(1), hot path.
  uint32_t acquire() noexcept {
    const uint32_t s = free_head_;
    if (s != kNil) {
      free_head_ = levels_[s].head;
      ++live_;
    }
    return s;
  }
  void release(uint32_t s) noexcept {
    levels_[s].head = free_head_;
    free_head_ = s;
    --live_;
  }

  Level& operator[](uint32_t s) noexcept { return levels_[s]; }
  const Level& operator[](uint32_t s) const noexcept { return levels_[s]; }
  const Level* data() const noexcept { return levels_; }
  uint32_t capacity() const noexcept { return capacity_; }
  uint32_t live() const noexcept { return live_; }
  uint32_t free() const noexcept { return capacity_ - live_; }
  std::size_t bytes() const noexcept { return std::size_t{capacity_} * sizeof(Level); }

 private:
  Level* levels_;
  uint32_t capacity_;
  uint32_t free_head_;
  uint32_t live_ = 0;
  std::pmr::memory_resource* mr_;
};

}  // namespace tachyon::book
