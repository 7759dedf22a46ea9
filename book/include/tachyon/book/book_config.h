// Capacities and limits of one BookShard, validated before construction.
// Immutable after validation; thread-safe to read.
#pragma once

#include <cstdint>
#include <string>

#include "tachyon/book/types.h"

namespace tachyon::book {

struct BookConfig {
  uint32_t max_orders = 1u << 20;  // resting-order slots shared by all books of the shard
  uint32_t max_levels = 1u << 16;  // price levels shared by all books and sides
  uint32_t max_symbols = 1;        // books, indexed by SymbolId 0..max_symbols-1
  Price min_price{-(int64_t{1} << 60)};
  Price max_price{int64_t{1} << 60};
  Qty max_qty{1'000'000'000};
  uint64_t hash_seed = 0x7ac4'9e1f'35b2'd861ull;  // id-index hash seed; any value works
  // Buckets of the order-id index in use at start (32 KiB by default). The index is
  // preallocated for 2 x max_orders but grows as live orders need it (doubling up to
  // 2 MiB, then to full size; see OrderIndex), so a book far below capacity probes a
  // table that stays in cache; each growth rehashes the live orders once, on the core.
  // 0 starts at full size and never rehashes.
  uint32_t order_index_start_buckets = 1u << 12;

  // Checks every field; returns an empty string when valid, else one line naming the
  // field, its value and the rule it breaks.
  std::string validate() const;
};

// Limits enforced by validate(); they keep every sum of quantities inside int64 and
// every price key (price or -price) negatable.
inline constexpr int64_t kMaxAbsPrice = int64_t{1} << 61;
inline constexpr int64_t kMaxQtyLimit = (int64_t{1} << 31) - 1;
inline constexpr uint32_t kMaxSlots = (1u << 31) - 1;

}  // namespace tachyon::book
