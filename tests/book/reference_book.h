// A deliberately simple reference model of BookShard's contract, for property tests:
// per symbol and side an ordered map from price to a FIFO deque of orders, plus a hash
// map from id to where the order rests. Written from the contract in book_shard.h and
// event.h, not from the optimized implementation. Test code only: allocates freely,
// single-threaded.
//
// Contract summary this model implements:
//   * Matching is price-time: the best opposite level first (lowest ask, highest bid),
//     FIFO within a level, every fill at the maker's price. A taker at price P crosses
//     an ask at A when A <= P, a bid at B when B >= P; market orders cross everything.
//   * Rejects leave the book unchanged and are checked in this order --
//     add:     unknown symbol, invalid side/type, qty, price (not for market), duplicate
//              live id, then for resting types (limit, post-only) capacity, then
//              post-only would cross.
//     insert:  unknown symbol, invalid side, qty, price, duplicate id, capacity.
//     cancel:  not resting.   reduce: not resting, qty.
//     modify:  not resting, (qty 0 cancels), qty, price, then for a move (price change
//              or qty increase) post-only would cross, capacity.
//     execute: not resting, qty (<= 0 or above the remainder), price (execute_at).
//     replace: not resting, duplicate new id, qty, price, capacity.
//   * Capacity: a new resting order needs a free order slot, and a level at its price
//     on its side or a free level. A moved order (modify/replace) keeps its slot and
//     needs a level at the new price, or a free level once its old level is gone.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "event_recorder.h"
#include "tachyon/book/book_config.h"
#include "tachyon/book/event.h"
#include "tachyon/book/message.h"
#include "tachyon/book/order_book.h"
#include "tachyon/book/types.h"

namespace tachyon::book::test {

// One order of an L3 listing: side, price, id, remaining quantity.
struct L3Entry {
  Side side;
  Price price;
  OrderId id;
  Qty qty;
  friend bool operator==(const L3Entry&, const L3Entry&) = default;
};

class ReferenceBook {
 public:
  explicit ReferenceBook(const BookConfig& cfg) : cfg_(cfg), books_(cfg.max_symbols) {}

  // --- operations: each appends its events to out -----------------------------------

  void add(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty, OrderType type,
           std::vector<Event>& out) {
    const bool market = type == OrderType::kMarket;
    if (market) price = Price{0};
    auto reject = [&](RejectReason r) { out.push_back(rejected(seq, sym, id, side, price, qty, type, r)); };
    if (sym.value >= cfg_.max_symbols) return reject(RejectReason::kUnknownSymbol);
    if (static_cast<uint8_t>(type) > static_cast<uint8_t>(OrderType::kPostOnly) || !side_ok(side))
      return reject(RejectReason::kInvalidMessage);
    if (!qty_ok(qty)) return reject(RejectReason::kQtyOutOfRange);
    if (!market && !price_ok(price)) return reject(RejectReason::kPriceOutOfRange);
    if (where_.count(id.value)) return reject(RejectReason::kDuplicateOrderId);
    const bool rests = type == OrderType::kLimit || type == OrderType::kPostOnly;
    if (rests) {
      if (!room_for_new_order(sym, side, price)) return reject(RejectReason::kPoolExhausted);
      if (type == OrderType::kPostOnly && would_cross(sym, side, price))
        return reject(RejectReason::kPostOnlyWouldCross);
    }
    out.push_back(accepted(seq, sym, id, side, price, qty, type));
    if (type == OrderType::kFok && reachable(sym, side, price) < qty.value) {
      out.push_back(canceled(seq, sym, id, side, price, qty, Qty{0}, CancelReason::kFokUnfillable, type));
      return;
    }
    const Qty left = take(seq, sym, id, side, market ? std::nullopt : std::optional<Price>(price), qty, out);
    if (left.value == 0) return;
    if (rests) {
      rest(sym, side, price, RefOrder{id, left, type == OrderType::kPostOnly});
    } else {
      const CancelReason why = market ? CancelReason::kMarketRemainder : CancelReason::kIocRemainder;
      out.push_back(canceled(seq, sym, id, side, price, left, Qty{0}, why, type));
    }
  }

