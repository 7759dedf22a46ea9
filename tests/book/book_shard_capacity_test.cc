// Unit tests of BookShard's capacity rules: PoolExhausted when the order pool or the
// level pool is full, checked up front for every resting order type and for moves
// (modify, replace), and UnknownSymbol past the configured books.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <vector>

#include "shard_fixture.h"

namespace tachyon::book::test {
namespace {

using OT = OrderType;

BookConfig tiny(uint32_t orders, uint32_t levels, uint32_t symbols = 1) {
  BookConfig c;
  c.max_orders = orders;
  c.max_levels = levels;
  c.max_symbols = symbols;
  c.min_price = Price{-1000};
  c.max_price = Price{1000};
  c.max_qty = Qty{1000};
  return c;
}

TEST_F(ShardTest, OrderPoolFullRejectsRestingTypesOnly) {
  reset(tiny(2, 8));
  rest(1, OrderId{1}, kSell, Price{10}, Qty{5});
  rest(2, OrderId{2}, kSell, Price{10}, Qty{5});
  EXPECT_EQ(add(3, OrderId{3}, kSell, Price{10}, Qty{1}),
            (Events{rejected(3, kSym0, OrderId{3}, kSell, Price{10}, Qty{1}, OT::kLimit, RejectReason::kPoolExhausted)}));
  // Capacity is checked before the cross check, and even an order that would fill
  // completely (needing no slot) is rejected: an accepted order can always rest.
  EXPECT_EQ(add(4, OrderId{4}, kBuy, Price{10}, Qty{1}, OT::kPostOnly).at(0).reject_reason(),
            RejectReason::kPoolExhausted);
  EXPECT_EQ(add(5, OrderId{5}, kBuy, Price{10}, Qty{1}, OT::kLimit).at(0).reject_reason(),
            RejectReason::kPoolExhausted);
  EXPECT_EQ(insert(6, OrderId{6}, kBuy, Price{1}, Qty{1}),
            (Events{rejected(6, kSym0, OrderId{6}, kBuy, Price{1}, Qty{1}, OT::kLimit, RejectReason::kPoolExhausted)}));
  // Non-resting types need no slot.
  EXPECT_EQ(add(7, OrderId{7}, kBuy, Price{10}, Qty{1}, OT::kIoc).size(), 2u);
  EXPECT_EQ(add(8, OrderId{8}, kBuy, Price{10}, Qty{1}, OT::kFok).size(), 2u);
  EXPECT_EQ(add(9, OrderId{9}, kBuy, Price{0}, Qty{1}, OT::kMarket).size(), 2u);
  // Modify and replace reuse the order's slot.
  EXPECT_EQ(modify(10, OrderId{1}, Price{10}, Qty{9}).at(0).kind, EventKind::kModified);
  EXPECT_EQ(replace(11, OrderId{1}, OrderId{11}, Price{10}, Qty{9}).size(), 2u);
  // A freed slot can be used again.
  ASSERT_EQ(cancel(12, OrderId{2}).size(), 1u);
  rest(13, OrderId{13}, kSell, Price{11}, Qty{1});
  EXPECT_EQ(shard_->live_orders(), 2u);
}

TEST_F(ShardTest, LevelPoolFullRejectsOnlyNewPricesOnTheOrdersSide) {
  reset(tiny(16, 2));
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{5});
  rest(2, OrderId{2}, kSell, Price{20}, Qty{5});
  EXPECT_EQ(add(3, OrderId{3}, kBuy, Price{11}, Qty{1}),
            (Events{rejected(3, kSym0, OrderId{3}, kBuy, Price{11}, Qty{1}, OT::kLimit, RejectReason::kPoolExhausted)}));
  EXPECT_EQ(insert(4, OrderId{4}, kSell, Price{21}, Qty{1}).at(0).reject_reason(), RejectReason::kPoolExhausted);
  // A level on the other side does not count, even when the order would fill there.
  EXPECT_EQ(add(5, OrderId{5}, kBuy, Price{20}, Qty{1}).at(0).reject_reason(), RejectReason::kPoolExhausted);
  // Existing prices take more orders.
  rest(6, OrderId{6}, kBuy, Price{10}, Qty{1});
  EXPECT_EQ(insert(7, OrderId{7}, kSell, Price{20}, Qty{1}).size(), 1u);
  // IOC needs no level.
  EXPECT_EQ(add(8, OrderId{8}, kBuy, Price{20}, Qty{1}, OT::kIoc).size(), 2u);
  // A level freed by matching is available again.
  EXPECT_EQ(add(9, OrderId{9}, kBuy, Price{0}, Qty{100}, OT::kMarket).size(), 4u);  // sweeps the asks
  EXPECT_EQ(shard_->live_levels(), 1u);
  rest(10, OrderId{10}, kBuy, Price{12}, Qty{1});
  EXPECT_EQ(shard_->live_levels(), 2u);
}

TEST_F(ShardTest, ModifyWithTheLevelPoolFull) {
  reset(tiny(16, 2));
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{5});
  rest(2, OrderId{2}, kBuy, Price{10}, Qty{5});
  rest(3, OrderId{3}, kBuy, Price{8}, Qty{5});
  // Order 1 shares its level: no level for a new price.
  EXPECT_EQ(modify(4, OrderId{1}, Price{9}, Qty{5}),
            (Events{rejected(4, kSym0, OrderId{1}, kBuy, Price{9}, Qty{5}, OT::kLimit, RejectReason::kPoolExhausted)}));
  // Moving to an existing level is fine, as is a qty increase in place.
  EXPECT_EQ(modify(5, OrderId{1}, Price{8}, Qty{5}).at(0).modify_kind(), ModifyKind::kLostPriority);
  EXPECT_EQ(modify(6, OrderId{2}, Price{10}, Qty{6}).at(0).modify_kind(), ModifyKind::kLostPriority);
  // Order 2 is now alone at 10: its own level is freed by the move.
  EXPECT_EQ(modify(7, OrderId{2}, Price{9}, Qty{6}).at(0).modify_kind(), ModifyKind::kLostPriority);
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{9}, OrderId{2}, Qty{6}},
                                        {kBuy, Price{8}, OrderId{3}, Qty{5}},
                                        {kBuy, Price{8}, OrderId{1}, Qty{5}}}));
  EXPECT_EQ(shard_->live_levels(), 2u);
}

