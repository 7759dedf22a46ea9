// TSC calibration against CLOCK_MONOTONIC_RAW and the CPUID invariant-TSC check.
// Control path: runs once at start-up on the control thread; thread-safe.
#include "tachyon/dataplane/tsc_clock.h"

#include <cpuid.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <limits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

namespace tachyon::dataplane {

namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;
constexpr int kSampleTries = 16;

uint64_t raw_ns() {
  timespec ts{};
  if (clock_gettime(CLOCK_MONOTONIC_RAW, &ts) != 0)
    throw std::system_error(errno, std::generic_category(), "clock_gettime(CLOCK_MONOTONIC_RAW)");
  return static_cast<uint64_t>(ts.tv_sec) * kNsPerSecond + static_cast<uint64_t>(ts.tv_nsec);
}

// Returns round(a * b / c) without overflow for a, b < 2^64 and results < 2^64.
uint64_t mul_div_round(uint64_t a, uint64_t b, uint64_t c) {
  const Uint128 p = static_cast<Uint128>(a) * b;
  return static_cast<uint64_t>((p + c / 2) / c);
}

}  // namespace

bool invariant_tsc() noexcept {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid_max(0x80000000u, nullptr) < 0x80000007u) return false;
  __cpuid(0x80000007u, eax, ebx, ecx, edx);
  return (edx & (1u << 8)) != 0;
}

TscSample TscClock::sample() {
  // A clock read that was interrupted or preempted shows as a wide bracket; the
  // narrowest of several tries is within a few tens of nanoseconds.
  TscSample best{0, 0, std::numeric_limits<uint64_t>::max()};
  for (int i = 0; i < kSampleTries; ++i) {
    const uint64_t t0 = rdtscp();
    const uint64_t ns = raw_ns();
    const uint64_t t1 = rdtscp();
    if (t1 - t0 < best.uncertainty) best = TscSample{t0 + (t1 - t0) / 2, ns, t1 - t0};
  }
  return best;
}

TscClock TscClock::from_samples(const TscSample& first, const TscSample& last) {
  if (last.ns <= first.ns || last.tsc <= first.tsc)
    throw std::runtime_error("TscClock: samples do not advance (tsc " + std::to_string(first.tsc) + " -> " +
                             std::to_string(last.tsc) + ", ns " + std::to_string(first.ns) + " -> " +
                             std::to_string(last.ns) + ")");
  const uint64_t dtsc = last.tsc - first.tsc;
  const uint64_t dns = last.ns - first.ns;
  TscClock c;
  c.hz_ = mul_div_round(dtsc, kNsPerSecond, dns);
  c.ns_mult_ = mul_div_round(dns, uint64_t{1} << kShift, dtsc);
  c.cycles_mult_ = mul_div_round(dtsc, uint64_t{1} << kShift, dns);
  c.base_tsc_ = last.tsc;
  c.base_ns_ = last.ns;
  return c;
}

TscClock TscClock::from_hz(uint64_t hz) {
  if (hz == 0) throw std::runtime_error("TscClock::from_hz: hz must be > 0");
  TscClock c;
  c.hz_ = hz;
  c.ns_mult_ = mul_div_round(kNsPerSecond, uint64_t{1} << kShift, hz);
  c.cycles_mult_ = mul_div_round(hz, uint64_t{1} << kShift, kNsPerSecond);
  return c;
}

TscClock TscClock::calibrate(std::chrono::nanoseconds window) {
  if (window < std::chrono::milliseconds(1))
    throw std::runtime_error("TscClock::calibrate: window " + std::to_string(window.count()) +
                             " ns is under 1 ms; the bracket error would dominate");
  const TscSample first = sample();
  const uint64_t until = first.ns + static_cast<uint64_t>(window.count());
  // Sleep for most of the window (the core is free meanwhile), then poll the rest.
  std::this_thread::sleep_for(window - std::min(window, std::chrono::nanoseconds(2'000'000)));
  while (raw_ns() < until) {
  }
  return from_samples(first, sample());
}

}  // namespace tachyon::dataplane
