// Unit tests of BookShard's match-mode operations: add (every order type), cancel,
// reduce and modify, with exact event fields, reject reasons and their precedence, and
// the priority rules checked through the book's L3 order afterwards.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "shard_fixture.h"

namespace tachyon::book::test {
namespace {

using OT = OrderType;

// --- the event field table, spelled out field by field once per kind --------------

TEST_F(ShardTest, AcceptedEventCarriesTheOrderAsEntered) {
  const Events ev = add(7, OrderId{42}, kSell, Price{-15}, Qty{9}, OT::kLimit, kSym1);
  ASSERT_EQ(ev.size(), 1u);
  const Event& e = ev[0];
  EXPECT_EQ(e.kind, EventKind::kAccepted);
  EXPECT_EQ(e.seq, 7u);
  EXPECT_EQ(e.symbol, kSym1);
  EXPECT_EQ(e.id, OrderId{42});
  EXPECT_EQ(e.side, kSell);
  EXPECT_EQ(e.type, OT::kLimit);
  EXPECT_EQ(e.price, Price{-15});
  EXPECT_EQ(e.qty, Qty{9});
  EXPECT_EQ(e.remaining, Qty{9});
  EXPECT_EQ(e.contra, 0u);
  EXPECT_EQ(e.contra_remaining, Qty{0});
  EXPECT_EQ(e.reason, 0);
}

TEST_F(ShardTest, TradeEventNamesTakerMakerAndBothRemainders) {
  rest(1, OrderId{10}, kSell, Price{101}, Qty{8});
  const Events ev = add(2, OrderId{11}, kBuy, Price{105}, Qty{3});
  ASSERT_EQ(ev.size(), 2u);
  const Event& t = ev[1];
  EXPECT_EQ(t.kind, EventKind::kTrade);
  EXPECT_EQ(t.seq, 2u);  // the taker's message
  EXPECT_EQ(t.symbol, kSym0);
  EXPECT_EQ(t.id, OrderId{11});  // taker
  EXPECT_EQ(t.contra, 10u);      // maker
  EXPECT_EQ(t.side, kBuy);       // taker side
  EXPECT_EQ(t.price, Price{101});  // maker's price, not the taker's limit
  EXPECT_EQ(t.qty, Qty{3});
  EXPECT_EQ(t.remaining, Qty{0});
  EXPECT_EQ(t.contra_remaining, Qty{5});
  EXPECT_EQ(t.type, OT::kLimit);
  EXPECT_EQ(t.reason, 0);
}

TEST_F(ShardTest, CanceledEventReportsRemovedAndRemainingQty) {
  rest(1, OrderId{10}, kBuy, Price{-3}, Qty{8});
  const Events ev = reduce(2, OrderId{10}, Qty{3});
  ASSERT_EQ(ev.size(), 1u);
  const Event& c = ev[0];
  EXPECT_EQ(c.kind, EventKind::kCanceled);
  EXPECT_EQ(c.seq, 2u);
  EXPECT_EQ(c.symbol, kSym0);
  EXPECT_EQ(c.id, OrderId{10});
  EXPECT_EQ(c.side, kBuy);
  EXPECT_EQ(c.price, Price{-3});
  EXPECT_EQ(c.qty, Qty{3});
  EXPECT_EQ(c.remaining, Qty{5});
  EXPECT_EQ(c.cancel_reason(), CancelReason::kUser);
  EXPECT_EQ(c.type, OT::kLimit);
  EXPECT_EQ(c.contra, 0u);
  EXPECT_EQ(c.contra_remaining, Qty{0});
}

TEST_F(ShardTest, ModifiedEventCarriesNewValuesAndOldPriceAndQty) {
  rest(1, OrderId{10}, kBuy, Price{-7}, Qty{8}, kSym1);
  const Events ev = modify(2, OrderId{10}, Price{-9}, Qty{12});
  ASSERT_EQ(ev.size(), 1u);
  const Event& m = ev[0];
  EXPECT_EQ(m.kind, EventKind::kModified);
  EXPECT_EQ(m.seq, 2u);
  EXPECT_EQ(m.symbol, kSym1);
  EXPECT_EQ(m.id, OrderId{10});
  EXPECT_EQ(m.side, kBuy);
  EXPECT_EQ(m.price, Price{-9});
  EXPECT_EQ(m.qty, Qty{12});
  EXPECT_EQ(m.remaining, Qty{12});
  EXPECT_EQ(static_cast<int64_t>(m.contra), -7);  // old price in ticks, two's complement
  EXPECT_EQ(m.contra_remaining, Qty{8});
  EXPECT_EQ(m.modify_kind(), ModifyKind::kLostPriority);
  EXPECT_EQ(m.type, OT::kLimit);
}

TEST_F(ShardTest, RejectedEventEchoesTheMessage) {
  const Events ev = add(3, OrderId{5}, kSell, Price{1001}, Qty{4}, OT::kIoc, kSym1);
  ASSERT_EQ(ev.size(), 1u);
  const Event& r = ev[0];
  EXPECT_EQ(r.kind, EventKind::kRejected);
  EXPECT_EQ(r.seq, 3u);
  EXPECT_EQ(r.symbol, kSym1);
  EXPECT_EQ(r.id, OrderId{5});
  EXPECT_EQ(r.side, kSell);
  EXPECT_EQ(r.type, OT::kIoc);
  EXPECT_EQ(r.price, Price{1001});
  EXPECT_EQ(r.qty, Qty{4});
  EXPECT_EQ(r.remaining, Qty{0});
  EXPECT_EQ(r.reject_reason(), RejectReason::kPriceOutOfRange);
  EXPECT_EQ(shard_->live_orders(), 0u);
}

// --- limit orders -----------------------------------------------------------------

TEST_F(ShardTest, LimitOrdersRestOnAnEmptyBook) {
  EXPECT_FALSE(book().best_bid().has_value());
  EXPECT_FALSE(book().best_ask().has_value());
  rest(1, OrderId{1}, kBuy, Price{99}, Qty{5});
  rest(2, OrderId{2}, kSell, Price{101}, Qty{6});
  EXPECT_EQ(book().best_bid(), Price{99});
  EXPECT_EQ(book().best_ask(), Price{101});
  EXPECT_EQ(shard_->live_orders(), 2u);
  EXPECT_EQ(shard_->live_levels(), 2u);
  EXPECT_FALSE(shard_->book(kSym1).best_bid().has_value());
}

TEST_F(ShardTest, LimitDoesNotTradeWhenPricesDoNotCross) {
  rest(1, OrderId{1}, kSell, Price{101}, Qty{5});
  rest(2, OrderId{2}, kBuy, Price{100}, Qty{5});
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{100}, OrderId{2}, Qty{5}},
                                        {kSell, Price{101}, OrderId{1}, Qty{5}}}));
}