TEST_F(ShardTest, ReplaceWithTheLevelPoolFull) {
  reset(tiny(16, 2));
  ASSERT_EQ(insert(1, OrderId{1}, kSell, Price{10}, Qty{5}).size(), 1u);
  ASSERT_EQ(insert(2, OrderId{2}, kSell, Price{10}, Qty{5}).size(), 1u);
  ASSERT_EQ(insert(3, OrderId{3}, kSell, Price{12}, Qty{5}).size(), 1u);
  EXPECT_EQ(replace(4, OrderId{1}, OrderId{4}, Price{11}, Qty{5}),
            (Events{rejected(4, kSym0, OrderId{4}, kSell, Price{11}, Qty{5}, OT::kLimit, RejectReason::kPoolExhausted)}));
  EXPECT_EQ(replace(5, OrderId{3}, OrderId{5}, Price{11}, Qty{5}).size(), 2u);  // alone: frees its level
  EXPECT_EQ(replace(6, OrderId{1}, OrderId{6}, Price{11}, Qty{5}).size(), 2u);  // existing level
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kSell, Price{10}, OrderId{2}, Qty{5}},
                                        {kSell, Price{11}, OrderId{5}, Qty{5}},
                                        {kSell, Price{11}, OrderId{6}, Qty{5}}}));
}

TEST_F(ShardTest, SingleSlotPools) {
  reset(tiny(1, 1));
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{5});
  EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{10}, Qty{1}).at(0).reject_reason(), RejectReason::kPoolExhausted);
  EXPECT_EQ(modify(3, OrderId{1}, Price{-10}, Qty{7}).at(0).kind, EventKind::kModified);
  EXPECT_EQ(add(4, OrderId{4}, kSell, Price{-10}, Qty{7}, OT::kFok).size(), 2u);  // accepted, fills it
  EXPECT_EQ(shard_->live_orders(), 0u);
  EXPECT_EQ(shard_->live_levels(), 0u);
  rest(5, OrderId{5}, kSell, Price{3}, Qty{1});
}

TEST_F(ShardTest, OneBookCanUseEveryLevelOnEitherSideRepeatedly) {
  // Ladders grow through several chunk classes (16 .. 128 entries) on both sides in
  // turn; the level pool, not ladder space, is the limit.
  reset(tiny(1024, 100));
  SeqNum seq = 1;
  uint64_t id = 1;
  for (int round = 0; round < 4; ++round) {
    const Side side = round % 2 ? kSell : kBuy;
    const uint32_t other = shard_->live_levels();  // one level kept from the last round
    const uint64_t first = id;
    for (uint32_t k = 0; k < 100 - other; ++k) {
      const int64_t px = side == kBuy ? 500 - int64_t(k) : 600 + int64_t(k);
      ASSERT_EQ(insert(seq++, OrderId{id++}, side, Price{px}, Qty{1}).at(0).kind, EventKind::kAccepted)
          << "round " << round << " level " << k;
    }
    EXPECT_EQ(shard_->live_levels(), 100u);
    EXPECT_EQ(insert(seq++, OrderId{id++}, side, Price{side == kBuy ? 1 : 999}, Qty{1}).at(0).reject_reason(),
              RejectReason::kPoolExhausted);
    // Drain this side down to its best level, and the other side completely.
    for (uint64_t x = first + 1; x < id; ++x) cancel(seq++, OrderId{x});
    for (uint64_t x = 1; x < first; ++x) cancel(seq++, OrderId{x});
    EXPECT_EQ(shard_->live_levels(), 1u);
  }
}

