// Preallocated arena of sorted-ladder chunks in power-of-two size classes.
// Owned by one BookShard's core; not thread-safe.
//
// Every book side keeps its levels in one contiguous sorted array (see PriceLadder).
// Arrays grow by doubling into a chunk of the next class; freed chunks go to a free
// list per class, and a class with no free chunk and no bump space splits a larger
// free chunk. Nothing here touches the heap after construction.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory_resource>

namespace tachyon::book {

// One ladder entry: the level's sort key (price for bids, -price for asks, so the best
// level is always the largest key, at the back) and its LevelPool index. The arena
// counts space in these 16-byte units; a ladder lays a chunk of n units out as n keys
// followed by n level indices.
struct LadderEntry {
  int64_t key;
  uint32_t level;
  uint32_t pad_;
};
static_assert(sizeof(LadderEntry) == 16);

class LadderArena {
 public:
  static constexpr unsigned kMinShift = 4;  // smallest chunk: 16 entries
  static constexpr unsigned kClasses = 28;  // up to 2^31 entries

  static constexpr uint32_t chunk_entries(unsigned cls) noexcept { return uint32_t{1} << (kMinShift + cls); }

  // Reserves capacity_entries entries from mr. Not on the hot path.
  LadderArena(std::size_t capacity_entries, std::pmr::memory_resource* mr);
  ~LadderArena();
  LadderArena(const LadderArena&) = delete;
  LadderArena& operator=(const LadderArena&) = delete;

  // Returns a chunk of class cls, or nullptr when the arena is exhausted.
  LadderEntry* allocate(unsigned cls) noexcept;
  // Returns a chunk to its class's free list.
  void release(LadderEntry* chunk, unsigned cls) noexcept;

  // Forgets every chunk: the next allocations come from the start of the arena. For
  // compaction, which then re-allocates each live ladder in address order.
  void reset() noexcept {
    bump_ = 0;
    free_.fill(nullptr);
  }

  // Returns the smallest class whose chunk holds n entries.
  static unsigned class_for(uint32_t n) noexcept {
    unsigned c = 0;
    while (chunk_entries(c) < n) ++c;
    return c;
  }

  std::size_t capacity() const noexcept { return capacity_; }

  std::size_t bytes() const noexcept { return capacity_ * sizeof(LadderEntry); }

 private:
  LadderEntry* base_;
  std::size_t capacity_;
  std::size_t bump_ = 0;
  std::array<LadderEntry*, kClasses> free_{};  // chunk free lists, linked through key
  std::pmr::memory_resource* mr_;
};

}  // namespace tachyon::book