TEST_F(ShardTest, LimitTradesAtEqualPrice) {
  rest(1, OrderId{1}, kBuy, Price{100}, Qty{5});
  EXPECT_EQ(add(2, OrderId{2}, kSell, Price{100}, Qty{5}),
            (Events{accepted(2, kSym0, OrderId{2}, kSell, Price{100}, Qty{5}),
                    trade(2, kSym0, OrderId{2}, kSell, Price{100}, Qty{5}, Qty{0}, OrderId{1}, Qty{0})}));
  EXPECT_EQ(shard_->live_orders(), 0u);
  EXPECT_EQ(shard_->live_levels(), 0u);
  EXPECT_EQ(shard_->find(OrderId{1}), kNil);
}

TEST_F(ShardTest, TakerRemainderRestsAtItsLimit) {
  rest(1, OrderId{1}, kSell, Price{100}, Qty{3});
  EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{102}, Qty{10}),
            (Events{accepted(2, kSym0, OrderId{2}, kBuy, Price{102}, Qty{10}),
                    trade(2, kSym0, OrderId{2}, kBuy, Price{100}, Qty{3}, Qty{7}, OrderId{1}, Qty{0})}));
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{102}, OrderId{2}, Qty{7}}}));
  EXPECT_FALSE(book().best_ask().has_value());
}

TEST_F(ShardTest, FifoWithinALevelAndPartialMakerFill) {
  rest(1, OrderId{1}, kSell, Price{100}, Qty{2});
  rest(2, OrderId{2}, kSell, Price{100}, Qty{3});
  rest(3, OrderId{3}, kSell, Price{100}, Qty{4});
  EXPECT_EQ(add(4, OrderId{4}, kBuy, Price{100}, Qty{6}),
            (Events{accepted(4, kSym0, OrderId{4}, kBuy, Price{100}, Qty{6}),
                    trade(4, kSym0, OrderId{4}, kBuy, Price{100}, Qty{2}, Qty{4}, OrderId{1}, Qty{0}),
                    trade(4, kSym0, OrderId{4}, kBuy, Price{100}, Qty{3}, Qty{1}, OrderId{2}, Qty{0}),
                    trade(4, kSym0, OrderId{4}, kBuy, Price{100}, Qty{1}, Qty{0}, OrderId{3}, Qty{3})}));
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kSell, Price{100}, OrderId{3}, Qty{3}}}));
  EXPECT_EQ(book().qty_at(kSell, Price{100}), Qty{3});
}

TEST_F(ShardTest, FullSweepAcrossManyLevelsBestFirst) {
  // Ten ask levels 100..109, two orders each (qty 1 and 2): 30 shares in all.
  SeqNum seq = 1;
  for (int p = 109; p >= 100; --p) {  // entered worst first, to prove order is by price
    rest(seq++, OrderId{uint64_t(p) * 10}, kSell, Price{p}, Qty{1});
    rest(seq++, OrderId{uint64_t(p) * 10 + 1}, kSell, Price{p}, Qty{2});
  }
  EXPECT_EQ(shard_->live_levels(), 10u);
  const Events ev = add(100, OrderId{1}, kBuy, Price{200}, Qty{35});
  Events want{accepted(100, kSym0, OrderId{1}, kBuy, Price{200}, Qty{35})};
  int64_t left = 35;
  for (int p = 100; p <= 109; ++p) {
    left -= 1;
    want.push_back(trade(100, kSym0, OrderId{1}, kBuy, Price{p}, Qty{1}, Qty{left}, OrderId{uint64_t(p) * 10}, Qty{0}));
    left -= 2;
    want.push_back(
        trade(100, kSym0, OrderId{1}, kBuy, Price{p}, Qty{2}, Qty{left}, OrderId{uint64_t(p) * 10 + 1}, Qty{0}));
  }
  EXPECT_EQ(ev, want) << diff_events(ev, want);
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{200}, OrderId{1}, Qty{5}}}));
  EXPECT_EQ(shard_->live_orders(), 1u);
  EXPECT_EQ(shard_->live_levels(), 1u);
}