  void cancel(SeqNum seq, OrderId id, std::vector<Event>& out) {
    const auto w = where_.find(id.value);
    if (w == where_.end())
      return out.push_back(rejected(seq, SymbolId{}, id, Side::kBuy, Price{}, Qty{}, OrderType::kLimit,
                                    RejectReason::kNotResting));
    const Where at = w->second;
    const RefOrder o = remove(id);
    out.push_back(canceled(seq, at.sym, id, at.side, at.price, o.qty, Qty{0}, CancelReason::kUser));
  }

  void reduce(SeqNum seq, OrderId id, Qty by, std::vector<Event>& out) {
    const auto w = where_.find(id.value);
    if (w == where_.end())
      return out.push_back(rejected(seq, SymbolId{}, id, Side::kBuy, Price{}, by, OrderType::kLimit,
                                    RejectReason::kNotResting));
    const Where at = w->second;
    if (!qty_ok(by))
      return out.push_back(
          rejected(seq, at.sym, id, at.side, at.price, by, OrderType::kLimit, RejectReason::kQtyOutOfRange));
    RefOrder& o = locate(id);
    if (by >= o.qty) return cancel(seq, id, out);
    o.qty -= by;
    out.push_back(canceled(seq, at.sym, id, at.side, at.price, by, o.qty, CancelReason::kUser));
  }

  void modify(SeqNum seq, OrderId id, Price price, Qty qty, std::vector<Event>& out) {
    const auto w = where_.find(id.value);
    if (w == where_.end())
      return out.push_back(
          rejected(seq, SymbolId{}, id, Side::kBuy, price, qty, OrderType::kLimit, RejectReason::kNotResting));
    const Where at = w->second;
    if (qty.value == 0) return cancel(seq, id, out);
    auto reject = [&](RejectReason r, OrderType type = OrderType::kLimit) {
      out.push_back(rejected(seq, at.sym, id, at.side, price, qty, type, r));
    };
    if (!qty_ok(qty)) return reject(RejectReason::kQtyOutOfRange);
    if (!price_ok(price)) return reject(RejectReason::kPriceOutOfRange);
    RefOrder& o = locate(id);
    const Qty old_qty = o.qty;
    if (price == at.price && qty <= old_qty) {
      o.qty = qty;
      out.push_back(modified(seq, at.sym, id, at.side, price, qty, at.price, old_qty, ModifyKind::kKeptPriority));
      return;
    }
    if (o.post_only && would_cross(at.sym, at.side, price))
      return reject(RejectReason::kPostOnlyWouldCross, OrderType::kPostOnly);
    if (!room_to_move(id, price)) return reject(RejectReason::kPoolExhausted);
    RefOrder moved = remove(id);
    out.push_back(modified(seq, at.sym, id, at.side, price, qty, at.price, old_qty, ModifyKind::kLostPriority));
    moved.qty = take(seq, at.sym, id, at.side, price, qty, out);
    if (moved.qty.value > 0) rest(at.sym, at.side, price, moved);
  }

  void insert(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty, std::vector<Event>& out) {
    auto reject = [&](RejectReason r) {
      out.push_back(rejected(seq, sym, id, side, price, qty, OrderType::kLimit, r));
    };
    if (sym.value >= cfg_.max_symbols) return reject(RejectReason::kUnknownSymbol);
    if (!side_ok(side)) return reject(RejectReason::kInvalidMessage);
    if (!qty_ok(qty)) return reject(RejectReason::kQtyOutOfRange);
    if (!price_ok(price)) return reject(RejectReason::kPriceOutOfRange);
    if (where_.count(id.value)) return reject(RejectReason::kDuplicateOrderId);
    if (!room_for_new_order(sym, side, price)) return reject(RejectReason::kPoolExhausted);
    rest(sym, side, price, RefOrder{id, qty, false});
    out.push_back(accepted(seq, sym, id, side, price, qty));
  }

  void execute(SeqNum seq, OrderId id, Qty qty, std::vector<Event>& out) { execute_impl(seq, id, qty, {}, out); }
  void execute_at(SeqNum seq, OrderId id, Qty qty, Price price, std::vector<Event>& out) {
    execute_impl(seq, id, qty, price, out);
  }

