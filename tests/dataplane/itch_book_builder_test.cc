// Unit tests for the ITCH feed handler: each message's effect on a mirrored BookShard,
// unknown references, clamping, symbol mapping, and what reaches the event sink.
#include "tachyon/dataplane/itch_book_builder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_encoder.h"

namespace tachyon::dataplane::itch {
namespace {

struct VectorSink {
  std::vector<book::Event> events;
  void on_event(const book::Event& e) noexcept { events.push_back(e); }
};

class BuilderTest : public ::testing::Test {
 protected:
  BuilderTest() : shard_(config()), builder_(shard_, sink_) {}
  static book::BookConfig config() {
    book::BookConfig c;
    c.max_orders = 64;
    c.max_levels = 32;
    c.max_symbols = 2;
    return c;
  }
  // Encodes m and feeds it through the decoder, as the wire would.
  template <class M>
  void feed(const M& m) {
    std::vector<uint8_t> b(M::kLength);
    ASSERT_EQ(encode(m, b), M::kLength);
    ASSERT_EQ(builder_.apply(b), DecodeStatus::kOk);
  }
  book::Qty qty_of(uint64_t ref) const {
    const uint32_t slot = shard_.find(book::OrderId{ref});
    return slot == book::kNil ? book::Qty{0} : shard_.order(slot).qty;
  }
  const book::OrderBook& book0() const { return shard_.book(book::SymbolId{0}); }

  static Header h(uint16_t locate = 5) { return Header{locate, 0, 1}; }
  static AddOrder add(uint64_t ref, char side, uint32_t shares, int64_t price, uint16_t locate = 5) {
    return AddOrder{h(locate), ref, side, shares, Stock::from("TCHY"), book::Price{price}};
  }

