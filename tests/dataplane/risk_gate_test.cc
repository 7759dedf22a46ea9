// Pre-trade risk: every reason refuses what it should and only that; positions and
// P&L against a simple reference over random fills (rapidcheck).
#include "tachyon/dataplane/risk_gate.h"

#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <cmath>
#include <vector>

namespace tachyon::dataplane {
namespace {

using book::Price;
using book::Qty;
using book::Side;
using book::SymbolId;
constexpr SymbolId kA{0}, kB{1};
constexpr uint64_t kT0 = 1'000'000'000'000;

RiskLimits loose() {
  RiskLimits l;
  l.max_order_qty = 1'000;
  l.max_notional = 1'000'000'000;  // price4 * qty
  l.price_collar_bps = 500;        // 5%
  l.max_open_orders = 3;
  l.max_position = 2'000;
  l.max_gross_position = 3'000;
  l.max_net_position = 2'500;
  l.order_rate_per_s = 10;
  l.order_burst = 100;
  return l;
}

TEST(RiskGate, EachLimitRefusesWithItsReason) {
  RiskLimits l = loose();
  RiskGate g(&l, 2);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{100'000}, Qty{1'001}, false, kT0), RiskReason::kMaxOrderQty);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{1'000'001}, Qty{1'000}, false, kT0), RiskReason::kMaxNotional);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{100'000}, Qty{1'000}, false, kT0), RiskReason::kNone);
  // Collar: 5% around the last trade.
  g.set_reference(kA, Price{100'000});
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{105'001}, Qty{1}, false, kT0), RiskReason::kPriceCollar);
  EXPECT_EQ(g.check_new(kA, Side::kSell, Price{94'999}, Qty{1}, false, kT0), RiskReason::kPriceCollar);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{105'000}, Qty{1}, false, kT0), RiskReason::kNone);
  // Market orders are priced at the reference; without one they are refused.
  EXPECT_EQ(g.check_new(kB, Side::kBuy, Price{0}, Qty{1}, true, kT0), RiskReason::kPriceCollar);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{0}, Qty{1}, true, kT0), RiskReason::kNone);
  // Open orders.
  for (int i = 0; i < 3; ++i) g.on_open(kB, Side::kSell, Qty{10});
  EXPECT_EQ(g.check_new(kB, Side::kSell, Price{1'000}, Qty{1}, false, kT0), RiskReason::kMaxOpenOrders);
  g.on_reduce(kB, Side::kSell, Qty{10}, true);
  EXPECT_EQ(g.open_orders(), 2u);
  EXPECT_EQ(g.check_new(kB, Side::kSell, Price{1'000}, Qty{1}, false, kT0), RiskReason::kNone);
  // Position per symbol counts resting orders on the same side.
  g.on_fill(kA, Side::kBuy, Price{100'000}, Qty{1'500});
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{100'000}, Qty{501}, false, kT0), RiskReason::kMaxPosition);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{100'000}, Qty{500}, false, kT0), RiskReason::kNone);
  g.on_reduce(kB, Side::kSell, Qty{10}, true);  // one B order left open
  g.on_open(kA, Side::kBuy, Qty{400});           // now 1500 long + 400 resting
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{100'000}, Qty{101}, false, kT0), RiskReason::kMaxPosition);
  g.on_reduce(kA, Side::kBuy, Qty{400}, true);
  // Gross: 1500 long A; B: a 600 short fill + 10 resting + 1000 = 1610 -> 3110 > 3000.
  g.on_fill(kB, Side::kSell, Price{1'000}, Qty{600});
  EXPECT_EQ(g.check_new(kB, Side::kSell, Price{1'000}, Qty{1'000}, false, kT0), RiskReason::kMaxGrossPosition);
  EXPECT_EQ(g.check_new(kB, Side::kSell, Price{1'000}, Qty{880}, false, kT0), RiskReason::kNone);
  // Net: 1500 long A - 600 short B = 900; buying 1000 on A is refused by position, so
  // check net on a gate where positions are wide.
  RiskLimits wide = loose();
  wide.max_position = 10'000;
  wide.max_gross_position = 100'000;
  RiskGate n(&wide, 2);
  n.on_fill(kA, Side::kBuy, Price{100}, Qty{2'000});
  EXPECT_EQ(n.check_new(kB, Side::kBuy, Price{100}, Qty{501}, false, kT0), RiskReason::kMaxNetPosition);
  EXPECT_EQ(n.check_new(kB, Side::kBuy, Price{100}, Qty{500}, false, kT0), RiskReason::kNone);
  EXPECT_EQ(n.check_new(kB, Side::kSell, Price{100}, Qty{1'000}, false, kT0), RiskReason::kNone);
  EXPECT_EQ(n.rejects(RiskReason::kMaxNetPosition), 1u);
}

TEST(RiskGate, RateLimitRefillsWithTimeAndKillSwitchRefusesEverything) {
  RiskLimits l = loose();
  l.order_burst = 3;
  l.order_rate_per_s = 2;
  RiskGate g(&l, 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{10}, Qty{1}, false, kT0), RiskReason::kNone);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{10}, Qty{1}, false, kT0), RiskReason::kRateLimited);
  // Half a second later: one token (2 per second).
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{10}, Qty{1}, false, kT0 + 500'000'000), RiskReason::kNone);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{10}, Qty{1}, false, kT0 + 500'000'000), RiskReason::kRateLimited);
  // A long pause refills to the burst, not beyond.
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{10}, Qty{1}, false, kT0 + 100'000'000'000), RiskReason::kNone);
  EXPECT_EQ(g.check_new(kA, Side::kBuy, Price{10}, Qty{1}, false, kT0 + 100'000'000'000), RiskReason::kRateLimited);
  RiskLimits killed = l;
  killed.kill_switch = true;
  g.set_limits(&killed);
  EXPECT_EQ(g.check_new(kA, Side::kSell, Price{10}, Qty{1}, false, kT0 + 200'000'000'000), RiskReason::kKillSwitch);
}

TEST(RiskGate, AverageCostPnlOnAKnownSequence) {
  RiskLimits l = loose();
  RiskGate g(&l, 1);
  g.on_fill(kA, Side::kBuy, Price{100}, Qty{10});   // long 10 @ 100
  g.on_fill(kA, Side::kBuy, Price{130}, Qty{10});   // long 20 @ 115
  g.on_fill(kA, Side::kSell, Price{120}, Qty{5});   // +5 * (120 - 115) = 25
  EXPECT_EQ(g.position(kA).qty, 15);
  EXPECT_EQ(static_cast<int64_t>(g.position(kA).realized), 25);
  g.on_fill(kA, Side::kSell, Price{110}, Qty{20});  // closes 15 @ -5 = -75, opens short 5 @ 110
  EXPECT_EQ(g.position(kA).qty, -5);
  EXPECT_EQ(static_cast<int64_t>(g.position(kA).realized), -50);
  EXPECT_EQ(static_cast<int64_t>(g.position(kA).open_cost), -550);
  EXPECT_EQ(static_cast<int64_t>(g.position(kA).unrealized(Price{100})), 50);  // short 5 from 110 to 100
  EXPECT_EQ(g.gross_position(), 5);
  EXPECT_EQ(g.net_position(), -5);
}

TEST(RiskGate, UnrealizedPnlMarksAtTheMarketsLastTradeElseTheSessionsOwnFill) {
  RiskLimits l = loose();
  ReferencePrices market(2);
  RiskGate g(&l, 2, &market);
  EXPECT_EQ(static_cast<int64_t>(g.unrealized_pnl()), 0);  // nothing open, nothing known
  g.on_fill(kA, Side::kBuy, Price{100}, Qty{10});   // long 10 A at 100
  g.on_fill(kB, Side::kSell, Price{50}, Qty{4});    // short 4 B at 50
  // No trade on the market table yet: each symbol is marked at the session's last fill.
  EXPECT_EQ(g.mark(kA).ticks, 100);
  EXPECT_EQ(g.mark(kB).ticks, 50);
  EXPECT_EQ(static_cast<int64_t>(g.unrealized_pnl()), 0);
  market.set(kA, Price{110});  // A trades at 110 (anyone's trade)
  EXPECT_EQ(g.mark(kA).ticks, 110);
  EXPECT_EQ(static_cast<int64_t>(g.unrealized_pnl()), 10 * 10);
  market.set(kB, Price{45});   // B falls: the short gains 4 x 5
  EXPECT_EQ(static_cast<int64_t>(g.unrealized_pnl()), 100 + 20);
  g.on_fill(kA, Side::kSell, Price{120}, Qty{10});  // closes A: 10 x 20 realized
  EXPECT_EQ(static_cast<int64_t>(g.realized_pnl()), 200);
  EXPECT_EQ(static_cast<int64_t>(g.unrealized_pnl()), 20);  // only B is open
}

// Reference: positions as plain sums; average cost in long double.
struct RefPosition {
  int64_t qty = 0;
  long double avg = 0;
  long double realized = 0;
  Int128 cash = 0;
};

RC_GTEST_PROP(RiskGateProperty, PositionsAndPnlMatchASimpleReference, ()) {
  const auto fills = *rc::gen::container<std::vector<std::tuple<int, bool, int, int>>>(
      rc::gen::tuple(rc::gen::inRange(0, 3), rc::gen::arbitrary<bool>(), rc::gen::inRange(1, 500'000),
                     rc::gen::inRange(1, 1'000)));
  RiskLimits l;
  RiskGate g(&l, 3);
  RefPosition ref[3];
  for (const auto& [sym, buy, price, qty] : fills) {
    g.on_fill(SymbolId{static_cast<uint32_t>(sym)}, buy ? Side::kBuy : Side::kSell, Price{price}, Qty{qty});
    RefPosition& r = ref[sym];
    const int64_t d = buy ? qty : -qty;
    r.cash += Int128{buy ? -1 : 1} * price * qty;
    if (r.qty == 0 || (r.qty > 0) == (d > 0)) {
      r.avg = (r.avg * std::abs(r.qty) + static_cast<long double>(price) * qty) / (std::abs(r.qty) + qty);
      r.qty += d;
    } else {
      const int64_t closing = std::min<int64_t>(std::abs(r.qty), qty);
      r.realized += (r.qty > 0 ? 1 : -1) * (static_cast<long double>(price) - r.avg) * closing;
      r.qty += (d > 0 ? closing : -closing);
      if (qty > closing) {
        r.avg = price;
        r.qty += d > 0 ? qty - closing : -(qty - closing);
      }
    }
  }
  int64_t gross = 0, net = 0;
  for (int s = 0; s < 3; ++s) {
    const Position& p = g.position(SymbolId{static_cast<uint32_t>(s)});
    RC_ASSERT(p.qty == ref[s].qty);
    gross += std::abs(ref[s].qty);
    net += ref[s].qty;
    // Realized + unrealized is exact: cash plus the position marked.
    const Price mark{250'000};
    RC_ASSERT(p.realized + p.unrealized(mark) == ref[s].cash + Int128{ref[s].qty} * mark.ticks);
    // Realized at average cost, within the truncation of one unit per fill.
    RC_ASSERT(std::fabs(static_cast<long double>(p.realized) - ref[s].realized) <= fills.size() + 1.0L);
  }
  RC_ASSERT(g.gross_position() == gross);
  RC_ASSERT(g.net_position() == net);
}

}  // namespace
}  // namespace tachyon::dataplane
