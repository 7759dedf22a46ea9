// Unit tests of BookShard's feed-mode (mirror) operations -- insert, execute,
// execute_at, replace -- and of the message entry points apply and apply_batch.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "shard_fixture.h"

namespace tachyon::book::test {
namespace {

using OT = OrderType;

// --- insert -------------------------------------------------------------------

TEST_F(ShardTest, InsertRestsWithoutMatchingEvenWhenCrossed) {
  rest(1, OrderId{1}, kSell, Price{100}, Qty{5});
  EXPECT_EQ(insert(2, OrderId{2}, kBuy, Price{105}, Qty{3}),
            (Events{accepted(2, kSym0, OrderId{2}, kBuy, Price{105}, Qty{3})}));
  EXPECT_EQ(book().best_bid(), Price{105});
  EXPECT_EQ(book().best_ask(), Price{100});
  EXPECT_EQ(insert(3, OrderId{3}, kBuy, Price{105}, Qty{4}).size(), 1u);
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(book().qty_at(kBuy, Price{105}), Qty{7});
  // In a crossed book, a new match-mode order still trades by the normal rules.
  EXPECT_EQ(add(4, OrderId{4}, kSell, Price{106}, Qty{1}),
            (Events{accepted(4, kSym0, OrderId{4}, kSell, Price{106}, Qty{1})}));
  EXPECT_EQ(add(5, OrderId{5}, kSell, Price{104}, Qty{1}),
            (Events{accepted(5, kSym0, OrderId{5}, kSell, Price{104}, Qty{1}),
                    trade(5, kSym0, OrderId{5}, kSell, Price{105}, Qty{1}, Qty{0}, OrderId{2}, Qty{2})}));
}

TEST_F(ShardTest, InsertRejectsInOrder) {
  ASSERT_EQ(insert(1, OrderId{1}, kSell, Price{100}, Qty{5}).size(), 1u);
  auto rej = [](SeqNum s, SymbolId sym, uint64_t id, Side side, int64_t px, int64_t q, RejectReason r) {
    return Events{rejected(s, sym, OrderId{id}, side, Price{px}, Qty{q}, OT::kLimit, r)};
  };
  EXPECT_EQ(insert(2, OrderId{1}, static_cast<Side>(3), Price{5000}, Qty{0}, SymbolId{2}),
            rej(2, SymbolId{2}, 1, static_cast<Side>(3), 5000, 0, RejectReason::kUnknownSymbol));
  EXPECT_EQ(insert(3, OrderId{1}, static_cast<Side>(3), Price{5000}, Qty{0}),
            rej(3, kSym0, 1, static_cast<Side>(3), 5000, 0, RejectReason::kInvalidMessage));
  EXPECT_EQ(insert(4, OrderId{1}, kBuy, Price{5000}, Qty{0}),
            rej(4, kSym0, 1, kBuy, 5000, 0, RejectReason::kQtyOutOfRange));
  EXPECT_EQ(insert(5, OrderId{1}, kBuy, Price{5000}, Qty{1001}),
            rej(5, kSym0, 1, kBuy, 5000, 1001, RejectReason::kQtyOutOfRange));
  EXPECT_EQ(insert(6, OrderId{1}, kBuy, Price{-5000}, Qty{1}),
            rej(6, kSym0, 1, kBuy, -5000, 1, RejectReason::kPriceOutOfRange));
  EXPECT_EQ(insert(7, OrderId{1}, kBuy, Price{5}, Qty{1}, kSym1),
            rej(7, kSym1, 1, kBuy, 5, 1, RejectReason::kDuplicateOrderId));
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kSell, Price{100}, OrderId{1}, Qty{5}}}));
  EXPECT_EQ(shard_->live_orders(), 1u);
}

// --- execute / execute_at ------------------------------------------------------

TEST_F(ShardTest, ExecutePartialThenFullAtTheOrdersPrice) {
  ASSERT_EQ(insert(1, OrderId{9}, kSell, Price{-20}, Qty{5}).size(), 1u);
  ASSERT_EQ(insert(2, OrderId{10}, kSell, Price{-20}, Qty{1}).size(), 1u);
  EXPECT_EQ(execute(3, OrderId{9}, Qty{2}),
            (Events{trade(3, kSym0, OrderId{0}, kBuy, Price{-20}, Qty{2}, Qty{0}, OrderId{9}, Qty{3})}));
  EXPECT_EQ(ids(kSell), (std::vector<uint64_t>{9, 10}));  // a partial execution keeps priority
  EXPECT_EQ(book().qty_at(kSell, Price{-20}), Qty{4});
  EXPECT_EQ(execute(4, OrderId{9}, Qty{3}),
            (Events{trade(4, kSym0, OrderId{0}, kBuy, Price{-20}, Qty{3}, Qty{0}, OrderId{9}, Qty{0})}));
  EXPECT_EQ(shard_->find(OrderId{9}), kNil);
  EXPECT_EQ(execute(5, OrderId{10}, Qty{1}).size(), 1u);
  EXPECT_EQ(shard_->live_levels(), 0u);
  EXPECT_FALSE(book().best_ask().has_value());
}

