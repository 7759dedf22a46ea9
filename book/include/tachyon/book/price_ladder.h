// One side of one book: its levels as a sorted array of keys, best level at the back.
// Owned by one BookShard's core; not thread-safe.
//
// Activity concentrates at two ends: near the top of the book (new orders, fills,
// cancels of fresh orders) and far from it (cancels of stale orders left behind when
// the price moved). So the array keeps free room at both ends of its chunk, and an
// insert or erase shifts whichever part is shorter: O(min(i, n - i)) entries for
// index i. Positions are found by vector compares of the best 32 keys, falling back
// to a branch-free binary search for deep prices. Keys and level indices are
// stored as two arrays in the chunk (keys first), so a compare covers eight
// contiguous keys.
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
  // A search narrows to at most this many keys by halving, then compares them all at
  // once (four vector compares).
  static constexpr uint32_t kWindow = 32;

  bool empty() const noexcept { return size_ == 0; }
  uint32_t size() const noexcept { return size_; }
  int64_t key(uint32_t i) const noexcept { return keys_[begin_ + i]; }
  uint32_t level(uint32_t i) const noexcept { return levels_[begin_ + i]; }
  LadderEntry operator[](uint32_t i) const noexcept { return LadderEntry{key(i), level(i), 0}; }
  // The best level. Precondition: !empty().
  LadderEntry back() const noexcept { return (*this)[size_ - 1]; }

  // Returns the index of key, or -1. O(log n) for deep keys, O(1) near the top.
  int64_t find(int64_t key) const noexcept {
    const uint32_t p = lower_bound(key);
    return (p < size_ && keys_[begin_ + p] == key) ? int64_t{p} : -1;
  }

  // Returns the first index whose key is >= key (size() if none). Hot path.
  //
  // Branch-free but for one test: the best kWindow keys are compared at once, and a key
  // below them is found by a binary search whose halving is a masked add, not a branch.
  // Where an insert or cancel lands is unpredictable, and the branchy scan-then-bisect
  // this replaces mispredicted about three times per deep search (callgrind
  // --branch-sim on the looped ITCH sample), which cost more than the search itself.
  uint32_t lower_bound(int64_t key) const noexcept {
    const int64_t* k = keys_ + begin_;
    uint32_t n = size_;
    if (n <= kWindow) return count_below(k, n, key);
    // The top of the book first: most operations of a live book land there.
    const unsigned top_below = count_below(k + n - kWindow, kWindow, key);
    if (top_below > 0) return n - kWindow + top_below;
    // Every key from index n - kWindow on is >= key: the answer lies in [0, n - kWindow].
    n -= kWindow;
    const int64_t* b = k;
    while (n > kWindow) {
      const uint32_t half = n / 2;
      b += half & (0u - static_cast<uint32_t>(b[half] < key));
      n -= half;
    }
    return static_cast<uint32_t>(b - k) + count_below(b, n, key);
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

  // Returns how many of the n <= kWindow keys at k are < key, without a branch on n:
  // masked loads never touch the keys past n.
  static unsigned count_below(const int64_t* k, uint32_t n, int64_t key) noexcept {
    static_assert(kWindow == 32, "four 8-key compares cover the window");
    const uint64_t valid = (uint64_t{1} << n) - 1;
#if defined(__AVX512F__)
    const __m512i v = _mm512_set1_epi64(key);
    unsigned below = 0;
    for (unsigned j = 0; j < kWindow / 8; ++j) {
      const auto m = static_cast<__mmask8>(valid >> (8 * j));
      const __m512i x = _mm512_maskz_loadu_epi64(m, k + 8 * j);
      below += static_cast<unsigned>(__builtin_popcount(_mm512_mask_cmplt_epi64_mask(m, x, v)));
    }
    return below;
#elif defined(__AVX2__)
    const __m256i v = _mm256_set1_epi64x(key);
    const __m256i lane = _mm256_setr_epi64x(0, 1, 2, 3);
    unsigned below = 0;
    for (unsigned j = 0; j < kWindow / 4; ++j) {
      // Lanes j*4 + i < n load and compare; the rest read as zero and are masked off.
      const __m256i m = _mm256_cmpgt_epi64(_mm256_set1_epi64x(static_cast<int64_t>(n) - 4 * j), lane);
      const __m256i x = _mm256_maskload_epi64(reinterpret_cast<const long long*>(k + 4 * j), m);
      const __m256i lt = _mm256_and_si256(m, _mm256_cmpgt_epi64(v, x));
      below += static_cast<unsigned>(__builtin_popcount(_mm256_movemask_pd(_mm256_castsi256_pd(lt))));
    }
    (void)valid;
    return below;
#else
    (void)valid;
    unsigned below = 0;
    for (uint32_t i = 0; i < n; ++i) below += k[i] < key ? 1u : 0u;
    return below;
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
