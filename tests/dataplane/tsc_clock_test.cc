// Tests of TscClock: fixed-point conversion against 128-bit reference arithmetic,
// agreement of two independent calibrations, and TSC-derived time tracking
// CLOCK_MONOTONIC_RAW over about one second.
#include "tachyon/dataplane/tsc_clock.h"

#include <gtest/gtest.h>
#include <time.h>

#include <chrono>
#include <cstdint>
#include <thread>

namespace tachyon::dataplane {
namespace {

uint64_t raw_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

TEST(TscClock, FixedPointConversionMatchesExactArithmetic) {
  for (uint64_t hz : {uint64_t{1'000'000'000}, uint64_t{2'100'000'000}, uint64_t{2'899'999'937}, uint64_t{3'000'000'000},
                      uint64_t{4'700'000'001}}) {
    const TscClock c = TscClock::from_hz(hz);
    EXPECT_EQ(c.hz(), hz);
    for (uint64_t cycles : {uint64_t{0}, uint64_t{1}, uint64_t{1'000}, uint64_t{123'456'789}, hz, 60 * hz, 86'400 * hz}) {
      // Exact: floor(cycles * 1e9 / hz). The fixed point may be off by the rounding of
      // a 32-bit fraction: at most 1 ns + cycles * 2^-32 ns.
      const auto exact = static_cast<uint64_t>(static_cast<Uint128>(cycles) * 1'000'000'000ull / hz);
      const uint64_t got = c.to_ns(cycles);
      const uint64_t slack = 1 + (cycles >> 32);
      EXPECT_LE(got > exact ? got - exact : exact - got, slack) << hz << " Hz, " << cycles << " cycles";
      const uint64_t back = c.to_cycles(got);
      EXPECT_LE(back > cycles ? back - cycles : cycles - back, hz / 1'000'000'000 + 2 + (cycles >> 31));
    }
  }
  EXPECT_THROW(TscClock::from_hz(0), std::runtime_error);
}

TEST(TscClock, RejectsSamplesThatDoNotAdvance) {
  const TscSample a{1000, 5000, 10};
  EXPECT_THROW(TscClock::from_samples(a, a), std::runtime_error);
  EXPECT_THROW(TscClock::from_samples(a, TscSample{2000, 4000, 10}), std::runtime_error);
  EXPECT_THROW(TscClock::calibrate(std::chrono::microseconds(10)), std::runtime_error);
}

TEST(TscClock, TwoCalibrationsAgreeWithinOnePermille) {
  const TscClock a = TscClock::calibrate(std::chrono::milliseconds(200));
  const TscClock b = TscClock::calibrate(std::chrono::milliseconds(200));
  EXPECT_GT(a.hz(), 100'000'000u);
  EXPECT_LT(a.hz(), 10'000'000'000u);
  const double rel = static_cast<double>(a.hz() > b.hz() ? a.hz() - b.hz() : b.hz() - a.hz()) /
                     static_cast<double>(a.hz());
  RecordProperty("hz_a", std::to_string(a.hz()));
  RecordProperty("hz_b", std::to_string(b.hz()));
  std::printf("calibrated TSC: %llu Hz and %llu Hz (relative difference %.3g); invariant TSC bit: %d\n",
              static_cast<unsigned long long>(a.hz()), static_cast<unsigned long long>(b.hz()), rel,
              invariant_tsc() ? 1 : 0);
  EXPECT_LT(rel, 1e-3);
}

TEST(TscClock, TracksMonotonicRawOverOneSecond) {
  const TscClock c = TscClock::calibrate(std::chrono::milliseconds(200));
  // Both endpoints are bracketed samples, so the comparison itself adds only tens of ns.
  const TscSample s0 = TscClock::sample();
  std::this_thread::sleep_for(std::chrono::seconds(1));
  const TscSample s1 = TscClock::sample();
  const int64_t tsc_ns = static_cast<int64_t>(c.to_ns(s1.tsc - s0.tsc));
  const int64_t raw = static_cast<int64_t>(s1.ns - s0.ns);
  const int64_t err = tsc_ns - raw;
  std::printf("over %lld ns of CLOCK_MONOTONIC_RAW the TSC clock measured %lld ns (error %lld ns)\n",
              static_cast<long long>(raw), static_cast<long long>(tsc_ns), static_cast<long long>(err));
  EXPECT_GE(raw, 1'000'000'000);
  // 20 us over 1 s = 20 ppm: far above the expected calibration error (~1 ppm from
  // tens of ns of bracket over a 200 ms window), far below a wrong-frequency bug.
  EXPECT_LT(std::llabs(err), 20'000);
  // now_ns() extrapolates CLOCK_MONOTONIC_RAW from the TSC.
  const uint64_t before = raw_ns();
  const uint64_t mid = c.now_ns();
  const uint64_t after = raw_ns();
  EXPECT_GE(mid + 20'000, before);
  EXPECT_LE(mid, after + 20'000);
}

}  // namespace
}  // namespace tachyon::dataplane
