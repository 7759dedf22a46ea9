// OKX WebSocket market data and private channels against the local fake OKX server
// (TLS, loopback): the mirrored book equals the venue's book level for level; the
// shallow channels books5 and bbo-tbt mirror the venue's best 5 levels and best level;
// the sequence cases (update, heartbeat, reset, gap -> stale + resubscribe), checksum
// mismatch, dropped connection -> jittered backoff reconnect + resubscribe, fragmented
// frames, ping/pong after silence, missing pong, malformed frames counted while the
// connection survives, trades, and private login + orders/positions/account.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <simdjson.h>

#include "okx_fake/fake_okx_process.h"
#include "tachyon/okx/market_data.h"
#include "tachyon/okx/private_stream.h"
#include "tachyon/okx/rest_client.h"

namespace tachyon::okx {
namespace {

using testing::FakeOkx;

class OkxWs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { fake_ = new FakeOkx(); }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
  }
  void SetUp() override {
    fake_->control("reset");
    cfg_ = fake_->config();
  }

  std::unique_ptr<OkxMarketData> market(Channel channel = Channel::kBooks) {
    OkxRestClient rest(cfg_);
    auto inst = rest.instruments("SPOT", "BTC-USDT");
    EXPECT_TRUE(inst) << inst.error().describe();
    auto md = std::make_unique<OkxMarketData>(cfg_, *inst, channel);
    md->on_book = [this](const BookSync& b, SyncResult r) {
      results_.push_back(r);
      if (r == SyncResult::kGap || r == SyncResult::kChecksumMismatch) stale_seen_ = b.health().state == BookState::kStale;
    };
    return md;
  }

  static const BookHealth& btc(const OkxMarketData& md) { return md.book("BTC-USDT")->health(); }

  // Runs until the book is live with at least n updates applied.
  static bool run_until_updates(OkxMarketData& md, uint64_t n, int ms = 5000) {
    md.run_for(ms, [&] { return btc(md).state == BookState::kLive && btc(md).updates >= n; });
    return btc(md).state == BookState::kLive && btc(md).updates >= n;
  }

  // Pauses the venue, waits until the mirror caught up, and compares every level (the
  // best `depth` per side when depth > 0: books5, bbo-tbt). Resumes the venue unless
  // told not to.
  static void expect_matches_venue(OkxMarketData& md, int depth = 0, bool resume = true) {
    fake_->control("config", R"({"paused": true})");
    simdjson::dom::parser p;
    simdjson::dom::element venue;
    std::string text;
    int64_t seq = -2;
    const std::string query = "/__fake/book?instId=BTC-USDT" + (depth > 0 ? "&depth=" + std::to_string(depth) : "");
    md.run_for(3000, [&] {
      text = fake_->get(query);
      if (p.parse(text).get(venue)) return false;
      seq = int64_t(venue["seqId"]);
      return btc(md).seq_id == seq;
    });
    ASSERT_EQ(btc(md).seq_id, seq);
    const BookSync& b = *md.book("BTC-USDT");
    for (int side = 0; side < 2; ++side) {
      const book::Side s = side == 0 ? book::Side::kBuy : book::Side::kSell;
      simdjson::dom::array levels = venue[side == 0 ? "bids" : "asks"];
      EXPECT_EQ(b.book().level_count(s), levels.size());
      for (simdjson::dom::element lv : levels) {
        int64_t px = 0, sz = 0;
        ASSERT_TRUE(b.instrument().tick.to_units(std::string_view(lv.at(0)), px));
        ASSERT_TRUE(b.instrument().lot.to_units(std::string_view(lv.at(1)), sz));
        EXPECT_EQ(b.book().size_at(s, px), sz) << std::string_view(lv.at(0));
      }
    }
    if (depth == 0) EXPECT_EQ(b.checksum(), int64_t(venue["checksum"]));
    if (resume) fake_->control("config", R"({"paused": false})");
  }