TEST_F(ShardTest, ExecuteAtUsesTheGivenPrice) {
  ASSERT_EQ(insert(1, OrderId{9}, kBuy, Price{50}, Qty{5}, kSym1).size(), 1u);
  EXPECT_EQ(execute_at(2, OrderId{9}, Qty{5}, Price{48}),
            (Events{trade(2, kSym1, OrderId{0}, kSell, Price{48}, Qty{5}, Qty{0}, OrderId{9}, Qty{0})}));
  EXPECT_EQ(shard_->live_orders(), 0u);
}

TEST_F(ShardTest, ExecuteRejects) {
  EXPECT_EQ(execute(1, OrderId{9}, Qty{1}), (Events{rejected(1, kSym0, OrderId{9}, kBuy, Price{0}, Qty{1}, OT::kLimit,
                                                             RejectReason::kNotResting)}));
  EXPECT_EQ(execute_at(2, OrderId{9}, Qty{1}, Price{77}),
            (Events{rejected(2, kSym0, OrderId{9}, kBuy, Price{77}, Qty{1}, OT::kLimit, RejectReason::kNotResting)}));
  ASSERT_EQ(insert(3, OrderId{9}, kSell, Price{50}, Qty{5}, kSym1).size(), 1u);
  for (int64_t q : {int64_t{0}, int64_t{-1}, int64_t{6}})
    EXPECT_EQ(execute(4, OrderId{9}, Qty{q}), (Events{rejected(4, kSym1, OrderId{9}, kSell, Price{50}, Qty{q},
                                                               OT::kLimit, RejectReason::kQtyOutOfRange)}));
  // execute_at checks the quantity first and echoes the order's own price for it...
  EXPECT_EQ(execute_at(5, OrderId{9}, Qty{6}, Price{5000}),
            (Events{rejected(5, kSym1, OrderId{9}, kSell, Price{50}, Qty{6}, OT::kLimit,
                             RejectReason::kQtyOutOfRange)}));
  // ...then the price, echoing the given one.
  EXPECT_EQ(execute_at(6, OrderId{9}, Qty{5}, Price{5000}),
            (Events{rejected(6, kSym1, OrderId{9}, kSell, Price{5000}, Qty{5}, OT::kLimit,
                             RejectReason::kPriceOutOfRange)}));
  EXPECT_EQ(l3(kSym1), (std::vector<L3Entry>{{kSell, Price{50}, OrderId{9}, Qty{5}}}));
  // Executed-out and canceled orders are not resting.
  ASSERT_EQ(execute(7, OrderId{9}, Qty{5}).size(), 1u);
  EXPECT_EQ(execute(8, OrderId{9}, Qty{1}).at(0).reject_reason(), RejectReason::kNotResting);
}

// --- replace ------------------------------------------------------------------

TEST_F(ShardTest, ReplaceCancelsTheOldIdAndRestsTheNewAtTheBack) {
  ASSERT_EQ(insert(1, OrderId{1}, kBuy, Price{10}, Qty{5}).size(), 1u);
  ASSERT_EQ(insert(2, OrderId{2}, kBuy, Price{10}, Qty{5}).size(), 1u);
  EXPECT_EQ(replace(3, OrderId{1}, OrderId{3}, Price{10}, Qty{4}),
            (Events{canceled(3, kSym0, OrderId{1}, kBuy, Price{10}, Qty{5}, Qty{0}, CancelReason::kReplaced),
                    accepted(3, kSym0, OrderId{3}, kBuy, Price{10}, Qty{4})}));
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{2, 3}));  // even a smaller qty goes to the back
  EXPECT_EQ(shard_->find(OrderId{1}), kNil);
  EXPECT_EQ(replace(4, OrderId{2}, OrderId{2}, Price{-3}, Qty{7}),  // the same id may be reused
            (Events{canceled(4, kSym0, OrderId{2}, kBuy, Price{10}, Qty{5}, Qty{0}, CancelReason::kReplaced),
                    accepted(4, kSym0, OrderId{2}, kBuy, Price{-3}, Qty{7})}));
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{10}, OrderId{3}, Qty{4}},
                                        {kBuy, Price{-3}, OrderId{2}, Qty{7}}}));
  EXPECT_EQ(shard_->live_levels(), 2u);
}