  book::BookShard shard_;
  VectorSink sink_;
  BookBuilder<VectorSink> builder_;
};

TEST_F(BuilderTest, StockDirectoryMapsLocatesToSymbolsInOrder) {
  feed(StockDirectory{h(7), Stock::from("ZZZ")});
  feed(StockDirectory{h(3), Stock::from("AAA")});
  feed(StockDirectory{h(9), Stock::from("OVER")});  // the shard has 2 symbols
  ASSERT_TRUE(builder_.symbol_of(7).has_value());
  EXPECT_EQ(builder_.symbol_of(7)->value, 0u);
  EXPECT_EQ(builder_.symbol_of(3)->value, 1u);
  EXPECT_FALSE(builder_.symbol_of(9).has_value());
  EXPECT_EQ(builder_.name(book::SymbolId{0}).trimmed(), "ZZZ");
  EXPECT_EQ(builder_.name(book::SymbolId{1}).trimmed(), "AAA");
  EXPECT_EQ(builder_.locate(book::SymbolId{1}), 3);
  EXPECT_EQ(builder_.symbols_mapped(), 2u);
  feed(add(1, 'B', 10, 100, 9));
  EXPECT_EQ(builder_.stats().unmapped_symbol, 1u);
  EXPECT_EQ(shard_.live_orders(), 0u);
}

TEST_F(BuilderTest, AddsRestWithoutMatchingEvenWhenCrossed) {
  feed(add(1, 'B', 100, 10'100));
  feed(AddOrderMpid{h(), 2, 'S', 50, Stock::from("TCHY"), book::Price{10'000}, Mpid::from("MPID")});
  EXPECT_EQ(shard_.live_orders(), 2u);
  EXPECT_EQ(book0().best_bid(), book::Price{10'100});
  EXPECT_EQ(book0().best_ask(), book::Price{10'000});  // crossed: the venue matched already
  EXPECT_EQ(builder_.name(book::SymbolId{0}).trimmed(), "TCHY");  // named by the first add
  ASSERT_EQ(sink_.events.size(), 2u);
  EXPECT_EQ(sink_.events[0].kind, book::EventKind::kAccepted);
  EXPECT_EQ(sink_.events[0].id, book::OrderId{1});
}

TEST_F(BuilderTest, ExecutionsCancelsDeletesAndReplaces) {
  feed(add(1, 'B', 100, 10'000));
  feed(add(2, 'S', 80, 10'100));
  feed(OrderExecuted{h(), 1, 30, 1});
  EXPECT_EQ(qty_of(1), book::Qty{70});
  feed(OrderExecutedWithPrice{h(), 1, 20, 2, 'Y', book::Price{9'990}});
  EXPECT_EQ(qty_of(1), book::Qty{50});
  EXPECT_EQ(sink_.events.back().kind, book::EventKind::kTrade);
  EXPECT_EQ(sink_.events.back().price, book::Price{9'990});  // at the message's price
  feed(OrderCancel{h(), 1, 15});
  EXPECT_EQ(qty_of(1), book::Qty{35});
  EXPECT_EQ(book0().qty_at(book::Side::kBuy, book::Price{10'000}), book::Qty{35});
  feed(OrderReplace{h(), 2, 3, 60, book::Price{10'200}});
  EXPECT_EQ(shard_.find(book::OrderId{2}), book::kNil);
  EXPECT_EQ(qty_of(3), book::Qty{60});
  EXPECT_EQ(book0().best_ask(), book::Price{10'200});
  feed(OrderDelete{h(), 3});
  EXPECT_FALSE(book0().best_ask().has_value());
  feed(OrderCancel{h(), 1, 35});  // all shares: the order goes
  EXPECT_EQ(shard_.live_orders(), 0u);
  const auto& s = builder_.stats();
  EXPECT_EQ(s.total_messages(), 8u);
  EXPECT_EQ(s.total_unknown_refs(), 0u);
  for (const auto& e : sink_.events) EXPECT_NE(e.kind, book::EventKind::kRejected);
}

TEST_F(BuilderTest, UnknownReferencesAreCountedNeverApplied) {
  feed(add(1, 'B', 100, 10'000));
  feed(OrderExecuted{h(), 99, 1, 1});
  feed(OrderExecutedWithPrice{h(), 99, 1, 1, 'Y', book::Price{1}});
  feed(OrderCancel{h(), 99, 1});
  feed(OrderDelete{h(), 99});
  feed(OrderDelete{h(), 98});
  feed(OrderReplace{h(), 99, 100, 5, book::Price{1}});
  const auto& u = builder_.stats().unknown_refs;
  EXPECT_EQ(u['E'], 1u);
  EXPECT_EQ(u['C'], 1u);
  EXPECT_EQ(u['X'], 1u);
  EXPECT_EQ(u['D'], 2u);
  EXPECT_EQ(u['U'], 1u);
  EXPECT_EQ(builder_.stats().total_unknown_refs(), 6u);
  EXPECT_EQ(shard_.live_orders(), 1u);
  EXPECT_EQ(shard_.find(book::OrderId{100}), book::kNil);
  EXPECT_EQ(sink_.events.size(), 1u);  // only the add's Accepted: rejects stay out of the sink
}

TEST_F(BuilderTest, OverfillsAreClampedAndQuantitiesNeverGoNegative) {
  feed(add(1, 'S', 10, 10'000));
  feed(add(2, 'S', 10, 10'000));
  feed(OrderExecuted{h(), 1, 25, 1});
  EXPECT_EQ(shard_.find(book::OrderId{1}), book::kNil);
  EXPECT_EQ(builder_.stats().overfills, 1u);
  EXPECT_EQ(sink_.events.back().qty, book::Qty{10});
  feed(OrderExecutedWithPrice{h(), 2, 11, 2, 'N', book::Price{10'001}});
  EXPECT_EQ(shard_.live_orders(), 0u);
  EXPECT_EQ(builder_.stats().overfills, 2u);
  EXPECT_FALSE(book0().best_ask().has_value());
  feed(add(3, 'B', 10, 10'000));
  feed(OrderCancel{h(), 3, 1000});  // more than rests: the order goes, never negative
  EXPECT_EQ(shard_.live_orders(), 0u);
}

TEST_F(BuilderTest, TradesAndOtherMessagesOnlyCount) {
  feed(add(1, 'B', 100, 10'000));
  const uint64_t before = shard_.hash();
  feed(Trade{h(), 0, 'B', 100, Stock::from("TCHY"), book::Price{10'000}, 7});
  feed(CrossTrade{h(), 1000, Stock::from("TCHY"), book::Price{10'000}, 8, 'O'});
  feed(BrokenTrade{h(), 7});
  feed(SystemEvent{h(0), 'Q'});
  feed(StockTradingAction{h(), Stock::from("TCHY"), 'T', ' ', Alpha<4>::from("")});
  feed(Noii{});
  EXPECT_EQ(shard_.hash(), before);
  const auto& m = builder_.stats().messages;
  EXPECT_EQ(m['P'], 1u);
  EXPECT_EQ(m['Q'], 1u);
  EXPECT_EQ(m['B'], 1u);
  EXPECT_EQ(m['S'], 1u);
  EXPECT_EQ(m['H'], 1u);
  EXPECT_EQ(m['I'], 1u);
}

TEST_F(BuilderTest, BadInputIsCountedNotFatal) {
  feed(add(1, 'X', 10, 10'000));  // side neither B nor S
  EXPECT_EQ(builder_.stats().bad_side, 1u);
  feed(add(2, 'B', 0, 10'000));  // zero shares: the book refuses it
  EXPECT_EQ(builder_.stats().rejects[static_cast<int>(book::RejectReason::kQtyOutOfRange)], 1u);
  feed(add(3, 'B', 10, 10'000));
  feed(add(3, 'B', 10, 10'000));  // the same reference twice
  EXPECT_EQ(builder_.stats().rejects[static_cast<int>(book::RejectReason::kDuplicateOrderId)], 1u);
  feed(add(4, 'S', 10, 10'500));
  feed(OrderReplace{h(), 4, 3, 10, book::Price{10'600}});  // new reference already live
  EXPECT_EQ(builder_.stats().replace_drops, 1u);
  EXPECT_EQ(shard_.find(book::OrderId{4}), book::kNil);  // the venue removed the original
  EXPECT_EQ(qty_of(3), book::Qty{10});
  const uint8_t junk[] = {'A', 1, 2};
  EXPECT_EQ(builder_.apply(junk), DecodeStatus::kBadLength);
  const uint8_t unknown[] = {'z', 0};
  EXPECT_EQ(builder_.apply(unknown), DecodeStatus::kUnknownType);
  EXPECT_EQ(builder_.stats().decode_errors, 2u);
}

TEST_F(BuilderTest, PoolExhaustionIsCounted) {
  for (uint64_t ref = 1; ref <= 70; ++ref) feed(add(ref, 'B', 1, 10'000 + static_cast<int64_t>(ref % 8)));
  EXPECT_EQ(shard_.live_orders(), 64u);
  EXPECT_EQ(builder_.stats().rejects[static_cast<int>(book::RejectReason::kPoolExhausted)], 6u);
}

}  // namespace
}  // namespace tachyon::dataplane::itch
