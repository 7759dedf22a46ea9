// The gateway's refusals as the client sees them: every pre-trade risk reason, the kill
// switch, a pause and a halt answer a new order (and a replace) with an OUCH 4.2
// Rejected message whose reason byte, read from the MoldUDP64 datagram the gateway
// sends, is the most specific OUCH code for it (the table in ouch_reasons.h); the
// session's risk gate counts the refusal under that reason and nothing else. And how
// the replies of one inbound packet leave: a datagram per client, in client order.
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "ouch_capture.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/ouch_gateway.h"
#include "tachyon/dataplane/risk_gate.h"

namespace tachyon::dataplane {
namespace {

using testing::cancel_order;
using testing::enter_order;
using testing::kMs;
using testing::kT0;
using testing::replace_order;

constexpr int64_t k100 = 1'000'000;  // 100.0000 in Price(4)
using Bytes = std::vector<uint8_t>;

// Every OUCH message the gateway sends, as the bytes inside its MoldUDP64 datagrams.
struct Wire {
  std::vector<Bytes> messages;
  void on_reply(uint32_t, std::span<const uint8_t> datagram, uint64_t) {
    mold::Packet p;
    ASSERT_TRUE(mold::parse(datagram, p).ok());
    p.for_each([&](uint64_t, std::span<const uint8_t> m) { messages.emplace_back(m.begin(), m.end()); });
  }
};
struct NoMarketData {
  void on_symbol(uint32_t, const Stock&) {}
  void on_event(const book::Event&) noexcept {}
};

// One gateway with two sessions: 0 is the one under test, 1 its counterparty.
class Venue {
 public:
  explicit Venue(const RiskLimits& limits)
      : limits_(limits),
        shard_(book::BookConfig{.max_orders = 64, .max_levels = 64, .max_symbols = 2}),
        gw_(shard_, stocks_, false, 2, &limits_, wire_, md_) {}

  // Sends one message from client at capture time t; returns the messages it caused.
  std::vector<Bytes> send(uint32_t client, uint64_t t, const Bytes& msg) {
    return through(client, t, msg, &OuchGateway<Wire, NoMarketData>::on_message);
  }
  // As send(), but the engine had no room for the message (OuchGateway::refuse_busy).
  std::vector<Bytes> refuse(uint32_t client, uint64_t t, const Bytes& msg) {
    return through(client, t, msg, &OuchGateway<Wire, NoMarketData>::refuse_busy);
  }
  // Sends an order that must rest or trade (answered Accepted).
  void accepted(uint32_t client, uint64_t t, const Bytes& msg) {
    const std::vector<Bytes> got = send(client, t, msg);
    ASSERT_FALSE(got.empty());
    ASSERT_EQ(got.front()[0], 'A') << "expected Accepted, got '" << static_cast<char>(got.front()[0]) << "'";
  }
  // A fill of `shares` for session 0 at 100: session 1 sells (rests), session 0 buys.
  void fill_session0(const std::string& stock, uint32_t shares, uint64_t t) {
    accepted(1, t, enter_order("CP" + stock, 'S', shares, stock, k100));
    accepted(0, t, enter_order("F" + stock, 'B', shares, stock, k100));
  }

  OuchGateway<Wire, NoMarketData>& gw() { return gw_; }

 private:
  using Entry = DecodeStatus (OuchGateway<Wire, NoMarketData>::*)(uint32_t, uint64_t, std::span<const uint8_t>);
  std::vector<Bytes> through(uint32_t client, uint64_t t, const Bytes& msg, Entry entry) {
    wire_.messages.clear();
    gw_.set_time(t);
    EXPECT_EQ((gw_.*entry)(client, ++seq_[client], msg), DecodeStatus::kOk);
    gw_.flush();
    return wire_.messages;
  }