TEST_F(ShardTest, ReplaceDoesNotMatchAndClearsPostOnly) {
  ASSERT_EQ(add(1, OrderId{1}, kBuy, Price{10}, Qty{5}, OT::kPostOnly).size(), 1u);
  ASSERT_EQ(insert(2, OrderId{2}, kSell, Price{12}, Qty{5}).size(), 1u);
  EXPECT_EQ(replace(3, OrderId{1}, OrderId{3}, Price{13}, Qty{5}).size(), 2u);  // rests crossed
  EXPECT_EQ(book().best_bid(), Price{13});
  EXPECT_EQ(shard_->order(shard_->find(OrderId{3})).flags & kFlagPostOnly, 0);
  // The new order is a plain limit order: a reprice through the book trades.
  EXPECT_EQ(modify(4, OrderId{3}, Price{14}, Qty{5}),
            (Events{modified(4, kSym0, OrderId{3}, kBuy, Price{14}, Qty{5}, Price{13}, Qty{5},
                             ModifyKind::kLostPriority),
                    trade(4, kSym0, OrderId{3}, kBuy, Price{12}, Qty{5}, Qty{0}, OrderId{2}, Qty{0})}));
}

TEST_F(ShardTest, ReplaceRejectsEchoTheNewId) {
  EXPECT_EQ(replace(1, OrderId{1}, OrderId{2}, Price{5}, Qty{3}),
            (Events{rejected(1, kSym0, OrderId{1}, kBuy, Price{5}, Qty{3}, OT::kLimit, RejectReason::kNotResting)}));
  ASSERT_EQ(insert(2, OrderId{1}, kSell, Price{10}, Qty{5}, kSym1).size(), 1u);
  ASSERT_EQ(insert(3, OrderId{2}, kSell, Price{11}, Qty{5}).size(), 1u);
  EXPECT_EQ(replace(4, OrderId{1}, OrderId{2}, Price{5000}, Qty{0}),  // duplicate first
            (Events{rejected(4, kSym1, OrderId{2}, kSell, Price{5000}, Qty{0}, OT::kLimit,
                             RejectReason::kDuplicateOrderId)}));
  EXPECT_EQ(replace(5, OrderId{1}, OrderId{3}, Price{5000}, Qty{0}),
            (Events{rejected(5, kSym1, OrderId{3}, kSell, Price{5000}, Qty{0}, OT::kLimit,
                             RejectReason::kQtyOutOfRange)}));
  EXPECT_EQ(replace(6, OrderId{1}, OrderId{3}, Price{5000}, Qty{1}),
            (Events{rejected(6, kSym1, OrderId{3}, kSell, Price{5000}, Qty{1}, OT::kLimit,
                             RejectReason::kPriceOutOfRange)}));
  EXPECT_EQ(l3(kSym1), (std::vector<L3Entry>{{kSell, Price{10}, OrderId{1}, Qty{5}}}));
  EXPECT_EQ(shard_->live_orders(), 2u);
}

// --- apply and apply_batch ---------------------------------------------------

BookMessage msg(MsgType t, SeqNum seq, uint64_t id, Side side = kBuy, int64_t px = 0, int64_t qty = 0,
                OT ot = OT::kLimit, SymbolId sym = kSym0, uint64_t new_id = 0) {
  BookMessage m;
  m.seq = seq;
  m.type = t;
  m.id = OrderId{id};
  m.new_id = OrderId{new_id};
  m.side = side;
  m.price = Price{px};
  m.qty = Qty{qty};
  m.order_type = ot;
  m.symbol = sym;
  return m;
}

// One message of every type, with the direct call each must be equivalent to.
std::vector<BookMessage> every_message_type() {
  return {
      msg(MsgType::kAdd, 1, 1, kSell, 100, 5),
      msg(MsgType::kInsert, 2, 2, kSell, 101, 5, OT::kIoc /* ignored by insert */, kSym1),
      msg(MsgType::kAdd, 3, 3, kBuy, 100, 2, OT::kIoc),
      msg(MsgType::kReduce, 4, 1, kBuy, 0, 1),
      msg(MsgType::kModify, 5, 1, kBuy, 99, 4),
      msg(MsgType::kExecute, 6, 1, kBuy, 12345 /* ignored: plain execute */, 1),
      msg(MsgType::kReplace, 7, 2, kBuy, 102, 6, OT::kLimit, kSym0, 8),
      msg(MsgType::kCancel, 8, 8),
      msg(MsgType::kAdd, 9, 9, kBuy, 99, 1, OT::kMarket, kSym0),
      msg(static_cast<MsgType>(7), 10, 10, kSell, 5, 6, OT::kFok, kSym1),
      msg(static_cast<MsgType>(255), 11, 11, static_cast<Side>(2), -5, -6, static_cast<OT>(9), SymbolId{77}),
  };
}

