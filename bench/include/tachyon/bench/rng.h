// Deterministic pseudo-random numbers for workload generation: splitmix64 (seeding,
// hashing) and xoshiro256** (streams), with bounded integers and unit doubles.
// The output depends only on the seed, never on the standard library (unlike
// std::*_distribution). One generator per thread; not thread-safe.
#pragma once

#include <cstdint>

namespace tachyon::bench {

// Advances state by the golden-ratio increment and returns its splitmix64 mix.
constexpr uint64_t splitmix64(uint64_t& state) noexcept {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

__extension__ using Uint128 = unsigned __int128;  // GCC/Clang extension

// xoshiro256** by Blackman and Vigna: 256-bit state, period 2^256 - 1.
class Xoshiro256 {
 public:
  // Seeds the four state words from splitmix64(seed), as the authors recommend.
  explicit constexpr Xoshiro256(uint64_t seed) noexcept {
    for (uint64_t& w : s_) w = splitmix64(seed);
  }

  constexpr uint64_t next() noexcept {
    const uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Returns a uniform integer in [0, n) without modulo bias (Lemire's multiply and
  // reject). Precondition: n > 0.
  constexpr uint64_t below(uint64_t n) noexcept {
    Uint128 m = static_cast<Uint128>(next()) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        m = static_cast<Uint128>(next()) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }

  // Returns a uniform integer in [lo, hi]. Precondition: lo <= hi.
  constexpr int64_t between(int64_t lo, int64_t hi) noexcept {
    return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Returns a uniform double in [0, 1) with 53 random bits.
  constexpr double unit() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Returns a uniform double in (0, 1], safe to take the logarithm of.
  constexpr double unit_open0() noexcept { return static_cast<double>((next() >> 11) + 1) * 0x1.0p-53; }
  // Returns true with probability p.
  constexpr bool chance(double p) noexcept { return unit() < p; }

 private:
  static constexpr uint64_t rotl(uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4]{};
};

}  // namespace tachyon::bench
