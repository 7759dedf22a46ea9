// enter_core / leave_core: pinning, DPDK lcore registration, placement record.
// Runs at the start and end of each data-plane thread.
#include "tachyon/dataplane/core_thread.h"

#include <pthread.h>

#include <cstddef>
#include <exception>
#include <string_view>

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
    if (cpu >= 0) pin_this_thread(cpu, role);
  } catch (const std::exception& e) {
    p.note = e.what();
  }
  // Named once placed, so that a thread seen by its name runs where it will stay. The
  // kernel keeps 15 characters: "tachyon-shard12", and "tachyon-disp".
  char name[16] = "tachyon-";
  std::size_t n = 8;
  for (const char c : role == "dispatch" ? std::string_view("disp") : std::string_view(role))
    if (c != ' ' && n < 15) name[n++] = c;
  name[n] = '\0';
  ::pthread_setname_np(::pthread_self(), name);
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