TEST_F(ShardTest, LimitStopsAtItsPrice) {
  rest(1, OrderId{1}, kBuy, Price{100}, Qty{1});
  rest(2, OrderId{2}, kBuy, Price{99}, Qty{1});
  rest(3, OrderId{3}, kBuy, Price{98}, Qty{1});
  EXPECT_EQ(add(4, OrderId{4}, kSell, Price{99}, Qty{5}),
            (Events{accepted(4, kSym0, OrderId{4}, kSell, Price{99}, Qty{5}),
                    trade(4, kSym0, OrderId{4}, kSell, Price{100}, Qty{1}, Qty{4}, OrderId{1}, Qty{0}),
                    trade(4, kSym0, OrderId{4}, kSell, Price{99}, Qty{1}, Qty{3}, OrderId{2}, Qty{0})}));
  EXPECT_EQ(book().best_bid(), Price{98});
  EXPECT_EQ(book().best_ask(), Price{99});
  EXPECT_EQ(book().qty_at(kSell, Price{99}), Qty{3});
}

TEST_F(ShardTest, NegativePricesMatchByValue) {
  rest(1, OrderId{1}, kSell, Price{-5}, Qty{2});
  rest(2, OrderId{2}, kSell, Price{-10}, Qty{2});
  rest(3, OrderId{3}, kBuy, Price{-20}, Qty{2});
  EXPECT_EQ(book().best_ask(), Price{-10});
  EXPECT_EQ(book().best_bid(), Price{-20});
  EXPECT_EQ(add(4, OrderId{4}, kBuy, Price{-6}, Qty{3}),
            (Events{accepted(4, kSym0, OrderId{4}, kBuy, Price{-6}, Qty{3}),
                    trade(4, kSym0, OrderId{4}, kBuy, Price{-10}, Qty{2}, Qty{1}, OrderId{2}, Qty{0})}));
  EXPECT_EQ(book().best_bid(), Price{-6});
  EXPECT_EQ(add(5, OrderId{5}, kSell, Price{-30}, Qty{4}),
            (Events{accepted(5, kSym0, OrderId{5}, kSell, Price{-30}, Qty{4}),
                    trade(5, kSym0, OrderId{5}, kSell, Price{-6}, Qty{1}, Qty{3}, OrderId{4}, Qty{0}),
                    trade(5, kSym0, OrderId{5}, kSell, Price{-20}, Qty{2}, Qty{1}, OrderId{3}, Qty{0})}));
  EXPECT_EQ(book().best_ask(), Price{-30});
  EXPECT_FALSE(book().best_bid().has_value());
}

TEST_F(ShardTest, ExtremePricesCrossWithoutOverflow) {
  BookConfig c = small_config();
  c.min_price = Price{-kMaxAbsPrice};
  c.max_price = Price{kMaxAbsPrice};
  reset(c);
  rest(1, OrderId{1}, kSell, Price{-kMaxAbsPrice}, Qty{2});
  rest(2, OrderId{2}, kSell, Price{kMaxAbsPrice}, Qty{2});
  EXPECT_EQ(add(3, OrderId{3}, kBuy, Price{kMaxAbsPrice}, Qty{3}),
            (Events{accepted(3, kSym0, OrderId{3}, kBuy, Price{kMaxAbsPrice}, Qty{3}),
                    trade(3, kSym0, OrderId{3}, kBuy, Price{-kMaxAbsPrice}, Qty{2}, Qty{1}, OrderId{1}, Qty{0}),
                    trade(3, kSym0, OrderId{3}, kBuy, Price{kMaxAbsPrice}, Qty{1}, Qty{0}, OrderId{2}, Qty{1})}));
  rest(4, OrderId{4}, kBuy, Price{-kMaxAbsPrice}, Qty{1});
  EXPECT_EQ(add(5, OrderId{5}, kSell, Price{kMaxAbsPrice}, Qty{1}, OT::kPostOnly).size(), 1u);  // no cross
  EXPECT_EQ(add(6, OrderId{6}, kSell, Price{-kMaxAbsPrice}, Qty{1}, OT::kPostOnly).at(0).reject_reason(),
            RejectReason::kPostOnlyWouldCross);
  // A reprice across the whole range trades with the oldest order at the top ask.
  EXPECT_EQ(modify(7, OrderId{4}, Price{kMaxAbsPrice}, Qty{1}),
            (Events{modified(7, kSym0, OrderId{4}, kBuy, Price{kMaxAbsPrice}, Qty{1}, Price{-kMaxAbsPrice}, Qty{1},
                             ModifyKind::kLostPriority),
                    trade(7, kSym0, OrderId{4}, kBuy, Price{kMaxAbsPrice}, Qty{1}, Qty{0}, OrderId{2}, Qty{0})}));
  EXPECT_EQ(shard_->find(OrderId{4}), kNil);
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kSell, Price{kMaxAbsPrice}, OrderId{5}, Qty{1}}}));
}

TEST_F(ShardTest, BooksOfDifferentSymbolsNeverTrade) {
  rest(1, OrderId{1}, kSell, Price{100}, Qty{2}, kSym0);
  rest(2, OrderId{2}, kBuy, Price{200}, Qty{2}, kSym1);
  EXPECT_EQ(book(kSym0).best_ask(), Price{100});
  EXPECT_EQ(book(kSym1).best_bid(), Price{200});
}

// --- IOC, FOK, market, post-only ---------------------------------------------------

TEST_F(ShardTest, IocRemainderIsCanceled) {
  rest(1, OrderId{1}, kSell, Price{100}, Qty{2});
  rest(2, OrderId{2}, kSell, Price{102}, Qty{2});
  EXPECT_EQ(add(3, OrderId{3}, kBuy, Price{101}, Qty{5}, OT::kIoc),
            (Events{accepted(3, kSym0, OrderId{3}, kBuy, Price{101}, Qty{5}, OT::kIoc),
                    trade(3, kSym0, OrderId{3}, kBuy, Price{100}, Qty{2}, Qty{3}, OrderId{1}, Qty{0}),
                    canceled(3, kSym0, OrderId{3}, kBuy, Price{101}, Qty{3}, Qty{0}, CancelReason::kIocRemainder,
                             OT::kIoc)}));
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kSell, Price{102}, OrderId{2}, Qty{2}}}));
  EXPECT_EQ(shard_->find(OrderId{3}), kNil);
}

