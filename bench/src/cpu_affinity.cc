// CPU placement and per-thread CPU facts for the benchmarks. Control path.
#include "tachyon/bench/cpu_affinity.h"

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include <cstring>
#include <stdexcept>
#include <string>

namespace tachyon::bench {

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> cpus;
  if (::sched_getaffinity(0, sizeof set, &set) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) cpus.push_back(c);
  return cpus;
}

void pin_this_thread(int cpu, const char* who) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (const int rc = ::pthread_setaffinity_np(::pthread_self(), sizeof set, &set); rc != 0)
    throw std::runtime_error(std::string(who) + ": pthread_setaffinity_np(cpu=" + std::to_string(cpu) +
                             ") failed: " + std::strerror(rc));
}

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
