// Zero-allocation test of the OKX book hot path: this binary replaces every global
// operator new/delete with a counting version, then parses and applies a 400-level
// snapshot and 20,000 book updates (inserts, size changes, deletions, heartbeats,
// a sequence reset, a second snapshot) and asserts that none of it allocated.
#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "../support/counting_new.h"
#include "tachyon/okx/book_sync.h"
#include "tachyon/okx/ws_message.h"

namespace tachyon::okx {
namespace {

std::string level(int64_t px, int64_t lots) {
  return "[\"" + Decimal{px, 1}.to_canonical_string() + "\",\"" + Decimal{lots, 8}.to_canonical_string() + "\",\"0\",\"1\"]";
}

TEST(OkxHotPath, ParseAndApplyDoNotAllocate) {
  // Messages are built (allocating) before the measured run.
  std::mt19937_64 rng(5);
  std::vector<std::string> msgs;
  const auto push = [&](const char* action, int64_t prev, int64_t seq, const std::string& bids, const std::string& asks) {
    std::string m = std::string(R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":")") + action +
                    R"(","data":[{"asks":[)" + asks + R"(],"bids":[)" + bids + R"(],"ts":"1","checksum":0,"prevSeqId":)" +
                    std::to_string(prev) + R"(,"seqId":)" + std::to_string(seq) + "}]}";
    m.append(WsMessageParser::kPadding, ' ');
    msgs.push_back(std::move(m));
  };
  std::string bids, asks;
  for (int i = 1; i <= 400; ++i) {
    bids += (i > 1 ? "," : "") + level(300000 - i, 1 + static_cast<int64_t>(rng() % 100000000));
    asks += (i > 1 ? "," : "") + level(300000 + i, 1 + static_cast<int64_t>(rng() % 100000000));
  }
  push("snapshot", -1, 100, bids, asks);
  int64_t seq = 100;
  for (int i = 0; i < 20000; ++i) {
    const int64_t d = 1 + static_cast<int64_t>(rng() % 60);
    const int64_t lots = rng() % 4 == 0 ? 0 : 1 + static_cast<int64_t>(rng() % (int64_t{1} << 34));
    const bool bid = rng() % 2 == 0;
    const std::string lv = level(bid ? 300000 - d : 300000 + d, lots);
    if (i == 5000) {
      push("update", seq, seq, "", "");  // heartbeat
      continue;
    }
    const int64_t next = i == 9000 ? 7 : seq + 1;  // one sequence reset
    push("update", seq, next, bid ? lv : "", bid ? "" : lv);
    seq = next;
  }
  push("snapshot", -1, 50, bids, asks);

  WsMessageParser parser(1 << 20, 1024);
  BookSync sync(*Instrument::make("BTC-USDT", "0.1", "0.00000001"));
  uint64_t bad = 0;
  const uint64_t before = test_support::heap_allocations();
  for (const std::string& m : msgs) {
    const std::size_t len = m.size() - WsMessageParser::kPadding;
    const ParsedMessage p = parser.parse(m.data(), len, m.size());
    if (p.kind != MessageKind::kBook || needs_resubscribe(sync.apply(p.book, 1))) ++bad;
  }
  const uint64_t allocations = test_support::heap_allocations() - before;
  EXPECT_EQ(bad, 0u);
  EXPECT_EQ(allocations, 0u);
  EXPECT_EQ(sync.health().snapshots, 2u);
  EXPECT_EQ(sync.health().heartbeats, 1u);
  EXPECT_EQ(sync.health().resets, 1u);
  EXPECT_EQ(sync.health().state, BookState::kLive);
  EXPECT_EQ(sync.book().level_count(book::Side::kBuy), 400u);
}

}  // namespace
}  // namespace tachyon::okx
