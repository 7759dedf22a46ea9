// hwloc topology (loaded once), CPU pinning and NUMA node queries. Control path.
#include "tachyon/dataplane/cpu_pinning.h"

#include <hwloc.h>
#include <sched.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include "tachyon/dataplane/internal/hwloc_topology.h"

namespace tachyon::dataplane {

namespace internal {

hwloc_topology_t topology() {
  static hwloc_topology_t topo = [] {
    hwloc_topology_t t = nullptr;
    if (hwloc_topology_init(&t) != 0) throw std::runtime_error("hwloc_topology_init failed");
    if (hwloc_topology_load(t) != 0) {
      hwloc_topology_destroy(t);
      throw std::runtime_error(std::string("hwloc_topology_load failed: ") + std::strerror(errno));
    }
    return t;
  }();
  return topo;
}

}  // namespace internal

int numa_node_of_cpu(int cpu) {
  hwloc_topology_t t = internal::topology();
  hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t, static_cast<unsigned>(cpu));
  if (pu == nullptr) return -1;
  const int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t node = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(i));
    if (hwloc_bitmap_isset(node->cpuset, static_cast<unsigned>(cpu))) return static_cast<int>(node->os_index);
  }
  return 0;
}

int numa_nodes() {
  const int n = hwloc_get_nbobjs_by_type(internal::topology(), HWLOC_OBJ_NUMANODE);
  return n > 0 ? n : 1;
}

std::vector<int> allowed_cpus() {
  std::vector<int> out;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

int current_cpu() noexcept { return ::sched_getcpu(); }

void pin_this_thread(int cpu, const std::string& who) {
  hwloc_topology_t t = internal::topology();
  hwloc_bitmap_t set = hwloc_bitmap_alloc();
  hwloc_bitmap_only(set, static_cast<unsigned>(cpu));
  const int rc = hwloc_set_cpubind(t, set, HWLOC_CPUBIND_THREAD);
  const int err = errno;
  hwloc_bitmap_free(set);
  if (rc != 0)
    throw std::runtime_error(who + ": hwloc_set_cpubind(cpu " + std::to_string(cpu) + ", thread) failed: " +
                             std::strerror(err));
}

std::string bind_this_thread_memory(int node, const std::string& who) {
  hwloc_topology_t t = internal::topology();
  hwloc_obj_t obj = hwloc_get_numanode_obj_by_os_index(t, static_cast<unsigned>(node));
  if (obj == nullptr) return who + ": NUMA node " + std::to_string(node) + " does not exist on this machine";
  const int rc = hwloc_set_membind(t, obj->nodeset, HWLOC_MEMBIND_BIND, HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET);
  if (rc == 0) return "";
  const int err = errno;
  return who + ": hwloc_set_membind(node " + std::to_string(node) + ", thread) failed: " + std::strerror(err);
}

std::string describe_topology() {
  hwloc_topology_t t = internal::topology();
  std::string s;
  const int n = hwloc_get_nbobjs_by_type(t, HWLOC_OBJ_NUMANODE);
  for (int i = 0; i < n; ++i) {
    hwloc_obj_t node = hwloc_get_obj_by_type(t, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(i));
    char cpus[256];
    hwloc_bitmap_list_snprintf(cpus, sizeof cpus, node->cpuset);
    s += (i ? "\n" : "") + std::string("node ") + std::to_string(node->os_index) + ": cpus " + cpus + ", " +
         std::to_string(node->attr ? node->attr->numanode.local_memory >> 20 : 0) + " MiB";
  }
  return s;
}

}  // namespace tachyon::dataplane