TEST_F(ShardTest, IocOnAnEmptyBookIsCanceledWhole) {
  EXPECT_EQ(add(1, OrderId{1}, kSell, Price{100}, Qty{5}, OT::kIoc),
            (Events{accepted(1, kSym0, OrderId{1}, kSell, Price{100}, Qty{5}, OT::kIoc),
                    canceled(1, kSym0, OrderId{1}, kSell, Price{100}, Qty{5}, Qty{0}, CancelReason::kIocRemainder,
                             OT::kIoc)}));
  EXPECT_EQ(shard_->live_orders(), 0u);
}

TEST_F(ShardTest, IocFilledCompletelyHasNoCancel) {
  rest(1, OrderId{1}, kBuy, Price{100}, Qty{5});
  EXPECT_EQ(add(2, OrderId{2}, kSell, Price{100}, Qty{5}, OT::kIoc),
            (Events{accepted(2, kSym0, OrderId{2}, kSell, Price{100}, Qty{5}, OT::kIoc),
                    trade(2, kSym0, OrderId{2}, kSell, Price{100}, Qty{5}, Qty{0}, OrderId{1}, Qty{0})}));
}

TEST_F(ShardTest, FokUnfillableIsCanceledUntouched) {
  rest(1, OrderId{1}, kSell, Price{100}, Qty{2});
  rest(2, OrderId{2}, kSell, Price{101}, Qty{2});
  rest(3, OrderId{3}, kSell, Price{102}, Qty{10});  // beyond the limit: must not count
  const auto before = l3();
  EXPECT_EQ(add(4, OrderId{4}, kBuy, Price{101}, Qty{5}, OT::kFok),
            (Events{accepted(4, kSym0, OrderId{4}, kBuy, Price{101}, Qty{5}, OT::kFok),
                    canceled(4, kSym0, OrderId{4}, kBuy, Price{101}, Qty{5}, Qty{0}, CancelReason::kFokUnfillable,
                             OT::kFok)}));
  EXPECT_EQ(l3(), before);
}

TEST_F(ShardTest, FokFillableExactlyAcrossLevelsTrades) {
  rest(1, OrderId{1}, kSell, Price{100}, Qty{2});
  rest(2, OrderId{2}, kSell, Price{101}, Qty{3});
  EXPECT_EQ(add(3, OrderId{3}, kBuy, Price{101}, Qty{5}, OT::kFok),
            (Events{accepted(3, kSym0, OrderId{3}, kBuy, Price{101}, Qty{5}, OT::kFok),
                    trade(3, kSym0, OrderId{3}, kBuy, Price{100}, Qty{2}, Qty{3}, OrderId{1}, Qty{0}),
                    trade(3, kSym0, OrderId{3}, kBuy, Price{101}, Qty{3}, Qty{0}, OrderId{2}, Qty{0})}));
  EXPECT_EQ(shard_->live_orders(), 0u);
}

TEST_F(ShardTest, FokOnAnEmptyBookIsCanceled) {
  EXPECT_EQ(add(1, OrderId{1}, kSell, Price{-1}, Qty{1}, OT::kFok),
            (Events{accepted(1, kSym0, OrderId{1}, kSell, Price{-1}, Qty{1}, OT::kFok),
                    canceled(1, kSym0, OrderId{1}, kSell, Price{-1}, Qty{1}, Qty{0}, CancelReason::kFokUnfillable,
                             OT::kFok)}));
}

TEST_F(ShardTest, MarketSweepsAnyPriceAndCancelsTheRest) {
  rest(1, OrderId{1}, kBuy, Price{-900}, Qty{1});
  rest(2, OrderId{2}, kBuy, Price{900}, Qty{1});
  // The price of a market order is ignored, even outside the configured range.
  EXPECT_EQ(add(3, OrderId{3}, kSell, Price{5000}, Qty{4}, OT::kMarket),
            (Events{accepted(3, kSym0, OrderId{3}, kSell, Price{0}, Qty{4}, OT::kMarket),
                    trade(3, kSym0, OrderId{3}, kSell, Price{900}, Qty{1}, Qty{3}, OrderId{2}, Qty{0}),
                    trade(3, kSym0, OrderId{3}, kSell, Price{-900}, Qty{1}, Qty{2}, OrderId{1}, Qty{0}),
                    canceled(3, kSym0, OrderId{3}, kSell, Price{0}, Qty{2}, Qty{0}, CancelReason::kMarketRemainder,
                             OT::kMarket)}));
  EXPECT_EQ(shard_->live_orders(), 0u);
  EXPECT_EQ(shard_->live_levels(), 0u);
}

TEST_F(ShardTest, MarketOnAnEmptyBookIsCanceled) {
  EXPECT_EQ(add(1, OrderId{1}, kBuy, Price{7}, Qty{4}, OT::kMarket),
            (Events{accepted(1, kSym0, OrderId{1}, kBuy, Price{0}, Qty{4}, OT::kMarket),
                    canceled(1, kSym0, OrderId{1}, kBuy, Price{0}, Qty{4}, Qty{0}, CancelReason::kMarketRemainder,
                             OT::kMarket)}));
}

TEST_F(ShardTest, MarketFilledCompletelyHasNoCancel) {
  rest(1, OrderId{1}, kSell, Price{50}, Qty{4});
  EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{0}, Qty{3}, OT::kMarket),
            (Events{accepted(2, kSym0, OrderId{2}, kBuy, Price{0}, Qty{3}, OT::kMarket),
                    trade(2, kSym0, OrderId{2}, kBuy, Price{50}, Qty{3}, Qty{0}, OrderId{1}, Qty{1})}));
}

