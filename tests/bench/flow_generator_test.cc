// Tests of the workload generator: portable maths against libm, the PRNG against the
// reference xoshiro256** outputs, determinism (same seed, same bytes), and that every
// scenario's measured statistics (by replay through a BookShard) are close to the
// targets: 15% IOC, 95% cancelled, 20% modified, 2% stale targets, quantities
// uniform 1..100, power-law distances (alpha 2.2) with a hump at 8 ticks, the
// scenario's swing, bursty arrivals.
#include "tachyon/bench/flow_generator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "tachyon/bench/det_math.h"
#include "tachyon/bench/flow_stats.h"
#include "tachyon/bench/mid_path.h"
#include "tachyon/bench/rng.h"

namespace tachyon::bench {
namespace {

TEST(DetMath, MatchesLibmToAFewUlp) {
  Xoshiro256 rng(3);
  for (int i = 0; i < 200'000; ++i) {
    const double x = std::ldexp(rng.unit_open0() + 0.5, static_cast<int>(rng.below(200)) - 100);
    EXPECT_NEAR(det_log(x), std::log(x), 4e-16 * std::max(1.0, std::fabs(std::log(x)))) << x;
    const double y = (rng.unit() - 0.5) * 1400;
    EXPECT_NEAR(det_exp(y) / std::exp(y), 1.0, 4e-15) << y;
  }
  EXPECT_EQ(det_log(1.0), 0.0);
  EXPECT_EQ(det_exp(0.0), 1.0);
  EXPECT_NEAR(det_pow(2.0, 10.0), 1024.0, 1e-12);
  EXPECT_EQ(det_exp(-800.0), 0.0);
  EXPECT_TRUE(std::isinf(det_exp(800.0)));
}

TEST(Rng, SplitmixAndXoshiroMatchTheReferenceAlgorithms) {
  // splitmix64 from state 0: the published first outputs of the reference code.
  uint64_t s = 0;
  EXPECT_EQ(splitmix64(s), 0xe220a8397b1dcdafull);
  EXPECT_EQ(splitmix64(s), 0x6e789e6aa1b965f4ull);
  // xoshiro256** step, checked against a direct transcription of the update rule.
  Xoshiro256 a(42);
  uint64_t st[4];
  uint64_t seed = 42;
  for (uint64_t& w : st) w = splitmix64(seed);
  auto rotl = [](uint64_t x, int k) { return (x << k) | (x >> (64 - k)); };
  for (int i = 0; i < 1000; ++i) {
    const uint64_t want = rotl(st[1] * 5, 7) * 9;
    const uint64_t t = st[1] << 17;
    st[2] ^= st[0];
    st[3] ^= st[1];
    st[1] ^= st[2];
    st[0] ^= st[3];
    st[2] ^= t;
    st[3] = rotl(st[3], 45);
    ASSERT_EQ(a.next(), want);
  }
  // below() is unbiased: each of 7 buckets within 2% of its share.
  Xoshiro256 b(5);
  uint64_t counts[7] = {};
  for (int i = 0; i < 700'000; ++i) ++counts[b.below(7)];
  for (uint64_t c : counts) EXPECT_NEAR(static_cast<double>(c), 100'000.0, 2'000.0);
}

TEST(MidPath, SpansExactlyTheScenarioSwing) {
  for (Scenario sc : kScenarios) {
    const std::vector<double> p = make_mid_path(sc, 50'000, 10'000.0, 9);
    ASSERT_EQ(p.size(), 50'000u);
    EXPECT_EQ(p.front(), 10'000.0);
    const auto [lo, hi] = std::minmax_element(p.begin(), p.end());
    EXPECT_NEAR((*hi - *lo) / 10'000.0, scenario_swing(sc), 1e-9) << to_string(sc);
  }
  // The crash falls 60% within 2% of the run: the largest drop over 1,000 of 50,000
  // points is more than a quarter of the start price.
  const std::vector<double> crash = make_mid_path(Scenario::kFlashCrash, 50'000, 10'000.0, 9);
  double worst = 0;
  for (std::size_t i = 1'000; i < crash.size(); ++i) worst = std::max(worst, crash[i - 1'000] - crash[i]);
  EXPECT_GT(worst, 2'500.0);
}

FlowConfig small(Scenario sc, uint64_t seed = 17) {
  FlowConfig c;
  c.scenario = sc;
  c.seed = seed;
  c.orders = 100'000;
  // Keep the default run's length (1 M orders at 50,000/s: 20 s), so the mid moves as
  // fast against order latencies and lifetimes as in the full-size run and the
  // crossing and fill statistics match it.
  c.mean_order_rate_hz = 5'000;
  return c;
}

bool same_bytes(const Flow& a, const Flow& b) {
  return a.messages.size() == b.messages.size() && a.arrival_ns == b.arrival_ns &&
         std::memcmp(a.messages.data(), b.messages.data(), a.messages.size() * sizeof(book::BookMessage)) == 0;
}

TEST(FlowGenerator, SameSeedSameFlowDifferentSeedDifferentFlow) {
  for (Scenario sc : {Scenario::kStatic, Scenario::kFlashCrash}) {
    FlowConfig c = small(sc);
    c.orders = 20'000;
    const Flow a = generate_flow(c);
    const Flow b = generate_flow(c);
    EXPECT_TRUE(same_bytes(a, b)) << to_string(sc);
    c.seed += 1;
    const Flow d = generate_flow(c);
    EXPECT_FALSE(same_bytes(a, d)) << to_string(sc);
  }
}

TEST(FlowGenerator, SymbolOnlyChangesTheSymbolField) {
  FlowConfig c = small(Scenario::kNormal);
  c.orders = 20'000;
  const Flow a = generate_flow(c);
  c.symbol = book::SymbolId{3};
  const Flow b = generate_flow(c);
  ASSERT_EQ(a.messages.size(), b.messages.size());
  EXPECT_GT(a.messages.size(), c.orders + c.orders / 2);  // cancels and modifies follow the adds
  EXPECT_EQ(a.peak_live_orders, b.peak_live_orders);
  EXPECT_EQ(a.arrival_ns, b.arrival_ns);
  for (std::size_t i = 0; i < a.messages.size(); ++i) {
    book::BookMessage m = b.messages[i];
    ASSERT_EQ(m.symbol, book::SymbolId{3});
    m.symbol = a.messages[i].symbol;
    ASSERT_EQ(std::memcmp(&m, &a.messages[i], sizeof m), 0) << "message " << i;
  }
  // The statistics replay knows the symbol too: same figures, no unknown-symbol rejects.
  const FlowStats sa = measure_flow(a);
  const FlowStats sb = measure_flow(b);
  EXPECT_EQ(sb.other_rejects, 0u);
  EXPECT_EQ(sa.orders_cancelled, sb.orders_cancelled);
  EXPECT_EQ(sa.orders_modified, sb.orders_modified);
  EXPECT_EQ(sa.stale_targets, sb.stale_targets);
  EXPECT_EQ(sa.trades, sb.trades);
}

TEST(FlowGenerator, RejectsInvalidConfig) {
  FlowConfig c;
  c.orders = 0;
  EXPECT_THROW(generate_flow(c), std::invalid_argument);
  c = FlowConfig{};
  c.cancel_fraction = 1.5;
  EXPECT_NE(c.validate().find("cancel_fraction"), std::string::npos);
  c = FlowConfig{};
  c.distance_alpha = 1.0;
  EXPECT_NE(c.validate().find("distance_alpha"), std::string::npos);
}

void print(const char* name, const FlowStats& s) {
  std::printf(
      "%-12s msgs %llu (%.3f/order) ioc %.4f cancelled %.4f modified %.4f stale %.4f traded %.4f filled %.4f "
      "crossing-adds %llu trades %llu reprice %llu qty+ %llu other-mod %llu rejects %llu peak %u end %llu "
      "qty %lld..%lld mean %.2f alpha %.3f mode %u swing %.4f dur %.1fs rate %.0f/s cv %.2f\n",
      name, static_cast<unsigned long long>(s.messages), s.messages_per_order(), s.ioc_fraction(),
      s.cancelled_fraction(), s.modified_fraction(), s.stale_fraction(), s.traded_fraction(), s.filled_fraction(),
      static_cast<unsigned long long>(s.adds_crossing), static_cast<unsigned long long>(s.trades),
      static_cast<unsigned long long>(s.reprice_modifies), static_cast<unsigned long long>(s.qty_increase_modifies),
      static_cast<unsigned long long>(s.other_effective_modifies), static_cast<unsigned long long>(s.other_rejects),
      s.peak_resting, static_cast<unsigned long long>(s.resting_at_end), static_cast<long long>(s.qty_min),
      static_cast<long long>(s.qty_max), s.qty_mean, s.distance_tail_alpha, s.distance_mode, s.swing, s.duration_s,
      s.new_order_rate_hz, s.interarrival_cv);
}

class FlowScenario : public ::testing::TestWithParam<Scenario> {};

TEST_P(FlowScenario, StatisticsMatchTheTargets) {
  const FlowConfig cfg = small(GetParam());
  const Flow flow = generate_flow(cfg);
  const FlowStats s = measure_flow(flow);
  print(to_string(GetParam()), s);

  EXPECT_TRUE(s.seq_contiguous);
  EXPECT_TRUE(s.arrivals_nondecreasing);
  EXPECT_EQ(s.adds, cfg.orders);
  EXPECT_EQ(s.other_messages, 0u);
  EXPECT_EQ(s.other_rejects, 0u);
  EXPECT_GE(s.messages_per_order(), 1.9);
  EXPECT_LE(s.messages_per_order(), 2.2);
  // Generated statistics agree with what the generator's own replay saw.
  EXPECT_EQ(s.peak_resting, flow.peak_live_orders);

  EXPECT_NEAR(s.ioc_fraction(), 0.15, 0.006);
  EXPECT_NEAR(s.cancelled_fraction(), 0.95, 0.01);
  EXPECT_NEAR(s.modified_fraction(), 0.20, 0.01);
  EXPECT_NEAR(s.stale_fraction(), 0.02, 0.002);
  // Every effective modify is a one-tick reprice or a quantity increase.
  EXPECT_EQ(s.other_effective_modifies, 0u);
  EXPECT_NEAR(static_cast<double>(s.reprice_modifies) / static_cast<double>(s.reprice_modifies + s.qty_increase_modifies),
              0.5, 0.03);

  EXPECT_EQ(s.qty_min, 1);
  EXPECT_EQ(s.qty_max, 100);
  EXPECT_NEAR(s.qty_mean, 50.5, 0.5);  // sd of the mean: 28.9 / sqrt(1e5) = 0.09

  EXPECT_NEAR(s.distance_tail_alpha, 2.2, 0.15);
  EXPECT_GE(s.distance_mode, 6u);
  EXPECT_LE(s.distance_mode, 10u);
  EXPECT_EQ(flow.distance_histogram[0], 0u);  // always at least one tick away: passive

  EXPECT_NEAR(s.swing, scenario_swing(GetParam()), 1e-9);
  EXPECT_GT(s.interarrival_cv, 1.2);  // burstier than Poisson
  EXPECT_NEAR(s.new_order_rate_hz, cfg.mean_order_rate_hz, 0.3 * cfg.mean_order_rate_hz);

  if (GetParam() == Scenario::kStatic) {
    // Passive orders around a fixed mid never cross on arrival (a one-tick reprice
    // toward the mid may still meet the other side).
    EXPECT_EQ(s.adds_crossing, 0u);
  } else if (GetParam() != Scenario::kNormal) {
    // Orders priced against a mid that has since moved cross resting liquidity.
    EXPECT_GT(s.adds_crossing, cfg.orders / 1000);
  }
}

INSTANTIATE_TEST_SUITE_P(AllScenarios, FlowScenario, ::testing::ValuesIn(kScenarios),
                         [](const ::testing::TestParamInfo<Scenario>& i) {
                           std::string n = to_string(i.param);
                           for (char& ch : n)
                             if (ch == '-') ch = '_';
                           return n;
                         });

}  // namespace
}  // namespace tachyon::bench