  static FakeOkx* fake_;
  OkxConfig cfg_;
  std::vector<SyncResult> results_;
  bool stale_seen_ = false;
};
FakeOkx* OkxWs::fake_ = nullptr;

TEST_F(OkxWs, MirroredBookEqualsTheVenueBookWithChecksumsVerified) {
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 30)) << md->format_health();
  expect_matches_venue(*md);
  const BookHealth& h = btc(*md);
  EXPECT_EQ(h.snapshots, 1u);
  EXPECT_EQ(h.gaps, 0u);
  EXPECT_GE(h.checksum_checked, 31u);  // the fake sends nonzero checksums
  EXPECT_EQ(h.checksum_mismatches, 0u);
  EXPECT_EQ(md->health().malformed, 0u);
  // Mirrored books live in tachyon's book structures: BBO from book::OrderBook.
  EXPECT_LT(*md->book("BTC-USDT")->book().book().best_bid(), *md->book("BTC-USDT")->book().book().best_ask());
}

TEST_F(OkxWs, Books5MirrorsTheVenuesBestFiveLevelsPushByPush) {
  auto md = market(Channel::kBooks5);
  md->start();
  // Every books5 push is the whole 5-level book: the mirror takes each as a snapshot.
  md->run_for(5000, [&] { return btc(*md).snapshots >= 30; });
  ASSERT_GE(btc(*md).snapshots, 30u) << md->format_health();
  EXPECT_EQ(btc(*md).state, BookState::kLive);
  expect_matches_venue(*md, 5);
  const BookSync& b = *md->book("BTC-USDT");
  // Exactly five levels a side: a level pushed out of the best five by a better one is
  // gone from the mirror too (the venue holds about 30 a side).
  EXPECT_EQ(b.book().level_count(book::Side::kBuy), 5u);
  EXPECT_EQ(b.book().level_count(book::Side::kSell), 5u);
  const BookHealth& h = btc(*md);
  EXPECT_EQ(h.updates, 0u);
  EXPECT_EQ(h.gaps, 0u);
  EXPECT_EQ(h.stale_events, 0u);
  EXPECT_EQ(h.checksum_checked, 0u);  // books5 carries no checksum
  EXPECT_EQ(md->health().malformed, 0u);
  EXPECT_EQ(md->health().resubscribes, 0u);
  EXPECT_EQ(fake_->stat("subscribes"), 1);
  EXPECT_LT(*b.book().book().best_bid(), *b.book().book().best_ask());
}

TEST_F(OkxWs, BboTbtMirrorsTheVenuesBestBidAndAsk) {
  auto md = market(Channel::kBboTbt);
  md->start();
  md->run_for(5000, [&] { return btc(*md).snapshots >= 30; });
  ASSERT_GE(btc(*md).snapshots, 30u) << md->format_health();
  expect_matches_venue(*md, 1, /*resume=*/false);
  const BookSync& b = *md->book("BTC-USDT");
  EXPECT_EQ(b.book().level_count(book::Side::kBuy), 1u);
  EXPECT_EQ(b.book().level_count(book::Side::kSell), 1u);
  // The one level is the venue's best: the same price as books5's first level.
  simdjson::dom::parser p;
  simdjson::dom::element venue;
  const std::string text = fake_->get("/__fake/book?instId=BTC-USDT&depth=1");
  ASSERT_EQ(p.parse(text).get(venue), simdjson::SUCCESS);
  int64_t bid = 0, ask = 0;
  ASSERT_TRUE(b.instrument().tick.to_units(std::string_view(venue["bids"].at(0).at(0)), bid));
  ASSERT_TRUE(b.instrument().tick.to_units(std::string_view(venue["asks"].at(0).at(0)), ask));
  EXPECT_EQ(b.book().book().best_bid()->ticks, bid);
  EXPECT_EQ(b.book().book().best_ask()->ticks, ask);
  EXPECT_EQ(btc(*md).seq_id, int64_t(venue["seqId"]));
  EXPECT_EQ(btc(*md).gaps, 0u);
  EXPECT_EQ(md->health().malformed, 0u);
  fake_->control("config", R"({"paused": false})");
}

