// One side of one book: its levels as a sorted array of keys, best level at the back.
// Owned by one BookShard's core; not thread-safe.
//
// Activity concentrates at two ends: near the top of the book (new orders, fills,
// cancels of fresh orders) and far from it (cancels of stale orders left behind when
// the price moved). So the array keeps free room at both ends of its chunk, and an
// insert or erase shifts whichever part is shorter: O(min(i, n - i)) entries for
// index i. Positions are found by a short linear scan from the back, falling back to
// binary search for deep prices. Keys and level indices are stored as two arrays in
// the chunk (keys first), so the scan compares eight contiguous keys per step.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

#include "tachyon/book/ladder_arena.h"

namespace tachyon::book {

class PriceLadder {
 public:
  // Keys scanned linearly from the back (eight per step) before switching to binary
  // search.
  static constexpr uint32_t kLinearScan = 32;

  bool empty() const noexcept { return size_ == 0; }
  uint32_t size() const noexcept { return size_; }
  int64_t key(uint32_t i) const noexcept { return keys_[begin_ + i]; }
  uint32_t level(uint32_t i) const noexcept { return levels_[begin_ + i]; }
  LadderEntry operator[](uint32_t i) const noexcept { return LadderEntry{key(i), level(i), 0}; }
  // The best level. Precondition: !empty().
  LadderEntry back() const noexcept { return (*this)[size_ - 1]; }

  // Returns the index of key, or -1. O(min(d, log n)) for a key d levels from the top.
  int64_t find(int64_t key) const noexcept {
    const uint32_t p = lower_bound(key);
    return (p < size_ && keys_[begin_ + p] == key) ? int64_t{p} : -1;
  }

  // Returns the first index whose key is >= key (size() if none).
  uint32_t lower_bound(int64_t key) const noexcept {
    const int64_t* k = keys_ + begin_;
    uint32_t i = size_;
    // The keys >= key form a suffix: count them eight at a time from the top.
    for (uint32_t scanned = 0; i >= 8 && scanned < kLinearScan; scanned += 8) {
      const unsigned ge = count_at_least(k + i - 8, key);
      if (ge < 8) return i - ge;
      i -= 8;
    }
    if (i < 8) {
      while (i > 0 && k[i - 1] >= key) --i;
      return i;
    }
    // key is below the scanned keys: binary search [0, i).
    uint32_t lo = 0, hi = i;
    while (lo < hi) {
      const uint32_t mid = lo + (hi - lo) / 2;
      if (k[mid] < key) lo = mid + 1; else hi = mid;
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
    keys_[begin_ + pos] = key;
    levels_[begin_ + pos] = level;
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
    set_chunk(nullptr, 0);
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
    copy_to(smaller, cls_ - 1, begin);
    arena.release(e_, cls_);
    set_chunk(smaller, cls_ - 1);
    begin_ = begin;
  }

  // For arena compaction: the chunk, and moving the entries to the start of a new chunk
  // of class cls (which must hold size() entries; the regions may overlap).
  const LadderEntry* chunk() const noexcept { return e_; }
  // The destination starts at or below the source and is no larger, so writing the
  // new keys never reaches the old level indices.
  void relocate(LadderEntry* dst, uint32_t cls) noexcept {
    copy_to(dst, cls, 0);
    set_chunk(dst, cls);
    begin_ = 0;
  }
  // Forgets the chunk without returning it (the arena is being rebuilt).
  void drop_chunk() noexcept {
    set_chunk(nullptr, 0);
    begin_ = 0;
  }

 private:
  bool grow(LadderArena& arena) noexcept;

  // Returns how many of the 8 keys at k are >= key: one vector compare where the
  // target has one.
  static unsigned count_at_least(const int64_t* k, int64_t key) noexcept {
#if defined(__AVX512F__)
    const __mmask8 ge = _mm512_cmpge_epi64_mask(_mm512_loadu_si512(k), _mm512_set1_epi64(key));
    return static_cast<unsigned>(__builtin_popcount(ge));
#elif defined(__AVX2__)
    const __m256i v = _mm256_set1_epi64x(key);
    const __m256i lo = _mm256_cmpgt_epi64(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k)));
    const __m256i hi = _mm256_cmpgt_epi64(v, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(k + 4)));
    const unsigned below = static_cast<unsigned>(__builtin_popcount(_mm256_movemask_pd(_mm256_castsi256_pd(lo))) +
                                                 __builtin_popcount(_mm256_movemask_pd(_mm256_castsi256_pd(hi))));
    return 8 - below;
#else
    unsigned ge = 0;
    for (unsigned j = 0; j < 8; ++j) ge += k[j] >= key ? 1u : 0u;
    return ge;
#endif
  }

  // Points keys_ and levels_ into chunk c of class cls: keys first, then levels.
  void set_chunk(LadderEntry* c, uint32_t cls) noexcept {
    e_ = c;
    cls_ = cls;
    keys_ = reinterpret_cast<int64_t*>(c);
    levels_ = c ? reinterpret_cast<uint32_t*>(keys_ + LadderArena::chunk_entries(cls)) : nullptr;
  }

  // Copies the entries to chunk dst of class cls, starting at index begin there
  // (memmove: dst may overlap this chunk as compaction and shrinking require).
  void copy_to(LadderEntry* dst, uint32_t cls, uint32_t begin) noexcept {
    auto* k = reinterpret_cast<int64_t*>(dst);
    auto* l = reinterpret_cast<uint32_t*>(k + LadderArena::chunk_entries(cls));
    std::memmove(k + begin, keys_ + begin_, size_ * sizeof(int64_t));
    std::memmove(l + begin, levels_ + begin_, size_ * sizeof(uint32_t));
  }

  template <class T>
  static void move_array(T* a, uint32_t dst, uint32_t src, uint32_t n) noexcept {
    if (n <= 4) {
      if (dst < src) {
        for (uint32_t i = 0; i < n; ++i) a[dst + i] = a[src + i];
      } else {
        for (uint32_t i = n; i > 0; --i) a[dst + i - 1] = a[src + i - 1];
      }
      return;
    }
    std::memmove(a + dst, a + src, n * sizeof(T));
  }

  // Moves n entries from index src to index dst of the chunk (regions may overlap).
  // Most moves near either end are a few entries, so those skip the library call.
  void move(uint32_t dst, uint32_t src, uint32_t n) noexcept {
    move_array(keys_, dst, src, n);
    move_array(levels_, dst, src, n);
  }

  // Puts the entries in the middle of the chunk, leaving equal room at both ends.
  // Precondition: size() < capacity().
  void recenter() noexcept {
    const uint32_t begin = (capacity() - size_) / 2;
    move(begin, begin_, size_);
    begin_ = begin;
  }

  LadderEntry* e_ = nullptr;  // the chunk
  int64_t* keys_ = nullptr;   // chunk_entries(cls_) keys at the start of the chunk
  uint32_t* levels_ = nullptr;  // then as many level indices
  uint32_t begin_ = 0;  // index of the first entry in the chunk
  uint32_t size_ = 0;
  uint32_t cls_ = 0;
};

}  // namespace tachyon::book