TEST_F(ShardTest, PostOnlyRestsWhenItDoesNotCross) {
  rest(1, OrderId{1}, kSell, Price{101}, Qty{1});
  EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{100}, Qty{3}, OT::kPostOnly),
            (Events{accepted(2, kSym0, OrderId{2}, kBuy, Price{100}, Qty{3}, OT::kPostOnly)}));
  EXPECT_EQ(book().best_bid(), Price{100});
  EXPECT_EQ(shard_->order(shard_->find(OrderId{2})).flags & kFlagPostOnly, kFlagPostOnly);
}

TEST_F(ShardTest, PostOnlyThatWouldCrossIsRejectedAndBookUnchanged) {
  rest(1, OrderId{1}, kSell, Price{101}, Qty{1});
  const auto before = l3();
  for (int64_t px : {101, 150}) {  // touching the best ask counts as crossing
    EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{px}, Qty{3}, OT::kPostOnly),
              (Events{rejected(2, kSym0, OrderId{2}, kBuy, Price{px}, Qty{3}, OT::kPostOnly,
                               RejectReason::kPostOnlyWouldCross)}));
  }
  EXPECT_EQ(l3(), before);
  rest(3, OrderId{3}, kBuy, Price{90}, Qty{1});
  EXPECT_EQ(add(4, OrderId{4}, kSell, Price{90}, Qty{1}, OT::kPostOnly),
            (Events{rejected(4, kSym0, OrderId{4}, kSell, Price{90}, Qty{1}, OT::kPostOnly,
                             RejectReason::kPostOnlyWouldCross)}));
}

// --- add rejects and their precedence -------------------------------------------

TEST_F(ShardTest, AddRejectReasons) {
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{1});
  auto rej = [](SeqNum s, SymbolId sym, uint64_t id, Side side, int64_t px, int64_t q, OT t, RejectReason r) {
    return Events{rejected(s, sym, OrderId{id}, side, Price{px}, Qty{q}, t, r)};
  };
  EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{10}, Qty{1}, OT::kLimit, SymbolId{2}),
            rej(2, SymbolId{2}, 2, kBuy, 10, 1, OT::kLimit, RejectReason::kUnknownSymbol));
  EXPECT_EQ(add(3, OrderId{2}, kBuy, Price{10}, Qty{1}, static_cast<OT>(5)),
            rej(3, kSym0, 2, kBuy, 10, 1, static_cast<OT>(5), RejectReason::kInvalidMessage));
  EXPECT_EQ(add(4, OrderId{2}, static_cast<Side>(2), Price{10}, Qty{1}),
            rej(4, kSym0, 2, static_cast<Side>(2), 10, 1, OT::kLimit, RejectReason::kInvalidMessage));
  for (int64_t q : {int64_t{0}, int64_t{-1}, int64_t{1001}, INT64_MIN})
    EXPECT_EQ(add(5, OrderId{2}, kSell, Price{10}, Qty{q}),
              rej(5, kSym0, 2, kSell, 10, q, OT::kLimit, RejectReason::kQtyOutOfRange));
  for (int64_t px : {int64_t{-1001}, int64_t{1001}, INT64_MAX, INT64_MIN})
    EXPECT_EQ(add(6, OrderId{2}, kSell, Price{px}, Qty{1}, OT::kIoc),
              rej(6, kSym0, 2, kSell, px, 1, OT::kIoc, RejectReason::kPriceOutOfRange));
  EXPECT_EQ(add(7, OrderId{1}, kSell, Price{500}, Qty{1}, OT::kLimit, kSym1),  // ids are shard-wide
            rej(7, kSym1, 1, kSell, 500, 1, OT::kLimit, RejectReason::kDuplicateOrderId));
  EXPECT_EQ(add(8, OrderId{1}, kSell, Price{500}, Qty{1}, OT::kMarket),
            rej(8, kSym0, 1, kSell, 0, 1, OT::kMarket, RejectReason::kDuplicateOrderId));
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{10}, OrderId{1}, Qty{1}}}));
  EXPECT_EQ(shard_->live_orders(), 1u);
}

TEST_F(ShardTest, AddBoundaryValuesAreAccepted) {
  rest(1, OrderId{1}, kBuy, Price{-1000}, Qty{1000});
  rest(2, OrderId{2}, kSell, Price{1000}, Qty{1});
  rest(3, OrderId{0}, kSell, Price{999}, Qty{1});              // id 0 is a valid order id
  rest(4, OrderId{UINT64_MAX}, kSell, Price{998}, Qty{1});      // and so is the largest
  EXPECT_NE(shard_->find(OrderId{0}), kNil);
  EXPECT_NE(shard_->find(OrderId{UINT64_MAX}), kNil);
}

TEST_F(ShardTest, AddRejectPrecedence) {
  rest(1, OrderId{1}, kSell, Price{10}, Qty{1});
  // Everything wrong at once: the symbol is reported first.
  EXPECT_EQ(add(2, OrderId{1}, static_cast<Side>(9), Price{5000}, Qty{0}, static_cast<OT>(7), SymbolId{9})[0]
                .reject_reason(),
            RejectReason::kUnknownSymbol);
  EXPECT_EQ(add(2, OrderId{1}, static_cast<Side>(9), Price{5000}, Qty{0}, OT::kLimit)[0].reject_reason(),
            RejectReason::kInvalidMessage);
  EXPECT_EQ(add(2, OrderId{1}, kBuy, Price{5000}, Qty{0}, OT::kLimit)[0].reject_reason(),
            RejectReason::kQtyOutOfRange);
  EXPECT_EQ(add(2, OrderId{1}, kBuy, Price{5000}, Qty{1}, OT::kLimit)[0].reject_reason(),
            RejectReason::kPriceOutOfRange);
  EXPECT_EQ(add(2, OrderId{1}, kBuy, Price{10}, Qty{1}, OT::kPostOnly)[0].reject_reason(),
            RejectReason::kDuplicateOrderId);
  EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{10}, Qty{1}, OT::kPostOnly)[0].reject_reason(),
            RejectReason::kPostOnlyWouldCross);
}

