// Invariant-TSC clock: an inline counter read and a cycles-to-nanoseconds conversion in
// 32.32 fixed point, calibrated at start-up against CLOCK_MONOTONIC_RAW.
// A calibrated TscClock is immutable; any thread may read it. rdtsc() is per-core but
// the invariant TSC is synchronised across cores on the platforms tachyon supports.
//
// Why calibrate ourselves: DPDK's rte_get_tsc_hz() is a rounded estimate (often to
// the nearest MHz or the nominal frequency), which is off by up to a few hundred ppm,
// i.e. hundreds of microseconds per second of replay.
#pragma once

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#else
#error "tsc_clock.h needs an x86 time-stamp counter"
#endif

namespace tachyon::dataplane {

// The 128-bit product type of the fixed-point conversions (a GCC/Clang extension).
__extension__ using Uint128 = unsigned __int128;

// Reads the time-stamp counter. Not serialising: the CPU may execute it a little
// before or after its neighbours, which is what per-message stamps on a busy core want
// (no pipeline drain). Hot path; about 20-40 cycles.
inline uint64_t rdtsc() noexcept { return __rdtsc(); }

// Reads the time-stamp counter after every earlier instruction has executed. Use it to
// close a timed region. Hot path. LFENCE then RDTSC orders the read as RDTSCP does
// (LFENCE is dispatch-serialising on the AMD and Intel parts this runs on), and unlike
// RDTSCP it runs under valgrind, so the benchmarks' callgrind modes work.
inline uint64_t rdtscp() noexcept {
  _mm_lfence();
  return __rdtsc();
}

// Returns whether CPUID reports an invariant TSC (leaf 0x80000007, EDX bit 8): constant
// rate across P-, C- and T-states. Some hypervisors hide the bit while providing a
// stable TSC, so callers warn rather than refuse. Control path.
bool invariant_tsc() noexcept;

// A pair of simultaneous readings of the TSC and CLOCK_MONOTONIC_RAW.
struct TscSample {
  uint64_t tsc;        // midpoint of the two counter reads around the clock read
  uint64_t ns;         // CLOCK_MONOTONIC_RAW in nanoseconds
  uint64_t uncertainty; // cycles between the two counter reads (smaller is better)
};

class TscClock {
 public:
  static constexpr unsigned kShift = 32;

  // Takes the tightest of several TSC / CLOCK_MONOTONIC_RAW reading pairs. Throws
  // std::system_error when clock_gettime fails. Control path.
  static TscSample sample();

  // Measures the TSC rate against CLOCK_MONOTONIC_RAW over window (sleeps that long)
  // and anchors now_ns() to the final sample. Throws std::system_error when
  // clock_gettime fails and std::runtime_error when the window is under 1 ms or the
  // counter does not advance. Control path.
  static TscClock calibrate(std::chrono::nanoseconds window = std::chrono::milliseconds(200));

  // Builds a clock from two samples (first.ns < last.ns, first.tsc < last.tsc),
  // anchored at last. Throws std::runtime_error otherwise. Control path.
  static TscClock from_samples(const TscSample& first, const TscSample& last);

  // Builds a clock for a known rate in Hz, anchored at (tsc 0, ns 0). For tests and
  // replays of recorded stamps. Throws std::runtime_error when hz is 0. Control path.
  static TscClock from_hz(uint64_t hz);

  // Returns the calibrated rate, rounded to the nearest Hz.
  uint64_t hz() const noexcept { return hz_; }
  // Returns the 32.32 fixed-point nanoseconds per cycle.
  uint64_t ns_per_cycle_q32() const noexcept { return ns_mult_; }

  // Converts a cycle count to nanoseconds (floor). Exact to the fixed-point step:
  // below 1 ns of error per 4 s at 1-5 GHz. Hot path: one 64x64->128 multiply.
  uint64_t to_ns(uint64_t cycles) const noexcept {
    return static_cast<uint64_t>((static_cast<Uint128>(cycles) * ns_mult_) >> kShift);
  }
  // Converts nanoseconds to a cycle count (floor). Hot path.
  uint64_t to_cycles(uint64_t ns) const noexcept {
    return static_cast<uint64_t>((static_cast<Uint128>(ns) * cycles_mult_) >> kShift);
  }

  // Returns CLOCK_MONOTONIC_RAW nanoseconds as extrapolated from a TSC reading taken
  // after calibration. Hot path.
  uint64_t ns_at(uint64_t tsc) const noexcept {
    return tsc >= base_tsc_ ? base_ns_ + to_ns(tsc - base_tsc_) : base_ns_ - to_ns(base_tsc_ - tsc);
  }
  // Returns now in CLOCK_MONOTONIC_RAW nanoseconds, read from the TSC. Hot path.
  uint64_t now_ns() const noexcept { return ns_at(rdtsc()); }

 private:
  TscClock() = default;

  uint64_t hz_ = 0;
  uint64_t ns_mult_ = 0;      // ns per cycle, 32.32 fixed point
  uint64_t cycles_mult_ = 0;  // cycles per ns, 32.32 fixed point
  uint64_t base_tsc_ = 0;
  uint64_t base_ns_ = 0;
};

}  // namespace tachyon::dataplane
