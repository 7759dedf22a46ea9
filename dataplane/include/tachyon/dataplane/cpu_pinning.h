// CPU placement of data-plane threads through hwloc: the machine's NUMA nodes and
// their CPUs, pinning the calling thread to one CPU, and which node a CPU is on.
// Control path (a thread pins itself once, before its loop); thread-safe: the hwloc
// topology is loaded once and only read afterwards.
#pragma once

#include <string>
#include <vector>

namespace tachyon::dataplane {

// Returns the NUMA node of cpu (0 when the machine reports no NUMA nodes), or -1 when
// the CPU does not exist.
int numa_node_of_cpu(int cpu);
// Returns the number of NUMA nodes (at least 1).
int numa_nodes();
// Returns the CPUs the calling thread may run on, ascending.
std::vector<int> allowed_cpus();
// Returns the CPU the calling thread runs on now (sched_getcpu), or -1.
int current_cpu() noexcept;

// Pins the calling thread to cpu with hwloc_set_cpubind(HWLOC_CPUBIND_THREAD). Throws
// std::runtime_error naming the thread, the CPU and the system's message.
void pin_this_thread(int cpu, const std::string& who);

// Binds the calling thread's future allocations to NUMA node `node`
// (hwloc_set_membind, MEMBIND_BIND, per thread): pages it touches first come from that
// node. Returns "" when bound, else why not ("who: hwloc_set_membind(node 1, thread)
// failed: Function not implemented"), as NodeLocalResource does, for the caller to
// report: a machine without mbind still runs, with first-touch placement.
std::string bind_this_thread_memory(int node, const std::string& who);

// One line per NUMA node: "node 0: cpus 0-1, 10202 MiB".
std::string describe_topology();

}  // namespace tachyon::dataplane
