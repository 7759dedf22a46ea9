// What the matching core publishes for the control plane (PublishedEngineState) and how
// engine_metrics renders it: per-session positions, realized P&L and unrealized P&L
// marked at the last trade, checked against values worked out by hand for a small
// three-session capture.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "../dataplane/ouch_capture.h"
#include "tachyon/controlplane/durable_replay.h"
#include "tachyon/dataplane/match_durability.h"
#include "tachyon/dataplane/replay.h"

namespace tachyon::controlplane {
namespace {

using dataplane::testing::enter_order;
using dataplane::testing::kMs;
using dataplane::testing::kT0;

constexpr int64_t k100 = 1'000'000;  // 100.0000 in Price(4)

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "durable_replay_test_" + std::to_string(::getpid()) + "_" + name;
}

// Sessions are numbered by first appearance: client 0 is session 0, and so on.
//   s0 buys 10 @ 100 (rests); s1 sells 10 @ 100: trade at 100
//   s1 sells 1 @ 102 (rests); s2 buys 1 @ 102: trade at 102
//   s0 sells 4 @ 103 (rests); s2 buys 4 @ 103: trade at 103, the last trade (the mark)
// Marked at $103, in Price(4) x shares ($1 on one share = 10,000):
//   s0 long 6 at $100: realized 4 x $3 = 120,000; unrealized 6 x $3 = 180,000
//   s1 short 11 sold for $1,102: realized 0; unrealized $1,102 - 11 x $103 = -310,000
//   s2 long 5 bought for $514: realized 0; unrealized 5 x $103 - $514 = 10,000
// The sessions' P&L sums to zero, as it must between them.
void write_trades(const std::string& path) {
  dataplane::testing::OuchCapture c(path);
  c.send(kT0, enter_order("B1", 'B', 10, "AAPL", k100), 0);
  c.send(kT0 + kMs, enter_order("S1", 'S', 10, "AAPL", k100), 1);
  c.send(kT0 + 2 * kMs, enter_order("S2", 'S', 1, "AAPL", 102 * k100 / 100), 1);
  c.send(kT0 + 3 * kMs, enter_order("B2", 'B', 1, "AAPL", 102 * k100 / 100), 2);
  c.send(kT0 + 4 * kMs, enter_order("S3", 'S', 4, "AAPL", 103 * k100 / 100), 0);
  c.send(kT0 + 5 * kMs, enter_order("B3", 'B', 4, "AAPL", 103 * k100 / 100), 2);
  c.close();
}

TEST(EngineState, PublishesRealizedAndUnrealizedPnlPerSession) {
  const std::string in = temp_path("pnl.pcap");
  write_trades(in);
  dataplane::ReplayOptions o;
  o.mode = dataplane::ReplayMode::kMatch;
  o.input = in;
  o.symbols = {"AAPL"};
  o.book.max_orders = 1024;
  o.book.max_levels = 1024;
  o.book.max_symbols = 2;
  dataplane::PublishedEngineState pub;
  o.durability.published = &pub;
  const dataplane::ReplaySummary s = dataplane::replay(o);
  ASSERT_EQ(s.trades, 3u);
  ASSERT_EQ(pub.sessions.load(), 3u);

  const int64_t want_realized[3] = {120'000, 0, 0};
  const int64_t want_unrealized[3] = {180'000, -310'000, 10'000};
  const int64_t want_net[3] = {6, -11, 5};
  int64_t total = 0;
  for (int c = 0; c < 3; ++c) {
    SCOPED_TRACE("session " + std::to_string(c));
    EXPECT_EQ(pub.session[c].realized.load(), want_realized[c]);
    EXPECT_EQ(pub.session[c].unrealized.load(), want_unrealized[c]);
    EXPECT_EQ(pub.session[c].net.load(), want_net[c]);
    total += pub.session[c].realized.load() + pub.session[c].unrealized.load();
  }
  EXPECT_EQ(total, 0);

  // The /metrics text: one gauge line per session, with the exact values.
  const std::string m = engine_metrics(pub);
  EXPECT_NE(m.find("# TYPE tachyon_unrealized_pnl_price4 gauge\n"), std::string::npos) << m;
  EXPECT_NE(m.find("tachyon_unrealized_pnl_price4{session=\"0\"} 180000\n"), std::string::npos) << m;
  EXPECT_NE(m.find("tachyon_unrealized_pnl_price4{session=\"1\"} -310000\n"), std::string::npos) << m;
  EXPECT_NE(m.find("tachyon_unrealized_pnl_price4{session=\"2\"} 10000\n"), std::string::npos) << m;
  EXPECT_NE(m.find("tachyon_realized_pnl_price4{session=\"0\"} 120000\n"), std::string::npos) << m;
  std::remove(in.c_str());
}

}  // namespace
}  // namespace tachyon::controlplane