  void replace(SeqNum seq, OrderId id, OrderId new_id, Price price, Qty qty, std::vector<Event>& out) {
    const auto w = where_.find(id.value);
    if (w == where_.end())
      return out.push_back(
          rejected(seq, SymbolId{}, id, Side::kBuy, price, qty, OrderType::kLimit, RejectReason::kNotResting));
    const Where at = w->second;
    auto reject = [&](RejectReason r) {
      out.push_back(rejected(seq, at.sym, new_id, at.side, price, qty, OrderType::kLimit, r));
    };
    if (new_id != id && where_.count(new_id.value)) return reject(RejectReason::kDuplicateOrderId);
    if (!qty_ok(qty)) return reject(RejectReason::kQtyOutOfRange);
    if (!price_ok(price)) return reject(RejectReason::kPriceOutOfRange);
    if (!room_to_move(id, price)) return reject(RejectReason::kPoolExhausted);
    const RefOrder old = remove(id);
    rest(at.sym, at.side, price, RefOrder{new_id, qty, false});
    out.push_back(canceled(seq, at.sym, id, at.side, at.price, old.qty, Qty{0}, CancelReason::kReplaced));
    out.push_back(accepted(seq, at.sym, new_id, at.side, price, qty));
  }

  void apply(const BookMessage& m, std::vector<Event>& out) {
    switch (m.type) {
      case MsgType::kAdd: return add(m.seq, m.symbol, m.id, m.side, m.price, m.qty, m.order_type, out);
      case MsgType::kCancel: return cancel(m.seq, m.id, out);
      case MsgType::kReduce: return reduce(m.seq, m.id, m.qty, out);
      case MsgType::kModify: return modify(m.seq, m.id, m.price, m.qty, out);
      case MsgType::kInsert: return insert(m.seq, m.symbol, m.id, m.side, m.price, m.qty, out);
      case MsgType::kExecute: return execute(m.seq, m.id, m.qty, out);
      case MsgType::kReplace: return replace(m.seq, m.id, m.new_id, m.price, m.qty, out);
    }
    out.push_back(rejected(m.seq, m.symbol, m.id, m.side, m.price, m.qty, m.order_type,
                           RejectReason::kInvalidMessage));
  }

  // --- views ----------------------------------------------------------------------