  RiskLimits limits_;
  std::vector<Stock> stocks_{Stock::from("AAPL"), Stock::from("MSFT")};
  book::BookShard shard_;
  Wire wire_;
  NoMarketData md_;
  OuchGateway<Wire, NoMarketData> gw_;
  uint64_t seq_[2] = {0, 0};
};

// The reason byte of the Rejected message for token among replies, read from the wire
// layout (type 'J', timestamp 8, token 14, reason 1: 24 bytes); 0 when there is none.
char reject_byte(const std::vector<Bytes>& replies, const std::string& token) {
  for (const Bytes& m : replies) {
    if (m.size() != ouch::Rejected::kLength || m[0] != 'J') continue;
    std::string t(m.begin() + 9, m.begin() + 23);
    t.erase(t.find_last_not_of(' ') + 1);
    if (t == token) return static_cast<char>(m[23]);
  }
  return 0;
}

struct RiskCase {
  RiskReason reason;
  char code;        // the OUCH 4.2 reject reason expected on the wire
  std::function<void(RiskLimits&)> limit;
  // Brings session 0 to the limit; the order "NEW" (then a replace to "REP" of an
  // order that rests, where the reason applies to replaces) must then be refused.
  std::function<void(Venue&)> setup;
  Bytes refused;        // the refused new order, token "NEW"
  Bytes refused_replace;  // empty: the reason is not checked on a replace
};

TEST(OuchGatewayRejects, EveryRiskReasonHasItsOwnOuchCodeOnTheWire) {
  const uint64_t t = kT0;
  std::vector<RiskCase> cases;
  cases.push_back({RiskReason::kMaxOrderQty, 'Z', [](RiskLimits& l) { l.max_order_qty = 100; },
                   [&](Venue& v) { v.accepted(0, t, enter_order("OLD", 'B', 100, "AAPL", 99 * k100 / 100)); },
                   enter_order("NEW", 'B', 101, "AAPL", 99 * k100 / 100), replace_order("OLD", "REP", 101, 99 * k100 / 100)});
  cases.push_back({RiskReason::kMaxNotional, 'n', [](RiskLimits& l) { l.max_notional = 100 * k100; },
                   [&](Venue& v) { v.accepted(0, t, enter_order("OLD", 'B', 100, "AAPL", k100)); },
                   enter_order("NEW", 'B', 101, "AAPL", k100), replace_order("OLD", "REP", 100, k100 + 1)});
  cases.push_back({RiskReason::kPriceCollar, 'X', [](RiskLimits& l) { l.price_collar_bps = 1'000; },
                   [&](Venue& v) {
                     v.fill_session0("AAPL", 10, t);  // the reference: a trade at 100
                     v.accepted(0, t, enter_order("OLD", 'B', 10, "AAPL", 95 * k100 / 100));
                   },
                   enter_order("NEW", 'B', 10, "AAPL", 111 * k100 / 100),
                   replace_order("OLD", "REP", 10, 89 * k100 / 100)});
  cases.push_back({RiskReason::kMaxOpenOrders, 'O', [](RiskLimits& l) { l.max_open_orders = 2; },
                   [&](Venue& v) {
                     v.accepted(0, t, enter_order("OLD", 'B', 10, "AAPL", 99 * k100 / 100));
                     v.accepted(0, t, enter_order("OLD2", 'B', 10, "AAPL", 98 * k100 / 100));
                   },
                   enter_order("NEW", 'B', 10, "AAPL", 97 * k100 / 100), {}});
  cases.push_back({RiskReason::kMaxPosition, 'm', [](RiskLimits& l) { l.max_position = 100; },
                   [&](Venue& v) { v.accepted(0, t, enter_order("OLD", 'B', 60, "AAPL", 99 * k100 / 100)); },
                   enter_order("NEW", 'B', 50, "AAPL", 98 * k100 / 100), {}});
  cases.push_back({RiskReason::kMaxGrossPosition, 'm', [](RiskLimits& l) { l.max_gross_position = 100; },
                   [&](Venue& v) { v.fill_session0("AAPL", 60, t); },  // long 60 AAPL
                   enter_order("NEW", 'S', 50, "MSFT", k100), {}});     // short 50 MSFT: gross 110
  cases.push_back({RiskReason::kMaxNetPosition, 'm', [](RiskLimits& l) { l.max_net_position = 100; },
                   [&](Venue& v) { v.fill_session0("AAPL", 60, t); },  // long 60 AAPL
                   enter_order("NEW", 'B', 50, "MSFT", k100), {}});     // long 50 MSFT: net 110
  cases.push_back({RiskReason::kRateLimited, 'O',
                   [](RiskLimits& l) {
                     l.order_burst = 2;
                     l.order_rate_per_s = 1;
                   },
                   [&](Venue& v) {
                     v.accepted(0, t, enter_order("OLD", 'B', 10, "AAPL", 99 * k100 / 100));
                     v.accepted(0, t, enter_order("OLD2", 'B', 10, "AAPL", 98 * k100 / 100));
                   },
                   enter_order("NEW", 'B', 10, "AAPL", 97 * k100 / 100),
                   replace_order("OLD", "REP", 5, 99 * k100 / 100)});
  cases.push_back({RiskReason::kKillSwitch, 'a', [](RiskLimits& l) { l.kill_switch = true; }, [](Venue&) {},
                   enter_order("NEW", 'B', 10, "AAPL", k100), {}});

  bool covered[16] = {};
  for (const RiskCase& c : cases) {
    SCOPED_TRACE(to_string(c.reason));
    covered[static_cast<int>(c.reason)] = true;
    RiskLimits l = RiskLimits::unlimited();
    c.limit(l);
    Venue v(l);
    c.setup(v);
    ASSERT_FALSE(::testing::Test::HasFatalFailure());
    const std::vector<Bytes> got = v.send(0, t, c.refused);
    ASSERT_EQ(got.size(), 1u);  // the Rejected, nothing else
    EXPECT_EQ(reject_byte(got, "NEW"), c.code);
    EXPECT_EQ(static_cast<char>(ouch::to_reject_code(c.reason)), c.code);
    uint64_t expected = 1;
    if (!c.refused_replace.empty()) {
      EXPECT_EQ(reject_byte(v.send(0, t, c.refused_replace), "REP"), c.code) << "replace";
      expected = 2;
    }
    // Counted under this reason and no other.
    const RiskGate& g = v.gw().risk(0);
    for (int r = 1; r <= static_cast<int>(RiskReason::kRateLimited); ++r)
      EXPECT_EQ(g.rejects(static_cast<RiskReason>(r)), static_cast<int>(c.reason) == r ? expected : 0u)
          << to_string(static_cast<RiskReason>(r));
    EXPECT_EQ(v.gw().stats().risk_rejects, expected);
    EXPECT_EQ(v.gw().risk(1).rejects(c.reason), 0u);  // the other session is not touched
  }
  for (int r = 1; r <= static_cast<int>(RiskReason::kRateLimited); ++r)
    EXPECT_TRUE(covered[r]) << "no wire test for " << to_string(static_cast<RiskReason>(r));
}

TEST(OuchGatewayRejects, PauseHaltAndKillRefuseWithTheirCodesAndCancelsPass) {
  const RiskLimits l = RiskLimits::unlimited();
  {
    Venue v(l);
    v.accepted(0, kT0, enter_order("REST", 'B', 10, "AAPL", k100));
    v.gw().pause();
    EXPECT_EQ(reject_byte(v.send(0, kT0 + kMs, enter_order("NEW", 'B', 10, "AAPL", k100)), "NEW"), 'C');
    EXPECT_EQ(reject_byte(v.send(0, kT0 + kMs, replace_order("REST", "REP", 5, k100)), "REP"), 'C');
    const std::vector<Bytes> cancel = v.send(0, kT0 + kMs, cancel_order("REST"));
    ASSERT_EQ(cancel.size(), 1u);
    EXPECT_EQ(cancel[0][0], 'C');  // Canceled: cancels pass while paused
    EXPECT_EQ(v.gw().stats().refused_paused, 2u);
    v.gw().resume();
    v.accepted(0, kT0 + 2 * kMs, enter_order("AFTER", 'B', 10, "AAPL", k100));
  }
  {
    Venue v(l);
    ASSERT_TRUE(v.gw().halt("AAPL", true, kT0));
    EXPECT_EQ(reject_byte(v.send(0, kT0 + kMs, enter_order("NEW", 'B', 10, "AAPL", k100)), "NEW"), 'H');
    v.accepted(0, kT0 + kMs, enter_order("OTHER", 'B', 10, "MSFT", k100));  // MSFT trades on
    EXPECT_EQ(v.gw().stats().refused_halted, 1u);
  }
  {
    Venue v(l);
    v.accepted(0, kT0, enter_order("REST", 'B', 10, "AAPL", k100));
    EXPECT_EQ(v.gw().kill(), 1u);  // cancels the resting order
    EXPECT_EQ(reject_byte(v.send(0, kT0 + kMs, enter_order("NEW", 'B', 10, "AAPL", k100)), "NEW"), 'a');
    EXPECT_EQ(v.gw().stats().refused_killed, 1u);
    v.gw().release_kill();
    v.accepted(0, kT0 + 2 * kMs, enter_order("AFTER", 'B', 10, "AAPL", k100));
  }
}

// A message the engine had no room for (two-core match mode, reject policy) is
// answered without reaching the book: an Enter Order and a Replace get Rejected 'O'
// (with the replacement token; the order keeps its place), a Cancel is applied anyway.
TEST(OuchGatewayRejects, BusyRefusalsAnswerOrdersAndReplacesAndLetCancelsThrough) {
  Venue v(RiskLimits::unlimited());
  v.accepted(0, kT0, enter_order("REST", 'B', 10, "AAPL", k100));
  v.accepted(0, kT0, enter_order("GONE", 'B', 10, "MSFT", k100));
  EXPECT_EQ(reject_byte(v.refuse(0, kT0 + kMs, enter_order("NEW", 'B', 10, "AAPL", k100)), "NEW"), 'O');
  EXPECT_EQ(reject_byte(v.refuse(0, kT0 + kMs, replace_order("REST", "REP", 5, k100 + 100)), "REP"), 'O');
  const std::vector<Bytes> cancel = v.refuse(0, kT0 + kMs, cancel_order("GONE"));
  ASSERT_EQ(cancel.size(), 1u);
  EXPECT_EQ(cancel[0][0], 'C');  // Canceled: never refused
  EXPECT_EQ(v.gw().stats().refused_busy, 2u);
  // The counterparty's sell trades with REST at its old price and size: the refused
  // replace changed nothing, and the refused order never rested.
  const std::vector<Bytes> fill = v.send(1, kT0 + 2 * kMs, enter_order("CP", 'S', 20, "AAPL", k100));
  EXPECT_EQ(v.gw().stats().trades, 1u);
  uint32_t executed = 0;
  for (const Bytes& m : fill) executed += m[0] == 'E' ? 1 : 0;
  EXPECT_EQ(executed, 2u);  // REST's 10 shares, once for each side
  // A refused order's token was never taken: the client may send it again.
  v.accepted(0, kT0 + 3 * kMs, enter_order("NEW", 'B', 10, "AAPL", k100 - 100));
}

// Each inbound packet's replies leave as one datagram per client that has any, in
// client order, whichever order the events put them in; a flush with nothing pending
// sends nothing. 70 sessions, so the clients span more than one word of the pending
// set.
struct Datagrams {
  std::vector<std::pair<uint32_t, std::size_t>> sent;  // (client, messages)
  void on_reply(uint32_t client, std::span<const uint8_t> datagram, uint64_t) {
    mold::Packet p;
    ASSERT_TRUE(mold::parse(datagram, p).ok());
    sent.emplace_back(client, p.header.messages());
  }
};

TEST(OuchGatewayFlush, OneDatagramPerClientWithRepliesInClientOrder) {
  const RiskLimits limits;
  std::vector<Stock> stocks{Stock::from("AAPL")};
  book::BookShard shard(book::BookConfig{.max_orders = 64, .max_levels = 64, .max_symbols = 1});
  Datagrams out;
  NoMarketData md;
  OuchGateway<Datagrams, NoMarketData> gw(shard, stocks, false, 70, &limits, out, md);
  gw.set_time(kT0);
  // Two makers rest at 100, client 66 first, then client 3.
  ASSERT_EQ(gw.on_message(66, 1, enter_order("M66", 'S', 10, "AAPL", k100)), DecodeStatus::kOk);
  ASSERT_EQ(gw.on_message(3, 1, enter_order("M3", 'S', 10, "AAPL", k100)), DecodeStatus::kOk);
  gw.flush();
  ASSERT_EQ(out.sent.size(), 2u);
  EXPECT_EQ(out.sent[0], (std::pair<uint32_t, std::size_t>{3, 1}));   // Accepted
  EXPECT_EQ(out.sent[1], (std::pair<uint32_t, std::size_t>{66, 1}));  // Accepted
  // Client 40 takes both: the events reach 40, 66 (first in time) and then 3.
  out.sent.clear();
  ASSERT_EQ(gw.on_message(40, 1, enter_order("T40", 'B', 20, "AAPL", k100)), DecodeStatus::kOk);
  gw.flush();
  ASSERT_EQ(out.sent.size(), 3u);
  EXPECT_EQ(out.sent[0], (std::pair<uint32_t, std::size_t>{3, 1}));   // Executed
  EXPECT_EQ(out.sent[1], (std::pair<uint32_t, std::size_t>{40, 3}));  // Accepted, Executed x2
  EXPECT_EQ(out.sent[2], (std::pair<uint32_t, std::size_t>{66, 1}));  // Executed
  EXPECT_EQ(gw.stats().reply_packets, 5u);
  out.sent.clear();
  gw.flush();
  EXPECT_TRUE(out.sent.empty());
  EXPECT_EQ(gw.stats().reply_packets, 5u);
}

}  // namespace
}  // namespace tachyon::dataplane
