// OKX book synchronisation: the parser on real message shapes, the sequence cases
// (snapshot, update, heartbeat, reset, gap), size "0" deletion, checksum verification
// (0 = absent), and the mirrored L2 book against a std::map reference model.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "tachyon/okx/book_checksum.h"
#include "tachyon/okx/book_sync.h"
#include "tachyon/okx/ws_message.h"

namespace tachyon::okx {
namespace {

using book::Side;

struct Parsed {
  std::string text;  // padded copy the views point into
  ParsedMessage msg;
};

class Parser {
 public:
  ParsedMessage parse(const std::string& s) {
    buf_ = s;
    buf_.resize(s.size() + WsMessageParser::kPadding, ' ');
    return p_.parse(buf_.data(), s.size(), buf_.size());
  }

 private:
  WsMessageParser p_{1 << 16, 64};
  std::string buf_;
};

std::string levels(const std::vector<std::pair<std::string, std::string>>& lv) {
  std::string s = "[";
  for (const auto& [p, q] : lv) s += (s.size() > 1 ? "," : "") + std::string("[\"") + p + "\",\"" + q + "\",\"0\",\"1\"]";
  return s + "]";
}

std::string push(const char* action, int64_t prev, int64_t seq, const std::vector<std::pair<std::string, std::string>>& bids,
                 const std::vector<std::pair<std::string, std::string>>& asks, int32_t checksum = 0) {
  return std::string(R"({"arg":{"channel":"books","instId":"BTC-USDT"},"action":")") + action +
         R"(","data":[{"asks":)" + levels(asks) + R"(,"bids":)" + levels(bids) +
         R"(,"ts":"1597026383085","checksum":)" + std::to_string(checksum) + R"(,"prevSeqId":)" +
         std::to_string(prev) + R"(,"seqId":)" + std::to_string(seq) + "}]}";
}

Instrument btc() { return *Instrument::make("BTC-USDT", "0.1", "0.00000001"); }

TEST(OkxWsMessage, ParsesEventsPongAndOtherChannels) {
  Parser p;
  auto m = p.parse("pong");
  EXPECT_EQ(m.kind, MessageKind::kPong);
  m = p.parse(R"({"event":"subscribe","arg":{"channel":"books","instId":"BTC-USDT"},"connId":"a4d3ae55"})");
  EXPECT_EQ(m.kind, MessageKind::kEvent);
  EXPECT_EQ(m.event.event, "subscribe");
  EXPECT_EQ(m.event.channel, "books");
  EXPECT_EQ(m.event.inst_id, "BTC-USDT");
  m = p.parse(R"({"event":"error","code":"60012","msg":"Invalid request","connId":"a4d3ae55"})");
  EXPECT_EQ(m.kind, MessageKind::kEvent);
  EXPECT_EQ(m.event.code, "60012");
  EXPECT_EQ(m.event.msg, "Invalid request");
  m = p.parse(R"({"event":"login","code":"0","msg":"","connId":"a4d3ae55"})");
  EXPECT_EQ(m.event.event, "login");
  EXPECT_EQ(m.event.code, "0");
  m = p.parse(R"({"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[{"instId":"BTC-USDT","tradeId":"130639474","px":"42219.9","sz":"0.12060306","side":"buy","ts":"1630048897897","count":"3"}]})");
  EXPECT_EQ(m.kind, MessageKind::kData);
  EXPECT_EQ(m.channel, Channel::kTrades);
  EXPECT_EQ(m.inst_id, "BTC-USDT");
}

TEST(OkxWsMessage, ParsesBookSnapshotsUpdatesAndShallowChannels) {
  Parser p;
  auto m = p.parse(push("snapshot", -1, 123, {{"8476.97", "256"}, {"8475.55", "101"}}, {{"8476.98", "415"}}, -855196043));
  ASSERT_EQ(m.kind, MessageKind::kBook) << m.error;
  EXPECT_TRUE(m.book.snapshot);
  EXPECT_EQ(m.book.inst_id, "BTC-USDT");
  EXPECT_EQ(m.book.seq_id, 123);
  EXPECT_EQ(m.book.prev_seq_id, -1);
  EXPECT_EQ(m.book.checksum, -855196043);
  EXPECT_EQ(m.book.ts_ms, 1597026383085);
  ASSERT_EQ(m.book.bids.size(), 2u);
  EXPECT_EQ(m.book.bids[1].price, "8475.55");
  EXPECT_EQ(m.book.bids[1].size, "101");
  ASSERT_EQ(m.book.asks.size(), 1u);
  EXPECT_EQ(m.book.asks[0].price, "8476.98");

  m = p.parse(R"({"arg":{"channel":"bbo-tbt","instId":"BTC-USDT"},"data":[{"asks":[["8476.98","415","0","13"]],"bids":[["8476.97","256","0","12"]],"ts":"1597026383085","seqId":5}]})");
  ASSERT_EQ(m.kind, MessageKind::kBook) << m.error;
  EXPECT_EQ(m.book.channel, Channel::kBboTbt);
  EXPECT_TRUE(m.book.snapshot);

  m = p.parse(R"({"arg":{"channel":"books5","instId":"ETH-USDT"},"data":[{"asks":[["1.5","1","0","1"]],"bids":[],"instId":"ETH-USDT","ts":"1","seqId":9}]})");
  ASSERT_EQ(m.kind, MessageKind::kBook) << m.error;
  EXPECT_EQ(m.book.inst_id, "ETH-USDT");

  // "data" before "arg" is read on a second pass.
  m = p.parse(R"({"data":[{"asks":[],"bids":[["1","2"]],"ts":"1","prevSeqId":4,"seqId":5}],"action":"update","arg":{"channel":"books","instId":"BTC-USDT"}})");
  ASSERT_EQ(m.kind, MessageKind::kBook) << m.error;
  EXPECT_FALSE(m.book.snapshot);
  EXPECT_EQ(m.book.prev_seq_id, 4);
  ASSERT_EQ(m.book.bids.size(), 1u);
}

TEST(OkxWsMessage, ReportsMalformedMessages) {
  Parser p;
  for (const std::string bad : {std::string("not json"), std::string("[1,2]"), std::string(R"({"arg":{"channel":"books")"),
                                std::string(R"({"arg":{"channel":"books","instId":"X"},"action":"update","data":[{"asks":[["1"]],"bids":[],"prevSeqId":1,"seqId":2}]})"),
                                std::string(R"({"arg":{"channel":"books","instId":"X"},"action":"update","data":[{"asks":[],"bids":[],"seqId":2}]})"),
                                std::string(R"({"arg":{"channel":"books","instId":"X"},"action":"update","data":[{"asks":[[1,2]],"bids":[],"prevSeqId":1,"seqId":2}]})"),
                                std::string(R"({"arg":{"channel":"books","instId":"X"},"action":"snapshot","data":[{"asks":[],"bids":[],"seqId":2}]} trailing)"),
                                std::string(R"({"foo":1})")}) {
    const auto m = p.parse(bad);
    EXPECT_EQ(m.kind, MessageKind::kMalformed) << bad;
    EXPECT_STRNE(m.error, "") << bad;
  }
  // More levels than the parser holds is malformed, not an overflow.
  std::vector<std::pair<std::string, std::string>> many;
  for (int i = 0; i < 65; ++i) many.push_back({std::to_string(100 + i), "1"});
  EXPECT_EQ(p.parse(push("snapshot", -1, 1, many, {})).kind, MessageKind::kMalformed);
}

// Applies text through the parser into sync.
SyncResult feed(Parser& p, BookSync& s, const std::string& text) {
  const auto m = p.parse(text);
  EXPECT_EQ(m.kind, MessageKind::kBook) << m.error << " in " << text;
  return s.apply(m.book, 1);
}

TEST(OkxBookSync, SnapshotThenContinuousUpdatesHeartbeatAndReset) {
  Parser p;
  BookSync s(btc());
  EXPECT_EQ(s.health().state, BookState::kAwaitingSnapshot);
  EXPECT_EQ(feed(p, s, push("update", 1, 2, {{"1", "1"}}, {})), SyncResult::kIgnored);
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 10, {{"3366.1", "7"}, {"3366", "6"}}, {{"3366.8", "9"}, {"3368", "8"}})),
            SyncResult::kSnapshot);
  EXPECT_EQ(s.health().state, BookState::kLive);
  EXPECT_EQ(s.book().size_at(Side::kBuy, 33661), 700'000'000);
  EXPECT_EQ(*s.book().book().best_bid(), book::Price{33661});
  EXPECT_EQ(*s.book().book().best_ask(), book::Price{33668});
  EXPECT_EQ(s.checksum(), -1881014294);  // the issue's first CRC vector

  // Size "0" deletes; the checksum is verified when nonzero.
  EXPECT_EQ(feed(p, s, push("update", 10, 11, {{"3366", "0"}}, {{"3372", "8"}}, 831078360)), SyncResult::kUpdate);
  EXPECT_EQ(s.book().level_count(Side::kBuy), 1u);
  EXPECT_EQ(s.health().checksum_checked, 2u - 1u);
  EXPECT_EQ(s.checksum(), 831078360);  // the issue's second CRC vector

  EXPECT_EQ(feed(p, s, push("update", 11, 11, {}, {})), SyncResult::kHeartbeat);
  EXPECT_EQ(s.health().heartbeats, 1u);
  EXPECT_EQ(s.health().seq_id, 11);
  // Sequence reset after maintenance: seqId < prevSeqId, prevSeqId continuous.
  EXPECT_EQ(feed(p, s, push("update", 11, 3, {{"3366.5", "1"}}, {})), SyncResult::kReset);
  EXPECT_EQ(s.health().seq_id, 3);
  EXPECT_EQ(feed(p, s, push("update", 3, 5, {{"3366.5", "2"}}, {})), SyncResult::kUpdate);
  EXPECT_EQ(s.book().size_at(Side::kBuy, 33665), 200'000'000);
  EXPECT_EQ(s.health().state, BookState::kLive);
}

