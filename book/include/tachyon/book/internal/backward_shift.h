// Deletion for the book's linear-probing tables (OrderIndex, LevelIndex), whose 8-byte
// entries hold a value (kNil when the bucket is empty) and a tag from which the owner
// computes the entry's home bucket. Used by the owning core only; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tachyon/book/order_pool.h"

namespace tachyon::book::detail {

// Empties bucket hole of table (mask + 1 buckets) and moves later entries of its probe
// run back into the gap, so lookups never cross an empty bucket and no tombstones are
// needed. Value is the entry's value member; home(entry) gives the entry's home bucket.
// Expected O(1), hot path.
template <auto Value, class Entry, class Home>
inline void erase_backward_shift(Entry* table, std::size_t mask, std::size_t hole, Home home) noexcept {
  std::size_t j = hole;
  for (;;) {
    j = (j + 1) & mask;
    const Entry e = table[j];
    if (e.*Value == kNil) break;
    const std::size_t h = home(e);
    // e may move into the hole unless its home lies cyclically in (hole, j].
    if (((j - h) & mask) >= ((j - hole) & mask)) {
      table[hole] = e;
      hole = j;
    }
  }
  table[hole].*Value = kNil;
}

}  // namespace tachyon::book::detail
