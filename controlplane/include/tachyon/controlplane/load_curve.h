// The open-loop latency curve measured by bench/load_bench (--json output), read for
// the HTML report's "latency under load" section. Control path; plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace tachyon::controlplane {

struct LoadPoint {
  double offered = 0, achieved = 0;  // msgs/s
  uint64_t p50 = 0, p99 = 0, p999 = 0, max = 0;
};

struct LoadCurve {
  std::vector<LoadPoint> points;  // every run (rates and bisection), by offered rate
  std::string crossing;           // between, below_lowest_rate or above_highest_rate
  double crossing_estimate = 0;   // msgs/s where p99 passes 1 us (when between)
  // The 10x burst stress run.
  double burst_base = 0, burst_factor = 0;
  uint64_t burst_p99_in = 0, burst_p99_after = 0, burst_p99_calm = 0, burst_max_queue = 0;
  bool burst_hash_ok = false;
  int cpu_generator = -1, cpu_core = -1;
};

// Reads load_bench --json output. Throws ProfileError naming path and field.
LoadCurve read_load_curve(const std::string& path);

}  // namespace tachyon::controlplane