TEST(OkxBookSync, GapDropsTheBookAndMarksItStaleUntilTheNextSnapshot) {
  Parser p;
  BookSync s(btc());
  feed(p, s, push("snapshot", -1, 10, {{"100", "1"}}, {{"101", "1"}}));
  EXPECT_EQ(feed(p, s, push("update", 12, 13, {{"100", "2"}}, {})), SyncResult::kGap);
  EXPECT_TRUE(needs_resubscribe(SyncResult::kGap));
  EXPECT_EQ(s.health().state, BookState::kStale);
  EXPECT_EQ(s.health().gaps, 1u);
  EXPECT_EQ(s.book().level_count(Side::kBuy), 0u);
  EXPECT_NE(s.health().last_problem.find("gap"), std::string::npos);
  s.await_snapshot();
  EXPECT_EQ(s.health().state, BookState::kStale);  // still stale until the snapshot
  EXPECT_EQ(feed(p, s, push("update", 13, 14, {{"100", "2"}}, {})), SyncResult::kIgnored);
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 20, {{"100", "3"}}, {})), SyncResult::kSnapshot);
  EXPECT_EQ(s.health().state, BookState::kLive);
  // A heartbeat-shaped message that does not continue the sequence is a gap too.
  EXPECT_EQ(feed(p, s, push("update", 19, 19, {}, {})), SyncResult::kGap);
}

