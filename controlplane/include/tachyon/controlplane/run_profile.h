// The full measurement of one profiled run (tachyon replay --profile): run facts,
// per-stage latency histograms and percentiles, throughput per 100 ms, memory and CPU
// over time, book events per symbol. Written as JSON (the input of tachyon report) and
// as CSV files; read back from JSON. Control path; plain values, not thread-safe.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/dataplane/latency_histogram.h"

namespace tachyon::controlplane {

// A profile that cannot be read: the message names the file and the field.
class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct HistogramBucket {
  uint64_t low = 0, high = 0, count = 0;  // values low..high (ns) were seen count times
};

struct StageStats {
  std::string name;  // "message" (stamp to stamp) or a dataplane::Stage name
  uint64_t count = 0, min = 0, max = 0;
  double mean = 0;
  uint64_t p50 = 0, p90 = 0, p99 = 0, p999 = 0, p9999 = 0;
  std::vector<HistogramBucket> buckets;  // non-empty buckets, ascending

  // Fills every field from h (only non-empty buckets are kept).
  static StageStats from(std::string name, const dataplane::LatencyHistogram& h);
  // Returns the value at percentile p (0..100) from the buckets, as
  // LatencyHistogram::percentile does (bucket top, capped by max).
  uint64_t percentile(double p) const noexcept;
};

struct MemoryPoint {
  double t_s = 0;
  uint64_t rss = 0, allocated = 0, active = 0, resident = 0;
};

struct ThreadProfile {
  int tid = 0;
  std::string name;
  double cpu_seconds = 0;
  double utilization = 0;            // cpu_seconds over the sampled span
  std::vector<double> series;        // utilisation at each memory sample (0..1)
};

struct SymbolProfile {
  std::string name;
  uint64_t accepted = 0, trades = 0, canceled = 0, modified = 0;
};

struct RunProfile {
  static constexpr int kVersion = 1;

  // --- run ---
  std::string command, input, format, mode, host, created_utc;
  int cpu = -1;                  // CPU the replay loop ended on
  int cpus_allowed = 0;          // CPUs in the replay thread's affinity mask
  bool pinned = false;           // cpus_allowed == 1
  uint64_t tsc_hz = 0;
  std::string allocator;         // jemalloc, glibc or sanitizer
  uint64_t slow_ns_per_message = 0;
  uint64_t max_orders = 0, max_levels = 0, max_symbols = 0;
  // --- totals ---
  uint64_t messages = 0, packets = 0, bytes = 0, trades = 0, live_orders = 0;
  double seconds = 0, msgs_per_s = 0;
  uint64_t book_bytes = 0;        // bytes the books preallocated
  double bytes_per_order = 0;     // book_bytes / max_orders
  uint64_t peak_rss_bytes = 0;
  bool allocations_counted = false;
  uint64_t loop_allocated_bytes = 0;  // allocated by the replay thread inside its loop
  // --- measurements ---
  std::vector<StageStats> stages;
  uint64_t throughput_bucket_ns = 0, throughput_last_bucket_ns = 0;
  std::vector<uint64_t> throughput;  // messages per bucket
  uint64_t sample_interval_ns = 0;
  std::vector<MemoryPoint> memory;
  std::vector<ThreadProfile> threads;  // busiest first
  std::vector<SymbolProfile> symbols;  // symbols with events, by SymbolId

  // Returns the stage named name, or nullptr.
  const StageStats* stage(std::string_view name) const noexcept;
  // Returns msgs/s of throughput bucket i.
  double bucket_rate(std::size_t i) const noexcept;
};

// Renders p as one JSON object (no trailing newline).
std::string profile_to_json(const RunProfile& p);
// Parses a profile written by profile_to_json. what names the source in errors.
// Throws ProfileError for invalid JSON, another document or a missing field.
RunProfile profile_from_json(std::string_view text, const std::string& what);
// Reads and parses the profile at path. Throws ProfileError naming path.
RunProfile read_profile(const std::string& path);

// Writes the profile as CSV files into dir (created if missing): stages.csv,
// histograms.csv, throughput.csv, memory.csv, threads.csv, symbols.csv. Throws
// ProfileError naming the file that could not be written.
void write_profile_csv(const RunProfile& p, const std::string& dir);

}  // namespace tachyon::controlplane
