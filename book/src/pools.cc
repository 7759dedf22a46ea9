// Setup and teardown of the preallocated pools (orders, levels, level index, ladder
// arena; the order index is in order_index.cc).
// Runs before the owning core starts; not on the hot path.
#include <algorithm>
#include <bit>
#include <cstring>
#include <new>
#include <stdexcept>

#include "tachyon/book/cache_line.h"
#include "tachyon/book/ladder_arena.h"
#include "tachyon/book/level_index.h"
#include "tachyon/book/order_pool.h"
#include "tachyon/book/price_ladder.h"
#include "tachyon/book/price_level.h"

namespace tachyon::book {

namespace {

template <class T>
T* allocate_array(std::pmr::memory_resource* mr, std::size_t n) {
  return static_cast<T*>(mr->allocate(n * sizeof(T), kCacheLine));
}

}  // namespace

OrderPool::OrderPool(uint32_t capacity, std::pmr::memory_resource* mr)
    : orders_(allocate_array<Order>(mr, capacity)), capacity_(capacity), free_head_(0), mr_(mr) {
  // Writing every record threads the free list and faults in every page now, so the
  // hot path never takes a page fault.
  for (uint32_t i = 0; i < capacity; ++i) {
    orders_[i] = Order{};
    orders_[i].next = i + 1 < capacity ? i + 1 : kNil;
  }
  if (capacity == 0) free_head_ = kNil;
}

OrderPool::~OrderPool() { mr_->deallocate(orders_, bytes(), kCacheLine); }

LevelPool::LevelPool(uint32_t capacity, std::pmr::memory_resource* mr)
    : levels_(allocate_array<Level>(mr, capacity)), capacity_(capacity), free_head_(0), mr_(mr) {
  for (uint32_t i = 0; i < capacity; ++i) {
    levels_[i] = Level{};
    levels_[i].head = i + 1 < capacity ? i + 1 : kNil;
  }
  if (capacity == 0) free_head_ = kNil;
}

LevelPool::~LevelPool() { mr_->deallocate(levels_, bytes(), kCacheLine); }

LevelIndex::LevelIndex(uint32_t max_levels, const LevelPool& levels, std::pmr::memory_resource* mr)
    : mask_(std::bit_ceil(std::max<std::size_t>(std::size_t{max_levels} * 2, 16)) - 1),
      shift_(32u - static_cast<unsigned>(std::countr_zero(mask_ + 1))),
      levels_(levels.data()),
      mr_(mr) {
  table_ = allocate_array<Entry>(mr, buckets());
  std::memset(static_cast<void*>(table_), 0xff, bytes());  // level == kNil everywhere
}

LevelIndex::~LevelIndex() { mr_->deallocate(table_, bytes(), kCacheLine); }

LadderArena::LadderArena(std::size_t capacity_entries, std::pmr::memory_resource* mr)
    : base_(allocate_array<LadderEntry>(mr, capacity_entries)), capacity_(capacity_entries), mr_(mr) {
  std::memset(static_cast<void*>(base_), 0, bytes());
}

LadderArena::~LadderArena() { mr_->deallocate(base_, bytes(), kCacheLine); }

LadderEntry* LadderArena::allocate(unsigned cls) noexcept {
  if (cls >= kClasses) return nullptr;
  if (LadderEntry* c = free_[cls]) {
    free_[cls] = reinterpret_cast<LadderEntry*>(static_cast<uintptr_t>(c->key));
    return c;
  }
  const std::size_t n = chunk_entries(cls);
  if (capacity_ - bump_ >= n) {
    LadderEntry* c = base_ + bump_;
    bump_ += n;
    return c;
  }
  // Split a free chunk of the next larger class: keep one half, free the other.
  LadderEntry* big = allocate(cls + 1);
  if (big == nullptr) return nullptr;
  release(big + n, cls);
  return big;
}

void LadderArena::release(LadderEntry* chunk, unsigned cls) noexcept {
  chunk->key = static_cast<int64_t>(reinterpret_cast<uintptr_t>(free_[cls]));
  free_[cls] = chunk;
}

bool PriceLadder::grow(LadderArena& arena) noexcept {
  const unsigned cls = e_ ? cls_ + 1 : 0;
  LadderEntry* bigger = arena.allocate(cls);
  if (bigger == nullptr) return false;
  // Centre the entries: both ends get room.
  const uint32_t begin = (LadderArena::chunk_entries(cls) - size_) / 2;
  if (e_) {
    copy_to(bigger, cls, begin);
    arena.release(e_, cls_);
  }
  set_chunk(bigger, cls);
  begin_ = begin;
  return true;
}

}  // namespace tachyon::book
