// One side of one book: its levels as a sorted array of keys, best level at the back.
// Owned by one BookShard's core; not thread-safe.
//
// Activity concentrates at two ends: near the top of the book (new orders, fills,
// cancels of fresh orders) and far from it (cancels of stale orders left behind when
// the price moved). So the array keeps free room at both ends of its chunk, and an
// insert or erase shifts whichever part is shorter: O(min(i, n - i)) entries for
// index i. Positions are found by a short linear scan from the back, falling back to
// binary search for deep prices.
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
  const LadderEntry& operator[](uint32_t i) const noexcept { return e_[begin_ + i]; }
  // The best level. Precondition: !empty().
  const LadderEntry& back() const noexcept { return e_[begin_ + size_ - 1]; }

  // Returns the index of key, or -1. O(min(d, log n)) for a key d levels from the top.
  int64_t find(int64_t key) const noexcept {
    const uint32_t p = lower_bound(key);
    return (p < size_ && e_[begin_ + p].key == key) ? int64_t{p} : -1;
  }

  // Returns the first index whose key is >= key (size() if none).
  uint32_t lower_bound(int64_t key) const noexcept {
    const LadderEntry* e = e_ + begin_;
    uint32_t i = size_;
    const uint32_t stop = size_ > kLinearScan ? size_ - kLinearScan : 0;
    while (i > stop && e[i - 1].key >= key) --i;
    if (i > stop || stop == 0) return i;
    // key is below the scanned window: binary search [0, stop).
    uint32_t lo = 0, hi = stop;
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (e[mid].key < key) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  // Makes room for one more entry, growing into the arena. False when it is exhausted.
  bool reserve_one(LadderArena& arena) noexcept {
    if (size_ < capacity()) [[likely]] return true;
    return grow(arena);
  }

  // Inserts at index pos, shifting the shorter side. Preconditions: reserve_one()
  // succeeded; the key order is kept.
  void insert_at(uint32_t pos, int64_t key, uint32_t level) noexcept {
    const uint32_t cap = capacity();
    const bool front_cheaper = pos < size_ - pos;
    if (front_cheaper ? begin_ == 0 : begin_ + size_ == cap) recenter();
    if (begin_ > 0 && (front_cheaper || begin_ + size_ == cap)) {
      move(begin_ - 1, begin_, pos);
      --begin_;
    } else {
      move(begin_ + pos + 1, begin_ + pos, size_ - pos);
    }
    e_[begin_ + pos] = LadderEntry{key, level, 0};
    ++size_;
  }

  // Erases index pos, shifting the shorter side. An emptied ladder keeps its chunk
  // until release().
  void erase_at(uint32_t pos) noexcept {
    if (pos < size_ - 1 - pos) {
      move(begin_ + 1, begin_, pos);
      ++begin_;
    } else {
      move(begin_ + pos, begin_ + pos + 1, size_ - 1 - pos);
    }
    --size_;
  }
  void pop_back() noexcept { --size_; }

  // Returns the chunk of an empty ladder to the arena, so idle books hold no space.
  void release(LadderArena& arena) noexcept {
    if (e_ == nullptr) return;
    arena.release(e_, cls_);
    e_ = nullptr;
    cls_ = 0;
    begin_ = 0;
  }

  uint32_t capacity() const noexcept { return e_ ? LadderArena::chunk_entries(cls_) : 0; }

  // Moves to a chunk of half the size once three quarters of this one are unused, so a
  // ladder never holds more than four times its entries (or the minimum chunk). Keeps
  // the current chunk when the arena has no smaller one. Amortised O(1).
  void shrink_if_sparse(LadderArena& arena) noexcept {
    if (cls_ == 0 || e_ == nullptr || size_ >= capacity() / 4) return;
    LadderEntry* smaller = arena.allocate(cls_ - 1);
    if (smaller == nullptr) return;
    const uint32_t begin = (LadderArena::chunk_entries(cls_ - 1) - size_) / 2;
    std::memcpy(smaller + begin, e_ + begin_, size_ * sizeof(LadderEntry));
    arena.release(e_, cls_);
    e_ = smaller;
    begin_ = begin;
    --cls_;
  }

  // For arena compaction: the chunk, and moving the entries to the start of a new chunk
  // of class cls (which must hold size() entries; the regions may overlap).
  const LadderEntry* chunk() const noexcept { return e_; }
  void relocate(LadderEntry* dst, uint32_t cls) noexcept {
    std::memmove(dst, e_ + begin_, size_ * sizeof(LadderEntry));
    e_ = dst;
    begin_ = 0;
    cls_ = cls;
  }
  // Forgets the chunk without returning it (the arena is being rebuilt).
  void drop_chunk() noexcept {
    e_ = nullptr;
    cls_ = 0;
    begin_ = 0;
  }

 private:
  bool grow(LadderArena& arena) noexcept;

  // Moves n entries from index src to index dst of the chunk (regions may overlap).
  // Most moves near either end are a few entries, so those skip the library call.
  void move(uint32_t dst, uint32_t src, uint32_t n) noexcept {
    if (n <= 4) {
      if (dst < src) {
        for (uint32_t i = 0; i < n; ++i) e_[dst + i] = e_[src + i];
      } else {
        for (uint32_t i = n; i > 0; --i) e_[dst + i - 1] = e_[src + i - 1];
      }
      return;
    }
    std::memmove(e_ + dst, e_ + src, n * sizeof(LadderEntry));
  }

  // Puts the entries in the middle of the chunk, leaving equal room at both ends.
  // Precondition: size() < capacity().
  void recenter() noexcept {
    const uint32_t begin = (capacity() - size_) / 2;
    move(begin, begin_, size_);
    begin_ = begin;
  }

  LadderEntry* e_ = nullptr;
  uint32_t begin_ = 0;  // index of the first entry in the chunk
  uint32_t size_ = 0;
  uint32_t cls_ = 0;
};

}  // namespace tachyon::book
