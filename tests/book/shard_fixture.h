// GoogleTest fixture for BookShard unit tests: a small shard, a recording sink, and one
// helper per operation that returns exactly the events that call emitted.
// Test code only; single-threaded.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "book_state.h"
#include "event_recorder.h"
#include "tachyon/book/book_shard.h"

namespace tachyon::book::test {

inline constexpr SymbolId kSym0{0};
inline constexpr SymbolId kSym1{1};
inline constexpr Side kBuy = Side::kBuy;
inline constexpr Side kSell = Side::kSell;

class ShardTest : public ::testing::Test {
 protected:
  // Two symbols, roomy pools, prices in [-1000, 1000], quantities up to 1000.
  static BookConfig small_config() {
    BookConfig c;
    c.max_orders = 256;
    c.max_levels = 64;
    c.max_symbols = 2;
    c.min_price = Price{-1000};
    c.max_price = Price{1000};
    c.max_qty = Qty{1000};
    return c;
  }

  void SetUp() override { reset(small_config()); }
  void reset(const BookConfig& c) { shard_ = std::make_unique<BookShard>(c); }

  using Events = std::vector<Event>;

  Events add(SeqNum seq, OrderId id, Side side, Price px, Qty qty, OrderType type = OrderType::kLimit,
             SymbolId sym = kSym0) {
    rec_.clear();
    shard_->add(seq, sym, id, side, px, qty, type, rec_);
    return rec_.events;
  }
  Events cancel(SeqNum seq, OrderId id) {
    rec_.clear();
    shard_->cancel(seq, id, rec_);
    return rec_.events;
  }
  Events reduce(SeqNum seq, OrderId id, Qty by) {
    rec_.clear();
    shard_->reduce(seq, id, by, rec_);
    return rec_.events;
  }
  Events modify(SeqNum seq, OrderId id, Price px, Qty qty) {
    rec_.clear();
    shard_->modify(seq, id, px, qty, rec_);
    return rec_.events;
  }
  Events insert(SeqNum seq, OrderId id, Side side, Price px, Qty qty, SymbolId sym = kSym0) {
    rec_.clear();
    shard_->insert(seq, sym, id, side, px, qty, rec_);
    return rec_.events;
  }
  Events execute(SeqNum seq, OrderId id, Qty qty) {
    rec_.clear();
    shard_->execute(seq, id, qty, rec_);
    return rec_.events;
  }
  Events execute_at(SeqNum seq, OrderId id, Qty qty, Price px) {
    rec_.clear();
    shard_->execute_at(seq, id, qty, px, rec_);
    return rec_.events;
  }
  Events replace(SeqNum seq, OrderId id, OrderId new_id, Price px, Qty qty) {
    rec_.clear();
    shard_->replace(seq, id, new_id, px, qty, rec_);
    return rec_.events;
  }
  Events apply(const BookMessage& m) {
    rec_.clear();
    shard_->apply(m, rec_);
    return rec_.events;
  }

  // Rests a plain limit order and checks it was accepted without trading.
  void rest(SeqNum seq, OrderId id, Side side, Price px, Qty qty, SymbolId sym = kSym0) {
    const Events ev = add(seq, id, side, px, qty, OrderType::kLimit, sym);
    ASSERT_EQ(ev, (Events{accepted(seq, sym, id, side, px, qty)}));
  }

  const OrderBook& book(SymbolId sym = kSym0) const { return shard_->book(sym); }
  std::vector<L3Entry> l3(SymbolId sym = kSym0) const { return l3_of(*shard_, sym); }
  // Returns the ids of one side in priority order (best level first, FIFO within).
  std::vector<uint64_t> ids(Side side, SymbolId sym = kSym0) const {
    std::vector<uint64_t> out;
    book(sym).for_each_order(side, [&](Price, const Order& o) { out.push_back(o.id.value); });
    return out;
  }

  std::unique_ptr<BookShard> shard_;
  EventRecorder rec_;
};

}  // namespace tachyon::book::test
