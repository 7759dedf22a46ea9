// ThroughputTimeline bucket bookkeeping: moving to a new bucket and folding pairs when
// the buckets run out. Runs on the owning core (cold path) or before it starts.
#include "tachyon/dataplane/throughput_timeline.h"

#include <algorithm>

namespace tachyon::dataplane {

ThroughputTimeline::ThroughputTimeline(std::size_t capacity)
    : capacity_(std::max<std::size_t>(2, capacity + (capacity & 1))) {
  counts_ = std::make_unique<uint64_t[]>(capacity_);
}

void ThroughputTimeline::start(uint64_t origin, uint64_t bucket_cycles, uint64_t bucket_ns) noexcept {
  std::fill_n(counts_.get(), capacity_, 0);
  origin_ = origin;
  bucket_cycles_ = std::max<uint64_t>(1, bucket_cycles);
  bucket_ns_ = std::max<uint64_t>(1, bucket_ns);
  bucket_end_ = origin_ + bucket_cycles_;
  last_ns_ = bucket_ns_;
  current_ = 0;
  folds_ = 0;
  started_ = true;
}

void ThroughputTimeline::fold() noexcept {
  const std::size_t half = capacity_ / 2;
  for (std::size_t i = 0; i < half; ++i) counts_[i] = counts_[2 * i] + counts_[2 * i + 1];
  std::fill_n(counts_.get() + half, capacity_ - half, 0);
  bucket_cycles_ *= 2;
  bucket_ns_ *= 2;
  ++folds_;
}

void ThroughputTimeline::advance(uint64_t tsc) noexcept {
  if (!started_) return;
  uint64_t index = (tsc - origin_) / bucket_cycles_;
  while (index >= capacity_) {
    fold();
    index = (tsc - origin_) / bucket_cycles_;
  }
  current_ = static_cast<std::size_t>(index);
  bucket_end_ = origin_ + (index + 1) * bucket_cycles_;
}

void ThroughputTimeline::finish(uint64_t tsc) noexcept {
  if (!started_) return;
  if (tsc >= bucket_end_) advance(tsc);
  const uint64_t begin = bucket_end_ - bucket_cycles_;
  const uint64_t into = tsc > begin ? tsc - begin : 0;
  last_ns_ = static_cast<uint64_t>(static_cast<double>(bucket_ns_) * static_cast<double>(into) /
                                   static_cast<double>(bucket_cycles_));
}

uint64_t ThroughputTimeline::total() const noexcept {
  uint64_t n = 0;
  for (std::size_t i = 0; i < size(); ++i) n += counts_[i];
  return n;
}

}  // namespace tachyon::dataplane