TEST_F(ShardTest, IdsOfFilledAndCanceledOrdersMayBeReused) {
  rest(1, OrderId{1}, kSell, Price{10}, Qty{1});
  ASSERT_EQ(add(2, OrderId{2}, kBuy, Price{10}, Qty{1}).size(), 2u);  // fills 1
  rest(3, OrderId{1}, kSell, Price{11}, Qty{1});
  ASSERT_EQ(cancel(4, OrderId{1}).size(), 1u);
  rest(5, OrderId{1}, kSell, Price{12}, Qty{2});
  // A non-resting order's id is never live, so it can be reused at once.
  ASSERT_EQ(add(6, OrderId{7}, kBuy, Price{1}, Qty{1}, OT::kIoc).size(), 2u);
  rest(7, OrderId{7}, kBuy, Price{1}, Qty{1});
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{1}, OrderId{7}, Qty{1}},
                                        {kSell, Price{12}, OrderId{1}, Qty{2}}}));
}

// --- cancel -------------------------------------------------------------------

TEST_F(ShardTest, CancelRemovesTheWholeRemainder) {
  rest(1, OrderId{1}, kSell, Price{10}, Qty{5});
  ASSERT_EQ(add(2, OrderId{2}, kBuy, Price{10}, Qty{2}).size(), 2u);
  EXPECT_EQ(cancel(3, OrderId{1}),
            (Events{canceled(3, kSym0, OrderId{1}, kSell, Price{10}, Qty{3}, Qty{0}, CancelReason::kUser)}));
  EXPECT_EQ(shard_->live_orders(), 0u);
  EXPECT_EQ(shard_->live_levels(), 0u);
  EXPECT_FALSE(book().best_ask().has_value());
}

TEST_F(ShardTest, CancelInTheMiddleKeepsTheRestOfTheFifo) {
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{1});
  rest(2, OrderId{2}, kBuy, Price{10}, Qty{2});
  rest(3, OrderId{3}, kBuy, Price{10}, Qty{3});
  ASSERT_EQ(cancel(4, OrderId{2}).size(), 1u);
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{1, 3}));
  EXPECT_EQ(book().qty_at(kBuy, Price{10}), Qty{4});
  ASSERT_EQ(cancel(5, OrderId{1}).size(), 1u);  // head
  ASSERT_EQ(cancel(6, OrderId{3}).size(), 1u);  // then the last one drops the level
  EXPECT_EQ(shard_->live_levels(), 0u);
}

TEST_F(ShardTest, CancelOfUnknownFilledOrCanceledIdIsNotResting) {
  const Event not_resting = rejected(9, kSym0, OrderId{1}, kBuy, Price{0}, Qty{0}, OT::kLimit,
                                     RejectReason::kNotResting);
  EXPECT_EQ(cancel(9, OrderId{1}), (Events{not_resting}));  // unknown
  rest(1, OrderId{1}, kSell, Price{10}, Qty{1});
  ASSERT_EQ(add(2, OrderId{2}, kBuy, Price{10}, Qty{1}).size(), 2u);
  EXPECT_EQ(cancel(9, OrderId{1}), (Events{not_resting}));  // filled
  rest(3, OrderId{1}, kSell, Price{10}, Qty{1});
  ASSERT_EQ(cancel(4, OrderId{1}).size(), 1u);
  EXPECT_EQ(cancel(9, OrderId{1}), (Events{not_resting}));  // already canceled
  // A non-resting order type never rests, so it cannot be canceled either.
  ASSERT_EQ(add(5, OrderId{5}, kBuy, Price{10}, Qty{1}, OT::kIoc).size(), 2u);
  EXPECT_EQ(cancel(9, OrderId{5}).at(0).reject_reason(), RejectReason::kNotResting);
}

// --- reduce -------------------------------------------------------------------

TEST_F(ShardTest, ReduceKeepsPriority) {
  rest(1, OrderId{1}, kSell, Price{10}, Qty{5});
  rest(2, OrderId{2}, kSell, Price{10}, Qty{5});
  EXPECT_EQ(reduce(3, OrderId{1}, Qty{4}),
            (Events{canceled(3, kSym0, OrderId{1}, kSell, Price{10}, Qty{4}, Qty{1}, CancelReason::kUser)}));
  EXPECT_EQ(ids(kSell), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(book().qty_at(kSell, Price{10}), Qty{6});
  EXPECT_EQ(add(4, OrderId{3}, kBuy, Price{10}, Qty{2}),
            (Events{accepted(4, kSym0, OrderId{3}, kBuy, Price{10}, Qty{2}),
                    trade(4, kSym0, OrderId{3}, kBuy, Price{10}, Qty{1}, Qty{1}, OrderId{1}, Qty{0}),
                    trade(4, kSym0, OrderId{3}, kBuy, Price{10}, Qty{1}, Qty{0}, OrderId{2}, Qty{4})}));
}

TEST_F(ShardTest, ReduceByTheRemainderOrMoreCancels) {
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{5});
  rest(2, OrderId{2}, kBuy, Price{11}, Qty{5});
  EXPECT_EQ(reduce(3, OrderId{1}, Qty{5}),
            (Events{canceled(3, kSym0, OrderId{1}, kBuy, Price{10}, Qty{5}, Qty{0}, CancelReason::kUser)}));
  EXPECT_EQ(reduce(4, OrderId{2}, Qty{1000}),
            (Events{canceled(4, kSym0, OrderId{2}, kBuy, Price{11}, Qty{5}, Qty{0}, CancelReason::kUser)}));
  EXPECT_EQ(shard_->live_orders(), 0u);
  EXPECT_EQ(shard_->live_levels(), 0u);
}

