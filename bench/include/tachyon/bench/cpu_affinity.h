// CPU placement for the benchmarks: the CPUs this process may use, pinning the calling
// thread to one of them, and what the calling thread was given of its CPU (CPU time,
// preemptions). Control path; thread-safe.
#pragma once

#include <cstdint>

#include "tachyon/dataplane/cpu_pinning.h"

namespace tachyon::bench {

// The CPUs this thread may use, and pinning to one of them, are the data plane's
// (dataplane/cpu_pinning.h): one implementation for the appliance and its benchmarks.
using dataplane::allowed_cpus;
using dataplane::pin_this_thread;

// Picks two CPUs for a producer and a consumer: the requested ones when >= 0, else the
// first two allowed (the same one twice on a one-CPU machine).
void pick_two_cpus(int& first, int& second);

// The CPU time the calling thread has used, in ns: on a shared machine, what a pass
// cost without the time other processes held the CPU.
uint64_t thread_cpu_ns();

// The calling thread's involuntary context switches so far.
uint64_t thread_preemptions();

}  // namespace tachyon::bench
