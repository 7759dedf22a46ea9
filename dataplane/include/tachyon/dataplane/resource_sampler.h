// Samples memory and per-thread CPU utilisation at a fixed interval (100 ms by default)
// on its own thread while a run goes on, for the profile's memory and CPU plots.
// start() and stop() are called by one control thread; samples() only after stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/dataplane/resource_usage.h"

namespace tachyon::dataplane {

struct ThreadLoad {
  int tid = 0;
  std::string name;
  double utilization = 0;  // CPU seconds per wall second since the previous sample (0..1)
  int processor = -1;
};

struct ResourceSample {
  uint64_t t_ns = 0;  // since start()
  MemoryStats memory;
  std::vector<ThreadLoad> threads;
};

// CPU time of one thread over the sampled span.
struct ThreadTotal {
  int tid = 0;
  std::string name;
  double cpu_seconds = 0;
  double utilization = 0;  // cpu_seconds / span
};

class ResourceSampler {
 public:
  explicit ResourceSampler(std::chrono::milliseconds interval = std::chrono::milliseconds(100));
  ~ResourceSampler();
  ResourceSampler(const ResourceSampler&) = delete;
  ResourceSampler& operator=(const ResourceSampler&) = delete;

  // Takes the first sample and starts the sampling thread ("tachyon-sampler").
  void start();
  // Takes a last sample and joins the thread. Idempotent.
  void stop();

  const std::vector<ResourceSample>& samples() const noexcept { return samples_; }
  // Per-thread CPU time between the first and the last sample, busiest first.
  std::vector<ThreadTotal> thread_totals() const;
  std::chrono::milliseconds interval() const noexcept { return interval_; }

 private:
  void take_sample();
  void loop();

  std::chrono::milliseconds interval_;
  uint64_t t0_ = 0;
  std::vector<ResourceSample> samples_;
  std::vector<ThreadCpu> first_, last_;
  uint64_t first_ns_ = 0, last_ns_ = 0;
  std::mutex mu_;  // guards stop_ (control thread and sampler thread only)
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace tachyon::dataplane
