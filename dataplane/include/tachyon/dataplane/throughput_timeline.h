// Messages per fixed time bucket (100 ms by default) over a run, counted by the core
// from the TSC stamps it already takes. Fixed memory: when the buckets run out, pairs
// are folded together and the bucket width doubles, so a run of any length fits.
// Written by one core; read by others only after that core has stopped (not
// thread-safe). No allocation after construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace tachyon::dataplane {

class ThroughputTimeline {
 public:
  static constexpr uint64_t kDefaultBucketNs = 100'000'000;

  // Allocates capacity buckets (at least 2, rounded up to even). Control path.
  explicit ThroughputTimeline(std::size_t capacity = std::size_t{1} << 15);

  // Starts counting at TSC origin with buckets of bucket_cycles cycles, which
  // correspond to bucket_ns nanoseconds. Clears earlier counts. Control path.
  void start(uint64_t origin, uint64_t bucket_cycles, uint64_t bucket_ns) noexcept;

  // Counts n messages at TSC time tsc (after start(), not earlier than the previous
  // call's). Hot path: a compare and an add; a new bucket takes the cold path.
  void add(uint64_t tsc, uint64_t n = 1) noexcept {
    if (tsc >= bucket_end_) [[unlikely]] advance(tsc);
    counts_[current_] += n;
  }

  // Ends the run at tsc: the last bucket covers only up to here.
  void finish(uint64_t tsc) noexcept;

  // Buckets in use (the last may be partial), their width in ns, and the last one's
  // covered time in ns (set by finish(); bucket_ns() before it).
  std::size_t size() const noexcept { return started_ ? current_ + 1 : 0; }
  uint64_t count(std::size_t i) const noexcept { return counts_[i]; }
  uint64_t bucket_ns() const noexcept { return bucket_ns_; }
  uint64_t last_bucket_ns() const noexcept { return last_ns_; }
  std::size_t capacity() const noexcept { return capacity_; }
  // Number of times the width doubled.
  unsigned folds() const noexcept { return folds_; }
  uint64_t total() const noexcept;

 private:
  [[gnu::cold]] void advance(uint64_t tsc) noexcept;
  void fold() noexcept;

  std::unique_ptr<uint64_t[]> counts_;
  std::size_t capacity_;
  std::size_t current_ = 0;
  uint64_t origin_ = 0;
  uint64_t bucket_cycles_ = 1;
  uint64_t bucket_ns_ = kDefaultBucketNs;
  uint64_t bucket_end_ = UINT64_MAX;
  uint64_t last_ns_ = kDefaultBucketNs;
  unsigned folds_ = 0;
  bool started_ = false;
};

}  // namespace tachyon::dataplane
