// Log-linear (HDR-style) latency histogram: 3 significant digits from 1 ns to 60 s in
// fixed memory. Recording is a few instructions and never allocates. One histogram per
// recording thread; merge() combines them off the hot path. Not thread-safe.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace tachyon::dataplane {

class LatencyHistogram {
 public:
  // Values below kSubBuckets are exact; above, each power-of-two range is split into
  // kSubBuckets/2 equal buckets, so the relative error stays below 1/1024 (3 digits).
  static constexpr unsigned kSubBucketBits = 11;
  static constexpr uint64_t kSubBuckets = uint64_t{1} << kSubBucketBits;  // 2048
  static constexpr uint64_t kHalf = kSubBuckets / 2;
  static constexpr uint64_t kMaxValue = 60'000'000'000ull;  // 60 s in ns; larger values clamp
  static constexpr unsigned kMaxShift = 64 - std::countl_zero(kMaxValue) - kSubBucketBits;
  static constexpr std::size_t kBuckets = kSubBuckets + kMaxShift * kHalf;

  // Records one value (ns). Values above kMaxValue count in the top bucket and in
  // clamped(). O(1), hot path.
  void record(uint64_t v) noexcept {
    if (v > kMaxValue) [[unlikely]] {
      ++clamped_;
      v = kMaxValue;
    }
    ++counts_[index_of(v)];
    ++total_;
    sum_ += v;
    if (v < min_) min_ = v;
    if (v > max_) max_ = v;
  }

  // Adds every count of other into this histogram. O(kBuckets).
  void merge(const LatencyHistogram& other) noexcept;
  void reset() noexcept;

  // Returns the value at percentile p (0..100): the highest value equivalent to the
  // bucket holding that rank, capped by the recorded maximum. 0 when empty.
  uint64_t percentile(double p) const noexcept;

  uint64_t count() const noexcept { return total_; }
  uint64_t min() const noexcept { return total_ ? min_ : 0; }
  uint64_t max() const noexcept { return max_; }
  double mean() const noexcept { return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0.0; }
  uint64_t clamped() const noexcept { return clamped_; }

  // Bucket access for exporters: counts and each bucket's value range.
  static constexpr std::size_t buckets() noexcept { return kBuckets; }
  uint64_t bucket_count(std::size_t i) const noexcept { return counts_[i]; }
  static constexpr std::size_t index_of(uint64_t v) noexcept {
    if (v < kSubBuckets) return static_cast<std::size_t>(v);
    const unsigned shift = static_cast<unsigned>(63 - std::countl_zero(v)) - (kSubBucketBits - 1);
    return static_cast<std::size_t>(kSubBuckets + (shift - 1) * kHalf + ((v >> shift) - kHalf));
  }
  static constexpr uint64_t lowest_value(std::size_t i) noexcept {
    if (i < kSubBuckets) return i;
    const uint64_t shift = (i - kSubBuckets) / kHalf + 1;
    const uint64_t sub = (i - kSubBuckets) % kHalf + kHalf;
    return sub << shift;
  }
  static constexpr uint64_t highest_value(std::size_t i) noexcept {
    if (i < kSubBuckets) return i;
    const uint64_t shift = (i - kSubBuckets) / kHalf + 1;
    return lowest_value(i) + (uint64_t{1} << shift) - 1;
  }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  uint64_t sum_ = 0;
  uint64_t min_ = UINT64_MAX;
  uint64_t max_ = 0;
  uint64_t clamped_ = 0;
};

static_assert(LatencyHistogram::index_of(LatencyHistogram::kMaxValue) < LatencyHistogram::kBuckets);
static_assert(LatencyHistogram::lowest_value(LatencyHistogram::index_of(123'456'789)) <= 123'456'789);
static_assert(LatencyHistogram::highest_value(LatencyHistogram::index_of(123'456'789)) >= 123'456'789);

}  // namespace tachyon::dataplane
