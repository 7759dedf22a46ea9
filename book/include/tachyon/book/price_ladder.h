// One side of one book: its levels as a sorted array of keys, best level at the back.
// Owned by one BookShard's core; not thread-safe.
//
// Activity concentrates near the top of the book, so positions are found by a short
// linear scan from the back, falling back to binary search for deep prices, and
// inserting or erasing near the top moves only the few entries above it.
#pragma once

#include <cstdint>
#include <cstring>

#include "tachyon/book/ladder_arena.h"

namespace tachyon::book {

class PriceLadder {
 public:
  // Entries scanned linearly from the back before switching to binary search.
  static constexpr uint32_t kLinearScan = 16;

  bool empty() const noexcept { return size_ == 0; }
  uint32_t size() const noexcept { return size_; }
  const LadderEntry& operator[](uint32_t i) const noexcept { return e_[i]; }
  // The best level. Precondition: !empty().
  const LadderEntry& back() const noexcept { return e_[size_ - 1]; }

  // Returns the index of key, or -1. O(min(d, log n)) for a key d levels from the top.
  int64_t find(int64_t key) const noexcept {
    const uint32_t p = lower_bound(key);
    return (p < size_ && e_[p].key == key) ? int64_t{p} : -1;
  }

  // Returns the first index whose key is >= key (size() if none).
  uint32_t lower_bound(int64_t key) const noexcept {
    uint32_t i = size_;
    const uint32_t stop = size_ > kLinearScan ? size_ - kLinearScan : 0;
    while (i > stop && e_[i - 1].key >= key) --i;
    if (i > stop || stop == 0) return i;
    // key is below the scanned window: binary search [0, stop).
    uint32_t lo = 0, hi = stop;
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (e_[mid].key < key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Makes room for one more entry, growing into the arena. False when it is exhausted.
  bool reserve_one(LadderArena& arena) noexcept {
    if (size_ < capacity()) [[likely]] return true;
    return grow(arena);
  }

  // Inserts at index pos. Preconditions: reserve_one() succeeded; order is kept.
  void insert_at(uint32_t pos, int64_t key, uint32_t level) noexcept {
    std::memmove(&e_[pos + 1], &e_[pos], (size_ - pos) * sizeof(LadderEntry));
    e_[pos] = LadderEntry{key, level, 0};
    ++size_;
  }

  // Erases index pos. An emptied ladder keeps its chunk until release().
  void erase_at(uint32_t pos) noexcept {
    --size_;
    std::memmove(&e_[pos], &e_[pos + 1], (size_ - pos) * sizeof(LadderEntry));
  }
  void pop_back() noexcept { --size_; }

  // Returns the chunk of an empty ladder to the arena, so idle books hold no space.
  void release(LadderArena& arena) noexcept {
    if (e_ == nullptr) return;
    arena.release(e_, cls_);
    e_ = nullptr;
    cls_ = 0;
  }

  uint32_t capacity() const noexcept { return e_ ? LadderArena::chunk_entries(cls_) : 0; }

  // Moves to a chunk of half the size once three quarters of this one are unused, so a
  // ladder never holds more than four times its entries (or the minimum chunk). Keeps
  // the current chunk when the arena has no smaller one. Amortised O(1).
  void shrink_if_sparse(LadderArena& arena) noexcept {
    if (cls_ == 0 || e_ == nullptr || size_ >= capacity() / 4) return;
    LadderEntry* smaller = arena.allocate(cls_ - 1);
    if (smaller == nullptr) return;
    std::memcpy(smaller, e_, size_ * sizeof(LadderEntry));
    arena.release(e_, cls_);
    e_ = smaller;
    --cls_;
  }

  // For arena compaction: the chunk, and moving the entries to a new chunk of class
  // cls (which must hold size() entries; the regions may overlap).
  const LadderEntry* chunk() const noexcept { return e_; }
  void relocate(LadderEntry* dst, uint32_t cls) noexcept {
    std::memmove(dst, e_, size_ * sizeof(LadderEntry));
    e_ = dst;
    cls_ = cls;
  }
  // Forgets the chunk without returning it (the arena is being rebuilt).
  void drop_chunk() noexcept {
    e_ = nullptr;
    cls_ = 0;
  }

 private:
  bool grow(LadderArena& arena) noexcept;

  LadderEntry* e_ = nullptr;
  uint32_t size_ = 0;
  uint32_t cls_ = 0;
};

}  // namespace tachyon::book
