// CPU placement for benchmarks with two threads: the CPUs this process may use, and
// pinning the calling thread to one of them. Control path; thread-safe.
#pragma once

#include <vector>

namespace tachyon::bench {

// Returns the CPUs in the calling thread's affinity mask, ascending.
std::vector<int> allowed_cpus();

// Pins the calling thread to cpu. Throws std::runtime_error naming who, the CPU and
// the system's message when the kernel refuses.
void pin_this_thread(int cpu, const char* who);

// Picks two CPUs for a producer and a consumer: the requested ones when >= 0, else the
// first two allowed (the same one twice on a one-CPU machine).
void pick_two_cpus(int& first, int& second);

}  // namespace tachyon::bench
