// Reads a BookShard's state through its public views (L3 iteration, depth, BBO,
// qty_at, id lookup, hashes) and compares it with the reference model. Test code only
// (allocates); single-threaded.
#pragma once

#include <algorithm>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "reference_book.h"
#include "tachyon/book/book_shard.h"

namespace tachyon::book::test {

// Returns every order of a book as seen by OrderBook::for_each_order: bids best
// first, then asks, each level in time priority.
inline std::vector<L3Entry> l3_of(const BookShard& shard, SymbolId sym) {
  std::vector<L3Entry> out;
  for (Side s : {Side::kBuy, Side::kSell})
    shard.book(sym).for_each_order(s, [&](Price p, const Order& o) { out.push_back(L3Entry{s, p, o.id, o.qty}); });
  return out;
}

// Returns all levels of a side through OrderBook::depth, best first.
inline std::vector<DepthLevel> depth_of(const BookShard& shard, SymbolId sym, Side side) {
  std::vector<DepthLevel> out(shard.book(sym).level_count(side) + 2);
  out.resize(shard.book(sym).depth(side, out));
  return out;
}

inline std::string describe(const std::vector<L3Entry>& v) {
  std::ostringstream os;
  for (const L3Entry& e : v)
    os << "  " << side_name(e.side) << " px=" << e.price.ticks << " id=" << e.id.value << " qty=" << e.qty.value
       << '\n';
  return os.str();
}

inline bool same_depth(const std::vector<DepthLevel>& a, const std::vector<DepthLevel>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].price != b[i].price || a[i].qty != b[i].qty || a[i].count != b[i].count) return false;
  return true;
}

// Returns a description of the first difference between the shard and the model, or
// an empty string when every view agrees.
inline std::string compare_state(const BookShard& shard, const ReferenceBook& ref) {
  std::ostringstream os;
  if (shard.live_orders() != ref.live_orders())
    os << "live_orders: shard " << shard.live_orders() << ", model " << ref.live_orders() << '\n';
  if (shard.live_levels() != ref.live_levels())
    os << "live_levels: shard " << shard.live_levels() << ", model " << ref.live_levels() << '\n';
  for (uint32_t s = 0; s < ref.symbols(); ++s) {
    const SymbolId sym{s};
    const OrderBook& b = shard.book(sym);
    const std::vector<L3Entry> got = l3_of(shard, sym);
    const std::vector<L3Entry> want = ref.l3(sym);
    if (got != want) os << "book " << s << " L3 differs\n shard:\n" << describe(got) << " model:\n" << describe(want);
    for (Side side : {Side::kBuy, Side::kSell}) {
      if (b.best(side) != ref.best(sym, side)) os << "book " << s << ' ' << side_name(side) << " best differs\n";
      const std::vector<DepthLevel> d = depth_of(shard, sym, side);
      const std::vector<DepthLevel> rd = ref.depth(sym, side);
      if (!same_depth(d, rd)) os << "book " << s << ' ' << side_name(side) << " depth differs\n";
      if (b.level_count(side) != rd.size()) os << "book " << s << ' ' << side_name(side) << " level_count differs\n";
      // Top-N views must be the prefix of the full depth.
      for (std::size_t n : {std::size_t{1}, std::size_t{3}}) {
        std::vector<DepthLevel> top(n);
        top.resize(b.depth(side, top));
        const std::vector<DepthLevel> want_top(rd.begin(), rd.begin() + std::min(n, rd.size()));
        if (!same_depth(top, want_top)) os << "book " << s << ' ' << side_name(side) << " top-" << n << " differs\n";
      }
      for (const DepthLevel& l : rd)
        if (b.qty_at(side, l.price) != l.qty)
          os << "book " << s << ' ' << side_name(side) << " qty_at(" << l.price.ticks << ") differs\n";
    }
    if (b.hash() != ref.book_hash(sym)) os << "book " << s << " hash differs from the documented digest\n";
    // Every live order is found by id, and its record agrees with the L3 listing.
    for (const L3Entry& e : want) {
      const uint32_t slot = shard.find(e.id);
      if (slot == kNil) {
        os << "id " << e.id.value << " not found\n";
        continue;
      }
      const Order& o = shard.order(slot);
      const Level& lv = shard.level(o.level);
      if (o.id != e.id || o.qty != e.qty || o.side != e.side || lv.price != e.price || lv.symbol != s)
        os << "id " << e.id.value << " record disagrees with L3\n";
    }
  }
  if (shard.hash() != ref.hash()) os << "shard hash differs from the documented digest\n";
  return os.str();
}

}  // namespace tachyon::book::test
