// One symbol's L3 book: two price ladders over the shard's shared pools, plus the
// read-only views (BBO, quantity at a price, L2 depth, L3 iteration, state hash).
// Owned by the shard's core; views are for that core or for a stopped shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "tachyon/book/order_pool.h"
#include "tachyon/book/price_ladder.h"
#include "tachyon/book/price_level.h"
#include "tachyon/book/types.h"

namespace tachyon::book {

// The sort key of a price on a side: the best level always has the largest key.
// Negates without a branch (the side of the next order is a coin toss for the branch
// predictor; a conditional here mispredicted on a quarter of the adds).
constexpr int64_t ladder_key(Side s, Price p) noexcept {
  const int64_t neg = -static_cast<int64_t>(s != Side::kBuy);  // 0 or all ones
  return (p.ticks ^ neg) - neg;
}

struct DepthLevel {
  Price price;
  Qty qty;         // total resting quantity
  uint32_t count;  // number of orders
};

class OrderBook {
 public:
  OrderBook() = default;

  SymbolId symbol() const noexcept { return symbol_; }

  // Returns the best price of a side, if any. O(1).
  std::optional<Price> best(Side s) const noexcept {
    const PriceLadder& l = ladders_[idx(s)];
    if (l.empty()) return std::nullopt;
    return (*levels_)[l.back().level].price;
  }
  std::optional<Price> best_bid() const noexcept { return best(Side::kBuy); }
  std::optional<Price> best_ask() const noexcept { return best(Side::kSell); }

  // Returns the total resting quantity at price on side s (0 if no level). O(log L).
  Qty qty_at(Side s, Price p) const noexcept {
    const PriceLadder& l = ladders_[idx(s)];
    const int64_t i = l.find(ladder_key(s, p));
    return i < 0 ? Qty{0} : (*levels_)[l[static_cast<uint32_t>(i)].level].total;
  }

  // Fills out with up to out.size() levels of side s, best first; returns the count.
  std::size_t depth(Side s, std::span<DepthLevel> out) const noexcept {
    const PriceLadder& l = ladders_[idx(s)];
    std::size_t n = 0;
    for (uint32_t i = l.size(); i > 0 && n < out.size(); --i, ++n) {
      const Level& lv = (*levels_)[l[i - 1].level];
      out[n] = DepthLevel{lv.price, lv.total, lv.count};
    }
    return n;
  }

  uint32_t level_count(Side s) const noexcept { return ladders_[idx(s)].size(); }

  // Calls f(const Level&) for every level of side s, best first.
  template <class F>
  void for_each_level(Side s, F&& f) const {
    const PriceLadder& l = ladders_[idx(s)];
    for (uint32_t i = l.size(); i > 0; --i) f((*levels_)[l[i - 1].level]);
  }

  // Calls f(Price, const Order&) for every order of side s: best level first, each
  // level in time priority (L3 iteration).
  template <class F>
  void for_each_order(Side s, F&& f) const {
    for_each_level(s, [&](const Level& lv) {
      for (uint32_t o = lv.head; o != kNil; o = (*orders_)[o].next) f(lv.price, (*orders_)[o]);
    });
  }

  // Returns a deterministic 64-bit digest of the full book state (every order's side,
  // price, id and remaining quantity, in priority order). Not on the hot path.
  uint64_t hash() const noexcept;

 private:
  friend class BookShard;
  static constexpr std::size_t idx(Side s) noexcept { return static_cast<std::size_t>(s); }

  PriceLadder ladders_[2];
  const OrderPool* orders_ = nullptr;
  const LevelPool* levels_ = nullptr;
  SymbolId symbol_{};
};

}  // namespace tachyon::book
