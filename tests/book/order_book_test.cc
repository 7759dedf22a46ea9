// Unit tests of OrderBook's views -- best bid/ask, qty_at, depth top-N with counts,
// level and L3 iteration order -- and of the book and shard state hashes.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "shard_fixture.h"

namespace tachyon::book::test {
namespace {

using OT = OrderType;

TEST_F(ShardTest, ViewsOfAnEmptyBook) {
  EXPECT_FALSE(book().best_bid().has_value());
  EXPECT_FALSE(book().best_ask().has_value());
  EXPECT_FALSE(book().best(kSell).has_value());
  EXPECT_EQ(book().qty_at(kBuy, Price{0}), Qty{0});
  std::vector<DepthLevel> out(4);
  EXPECT_EQ(book().depth(kBuy, out), 0u);
  EXPECT_EQ(book().level_count(kSell), 0u);
  int calls = 0;
  book().for_each_order(kBuy, [&](Price, const Order&) { ++calls; });
  book().for_each_level(kSell, [&](const Level&) { ++calls; });
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(book().symbol(), kSym0);
  EXPECT_EQ(book(kSym1).symbol(), kSym1);
}

TEST_F(ShardTest, BestPricesTrackTheTopOfEachSide) {
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{1});
  EXPECT_EQ(book().best_bid(), Price{10});
  rest(2, OrderId{2}, kBuy, Price{12}, Qty{1});
  EXPECT_EQ(book().best_bid(), Price{12});
  rest(3, OrderId{3}, kBuy, Price{11}, Qty{1});
  EXPECT_EQ(book().best_bid(), Price{12});
  rest(4, OrderId{4}, kSell, Price{20}, Qty{1});
  rest(5, OrderId{5}, kSell, Price{15}, Qty{1});
  rest(6, OrderId{6}, kSell, Price{17}, Qty{1});
  EXPECT_EQ(book().best_ask(), Price{15});
  ASSERT_EQ(cancel(7, OrderId{2}).size(), 1u);
  EXPECT_EQ(book().best_bid(), Price{11});
  ASSERT_EQ(cancel(8, OrderId{5}).size(), 1u);
  EXPECT_EQ(book().best_ask(), Price{17});
  EXPECT_EQ(book().best(kBuy), book().best_bid());
  EXPECT_EQ(book().best(kSell), book().best_ask());
}

TEST_F(ShardTest, QtyAtAndDepthWithCounts) {
  rest(1, OrderId{1}, kBuy, Price{10}, Qty{1});
  rest(2, OrderId{2}, kBuy, Price{10}, Qty{2});
  rest(3, OrderId{3}, kBuy, Price{9}, Qty{4});
  rest(4, OrderId{4}, kBuy, Price{-2}, Qty{8});
  rest(5, OrderId{5}, kSell, Price{11}, Qty{16});
  EXPECT_EQ(book().qty_at(kBuy, Price{10}), Qty{3});
  EXPECT_EQ(book().qty_at(kBuy, Price{-2}), Qty{8});
  EXPECT_EQ(book().qty_at(kBuy, Price{11}), Qty{0});  // that price is on the other side
  EXPECT_EQ(book().qty_at(kSell, Price{11}), Qty{16});
  EXPECT_EQ(book().level_count(kBuy), 3u);

  std::vector<DepthLevel> top(2);
  ASSERT_EQ(book().depth(kBuy, top), 2u);
  EXPECT_EQ(top[0].price, Price{10});
  EXPECT_EQ(top[0].qty, Qty{3});
  EXPECT_EQ(top[0].count, 2u);
  EXPECT_EQ(top[1].price, Price{9});
  EXPECT_EQ(top[1].qty, Qty{4});
  EXPECT_EQ(top[1].count, 1u);

  std::vector<DepthLevel> all(10);
  ASSERT_EQ(book().depth(kBuy, all), 3u);
  EXPECT_EQ(all[2].price, Price{-2});
  EXPECT_EQ(all[2].count, 1u);
  EXPECT_EQ(book().depth(kBuy, std::span<DepthLevel>{}), 0u);

  // Partial fills and reductions update the aggregates.
  ASSERT_EQ(add(6, OrderId{6}, kSell, Price{10}, Qty{2}, OT::kIoc).size(), 3u);  // 1 from #1, 1 from #2
  ASSERT_EQ(reduce(7, OrderId{3}, Qty{1}).size(), 1u);
  ASSERT_EQ(book().depth(kBuy, all), 3u);
  EXPECT_EQ(all[0].qty, Qty{1});
  EXPECT_EQ(all[0].count, 1u);
  EXPECT_EQ(all[1].qty, Qty{3});
}

TEST_F(ShardTest, LevelAndL3IterationAreBestFirstThenFifo) {
  rest(1, OrderId{1}, kSell, Price{12}, Qty{1});
  rest(2, OrderId{2}, kSell, Price{11}, Qty{2});
  rest(3, OrderId{3}, kSell, Price{12}, Qty{3});
  rest(4, OrderId{4}, kSell, Price{11}, Qty{4});
  rest(5, OrderId{5}, kBuy, Price{5}, Qty{5});
  rest(6, OrderId{6}, kBuy, Price{7}, Qty{6});
  rest(7, OrderId{7}, kBuy, Price{5}, Qty{7});
  std::vector<int64_t> ask_levels;
  book().for_each_level(kSell, [&](const Level& l) { ask_levels.push_back(l.price.ticks); });
  EXPECT_EQ(ask_levels, (std::vector<int64_t>{11, 12}));
  EXPECT_EQ(l3(), (std::vector<L3Entry>{{kBuy, Price{7}, OrderId{6}, Qty{6}},
                                        {kBuy, Price{5}, OrderId{5}, Qty{5}},
                                        {kBuy, Price{5}, OrderId{7}, Qty{7}},
                                        {kSell, Price{11}, OrderId{2}, Qty{2}},
                                        {kSell, Price{11}, OrderId{4}, Qty{4}},
                                        {kSell, Price{12}, OrderId{1}, Qty{1}},
                                        {kSell, Price{12}, OrderId{3}, Qty{3}}}));
  // Level records carry their aggregates and owning book.
  book().for_each_level(kBuy, [&](const Level& l) {
    EXPECT_EQ(l.symbol, 0u);
    EXPECT_EQ(l.count, l.price == Price{5} ? 2u : 1u);
  });
}

TEST_F(ShardTest, ManyLevelsKeepTheirOrderAcrossLadderGrowth) {
  // 200 levels per side, entered in a scrambled order, forces the ladders through
  // several size classes and the deep (binary search) insert path.
  std::vector<int64_t> prices;
  for (int64_t i = 0; i < 200; ++i) prices.push_back((i * 73) % 200);
  reset([] {
    BookConfig c = small_config();
    c.max_levels = 512;
    c.max_orders = 1024;
    return c;
  }());
  SeqNum seq = 1;
  for (int64_t p : prices) {
    rest(seq++, OrderId{uint64_t(1000 + p)}, kBuy, Price{p - 300}, Qty{1 + p});
    rest(seq++, OrderId{uint64_t(2000 + p)}, kSell, Price{p + 1}, Qty{1});
  }
  ASSERT_EQ(book().level_count(kBuy), 200u);
  std::vector<DepthLevel> bids = depth_of(*shard_, kSym0, kBuy);
  std::vector<DepthLevel> asks = depth_of(*shard_, kSym0, kSell);
  ASSERT_EQ(bids.size(), 200u);
  for (int64_t i = 0; i < 200; ++i) {
    EXPECT_EQ(bids[i].price, Price{199 - i - 300});
    EXPECT_EQ(asks[i].price, Price{i + 1});
    EXPECT_EQ(bids[i].qty, Qty{200 - i});
    EXPECT_EQ(asks[i].qty, Qty{1});
  }
  EXPECT_EQ(book().qty_at(kBuy, Price{-300}), Qty{1});  // the deepest bid
  // Remove every other level, deepest first, then check again.
  for (int64_t p = 0; p < 200; p += 2) {
    ASSERT_EQ(cancel(seq++, OrderId{uint64_t(1000 + p)}).size(), 1u);
    ASSERT_EQ(cancel(seq++, OrderId{uint64_t(2000 + p)}).size(), 1u);
  }
  bids = depth_of(*shard_, kSym0, kBuy);
  asks = depth_of(*shard_, kSym0, kSell);
  ASSERT_EQ(bids.size(), 100u);
  for (int64_t i = 0; i < 100; ++i) {
    EXPECT_EQ(bids[i].price, Price{199 - 2 * i - 300});
    EXPECT_EQ(asks[i].price, Price{2 * i + 2});
  }
  // A sweep through all remaining asks empties the side and releases the ladder.
  const Events ev = add(seq++, OrderId{1}, kBuy, Price{1000}, Qty{1000}, OT::kIoc);
  EXPECT_EQ(ev.size(), 1u + 100u + 1u);
  EXPECT_EQ(book().level_count(kSell), 0u);
  EXPECT_EQ(shard_->live_levels(), 100u);
}

// --- hashes ---------------------------------------------------------------------

// Builds a small book through a fixed script on a fresh shard with the given seed.
uint64_t scripted_hash(uint64_t hash_seed, bool extra_then_cancel) {
  BookConfig c;
  c.max_orders = 64;
  c.max_levels = 64;
  c.max_symbols = 3;
  c.hash_seed = hash_seed;
  BookShard s(c);
  NullSink sink;
  s.add(1, SymbolId{1}, OrderId{1}, Side::kBuy, Price{10}, Qty{5}, OrderType::kLimit, sink);
  s.add(2, SymbolId{1}, OrderId{2}, Side::kSell, Price{12}, Qty{5}, OrderType::kLimit, sink);
  if (extra_then_cancel) {
    s.add(3, SymbolId{2}, OrderId{3}, Side::kSell, Price{12}, Qty{5}, OrderType::kLimit, sink);
    s.cancel(4, OrderId{3}, sink);
  }
  return s.hash();
}

TEST(BookHash, SameStateSameHashWhateverTheSeedOrPath) {
  EXPECT_EQ(scripted_hash(1, false), scripted_hash(2, false));
  // An emptied book adds nothing to the shard hash.
  EXPECT_EQ(scripted_hash(1, false), scripted_hash(1, true));
}

TEST_F(ShardTest, HashSeesEveryPartOfTheState) {
  BookShard other(small_config());
  EventRecorder sink;
  auto same = [&] { return shard_->hash() == other.hash(); };
  EXPECT_TRUE(same());  // both empty
  const uint64_t empty = shard_->hash();

  rest(1, OrderId{1}, kBuy, Price{10}, Qty{5});
  EXPECT_FALSE(same());
  EXPECT_NE(shard_->hash(), empty);
  other.add(1, kSym0, OrderId{1}, kBuy, Price{10}, Qty{5}, OrderType::kLimit, sink);
  EXPECT_TRUE(same());
  EXPECT_EQ(book().hash(), other.book(kSym0).hash());

  // Priority order: the same two orders queued the other way round.
  rest(2, OrderId{2}, kBuy, Price{10}, Qty{5});
  other.add(2, kSym0, OrderId{2}, kBuy, Price{10}, Qty{5}, OrderType::kLimit, sink);
  EXPECT_TRUE(same());
  ASSERT_EQ(modify(3, OrderId{1}, Price{10}, Qty{6}).size(), 1u);  // 1 moves behind 2
  ASSERT_EQ(modify(4, OrderId{1}, Price{10}, Qty{5}).size(), 1u);  // same qty again, still behind
  EXPECT_EQ(ids(kBuy), (std::vector<uint64_t>{2, 1}));
  EXPECT_FALSE(same());
  other.modify(3, OrderId{1}, Price{10}, Qty{6}, sink);
  other.modify(4, OrderId{1}, Price{10}, Qty{5}, sink);
  EXPECT_TRUE(same());

  // Quantity, price, id, side and symbol each change the digest.
  auto differs_after = [&](auto&& change) {
    BookShard probe(small_config());
    EventRecorder r;
    probe.add(1, kSym0, OrderId{2}, kBuy, Price{10}, Qty{5}, OrderType::kLimit, r);
    probe.add(2, kSym0, OrderId{1}, kBuy, Price{10}, Qty{5}, OrderType::kLimit, r);
    const uint64_t before = probe.hash();
    EXPECT_EQ(before, shard_->hash());
    change(probe, r);
    return probe.hash() != before;
  };
  EXPECT_TRUE(differs_after([](BookShard& p, EventRecorder& r) { p.reduce(3, OrderId{1}, Qty{1}, r); }));
  EXPECT_TRUE(differs_after([](BookShard& p, EventRecorder& r) { p.modify(3, OrderId{1}, Price{11}, Qty{5}, r); }));
  EXPECT_TRUE(differs_after(
      [](BookShard& p, EventRecorder& r) { p.replace(3, OrderId{1}, OrderId{9}, Price{10}, Qty{5}, r); }));
  EXPECT_TRUE(differs_after([](BookShard& p, EventRecorder& r) {
    p.cancel(3, OrderId{1}, r);
    p.add(4, kSym0, OrderId{1}, kSell, Price{10 + 1000}, Qty{5}, OrderType::kLimit, r);  // rejected: out of range
    p.add(5, kSym0, OrderId{1}, kSell, Price{11}, Qty{5}, OrderType::kLimit, r);
  }));
  EXPECT_TRUE(differs_after([](BookShard& p, EventRecorder& r) {
    p.cancel(3, OrderId{1}, r);
    p.add(4, kSym1, OrderId{1}, kBuy, Price{10}, Qty{5}, OrderType::kLimit, r);
  }));
  // Rejected messages change nothing.
  EXPECT_FALSE(differs_after([](BookShard& p, EventRecorder& r) {
    p.add(3, kSym0, OrderId{1}, kBuy, Price{10}, Qty{5}, OrderType::kLimit, r);  // duplicate
    p.cancel(4, OrderId{77}, r);
    p.modify(5, OrderId{1}, Price{10}, Qty{-1}, r);
  }));
}

TEST_F(ShardTest, BookHashMatchesTheDocumentedDigest) {
  rest(1, OrderId{1}, kBuy, Price{-10}, Qty{5}, kSym1);
  rest(2, OrderId{2}, kSell, Price{12}, Qty{7}, kSym1);
  rest(3, OrderId{3}, kSell, Price{12}, Qty{1}, kSym1);
  // FNV-1a over little-endian 64-bit words, computed here byte by byte.
  uint64_t h = 0xcbf29ce484222325ull;
  auto word = [&](uint64_t v) {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 0x100000001b3ull;
    }
  };
  word(1);  // symbol
  word(0x5a00);
  word(static_cast<uint64_t>(int64_t{-10}));
  word(1);
  word(5);
  word(0x5a01);
  word(12), word(2), word(7);
  word(12), word(3), word(1);
  EXPECT_EQ(book(kSym1).hash(), h);
  const uint64_t book1 = h;
  h = 0xcbf29ce484222325ull;
  word(book1);  // the empty book 0 is skipped
  EXPECT_EQ(shard_->hash(), h);
}

}  // namespace
}  // namespace tachyon::book::test