TEST_F(ShardTest, ReduceRejects) {
  EXPECT_EQ(reduce(1, OrderId{1}, Qty{3}), (Events{rejected(1, kSym0, OrderId{1}, kBuy, Price{0}, Qty{3}, OT::kLimit,
                                                            RejectReason::kNotResting)}));
  rest(2, OrderId{1}, kSell, Price{-4}, Qty{5}, kSym1);
  for (int64_t by : {int64_t{0}, int64_t{-2}, int64_t{1001}})
    EXPECT_EQ(reduce(3, OrderId{1}, Qty{by}), (Events{rejected(3, kSym1, OrderId{1}, kSell, Price{-4}, Qty{by},
                                                               OT::kLimit, RejectReason::kQtyOutOfRange)}));
  EXPECT_EQ(l3(kSym1), (std::vector<L3Entry>{{kSell, Price{-4}, OrderId{1}, Qty{5}}}));
}

// --- modify -------------------------------------------------------------------

TEST_F(ShardTest, ModifyQtyDecreaseKeepsPriority) {
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{5});
  rest(2, OrderId{2}, kBuy, Price{10}, Qty{5});
  EXPECT_EQ(modify(3, OrderId{1}, Price{10}, Qty{2}),
            (Events{modified(3, kSym0, OrderId{1}, kBuy, Price{10}, Qty{2}, Price{10}, Qty{5},
                             ModifyKind::kKeptPriority)}));
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(book().qty_at(kBuy, Price{10}), Qty{7});
  // Same price and same quantity also keeps priority.
  EXPECT_EQ(modify(4, OrderId{1}, Price{10}, Qty{2}),
            (Events{modified(4, kSym0, OrderId{1}, kBuy, Price{10}, Qty{2}, Price{10}, Qty{2},
                             ModifyKind::kKeptPriority)}));
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{1, 2}));
}

TEST_F(ShardTest, ModifyQtyIncreaseLosesPriority) {
  rest(1, OrderId{1}, kSell, Price{10}, Qty{5});
  rest(2, OrderId{2}, kSell, Price{10}, Qty{5});
  rest(3, OrderId{3}, kSell, Price{10}, Qty{5});
  EXPECT_EQ(modify(4, OrderId{1}, Price{10}, Qty{6}),
            (Events{modified(4, kSym0, OrderId{1}, kSell, Price{10}, Qty{6}, Price{10}, Qty{5},
                             ModifyKind::kLostPriority)}));
  EXPECT_EQ(ids(kSell), (std::vector<uint64_t>{2, 3, 1}));
  EXPECT_EQ(book().qty_at(kSell, Price{10}), Qty{16});
  EXPECT_EQ(shard_->live_levels(), 1u);
}

TEST_F(ShardTest, ModifyPriceChangeLosesPriorityAtTheNewLevel) {
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{1});
  rest(2, OrderId{2}, kBuy, Price{11}, Qty{1});
  rest(3, OrderId{3}, kBuy, Price{11}, Qty{1});
  EXPECT_EQ(modify(4, OrderId{1}, Price{11}, Qty{1}),
            (Events{modified(4, kSym0, OrderId{1}, kBuy, Price{11}, Qty{1}, Price{10}, Qty{1},
                             ModifyKind::kLostPriority)}));
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{2, 3, 1}));
  EXPECT_EQ(shard_->live_levels(), 1u);  // the old level emptied and is gone
  // Back to the same price it came from with a smaller quantity still loses priority
  // (the price changed).
  rest(5, OrderId{5}, kBuy, Price{9}, Qty{1});
  ASSERT_EQ(modify(6, OrderId{2}, Price{9}, Qty{1}).at(0).modify_kind(), ModifyKind::kLostPriority);
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{3, 1, 5, 2}));
}

TEST_F(ShardTest, ModifyToZeroCancels) {
  rest(1, OrderId{1}, kSell, Price{10}, Qty{5});
  EXPECT_EQ(modify(2, OrderId{1}, Price{12}, Qty{0}),
            (Events{canceled(2, kSym0, OrderId{1}, kSell, Price{10}, Qty{5}, Qty{0}, CancelReason::kUser)}));
  EXPECT_EQ(shard_->live_orders(), 0u);
  // Quantity 0 cancels before the price is even looked at.
  rest(3, OrderId{1}, kSell, Price{10}, Qty{5});
  EXPECT_EQ(modify(4, OrderId{1}, Price{99999}, Qty{0}).at(0).kind, EventKind::kCanceled);
}

