// profiler_bench: what the profiler costs the core, per call (Google Benchmark). Owner:
// bench/. Single-threaded; the snapshot reader is idle, so poll() shows its common
// case (no request pending).
//   BM_HistogramRecord        LatencyHistogram::record of a varying value
//   BM_ProbeRecord            StageProbes::record (the double-buffered histogram)
//   BM_ProbeStampAndRecord    a full probe: rdtsc, cycles->ns, record
//   BM_ProbePoll              StageProbes::poll with no request pending
//   BM_TimelineAdd            ThroughputTimeline::add
//   BM_CountMessage           CoreProbes::count_message (timeline + live counter)
// Run: profiler_bench [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include <memory>

#include "tachyon/bench/gbench_main.h"
#include "tachyon/dataplane/core_probes.h"
#include "tachyon/dataplane/latency_histogram.h"
#include "tachyon/dataplane/stage_probes.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace {

using namespace tachyon::dataplane;

void BM_HistogramRecord(benchmark::State& state) {
  auto h = std::make_unique<LatencyHistogram>();
  uint64_t v = 100;
  for (auto _ : state) {
    h->record(v);
    v = (v * 13 + 7) & 0xFFFF;  // spread over buckets, as real latencies are
  }
  benchmark::DoNotOptimize(h->count());
}
BENCHMARK(BM_HistogramRecord);

void BM_ProbeRecord(benchmark::State& state) {
  StageProbes p;
  uint64_t v = 100;
  for (auto _ : state) {
    p.record(Stage::kDecodeBook, v);
    v = (v * 13 + 7) & 0xFFFF;
  }
}
BENCHMARK(BM_ProbeRecord);

void BM_ProbeStampAndRecord(benchmark::State& state) {
  StageProbes p;
  const TscClock clock = TscClock::from_hz(2'600'000'000);
  uint64_t last = rdtsc();
  for (auto _ : state) {
    const uint64_t t = rdtsc();
    p.record(Stage::kWireToWire, clock.to_ns(t - last));
    last = t;
  }
}
BENCHMARK(BM_ProbeStampAndRecord);

void BM_ProbePoll(benchmark::State& state) {
  StageProbes p;
  for (auto _ : state) p.poll();
}
BENCHMARK(BM_ProbePoll);

void BM_TimelineAdd(benchmark::State& state) {
  ThroughputTimeline t;
  t.start(0, 1'000, 100'000'000);
  uint64_t tsc = 0;
  for (auto _ : state) t.add(tsc++);
  benchmark::DoNotOptimize(t.total());
}
BENCHMARK(BM_TimelineAdd);

void BM_CountMessage(benchmark::State& state) {
  CoreProbes c(0, 1);
  c.timeline().start(0, 1'000, 100'000'000);
  uint64_t tsc = 0;
  for (auto _ : state) c.count_message(tsc++);
  benchmark::DoNotOptimize(c.messages());
}
BENCHMARK(BM_CountMessage);

}  // namespace

int main(int argc, char** argv) { return tachyon::bench::run_pinned_gbench(argc, argv); }
