// Everything one data-plane core publishes about itself for the profiler and the
// metrics endpoint: per-stage latency histograms (double-buffered), messages per time
// bucket, book events per symbol, a live message counter and facts about the run.
// The core writes; the control plane reads through each part's own protocol (see
// stage_probes.h, symbol_counters.h). timeline() and facts() are read only after the
// core has stopped. Allocates at construction only.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/stage_probes.h"
#include "tachyon/dataplane/symbol_counters.h"
#include "tachyon/dataplane/throughput_timeline.h"

namespace tachyon::dataplane {

// What the core records about its run when it stops.
struct CoreRunFacts {
  double seconds = 0;                   // wall time of the timed loop
  uint64_t tsc_hz = 0;                  // the clock the core converted stamps with
  int cpu = -1;                         // CPU the loop ended on
  bool allocations_counted = false;     // jemalloc's per-thread counter was available
  uint64_t loop_allocated_bytes = 0;    // bytes the core allocated inside the timed loop
  uint64_t slow_ns_per_message = 0;     // injected delay (regression-check tests), 0 normally
};

class CoreProbes {
 public:
  enum class State : uint8_t { kIdle = 0, kRunning = 1, kStopped = 2 };

  // Sizes the per-symbol counters and the timeline. Control path.
  CoreProbes(uint32_t core, uint32_t symbols, std::size_t timeline_buckets = std::size_t{1} << 15)
      : timeline_(timeline_buckets), symbols_(symbols), core_(core) {}
  CoreProbes(const CoreProbes&) = delete;
  CoreProbes& operator=(const CoreProbes&) = delete;

  uint32_t core() const noexcept { return core_; }
  StageProbes& stages() noexcept { return stages_; }
  ThroughputTimeline& timeline() noexcept { return timeline_; }
  const ThroughputTimeline& timeline() const noexcept { return timeline_; }
  SymbolCounters& symbols() noexcept { return symbols_; }
  const SymbolCounters& symbols() const noexcept { return symbols_; }
  CoreRunFacts& facts() noexcept { return facts_; }
  const CoreRunFacts& facts() const noexcept { return facts_; }

  // --- core side -------------------------------------------------------------------

  // Counts one message and its time bucket. Hot path.
  void count_message(uint64_t tsc) noexcept {
    timeline_.add(tsc);
    live_.messages.store(live_.messages.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  void set_state(State s) noexcept { live_.state.store(s, std::memory_order_release); }

  // --- any thread ------------------------------------------------------------------

  uint64_t messages() const noexcept { return live_.messages.load(std::memory_order_relaxed); }
  State state() const noexcept { return live_.state.load(std::memory_order_acquire); }

 private:
  struct alignas(kCacheLine) Live {
    std::atomic<uint64_t> messages{0};
    std::atomic<State> state{State::kIdle};
  };
  static_assert(sizeof(Live) == kCacheLine);

  Live live_;
  StageProbes stages_;
  ThroughputTimeline timeline_;
  SymbolCounters symbols_;
  CoreRunFacts facts_;
  uint32_t core_;
};

}  // namespace tachyon::dataplane
