// TscClock over a long span: a clock calibrated once keeps converted time within 1 us
// of CLOCK_MONOTONIC_RAW 10 s later. The one deliberately slow test of the profiler
// (about 12 s).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "tachyon/dataplane/tsc_clock.h"

namespace tachyon::dataplane {
namespace {

TEST(TscDrift, ConvertedTimeDriftsLessThanOneMicrosecondOverTenSeconds) {
  // A 2 s calibration window: the bracket of each sample (tens of ns) then contributes
  // about 0.02 ppm of rate error, 0.2 us over 10 s.
  const TscClock c = TscClock::calibrate(std::chrono::seconds(2));
  const TscSample start = TscClock::sample();
  const int64_t start_err = static_cast<int64_t>(c.ns_at(start.tsc)) - static_cast<int64_t>(start.ns);
  std::this_thread::sleep_for(std::chrono::seconds(10));
  const TscSample end = TscClock::sample();
  const int64_t end_err = static_cast<int64_t>(c.ns_at(end.tsc)) - static_cast<int64_t>(end.ns);
  std::printf("TSC %llu Hz; TSC-derived minus CLOCK_MONOTONIC_RAW: %lld ns at start, %lld ns after %.3f s "
              "(sample brackets %llu and %llu cycles)\n",
              static_cast<unsigned long long>(c.hz()), static_cast<long long>(start_err),
              static_cast<long long>(end_err), static_cast<double>(end.ns - start.ns) / 1e9,
              static_cast<unsigned long long>(start.uncertainty), static_cast<unsigned long long>(end.uncertainty));
  EXPECT_GE(end.ns - start.ns, 10'000'000'000u);
  EXPECT_LT(std::llabs(start_err), 1'000);
  EXPECT_LT(std::llabs(end_err - start_err), 1'000) << "drift over 10 s";
  EXPECT_LT(std::llabs(end_err), 1'000) << "offset 10 s after calibration";
}

}  // namespace
}  // namespace tachyon::dataplane
