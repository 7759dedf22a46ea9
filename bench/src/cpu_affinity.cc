// CPU placement and per-thread CPU facts for the benchmarks. Control path.
#include "tachyon/bench/cpu_affinity.h"

#include <sys/resource.h>
#include <time.h>

#include <vector>

namespace tachyon::bench {

void pick_two_cpus(int& first, int& second) {
  const std::vector<int> cpus = allowed_cpus();
  if (first < 0) first = cpus.empty() ? 0 : cpus[0];
  if (second < 0) second = cpus.size() > 1 ? (cpus[0] == first ? cpus[1] : cpus[0]) : first;
}

uint64_t thread_cpu_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000u + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t thread_preemptions() {
  rusage ru{};
  ::getrusage(RUSAGE_THREAD, &ru);
  return static_cast<uint64_t>(ru.ru_nivcsw);
}

}  // namespace tachyon::bench
