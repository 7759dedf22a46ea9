// LatencyHistogram: exact below 2048 ns, 3 significant digits above, merge, percentiles.
#include "tachyon/dataplane/latency_histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <vector>

namespace tachyon::dataplane {
namespace {

TEST(LatencyHistogram, BucketsCoverEveryValueWithThreeSignificantDigits) {
  for (uint64_t v : {0ull, 1ull, 2047ull, 2048ull, 2049ull, 4095ull, 4096ull, 1'000'000ull, 123'456'789ull,
                     59'999'999'999ull, 60'000'000'000ull}) {
    const std::size_t i = LatencyHistogram::index_of(v);
    ASSERT_LT(i, LatencyHistogram::kBuckets) << v;
    EXPECT_LE(LatencyHistogram::lowest_value(i), v) << v;
    EXPECT_GE(LatencyHistogram::highest_value(i), v) << v;
    const double width = static_cast<double>(LatencyHistogram::highest_value(i) - LatencyHistogram::lowest_value(i));
    EXPECT_LE(width, static_cast<double>(v) / 1000.0 + 1.0) << v;
  }
  // Buckets are contiguous and ordered.
  for (std::size_t i = 1; i < LatencyHistogram::kBuckets; ++i)
    ASSERT_EQ(LatencyHistogram::lowest_value(i), LatencyHistogram::highest_value(i - 1) + 1) << i;
}

TEST(LatencyHistogram, PercentilesMatchSortedSamplesWithinResolution) {
  auto h = std::make_unique<LatencyHistogram>();
  std::mt19937_64 rng(7);
  std::lognormal_distribution<double> dist(5.0, 1.5);
  std::vector<uint64_t> xs;
  for (int i = 0; i < 200'000; ++i) {
    const auto v = static_cast<uint64_t>(dist(rng));
    xs.push_back(v);
    h->record(v);
  }
  std::sort(xs.begin(), xs.end());
  for (double p : {50.0, 90.0, 99.0, 99.9, 99.99}) {
    const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * xs.size()));
    const uint64_t exact = xs[rank - 1];
    const uint64_t got = h->percentile(p);
    EXPECT_GE(got, exact) << p;
    EXPECT_LE(static_cast<double>(got), static_cast<double>(exact) * 1.001 + 1.0) << p;
  }
  EXPECT_EQ(h->percentile(100.0), xs.back());
  EXPECT_EQ(h->min(), xs.front());
  EXPECT_EQ(h->max(), xs.back());
  EXPECT_EQ(h->count(), xs.size());
}

TEST(LatencyHistogram, MergeEqualsRecordingEverythingInOne) {
  auto a = std::make_unique<LatencyHistogram>();
  auto b = std::make_unique<LatencyHistogram>();
  auto all = std::make_unique<LatencyHistogram>();
  for (uint64_t v = 1; v < 100'000; v += 7) {
    (v % 2 ? a : b)->record(v * 13);
    all->record(v * 13);
  }
  a->merge(*b);
  EXPECT_EQ(a->count(), all->count());
  EXPECT_EQ(a->min(), all->min());
  EXPECT_EQ(a->max(), all->max());
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) ASSERT_EQ(a->bucket_count(i), all->bucket_count(i));
}

TEST(LatencyHistogram, ValuesAboveSixtySecondsAreClampedAndCounted) {
  auto h = std::make_unique<LatencyHistogram>();
  h->record(LatencyHistogram::kMaxValue * 3);
  EXPECT_EQ(h->clamped(), 1u);
  EXPECT_EQ(h->max(), LatencyHistogram::kMaxValue);
  EXPECT_EQ(h->percentile(50), LatencyHistogram::kMaxValue);
}

TEST(LatencyHistogram, EmptyHistogramReportsZeros) {
  auto h = std::make_unique<LatencyHistogram>();
  EXPECT_EQ(h->percentile(99), 0u);
  EXPECT_EQ(h->min(), 0u);
  EXPECT_EQ(h->max(), 0u);
}

}  // namespace
}  // namespace tachyon::dataplane
