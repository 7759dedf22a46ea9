// The appliance's core map from the config's [cores] (tuning/plan writes it), checked
// against this machine before anything starts, and the placement of the control-plane
// thread. Control path: the main thread, at start; not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "tachyon/controlplane/config.h"

namespace tachyon::controlplane {

struct CoreMap {
  std::vector<int> dataplane;  // the data-plane threads' CPUs, in config order
  int control = -1;            // the control-plane thread's CPU; -1: not pinned
  int memory_node = -1;        // the data plane's memory node; -1: each core's own node
  // Caveats for stderr, e.g. a data-plane CPU that is not on the memory node.
  std::vector<std::string> notes;

  bool empty() const noexcept { return dataplane.empty() && control < 0 && memory_node < 0; }
  // "data plane 8-14 · control 15 · memory node 1".
  std::string describe() const;
};

// Checks cores against this machine: every CPU listed must be one this process may run
// on, and the memory node must exist. Throws std::invalid_argument naming the key, the
// value and what the machine has, e.g. "cores.dataplane = 8: CPU 8 is not one this
// process may run on (allowed CPUs 0-1)": a core map written for another machine is
// refused rather than silently ignored.
CoreMap check_core_map(const Config::Cores& cores);

// Pins the calling thread, the control plane's, to map.control (when set), so that the
// threads it starts afterwards (metrics, journal, config watcher) start there too.
// Returns one line saying where it runs, or "" when map.control is -1. Throws
// std::runtime_error naming the CPU and the system's message when pinning fails.
std::string place_control_thread(const CoreMap& map);

// Formats CPUs as the kernel's cpulists do ("0-3,8", "0-1").
std::string format_cpu_list(std::vector<int> cpus);

}  // namespace tachyon::controlplane
