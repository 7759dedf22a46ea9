// enter_core / leave_core: pinning, DPDK lcore registration, placement record.
// Runs at the start and end of each data-plane thread.
#include "tachyon/dataplane/core_thread.h"

#include <pthread.h>

#include <exception>

#include "tachyon/dataplane/cpu_pinning.h"

#if defined(TACHYON_HAVE_DPDK)
#include "tachyon/nic/dpdk_eal.h"
#endif

namespace tachyon::dataplane {

CorePlacement enter_core(const std::string& role, int cpu, bool register_dpdk) noexcept {
  CorePlacement p;
  try {
    p.role = role;
    p.requested_cpu = cpu;
    // The kernel keeps 15 characters: "tachyon-shard12", and "tachyon-disp".
    std::string name = "tachyon-";
    for (const char c : role == "dispatch" ? std::string("disp") : role)
      if (c != ' ') name += c;
    ::pthread_setname_np(::pthread_self(), name.substr(0, 15).c_str());
    if (cpu >= 0) pin_this_thread(cpu, role);
  } catch (const std::exception& e) {
    p.note = e.what();
  }
#if defined(TACHYON_HAVE_DPDK)
  if (register_dpdk && nic::DpdkEal::active()) {
    p.dpdk_lcore = nic::register_dpdk_thread();
    if (p.dpdk_lcore < 0) p.note += (p.note.empty() ? "" : "; ") + std::string("no free DPDK lcore id: no mempool cache");
  }
#else
  (void)register_dpdk;
#endif
  p.cpu = current_cpu();
  try {
    p.node = p.cpu >= 0 ? numa_node_of_cpu(p.cpu) : -1;
  } catch (const std::exception& e) {
    p.note += (p.note.empty() ? "" : "; ") + std::string(e.what());
  }
  return p;
}

void leave_core(const CorePlacement& p) noexcept {
#if defined(TACHYON_HAVE_DPDK)
  if (p.dpdk_lcore >= 0) nic::unregister_dpdk_thread();
#else
  (void)p;
#endif
}

}  // namespace tachyon::dataplane
