// The main() of the Google Benchmark micro-benchmarks: pins the process to one CPU and
// puts that placement into the report's context, so every run says where it ran.
// Header-only (the bench library does not link Google Benchmark). Control path.
#pragma once

#include <benchmark/benchmark.h>

#include <exception>
#include <string>
#include <vector>

#include "tachyon/bench/cpu_affinity.h"

namespace tachyon::bench {

// Pins to the last CPU this process may use (the one the OS schedules least on),
// records "cpu" and "pinned" in the benchmark context (console header and JSON), runs
// the registered benchmarks and returns the process's exit status. before_run (may be
// null) runs after pinning and before timing, for fixtures built outside the loops.
inline int run_pinned_gbench(int argc, char** argv, void (*before_run)() = nullptr) {
  const std::vector<int> cpus = allowed_cpus();
  std::string pinned = "false";
  std::string cpu = "any";
  if (!cpus.empty()) {
    try {
      pin_this_thread(cpus.back(), "benchmark thread");
      pinned = "true";
      cpu = std::to_string(cpus.back());
    } catch (const std::exception& e) {
      pinned = std::string("false (") + e.what() + ")";
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("cpu", cpu);
  benchmark::AddCustomContext("pinned", pinned);
  benchmark::AddCustomContext("cpus_allowed", std::to_string(cpus.size()));
  if (before_run != nullptr) before_run();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace tachyon::bench
