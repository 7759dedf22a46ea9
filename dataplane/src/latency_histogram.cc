// LatencyHistogram merge and percentile queries; called off the hot path.
#include "tachyon/dataplane/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace tachyon::dataplane {

void LatencyHistogram::merge(const LatencyHistogram& o) noexcept {
  for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
  total_ += o.total_;
  sum_ += o.sum_;
  clamped_ += o.clamped_;
  min_ = std::min(min_, o.min_);
  max_ = std::max(max_, o.max_);
}

void LatencyHistogram::reset() noexcept { *this = LatencyHistogram{}; }

uint64_t LatencyHistogram::percentile(double p) const noexcept {
  if (total_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  // The rank of the p-th percentile, 1-based: at least one value is counted.
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total_))));
  uint64_t seen = 0;
  for (std::size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(highest_value(i), max_);
  }
  return max_;
}

}  // namespace tachyon::dataplane