  uint32_t symbols() const { return cfg_.max_symbols; }
  uint32_t live_orders() const { return static_cast<uint32_t>(where_.size()); }
  uint32_t live_levels() const {
    std::size_t n = 0;
    for (const Book& b : books_) n += b.sides[0].size() + b.sides[1].size();
    return static_cast<uint32_t>(n);
  }
  bool is_live(OrderId id) const { return where_.count(id.value) != 0; }
  // Returns the live ids in increasing order.
  std::vector<OrderId> live_ids() const {
    std::vector<OrderId> ids;
    for (const auto& kv : where_) ids.push_back(OrderId{kv.first});
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  std::optional<Price> best(SymbolId sym, Side side) const {
    const Levels& l = levels(sym, side);
    if (l.empty()) return std::nullopt;
    return Price{side == Side::kBuy ? l.rbegin()->first : l.begin()->first};
  }

  Qty qty_at(SymbolId sym, Side side, Price price) const {
    const Levels& l = levels(sym, side);
    const auto it = l.find(price.ticks);
    Qty sum{0};
    if (it != l.end())
      for (const RefOrder& o : it->second) sum += o.qty;
    return sum;
  }

  // Returns every level of a side, best first.
  std::vector<DepthLevel> depth(SymbolId sym, Side side) const {
    std::vector<DepthLevel> out;
    for_each_level_best_first(sym, side, [&](int64_t px, const std::deque<RefOrder>& q) {
      Qty sum{0};
      for (const RefOrder& o : q) sum += o.qty;
      out.push_back(DepthLevel{Price{px}, sum, static_cast<uint32_t>(q.size())});
    });
    return out;
  }

  // Returns every order of a book: bids best first, then asks best first, each level
  // in time priority.
  std::vector<L3Entry> l3(SymbolId sym) const {
    std::vector<L3Entry> out;
    for (Side s : {Side::kBuy, Side::kSell})
      for_each_level_best_first(sym, s, [&](int64_t px, const std::deque<RefOrder>& q) {
        for (const RefOrder& o : q) out.push_back(L3Entry{s, Price{px}, o.id, o.qty});
      });
    return out;
  }

  // Returns the book digest as documented for OrderBook::hash: FNV-1a over 64-bit
  // little-endian words -- the symbol, then per side (buy, sell) the word 0x5a00 + side
  // followed by price, id and remaining qty of each order in priority order.
  uint64_t book_hash(SymbolId sym) const {
    Fnv f;
    f.word(sym.value);
    for (Side s : {Side::kBuy, Side::kSell}) {
      f.word(static_cast<uint64_t>(s) + 0x5a00);
      for (const L3Entry& e : l3(sym))
        if (e.side == s) {
          f.word(static_cast<uint64_t>(e.price.ticks));
          f.word(e.id.value);
          f.word(static_cast<uint64_t>(e.qty.value));
        }
    }
    return f.h;
  }

  // Returns the shard digest as documented for BookShard::hash: FNV-1a over the digests
  // of the non-empty books, in symbol order.
  uint64_t hash() const {
    Fnv f;
    for (uint32_t s = 0; s < cfg_.max_symbols; ++s)
      if (!books_[s].sides[0].empty() || !books_[s].sides[1].empty()) f.word(book_hash(SymbolId{s}));
    return f.h;
  }

 private:
  struct RefOrder {
    OrderId id;
    Qty qty;
    bool post_only;
  };
  using Levels = std::map<int64_t, std::deque<RefOrder>>;  // price ticks -> orders, oldest first
  struct Book {
    Levels sides[2];  // indexed by Side
  };
  struct Where {
    SymbolId sym;
    Side side;
    Price price;
  };
  struct Fnv {
    uint64_t h = 0xcbf29ce484222325ull;
    void word(uint64_t v) {
      for (int i = 0; i < 8; ++i) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ull;
      }
    }
  };

  static bool side_ok(Side s) { return s == Side::kBuy || s == Side::kSell; }
  bool qty_ok(Qty q) const { return q.value > 0 && q.value <= cfg_.max_qty.value; }
  bool price_ok(Price p) const { return p.ticks >= cfg_.min_price.ticks && p.ticks <= cfg_.max_price.ticks; }

  Levels& levels(SymbolId sym, Side side) { return books_[sym.value].sides[side == Side::kBuy ? 0 : 1]; }
  const Levels& levels(SymbolId sym, Side side) const {
    return books_[sym.value].sides[side == Side::kBuy ? 0 : 1];
  }

  template <class F>
  void for_each_level_best_first(SymbolId sym, Side side, F&& f) const {
    const Levels& l = levels(sym, side);
    if (side == Side::kBuy) {
      for (auto it = l.rbegin(); it != l.rend(); ++it) f(it->first, it->second);
    } else {
      for (auto it = l.begin(); it != l.end(); ++it) f(it->first, it->second);
    }
  }

  // True when a taker on side with limit price may trade against a maker at maker_px.
  static bool crosses(Side taker, Price limit, int64_t maker_px) {
    return taker == Side::kBuy ? maker_px <= limit.ticks : maker_px >= limit.ticks;
  }

  // True when an order on side at price would take liquidity from the opposite best.
  bool would_cross(SymbolId sym, Side side, Price price) const {
    const std::optional<Price> b = best(sym, opposite(side));
    return b.has_value() && crosses(side, price, b->ticks);
  }

  // Returns the opposite-side quantity a limit taker on side at price could reach.
  int64_t reachable(SymbolId sym, Side side, Price price) const {
    int64_t sum = 0;
    for_each_level_best_first(sym, opposite(side), [&](int64_t px, const std::deque<RefOrder>& q) {
      if (!crosses(side, price, px)) return;
      for (const RefOrder& o : q) sum += o.qty.value;
    });
    return sum;
  }