TEST(OkxBookSync, ChecksumMismatchAndFractionalTicksDropTheBook) {
  Parser p;
  BookSync s(btc());
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 1, {{"3366.1", "7"}}, {{"3366.8", "9"}}, 12345)),
            SyncResult::kChecksumMismatch);
  EXPECT_EQ(s.health().state, BookState::kStale);
  EXPECT_EQ(s.health().checksum_mismatches, 1u);
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 1, {{"3366.15", "7"}}, {})), SyncResult::kBadLevel);
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 1, {{"3366.1", "0.000000001"}}, {})), SyncResult::kBadLevel);
  EXPECT_EQ(s.health().bad_levels, 2u);
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 2, {{"3366.1", "7"}}, {})), SyncResult::kSnapshot);
}

TEST(OkxL2Book, LevelsLargerThanOneOrderAreSplitExactly) {
  L2Book b;
  const int64_t big = 5 * L2Book::kOrderQtyMax + 17;
  ASSERT_TRUE(b.set_level(Side::kSell, 1000, big));
  EXPECT_EQ(b.size_at(Side::kSell, 1000), big);
  EXPECT_EQ(b.level_count(Side::kSell), 1u);
  ASSERT_TRUE(b.set_level(Side::kSell, 1000, 2 * L2Book::kOrderQtyMax - 1));
  EXPECT_EQ(b.size_at(Side::kSell, 1000), 2 * L2Book::kOrderQtyMax - 1);
  ASSERT_TRUE(b.set_level(Side::kSell, 1000, 3));
  EXPECT_EQ(b.size_at(Side::kSell, 1000), 3);
  ASSERT_TRUE(b.set_level(Side::kSell, 1000, 0));
  EXPECT_EQ(b.level_count(Side::kSell), 0u);
  EXPECT_FALSE(b.set_level(Side::kBuy, L2Book::kPriceTicksMax + 1, 1));
  EXPECT_FALSE(b.set_level(Side::kBuy, 1, -1));
  // A crossed book never trades in a mirror: increases on a crossed level stay put.
  ASSERT_TRUE(b.set_level(Side::kBuy, 100, 5));
  ASSERT_TRUE(b.set_level(Side::kSell, 90, 5));
  ASSERT_TRUE(b.set_level(Side::kBuy, 100, 9));
  EXPECT_EQ(b.size_at(Side::kBuy, 100), 9);
  EXPECT_EQ(b.size_at(Side::kSell, 90), 5);
}