TEST_F(OkxWs, HeartbeatAndSequenceResetAreAccepted) {
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 5)) << md->format_health();
  fake_->control("ws", R"({"action":"heartbeat"})");
  md->run_for(3000, [&] { return btc(*md).heartbeats >= 1; });
  fake_->control("ws", R"({"action":"reset"})");
  md->run_for(3000, [&] { return btc(*md).resets >= 1; });
  const uint64_t after_reset = btc(*md).updates;
  ASSERT_TRUE(run_until_updates(*md, after_reset + 5));
  EXPECT_EQ(btc(*md).heartbeats, 1u);
  EXPECT_EQ(btc(*md).resets, 1u);
  EXPECT_EQ(btc(*md).gaps, 0u);
  EXPECT_EQ(btc(*md).snapshots, 1u);
  expect_matches_venue(*md);
}

TEST_F(OkxWs, GapMarksTheBookStaleAndResubscribes) {
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 5)) << md->format_health();
  fake_->control("ws", R"({"action":"gap"})");
  md->run_for(3000, [&] { return btc(*md).gaps >= 1 && btc(*md).snapshots >= 2 && btc(*md).state == BookState::kLive; });
  EXPECT_EQ(btc(*md).gaps, 1u);
  EXPECT_TRUE(stale_seen_);  // stale in health between the gap and the new snapshot
  EXPECT_EQ(btc(*md).stale_events, 1u);
  EXPECT_EQ(md->health().resubscribes, 1u);
  EXPECT_EQ(btc(*md).snapshots, 2u);
  EXPECT_NE(btc(*md).last_problem.find("gap"), std::string::npos);
  EXPECT_EQ(fake_->stat("unsubscribes"), 1);
  EXPECT_EQ(fake_->stat("subscribes"), 2);
  EXPECT_NE(md->format_health().find("1 gaps"), std::string::npos);
  ASSERT_TRUE(run_until_updates(*md, btc(*md).updates + 3));
  expect_matches_venue(*md);
}

TEST_F(OkxWs, ChecksumMismatchResubscribes) {
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 3)) << md->format_health();
  fake_->control("ws", R"({"action":"bad_checksum"})");
  md->run_for(3000, [&] { return btc(*md).checksum_mismatches >= 1 && btc(*md).snapshots >= 2; });
  EXPECT_EQ(btc(*md).checksum_mismatches, 1u);
  EXPECT_TRUE(stale_seen_);
  EXPECT_EQ(md->health().resubscribes, 1u);
  ASSERT_TRUE(run_until_updates(*md, btc(*md).updates + 3));
  expect_matches_venue(*md);
}

TEST_F(OkxWs, DroppedConnectionReconnectsWithBackoffAndResubscribes) {
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 3)) << md->format_health();
  fake_->control("ws", R"({"action":"drop"})");
  md->run_for(5000, [&] { return md->ws().stats().connects >= 2 && btc(*md).snapshots >= 2 && btc(*md).state == BookState::kLive; });
  const WsStats& s = md->ws().stats();
  EXPECT_EQ(s.disconnects, 1u);
  EXPECT_EQ(s.connects, 2u);
  // Equal jitter on the first attempt: between half and all of reconnect_min_ms.
  EXPECT_GE(s.last_backoff_ms, cfg_.reconnect_min_ms / 2);
  EXPECT_LE(s.last_backoff_ms, cfg_.reconnect_min_ms);
  EXPECT_EQ(btc(*md).stale_events, 1u);  // the lost connection dropped the book
  EXPECT_EQ(fake_->stat("subscribes"), 2);
  ASSERT_TRUE(run_until_updates(*md, btc(*md).updates + 3));
  expect_matches_venue(*md);
}

