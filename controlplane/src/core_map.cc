// check_core_map / place_control_thread: the config's [cores] against the machine's
// allowed CPUs and NUMA nodes (hwloc through dataplane/cpu_pinning.h). Main thread.
#include "tachyon/controlplane/core_map.h"

#include <algorithm>
#include <stdexcept>

#include "tachyon/dataplane/cpu_pinning.h"

namespace tachyon::controlplane {

std::string format_cpu_list(std::vector<int> cpus) {
  std::sort(cpus.begin(), cpus.end());
  cpus.erase(std::unique(cpus.begin(), cpus.end()), cpus.end());
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    out += (out.empty() ? "" : ",") + std::to_string(cpus[i]);
    if (j > i) out += "-" + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

std::string CoreMap::describe() const {
  std::string out = "data plane " + (dataplane.empty() ? std::string("(chosen at start)") : format_cpu_list(dataplane));
  out += " · control " + (control >= 0 ? std::to_string(control) : std::string("(not pinned)"));
  out += " · memory node " + (memory_node >= 0 ? std::to_string(memory_node) : std::string("(each core's own)"));
  return out;
}

CoreMap check_core_map(const Config::Cores& cores) {
  CoreMap m;
  const std::vector<int> allowed = dataplane::allowed_cpus();
  const std::string machine = "(allowed CPUs " + format_cpu_list(allowed) + ")";
  auto check_cpu = [&](const char* key, int cpu) {
    if (!std::binary_search(allowed.begin(), allowed.end(), cpu))
      throw std::invalid_argument(std::string(key) + " = " + std::to_string(cpu) + ": CPU " + std::to_string(cpu) +
                                  " is not one this process may run on " + machine +
                                  "; was this core map planned for another machine? (tuning/plan)");
  };
  for (const unsigned c : cores.dataplane) {
    check_cpu("cores.dataplane", static_cast<int>(c));
    m.dataplane.push_back(static_cast<int>(c));
  }
  if (cores.control >= 0) check_cpu("cores.control", cores.control);
  m.control = cores.control;
  if (cores.numa_node >= 0) {
    const int nodes = dataplane::numa_nodes();
    if (cores.numa_node >= nodes)
      throw std::invalid_argument("cores.numa_node = " + std::to_string(cores.numa_node) + ": this machine has " +
                                  (nodes == 1 ? std::string("one NUMA node (0)")
                                              : std::to_string(nodes) + " NUMA nodes (0-" + std::to_string(nodes - 1) + ")"));
    m.memory_node = cores.numa_node;
    std::vector<int> remote;
    for (const int c : m.dataplane)
      if (dataplane::numa_node_of_cpu(c) != m.memory_node) remote.push_back(c);
    if (!remote.empty())
      m.notes.push_back("cores: data-plane CPU " + format_cpu_list(remote) + " not on NUMA node " +
                        std::to_string(m.memory_node) + " (cores.numa_node): their memory is remote");
  }
  return m;
}

std::string place_control_thread(const CoreMap& map) {
  if (map.control < 0) return "";
  dataplane::pin_this_thread(map.control, "control plane (cores.control)");
  return "cores: control plane on CPU " + std::to_string(map.control) + " (NUMA node " +
         std::to_string(dataplane::numa_node_of_cpu(map.control)) + ")";
}

}  // namespace tachyon::controlplane