TEST_F(ShardTest, ApplyDispatchesEveryMessageType) {
  BookShard direct(small_config());
  EventRecorder want;
  direct.add(1, kSym0, OrderId{1}, kSell, Price{100}, Qty{5}, OT::kLimit, want);
  direct.insert(2, kSym1, OrderId{2}, kSell, Price{101}, Qty{5}, want);
  direct.add(3, kSym0, OrderId{3}, kBuy, Price{100}, Qty{2}, OT::kIoc, want);
  direct.reduce(4, OrderId{1}, Qty{1}, want);
  direct.modify(5, OrderId{1}, Price{99}, Qty{4}, want);
  direct.execute(6, OrderId{1}, Qty{1}, want);
  direct.replace(7, OrderId{2}, OrderId{8}, Price{102}, Qty{6}, want);
  direct.cancel(8, OrderId{8}, want);
  direct.add(9, kSym0, OrderId{9}, kBuy, Price{99}, Qty{1}, OT::kMarket, want);
  // Unknown message types are rejected with every field echoed.
  want.on_event(rejected(10, kSym1, OrderId{10}, kSell, Price{5}, Qty{6}, OT::kFok, RejectReason::kInvalidMessage));
  want.on_event(rejected(11, SymbolId{77}, OrderId{11}, static_cast<Side>(2), Price{-5}, Qty{-6}, static_cast<OT>(9),
                         RejectReason::kInvalidMessage));

  Events got;
  for (const BookMessage& m : every_message_type()) {
    const Events ev = apply(m);
    got.insert(got.end(), ev.begin(), ev.end());
  }
  EXPECT_EQ(got, want.events) << diff_events(got, want.events);
  EXPECT_EQ(shard_->hash(), direct.hash());
  EXPECT_EQ(l3(kSym0), l3_of(direct, kSym0));
  EXPECT_EQ(l3(kSym1), l3_of(direct, kSym1));
  // Sanity: the sequence above really exercised trades, modifies and cancels.
  int trades = 0, modifies = 0, cancels = 0;
  for (const Event& e : got) {
    trades += e.kind == EventKind::kTrade;
    modifies += e.kind == EventKind::kModified;
    cancels += e.kind == EventKind::kCanceled;
  }
  EXPECT_EQ(trades, 3);
  EXPECT_EQ(modifies, 1);
  EXPECT_EQ(cancels, 3);
}

TEST_F(ShardTest, ApplyBatchEqualsApplyAndCallsTheHookAfterEachMessage) {
  const std::vector<BookMessage> msgs = every_message_type();
  BookShard one_by_one(small_config());
  EventRecorder want;
  std::vector<std::size_t> want_marks;
  for (const BookMessage& m : msgs) {
    one_by_one.apply(m, want);
    want_marks.push_back(want.events.size());
  }
  std::vector<std::size_t> marks;
  std::vector<std::size_t> calls;
  rec_.clear();
  shard_->apply_batch(msgs, rec_, [&](std::size_t i) noexcept {
    calls.push_back(i);
    marks.push_back(rec_.events.size());
  });
  EXPECT_EQ(rec_.events, want.events) << diff_events(rec_.events, want.events);
  std::vector<std::size_t> want_calls(msgs.size());
  for (std::size_t i = 0; i < msgs.size(); ++i) want_calls[i] = i;
  EXPECT_EQ(calls, want_calls);
  EXPECT_EQ(marks, want_marks);  // message i's events are all out before hook(i)
  EXPECT_EQ(shard_->hash(), one_by_one.hash());
}

TEST_F(ShardTest, ApplyBatchOfNothingDoesNothing) {
  rec_.clear();
  int calls = 0;
  shard_->apply_batch({}, rec_, [&](std::size_t) noexcept { ++calls; });
  EXPECT_TRUE(rec_.events.empty());
  EXPECT_EQ(calls, 0);
  shard_->apply_batch({}, rec_);  // default hook
  EXPECT_TRUE(rec_.events.empty());
}

}  // namespace
}  // namespace tachyon::book::test