  bool room_for_new_order(SymbolId sym, Side side, Price price) const {
    if (live_orders() >= cfg_.max_orders) return false;
    return levels(sym, side).count(price.ticks) != 0 || live_levels() < cfg_.max_levels;
  }

  // True when resting order id could move to price on its side: the level exists, or
  // one is free after its old level is dropped (when id was the old level's only order).
  bool room_to_move(OrderId id, Price price) const {
    const Where at = where_.at(id.value);
    const Levels& l = levels(at.sym, at.side);
    if (l.count(price.ticks)) return true;
    const bool frees_old = l.at(at.price.ticks).size() == 1;
    return live_levels() - (frees_old ? 1 : 0) < cfg_.max_levels;
  }

  RefOrder& locate(OrderId id) {
    const Where at = where_.at(id.value);
    for (RefOrder& o : levels(at.sym, at.side).at(at.price.ticks))
      if (o.id == id) return o;
    std::abort();  // the id map and the levels disagree: a bug in this model
  }

  RefOrder remove(OrderId id) {
    const Where at = where_.at(id.value);
    Levels& l = levels(at.sym, at.side);
    std::deque<RefOrder>& q = l.at(at.price.ticks);
    for (auto it = q.begin(); it != q.end(); ++it)
      if (it->id == id) {
        const RefOrder o = *it;
        q.erase(it);
        if (q.empty()) l.erase(at.price.ticks);
        where_.erase(id.value);
        return o;
      }
    std::abort();
  }

  void rest(SymbolId sym, Side side, Price price, RefOrder o) {
    levels(sym, side)[price.ticks].push_back(o);
    where_[o.id.value] = Where{sym, side, price};
  }

  // Matches a taker against the opposite side (no limit: market) and returns what is
  // left of qty.
  Qty take(SeqNum seq, SymbolId sym, OrderId taker, Side side, std::optional<Price> limit, Qty qty,
           std::vector<Event>& out) {
    Levels& opp = levels(sym, opposite(side));
    while (qty.value > 0 && !opp.empty()) {
      const auto lvl = side == Side::kBuy ? opp.begin() : std::prev(opp.end());
      if (limit && !crosses(side, *limit, lvl->first)) break;
      std::deque<RefOrder>& q = lvl->second;
      while (qty.value > 0 && !q.empty()) {
        RefOrder& maker = q.front();
        const Qty fill{std::min(qty.value, maker.qty.value)};
        qty -= fill;
        maker.qty -= fill;
        out.push_back(trade(seq, sym, taker, side, Price{lvl->first}, fill, qty, maker.id, maker.qty));
        if (maker.qty.value == 0) {
          where_.erase(maker.id.value);
          q.pop_front();
        }
      }
      if (q.empty()) opp.erase(lvl);
    }
    return qty;
  }

  void execute_impl(SeqNum seq, OrderId id, Qty qty, std::optional<Price> px, std::vector<Event>& out) {
    const auto w = where_.find(id.value);
    if (w == where_.end())
      return out.push_back(rejected(seq, SymbolId{}, id, Side::kBuy, px.value_or(Price{}), qty, OrderType::kLimit,
                                    RejectReason::kNotResting));
    const Where at = w->second;
    RefOrder& o = locate(id);
    if (qty.value <= 0 || qty > o.qty)
      return out.push_back(
          rejected(seq, at.sym, id, at.side, at.price, qty, OrderType::kLimit, RejectReason::kQtyOutOfRange));
    if (px && !price_ok(*px))
      return out.push_back(
          rejected(seq, at.sym, id, at.side, *px, qty, OrderType::kLimit, RejectReason::kPriceOutOfRange));
    const Qty left = o.qty - qty;
    if (left.value == 0) {
      remove(id);
    } else {
      o.qty = left;
    }
    out.push_back(trade(seq, at.sym, OrderId{0}, opposite(at.side), px.value_or(at.price), qty, Qty{0}, id, left));
  }

  BookConfig cfg_;
  std::vector<Book> books_;
  std::unordered_map<uint64_t, Where> where_;  // live order id -> where it rests
};

}  // namespace tachyon::book::test