TEST_F(OkxWs, ReconnectDelaysGrowExponentiallyWithJitterWhileTheVenueIsDown) {
  cfg_.reconnect_min_ms = 40;
  cfg_.reconnect_max_ms = 160;
  cfg_.connect_timeout_ms = 1000;
  OkxConfig c = cfg_;
  c.ws_public_url = "wss://127.0.0.1:1/ws/v5/public";  // nothing listens on port 1
  auto inst = *Instrument::make("BTC-USDT", "0.1", "0.00000001");
  OkxMarketData md(c, {inst});
  md.start();
  std::vector<int64_t> delays;
  md.run_for(3000, [&] {
    const auto& s = md.ws().stats();
    if (delays.size() < s.connect_failures) delays.push_back(s.last_backoff_ms);
    return delays.size() >= 5;
  });
  ASSERT_GE(delays.size(), 5u);
  // attempt n waits in [base_n / 2, base_n], base_n = min(160, 40 << n).
  for (std::size_t n = 0; n < delays.size(); ++n) {
    const int64_t base = std::min<int64_t>(160, int64_t{40} << n);
    EXPECT_GE(delays[n], base / 2) << n;
    EXPECT_LE(delays[n], base) << n;
  }
  EXPECT_EQ(btc(md).state, BookState::kAwaitingSnapshot);
  EXPECT_NE(md.format_health().find("connect"), std::string::npos);
}

TEST_F(OkxWs, FragmentedFramesAreReassembled) {
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 3)) << md->format_health();
  fake_->control("ws", R"({"action":"fragmented","fragments":4})");
  md->run_for(3000, [&] { return md->ws().stats().fragmented_messages >= 1; });
  EXPECT_GE(md->ws().stats().fragmented_messages, 1u);
  EXPECT_EQ(md->health().malformed, 0u);
  EXPECT_EQ(btc(*md).gaps, 0u);
  expect_matches_venue(*md);
}

TEST_F(OkxWs, PingAfterSilenceAndPongKeepTheConnection) {
  cfg_.ping_after_silence_ms = 300;
  cfg_.pong_timeout_ms = 1000;
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 2)) << md->format_health();
  fake_->control("config", R"({"paused": true})");
  md->run_for(1500, [&] { return md->ws().stats().pongs >= 2; });
  EXPECT_GE(md->ws().stats().pings_sent, 2u);
  EXPECT_GE(md->ws().stats().pongs, 2u);
  EXPECT_GE(fake_->stat("pings"), 2);
  EXPECT_EQ(md->ws().stats().disconnects, 0u);
  EXPECT_EQ(md->ws().stats().pong_timeouts, 0u);
}

TEST_F(OkxWs, MissingPongDropsAndReconnects) {
  cfg_.ping_after_silence_ms = 200;
  cfg_.pong_timeout_ms = 300;
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 2)) << md->format_health();
  fake_->control("config", R"({"paused": true, "ignore_ping": true})");
  md->run_for(3000, [&] { return md->ws().stats().connects >= 2; });
  EXPECT_GE(md->ws().stats().pong_timeouts, 1u);
  EXPECT_GE(md->ws().stats().connects, 2u);
  EXPECT_NE(md->ws().stats().last_error.find("no pong"), std::string::npos);
}

TEST_F(OkxWs, MalformedFrameIsCountedAndReportedAndTheConnectionSurvives) {
  auto md = market();
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 3)) << md->format_health();
  fake_->control("ws", R"({"action":"malformed"})");
  md->run_for(3000, [&] { return md->health().malformed >= 1; });
  const uint64_t updates = btc(*md).updates;
  ASSERT_TRUE(run_until_updates(*md, updates + 5));
  const MarketDataHealth h = md->health();
  EXPECT_EQ(h.malformed, 1u);
  EXPECT_NE(h.last_malformed.find("upd"), std::string::npos);  // the start of the frame is shown
  EXPECT_NE(md->format_health().find("1 malformed"), std::string::npos);
  EXPECT_EQ(md->ws().stats().disconnects, 0u);
  EXPECT_EQ(btc(*md).gaps, 0u);
  EXPECT_EQ(btc(*md).state, BookState::kLive);
}

