// Smoke test: one order crosses two resting orders at the makers' prices.
#include <gtest/gtest.h>

#include <vector>

#include "tachyon/book/book_shard.h"

namespace tachyon::book {
namespace {

struct VectorSink {
  std::vector<Event> events;
  void on_event(const Event& e) noexcept { events.push_back(e); }
};

TEST(BookShardSmoke, AggressorSweepsTwoLevelsAtMakerPrices) {
  BookConfig cfg;
  cfg.max_orders = 64;
  cfg.max_levels = 16;
  BookShard shard(cfg);
  VectorSink sink;
  shard.add(1, SymbolId{0}, OrderId{10}, Side::kBuy, Price{100}, Qty{5}, OrderType::kLimit, sink);
  shard.add(2, SymbolId{0}, OrderId{11}, Side::kBuy, Price{101}, Qty{5}, OrderType::kLimit, sink);
  shard.add(3, SymbolId{0}, OrderId{12}, Side::kSell, Price{99}, Qty{7}, OrderType::kLimit, sink);
  ASSERT_EQ(sink.events.size(), 5u);
  EXPECT_EQ(sink.events[3].kind, EventKind::kTrade);
  EXPECT_EQ(sink.events[3].price, Price{101});
  EXPECT_EQ(sink.events[4].price, Price{100});
  EXPECT_EQ(sink.events[4].contra_remaining, Qty{3});
  EXPECT_EQ(shard.book(SymbolId{0}).best_bid(), Price{100});
  EXPECT_FALSE(shard.book(SymbolId{0}).best_ask().has_value());
  EXPECT_EQ(shard.live_orders(), 1u);
}

}  // namespace
}  // namespace tachyon::book
