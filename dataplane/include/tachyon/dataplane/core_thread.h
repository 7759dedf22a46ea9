// Start-up and end of a data-plane thread: pin it to its CPU (hwloc), make it a DPDK
// lcore when EAL runs (so mbuf frees use its mempool cache), record where it runs.
// Called once at the top and bottom of each core's loop; control path. Thread-safe.
#pragma once

#include <string>

#include "tachyon/dataplane/pipeline_report.h"

namespace tachyon::dataplane {

// Pins the calling thread to cpu (cpu < 0: leaves it where it is), then names it
// after its role ("tachyon-shard0", "tachyon-disp": what ps -L, top -H and
// /proc/PID/task/TID/comm show), and registers it
// with DPDK when register_dpdk and EAL is running. Never throws: a failure is written
// into the returned placement's note and the thread runs unpinned.
CorePlacement enter_core(const std::string& role, int cpu, bool register_dpdk) noexcept;
// Unregisters the thread from DPDK when enter_core registered it.
void leave_core(const CorePlacement& placement) noexcept;

}  // namespace tachyon::dataplane
