// CircuitBreakers: a trade beyond the price band halts the symbol and its orders are
// refused with the reason; the timer resumes it; the message-rate limit trips within a
// window and not across windows; command halts wait for a command resume; commands
// travel from another thread; counters say what happened.
#include <gtest/gtest.h>

#include <thread>

#include "tachyon/dataplane/circuit_breaker.h"

namespace tachyon::dataplane {
namespace {

constexpr uint64_t kMs = 1'000'000;

BreakerLimits limits() {
  BreakerLimits l;
  l.price_band_bps = 500;  // 5 %
  l.max_msgs_per_window = 10;
  l.window_ns = 100 * kMs;
  l.resume_after_ns = 50 * kMs;
  return l;
}

TEST(CircuitBreaker, PriceBandTripHaltsRejectsAndResumesByTimer) {
  CircuitBreakers b(4, limits());
  const uint64_t t0 = 1'000 * kMs;
  EXPECT_FALSE(b.on_trade(2, 10'000, t0));  // reference of the window
  EXPECT_FALSE(b.on_trade(2, 10'500, t0 + kMs));  // exactly 5 %: inside
  EXPECT_EQ(b.admit(2, t0 + 2 * kMs), HaltReason::kNone);
  EXPECT_TRUE(b.on_trade(2, 9'499, t0 + 3 * kMs));  // 5.01 % down: outside
  EXPECT_TRUE(b.halted(2));
  EXPECT_EQ(b.reason(2), HaltReason::kPriceBand);
  EXPECT_EQ(b.admit(2, t0 + 4 * kMs), HaltReason::kPriceBand);
  EXPECT_EQ(b.admit(2, t0 + 52 * kMs), HaltReason::kPriceBand);  // 49 ms after the halt
  EXPECT_EQ(b.admit(1, t0 + 5 * kMs), HaltReason::kNone);        // other symbols trade on
  EXPECT_EQ(b.admit(2, t0 + 53 * kMs), HaltReason::kNone);       // 50 ms: resumed
  EXPECT_FALSE(b.halted(2));
  const BreakerCounts c = b.counts();
  EXPECT_EQ(c.halts_price_band, 1u);
  EXPECT_EQ(c.resumes_timer, 1u);
  EXPECT_EQ(c.rejected_while_halted, 2u);
}

TEST(CircuitBreaker, BandIsMeasuredFromTheWindowsFirstTrade) {
  CircuitBreakers b(1, limits());
  uint64_t t = 0;
  int64_t p = 10'000;
  // 4 % per window, 10 windows: a 48 % drift never trips a 5 % band.
  for (int w = 0; w < 10; ++w) {
    EXPECT_FALSE(b.on_trade(0, p, t));
    p = p * 96 / 100;
    EXPECT_FALSE(b.on_trade(0, p, t + 10 * kMs));
    t += 100 * kMs;
  }
  EXPECT_EQ(b.counts().halts_price_band, 0u);
}

TEST(CircuitBreaker, MessageRateTripsWithinAWindowOnly) {
  CircuitBreakers b(2, limits());
  uint64_t t = 5'000 * kMs;
  for (int i = 0; i < 10; ++i) ASSERT_EQ(b.admit(0, t + i * kMs), HaltReason::kNone) << i;
  EXPECT_EQ(b.admit(0, t + 20 * kMs), HaltReason::kMessageRate);  // the 11th in 100 ms
  EXPECT_EQ(b.counts().halts_message_rate, 1u);
  EXPECT_EQ(b.counts().rejected_while_halted, 1u);
  // Symbol 1: 10 per window, every window, never trips.
  for (int w = 0; w < 5; ++w)
    for (int i = 0; i < 10; ++i) ASSERT_EQ(b.admit(1, t + w * 100 * kMs + i * kMs), HaltReason::kNone);
  // Symbol 0 resumes by timer, in a fresh window.
  EXPECT_EQ(b.admit(0, t + 71 * kMs), HaltReason::kNone);
  EXPECT_EQ(b.counts().resumes_timer, 1u);
}

TEST(CircuitBreaker, CommandHaltWaitsForACommandResume) {
  CircuitBreakers b(3, limits());
  std::thread control([&] { EXPECT_TRUE(b.request_halt(1)); });
  control.join();
  b.poll(0);
  EXPECT_EQ(b.reason(1), HaltReason::kCommand);
  EXPECT_EQ(b.admit(1, 10'000 * kMs), HaltReason::kCommand);  // no timer for command halts
  b.poll(20'000 * kMs);
  EXPECT_TRUE(b.halted(1));
  std::thread resume([&] { EXPECT_TRUE(b.request_resume(1)); });
  resume.join();
  b.poll(20'001 * kMs);
  EXPECT_FALSE(b.halted(1));
  EXPECT_EQ(b.admit(1, 20'002 * kMs), HaltReason::kNone);
  const BreakerCounts c = b.counts();
  EXPECT_EQ(c.halts_command, 1u);
  EXPECT_EQ(c.resumes_command, 1u);
  EXPECT_EQ(c.rejected_while_halted, 1u);
}

TEST(CircuitBreaker, PollResumesIdleSymbolsByTimer) {
  CircuitBreakers b(2, limits());
  b.on_trade(0, 100, 0);
  ASSERT_TRUE(b.on_trade(0, 200, kMs));
  b.poll(30 * kMs);
  EXPECT_TRUE(b.halted(0));
  b.poll(51 * kMs);
  EXPECT_FALSE(b.halted(0));  // no message needed
  EXPECT_EQ(b.counts().resumes_timer, 1u);
}

TEST(CircuitBreaker, ZeroResumeMeansOnlyACommandResumes) {
  BreakerLimits l = limits();
  l.resume_after_ns = 0;
  CircuitBreakers b(1, l);
  b.on_trade(0, 1000, 0);
  ASSERT_TRUE(b.on_trade(0, 2000, 1));
  b.poll(1'000'000 * kMs);
  EXPECT_TRUE(b.halted(0));
  b.request_resume(0);
  b.poll(1'000'001 * kMs);
  EXPECT_FALSE(b.halted(0));
}

TEST(CircuitBreaker, FullCommandRingIsCounted) {
  CircuitBreakers b(1, limits());
  int accepted = 0;
  for (int i = 0; i < 100; ++i) accepted += b.request_halt(0) ? 1 : 0;
  EXPECT_EQ(accepted, 64);
  EXPECT_EQ(b.counts().commands_refused, 36u);
  EXPECT_STREQ(to_string(HaltReason::kMessageRate), "message_rate");
}

}  // namespace
}  // namespace tachyon::dataplane