TEST_F(OkxWs, TradesAreTyped) {
  auto md = market();
  std::vector<Trade> trades;
  md->subscribe_trades("BTC-USDT", [&](const Trade& t) { trades.push_back(t); });
  md->start();
  ASSERT_TRUE(run_until_updates(*md, 1));
  fake_->control("ws", R"({"action":"trade","instId":"BTC-USDT"})");
  md->run_for(3000, [&] { return !trades.empty(); });
  ASSERT_EQ(trades.size(), 1u);
  EXPECT_EQ(trades[0].px, (Decimal{300001, 1}));
  EXPECT_EQ(trades[0].sz, (Decimal{123, 4}));
  EXPECT_EQ(trades[0].side, book::Side::kSell);
}

TEST_F(OkxWs, PrivateChannelsLogInAndDeliverOrdersPositionsAndAccount) {
  OkxRestClient rest(cfg_);
  ASSERT_TRUE(rest.calibrate_clock());
  OkxPrivateStream priv(cfg_, rest.clock());
  std::vector<OrderInfo> orders;
  std::vector<Position> positions;
  std::vector<AccountBalance> accounts;
  priv.on_order = [&](const OrderInfo& o) { orders.push_back(o); };
  priv.on_position = [&](const Position& p) { positions.push_back(p); };
  priv.on_account = [&](const AccountBalance& a) { accounts.push_back(a); };
  priv.start();
  priv.run_for(3000, [&] { return !positions.empty() && !accounts.empty(); });
  EXPECT_EQ(priv.ws().stats().logins, 1u);
  EXPECT_EQ(fake_->stat("ws_logins"), 1);
  ASSERT_EQ(positions.size(), 1u);
  EXPECT_EQ(positions[0].inst_id, "BTC-USDT-SWAP");
  ASSERT_EQ(accounts.size(), 1u);
  EXPECT_EQ(accounts[0].details[0].ccy, "USDT");

  OrderRequest o;
  o.inst_id = "BTC-USDT";
  o.px = Decimal{30000, 0};
  o.sz = Decimal{1, 2};
  o.cl_ord_id = "wsorder1";
  ASSERT_TRUE(rest.place_order(o));
  priv.run_for(3000, [&] { return !orders.empty(); });
  ASSERT_EQ(orders.size(), 1u);
  EXPECT_EQ(orders[0].cl_ord_id, "wsorder1");
  EXPECT_EQ(orders[0].state, "live");
  EXPECT_EQ(*orders[0].px, (Decimal{30000, 0}));
  EXPECT_EQ(priv.malformed(), 0u);

  // After a dropped connection it logs in again and resubscribes.
  fake_->control("ws", R"({"action":"drop"})");
  priv.run_for(5000, [&] { return priv.ws().stats().logins >= 2 && positions.size() >= 2; });
  EXPECT_EQ(priv.ws().stats().logins, 2u);
  EXPECT_EQ(positions.size(), 2u);
}

TEST_F(OkxWs, PrivateLoginWithAWrongSecretIsRefused) {
  OkxConfig bad = cfg_;
  bad.credentials.secret_key = Secret("wrong-secret");
  OkxRestClient rest(cfg_);
  ASSERT_TRUE(rest.calibrate_clock());
  OkxPrivateStream priv(bad, rest.clock());
  int orders = 0;
  priv.on_order = [&](const OrderInfo&) { ++orders; };
  priv.start();
  priv.run_for(2000, [&] { return priv.ws().stats().login_failures >= 1; });
  EXPECT_GE(priv.ws().stats().login_failures, 1u);
  EXPECT_EQ(priv.ws().stats().logins, 0u);
  EXPECT_GE(fake_->stat("ws_login_bad"), 1);
  EXPECT_NE(priv.ws().stats().last_error.find("60009"), std::string::npos);
  EXPECT_EQ(priv.ws().stats().last_error.find("wrong-secret"), std::string::npos);
}

}  // namespace
}  // namespace tachyon::okx