TEST(OkxBookSync, AFullPoolDropsTheBookCleanly) {
  Parser p;
  BookSync s(btc(), L2BookConfig{8});
  std::vector<std::pair<std::string, std::string>> bids;
  for (int i = 0; i < 12; ++i) bids.push_back({std::to_string(100 + i), "1"});
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 1, bids, {})), SyncResult::kBadLevel);
  EXPECT_EQ(s.health().state, BookState::kStale);
  EXPECT_EQ(s.book().level_count(book::Side::kBuy), 0u);  // dropped, not half-applied
  bids.resize(6);
  EXPECT_EQ(feed(p, s, push("snapshot", -1, 2, bids, {})), SyncResult::kSnapshot);
  EXPECT_EQ(s.book().level_count(book::Side::kBuy), 6u);
}

// Random snapshots and updates against a map of price -> size per side.
RC_GTEST_PROP(OkxBookSync, MirrorsTheReferenceModel, ()) {
  Parser p;
  BookSync s(btc());
  std::map<int64_t, int64_t> ref[2];
  int64_t seq = 100;
  const auto px = [](int64_t t) { return Decimal{t, 1}.to_canonical_string(); };
  const auto sz = [](int64_t l) { return Decimal{l, 8}.to_canonical_string(); };
  std::vector<std::pair<std::string, std::string>> bids, asks;
  const int nsnap = *rc::gen::inRange(0, 20);
  for (int i = 0; i < nsnap; ++i) {
    const int side = *rc::gen::inRange(0, 2);
    const int64_t t = *rc::gen::inRange<int64_t>(1000, 1100);
    // Up to 2^36 lots (687 BTC at 1e-8): levels above 2^31 - 1 lots span several
    // synthetic orders; the order pool holds a quarter more orders than levels.
    const int64_t l = *rc::gen::inRange<int64_t>(1, int64_t{1} << 36);
    if (ref[side].count(t)) continue;
    ref[side][t] = l;
    (side == 0 ? bids : asks).push_back({px(t), sz(l)});
  }
  RC_ASSERT(feed(p, s, push("snapshot", -1, seq, bids, asks)) == SyncResult::kSnapshot);
  const int nupd = *rc::gen::inRange(1, 60);
  for (int u = 0; u < nupd; ++u) {
    bids.clear();
    asks.clear();
    const int n = *rc::gen::inRange(0, 4);
    for (int i = 0; i < n; ++i) {
      const int side = *rc::gen::inRange(0, 2);
      const int64_t t = *rc::gen::inRange<int64_t>(1000, 1100);
      const int64_t l = *rc::gen::element<int64_t>(0, 0, 1, 12345, int64_t{3} << 31, int64_t{1} << 36);
      if (l == 0) ref[side].erase(t); else ref[side][t] = l;
      (side == 0 ? bids : asks).push_back({px(t), sz(l)});
    }
    const int64_t next = seq + *rc::gen::inRange<int64_t>(1, 5);
    RC_ASSERT(!needs_resubscribe(feed(p, s, push("update", seq, next, bids, asks))));
    seq = next;
  }
  for (int side = 0; side < 2; ++side) {
    const Side sd = side == 0 ? Side::kBuy : Side::kSell;
    RC_ASSERT(s.book().level_count(sd) == ref[side].size());
    for (const auto& [t, l] : ref[side]) RC_ASSERT(s.book().size_at(sd, t) == l);
  }
}

}  // namespace
}  // namespace tachyon::okx