TEST_F(ShardTest, ModifyRepricingThroughTheBookTradesAsAggressor) {
  rest(1, OrderId{1}, kSell, Price{101}, Qty{2});
  rest(2, OrderId{2}, kSell, Price{102}, Qty{2});
  rest(3, OrderId{3}, kSell, Price{104}, Qty{2});
  rest(4, OrderId{4}, kBuy, Price{100}, Qty{6});
  rest(5, OrderId{5}, kBuy, Price{100}, Qty{1});
  EXPECT_EQ(modify(6, OrderId{4}, Price{103}, Qty{6}),
            (Events{modified(6, kSym0, OrderId{4}, kBuy, Price{103}, Qty{6}, Price{100}, Qty{6},
                             ModifyKind::kLostPriority),
                    trade(6, kSym0, OrderId{4}, kBuy, Price{101}, Qty{2}, Qty{4}, OrderId{1}, Qty{0}),
                    trade(6, kSym0, OrderId{4}, kBuy, Price{102}, Qty{2}, Qty{2}, OrderId{2}, Qty{0})}));
  // The remainder rests at the new price; the ask beyond it is untouched.
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{103}, OrderId{4}, Qty{2}},
                                        {kBuy, Price{100}, OrderId{5}, Qty{1}},
                                        {kSell, Price{104}, OrderId{3}, Qty{2}}}));
  EXPECT_EQ(shard_->live_orders(), 3u);
  EXPECT_EQ(shard_->live_levels(), 3u);
}

TEST_F(ShardTest, ModifyThatFillsCompletelyLeavesNothing) {
  rest(1, OrderId{1}, kBuy, Price{100}, Qty{3});
  rest(2, OrderId{2}, kBuy, Price{99}, Qty{3});
  rest(3, OrderId{3}, kSell, Price{105}, Qty{2});
  EXPECT_EQ(modify(4, OrderId{3}, Price{99}, Qty{5}),
            (Events{modified(4, kSym0, OrderId{3}, kSell, Price{99}, Qty{5}, Price{105}, Qty{2},
                             ModifyKind::kLostPriority),
                    trade(4, kSym0, OrderId{3}, kSell, Price{100}, Qty{3}, Qty{2}, OrderId{1}, Qty{0}),
                    trade(4, kSym0, OrderId{3}, kSell, Price{99}, Qty{2}, Qty{0}, OrderId{2}, Qty{1})}));
  EXPECT_EQ(shard_->find(OrderId{3}), kNil);
  EXPECT_EQ(shard_->live_orders(), 1u);
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{99}, OrderId{2}, Qty{1}}}));
  EXPECT_FALSE(book().best_ask().has_value());
  EXPECT_EQ(cancel(5, OrderId{3}).at(0).reject_reason(), RejectReason::kNotResting);
}

TEST_F(ShardTest, ModifyRejects) {
  EXPECT_EQ(modify(1, OrderId{1}, Price{5}, Qty{3}), (Events{rejected(1, kSym0, OrderId{1}, kBuy, Price{5}, Qty{3},
                                                                    OT::kLimit, RejectReason::kNotResting)}));
  rest(2, OrderId{1}, kSell, Price{10}, Qty{5}, kSym1);
  for (int64_t q : {int64_t{-1}, int64_t{1001}})
    EXPECT_EQ(modify(3, OrderId{1}, Price{5000}, Qty{q}),  // qty is checked before price
              (Events{rejected(3, kSym1, OrderId{1}, kSell, Price{5000}, Qty{q}, OT::kLimit,
                               RejectReason::kQtyOutOfRange)}));
  for (int64_t px : {int64_t{-1001}, int64_t{1001}})
    EXPECT_EQ(modify(4, OrderId{1}, Price{px}, Qty{5}), (Events{rejected(4, kSym1, OrderId{1}, kSell, Price{px}, Qty{5},
                                                                         OT::kLimit, RejectReason::kPriceOutOfRange)}));
  EXPECT_EQ(l3(kSym1), (std::vector<L3Entry>{{kSell, Price{10}, OrderId{1}, Qty{5}}}));
}

TEST_F(ShardTest, PostOnlyRepriceThatWouldCrossIsRejected) {
  rest(1, OrderId{1}, kSell, Price{105}, Qty{2});
  rest(2, OrderId{2}, kBuy, Price{100}, Qty{1});
  ASSERT_EQ(add(3, OrderId{3}, kBuy, Price{100}, Qty{4}, OT::kPostOnly).size(), 1u);
  const auto before = l3();
  EXPECT_EQ(modify(4, OrderId{3}, Price{105}, Qty{4}), (Events{rejected(4, kSym0, OrderId{3}, kBuy, Price{105}, Qty{4},
                                                                        OT::kPostOnly,
                                                                        RejectReason::kPostOnlyWouldCross)}));
  EXPECT_EQ(l3(), before);
  // A reprice that does not cross is fine and the order stays post-only.
  ASSERT_EQ(modify(5, OrderId{3}, Price{104}, Qty{4}).at(0).modify_kind(), ModifyKind::kLostPriority);
  EXPECT_EQ(modify(6, OrderId{3}, Price{106}, Qty{4}).at(0).reject_reason(), RejectReason::kPostOnlyWouldCross);
  // A plain limit order is allowed to reprice through the book.
  EXPECT_EQ(modify(7, OrderId{2}, Price{105}, Qty{1}).size(), 2u);
}

TEST_F(ShardTest, PostOnlyQtyDecreaseSkipsTheCrossCheck) {
  // In a crossed (mirror-built) book a post-only order may keep priority without a
  // cross check, because it does not move.
  ASSERT_EQ(add(1, OrderId{1}, kBuy, Price{100}, Qty{4}, OT::kPostOnly).size(), 1u);
  ASSERT_EQ(insert(2, OrderId{2}, kSell, Price{99}, Qty{1}).size(), 1u);
  EXPECT_EQ(modify(3, OrderId{1}, Price{100}, Qty{3}),
            (Events{modified(3, kSym0, OrderId{1}, kBuy, Price{100}, Qty{3}, Price{100}, Qty{4},
                             ModifyKind::kKeptPriority)}));
  EXPECT_EQ(modify(4, OrderId{1}, Price{100}, Qty{5}).at(0).reject_reason(), RejectReason::kPostOnlyWouldCross);
}

}  // namespace
}  // namespace tachyon::book::test
