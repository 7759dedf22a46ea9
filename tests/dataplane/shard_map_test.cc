// ShardMap and ItchRouter: configured symbols go to their shard, the rest balance by
// load, locates bind once (by the stock a Stock Directory or Add Order names), locate 0
// goes to shard 0; bad shapes are refused with the reason.
#include <gtest/gtest.h>

#include <array>
#include <stdexcept>

#include "tachyon/dataplane/big_endian.h"
#include "tachyon/dataplane/feed_shard.h"
#include "tachyon/dataplane/shard_map.h"

namespace tachyon::dataplane {
namespace {

TEST(ShardMap, ConfiguredFirstThenLeastLoaded) {
  ShardMap m(3, {{"AAPL", 2}, {"MSFT", 2}});
  EXPECT_EQ(m.assign("AAPL"), 2u);
  EXPECT_EQ(m.assign("NVDA"), 0u);
  EXPECT_EQ(m.assign("AMZN"), 1u);
  EXPECT_EQ(m.assign("MSFT"), 2u);
  EXPECT_EQ(m.assign("TSLA"), 0u);
  EXPECT_EQ(m.assign("NVDA"), 0u);  // stable
  EXPECT_EQ(m.assign("META", 5.0), 1u);
  EXPECT_EQ(m.assign("GOOG"), 0u);  // shard 1 now carries weight 6
  EXPECT_EQ(m.describe(), "shard 0: NVDA TSLA GOOG; shard 1: AMZN META; shard 2: AAPL MSFT");
}

TEST(ShardMap, RefusesShardsThatDoNotExist) {
  EXPECT_THROW(ShardMap(0), std::invalid_argument);
  EXPECT_THROW(ShardMap(255), std::invalid_argument);
  try {
    ShardMap m(2, {{"AAPL", 2}});
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "shard map: symbol AAPL -> shard 2: only shards 0..1 exist");
  }
}

std::array<uint8_t, 39> directory(uint16_t locate, const char* stock) {
  std::array<uint8_t, 39> r{};
  r[0] = 'R';
  store_be16(r.data() + 1, locate);
  std::memset(r.data() + 11, ' ', 8);
  std::memcpy(r.data() + 11, stock, std::strlen(stock));
  return r;
}

TEST(ItchRouter, BindsLocatesByTheStockTheyName) {
  ShardMap m(2, {{"MSFT", 1}});
  ItchRouter router(m);
  Lane lane = Lane::kPriority;
  const auto r1 = directory(7, "MSFT");
  EXPECT_EQ(router.route(r1, lane), 1u);
  EXPECT_EQ(lane, Lane::kNormal);  // feed mode keeps order
  const auto r2 = directory(9, "AAPL");
  EXPECT_EQ(router.route(r2, lane), 0u);
  // A delete (no stock) on locate 7 follows its directory's shard.
  std::array<uint8_t, 19> d{};
  d[0] = 'D';
  store_be16(d.data() + 1, 7);
  EXPECT_EQ(router.route(d, lane), 1u);
  EXPECT_EQ(m.shard_of_locate(7), 1u);
  // System event: locate 0 -> shard 0.
  std::array<uint8_t, 12> s{};
  s[0] = 'S';
  EXPECT_EQ(router.route(s, lane), 0u);
  EXPECT_EQ(m.shard_of_locate(0), 0u);
  // An unnamed locate goes to the least-loaded shard: AAPL on 0 and MSFT on 1 tie, and
  // a tie goes to the lowest index.
  store_be16(d.data() + 1, 300);
  EXPECT_EQ(router.route(d, lane), 0u);
  EXPECT_EQ(m.shard_of_locate(12345), ShardMap::kUnassigned);
}

}  // namespace
}  // namespace tachyon::dataplane