TEST_F(ShardTest, UnknownSymbolPastTheConfiguredBooks) {
  reset(tiny(8, 8, 3));
  EXPECT_EQ(shard_->symbols(), 3u);
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{5}, SymbolId{2});
  for (uint32_t s : {3u, 4u, UINT32_MAX}) {
    EXPECT_EQ(add(2, OrderId{2}, kBuy, Price{10}, Qty{5}, OT::kMarket, SymbolId{s}),
              (Events{rejected(2, SymbolId{s}, OrderId{2}, kBuy, Price{0}, Qty{5}, OT::kMarket,
                               RejectReason::kUnknownSymbol)}));
    EXPECT_EQ(insert(3, OrderId{3}, kSell, Price{10}, Qty{5}, SymbolId{s}).at(0).reject_reason(),
              RejectReason::kUnknownSymbol);
  }
  EXPECT_EQ(shard_->live_orders(), 1u);
}

// Ladders of many books peak at different times: the arena's free chunks fragment,
// and compaction must make room as long as a level is free.
TEST_F(ShardTest, LadderSpaceLastsWhileLevelsAreFreeAcrossManyBooks) {
  BookConfig c = tiny(1024, 32, 4);
  reset(c);
  uint64_t seq = 0, id = 0;
  for (uint32_t sym = 0; sym < 4; ++sym) {
    for (const Side side : {kBuy, kSell}) {
      std::vector<uint64_t> ids;
      for (int p = 0; p < 17; ++p) {
        ++id;
        const Price px{side == kBuy ? 100 - p : 200 + p};
        const Events ev = insert(++seq, OrderId{id}, side, px, Qty{1}, SymbolId{sym});
        ASSERT_EQ(ev.at(0).kind, EventKind::kAccepted) << "sym " << sym << " side " << int(side) << " level " << p
                                                       << ": " << to_string(ev.at(0).reject_reason());
        ids.push_back(id);
      }
      for (int k = 0; k < 16; ++k) ASSERT_EQ(cancel(++seq, OrderId{ids[k]}).at(0).kind, EventKind::kCanceled);
    }
  }
  EXPECT_EQ(shard_->live_levels(), 8u);
}

// Random churn over many books with a small level pool: a new price level is refused
// only when every level is in use.
TEST_F(ShardTest, LadderArenaNeverRefusesWhileLevelsAreFree) {
  BookConfig c = tiny(4096, 64, 16);
  reset(c);
  uint64_t seq = 0, next_id = 0, x = 88172645463325252ull;
  auto rnd = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::vector<uint64_t> live;
  for (int step = 0; step < 200'000; ++step) {
    if (live.empty() || rnd() % 100 < 52) {
      const SymbolId sym{static_cast<uint32_t>(rnd() % 16)};
      const Side side = rnd() % 2 ? kBuy : kSell;
      const Price px{side == kBuy ? -int64_t(rnd() % 200) : 1 + int64_t(rnd() % 200)};
      const uint32_t levels_before = shard_->live_levels();
      const Events ev = insert(++seq, OrderId{++next_id}, side, px, Qty{1}, sym);
      if (ev.at(0).kind == EventKind::kAccepted) {
        live.push_back(next_id);
      } else {
        ASSERT_EQ(ev.at(0).reject_reason(), RejectReason::kPoolExhausted);
        ASSERT_EQ(levels_before, 64u) << "refused with free levels at step " << step;
      }
    } else {
      const std::size_t k = rnd() % live.size();
      ASSERT_EQ(cancel(++seq, OrderId{live[k]}).at(0).kind, EventKind::kCanceled);
      live[k] = live.back();
      live.pop_back();
    }
  }
}

// Compaction moves every ladder to a new chunk and must leave every book as it was.
TEST_F(ShardTest, CompactionKeepsEveryBookIntact) {
  BookConfig c = tiny(4096, 512, 16);
  reset(c);
  uint64_t seq = 0, next_id = 0, x = 0x2545F4914F6CDD1Dull;
  auto rnd = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  std::vector<uint64_t> live;
  for (int round = 0; round < 200; ++round) {
    for (int step = 0; step < 500; ++step) {
      if (live.empty() || rnd() % 100 < 55) {
        const SymbolId sym{static_cast<uint32_t>(rnd() % 16)};
        const Side side = rnd() % 2 ? kBuy : kSell;
        const Price px{side == kBuy ? -int64_t(rnd() % 300) : 1 + int64_t(rnd() % 300)};
        if (insert(++seq, OrderId{++next_id}, side, px, Qty{1}, sym).at(0).kind == EventKind::kAccepted)
          live.push_back(next_id);
      } else {
        const std::size_t k = rnd() % live.size();
        ASSERT_EQ(cancel(++seq, OrderId{live[k]}).at(0).kind, EventKind::kCanceled);
        live[k] = live.back();
        live.pop_back();
      }
    }
    const uint64_t before = shard_->hash();
    shard_->compact_ladders();
    ASSERT_EQ(shard_->hash(), before) << "round " << round;
  }
  EXPECT_EQ(shard_->compactions(), 200u);
}

}  // namespace
}  // namespace tachyon::book::test
