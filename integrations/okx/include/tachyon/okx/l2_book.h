// One instrument's mirrored L2 book (price level -> size, in ticks and lots), kept in
// tachyon's book structures: a one-symbol BookShard in feed (mirror) mode, where each
// level is one synthetic resting order (more when a level's size exceeds the shard's
// per-order limit). So the BBO, depth and hash views of book::OrderBook apply as they
// do to every other book. Owned by the control-plane thread; not thread-safe.
// set_level() is on the market-data hot path: no allocation, no exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "tachyon/book/book_shard.h"
#include "tachyon/book/types.h"

namespace tachyon::okx {

struct L2BookConfig {
  uint32_t max_levels = 8192;  // price levels over both sides
};

class L2Book {
 public:
  // Largest quantity one synthetic order carries (the shard's max_qty).
  static constexpr int64_t kOrderQtyMax = book::kMaxQtyLimit;
  // Orders per level at most: a level holds up to kLevelQtyMax lots.
  static constexpr int64_t kOrdersPerLevelMax = 1 << 15;
  static constexpr int64_t kLevelQtyMax = kOrderQtyMax * kOrdersPerLevelMax;
  // Prices in ticks must lie within +-kPriceTicksMax (47 bits of the order id).
  static constexpr int64_t kPriceTicksMax = (int64_t{1} << 46) - 1;

  explicit L2Book(const L2BookConfig& cfg = {});
  ~L2Book();
  L2Book(const L2Book&) = delete;
  L2Book& operator=(const L2Book&) = delete;

  // Sets the size of the level at price on side; size 0 removes it. Returns false
  // when the price or size is out of range or the pools are exhausted (the book may
  // then be partly updated: drop it). Hot path; O(1) levels touched plus the ladder
  // search.
  bool set_level(book::Side side, int64_t price_ticks, int64_t size_lots) noexcept {
    if (price_ticks > kPriceTicksMax || price_ticks < -kPriceTicksMax || size_lots < 0 ||
        size_lots > kLevelQtyMax) [[unlikely]]
      return false;
    const book::Price px{price_ticks};
    const int64_t old = shard_->book(book::SymbolId{0}).qty_at(side, px).value;
    if (old == size_lots) return true;
    if (old <= kOrderQtyMax && size_lots <= kOrderQtyMax) [[likely]] {
      set_order(side, px, 0, old, size_lots);
    } else {
      const int64_t n = ceil_div(old > size_lots ? old : size_lots);
      for (int64_t k = 0; k < n; ++k) set_order(side, px, k, piece(old, k), piece(size_lots, k));
    }
    return sink_.rejects == 0 || fail();
  }

  // Removes every level. O(levels).
  void clear() noexcept;

  const book::OrderBook& book() const noexcept { return shard_->book(book::SymbolId{0}); }
  uint32_t level_count(book::Side s) const noexcept { return book().level_count(s); }
  // Fills out with the best levels of side s (qty = level size in lots).
  std::size_t depth(book::Side s, std::span<book::DepthLevel> out) const noexcept { return book().depth(s, out); }
  // Returns the size in lots at a price (0 when there is no level).
  int64_t size_at(book::Side s, int64_t price_ticks) const noexcept {
    return book().qty_at(s, book::Price{price_ticks}).value;
  }
  uint64_t hash() const noexcept { return book().hash(); }

 private:
  struct RejectCounter {
    uint64_t rejects = 0;
    void on_event(const book::Event& e) noexcept {
      if (e.kind == book::EventKind::kRejected) ++rejects;
    }
  };

  static constexpr int64_t ceil_div(int64_t q) noexcept { return (q + kOrderQtyMax - 1) / kOrderQtyMax; }
  // The part of a level of total size q that synthetic order k carries.
  static constexpr int64_t piece(int64_t q, int64_t k) noexcept {
    const int64_t rest = q - k * kOrderQtyMax;
    return rest <= 0 ? 0 : (rest > kOrderQtyMax ? kOrderQtyMax : rest);
  }
  static constexpr book::OrderId order_id(book::Side s, book::Price p, int64_t k) noexcept {
    return book::OrderId{(static_cast<uint64_t>(p.ticks) << 17) | (static_cast<uint64_t>(k) << 1) |
                         static_cast<uint64_t>(s)};
  }
  void set_order(book::Side s, book::Price p, int64_t k, int64_t from, int64_t to) noexcept {
    if (from == to) return;
    const book::OrderId id = order_id(s, p, k);
    if (from == 0) {
      shard_->insert(0, book::SymbolId{0}, id, s, p, book::Qty{to}, sink_);
    } else if (to == 0) {
      shard_->cancel(0, id, sink_);
    } else if (to < from) {
      shard_->modify(0, id, p, book::Qty{to}, sink_);  // a decrease keeps its place, never matches
    } else {
      // An increase through modify() would re-match against a (momentarily) crossed
      // opposite side; a mirror never matches, so cancel and rest again.
      shard_->cancel(0, id, sink_);
      shard_->insert(0, book::SymbolId{0}, id, s, p, book::Qty{to}, sink_);
    }
  }
  [[gnu::cold]] bool fail() noexcept {
    sink_.rejects = 0;
    return false;
  }

  std::unique_ptr<book::BookShard> shard_;
  RejectCounter sink_;
  std::unique_ptr<book::OrderId[]> scratch_;  // clear(): ids collected before cancelling
  uint32_t scratch_size_ = 0;
};

}  // namespace tachyon::okx
