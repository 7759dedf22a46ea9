// DpdkEal: the DPDK Environment Abstraction Layer as a resource. Construction runs
// rte_eal_init once for the process; destruction runs rte_eal_cleanup. DPDK allows one
// successful initialisation per process and no second one after cleanup, so a process
// holds at most one DpdkEal (tests share one per test binary). Control path; the
// object is created and destroyed by the control thread.
#pragma once

#if defined(TACHYON_HAVE_DPDK)

#include <cstdint>
#include <string>
#include <vector>

namespace tachyon::nic {

class DpdkEal {
 public:
  // Runs rte_eal_init(args) with the program name "tachyon" in front. DPDK's log lines
  // from the start-up are captured and kept in startup_log(); afterwards DPDK logs to
  // stderr again. The calling thread's CPU affinity is restored after init (EAL pins
  // its main thread to the main lcore; the control thread must not stay there).
  // Throws NicStartupError naming the arguments, rte_eal_init's return value, the
  // rte_errno text and the captured log when init fails, or when the process already
  // initialised EAL.
  explicit DpdkEal(const std::vector<std::string>& args);
  // Runs rte_eal_cleanup (ports and pools must already be closed).
  ~DpdkEal();
  DpdkEal(const DpdkEal&) = delete;
  DpdkEal& operator=(const DpdkEal&) = delete;

  const std::vector<std::string>& args() const noexcept { return args_; }
  // DPDK's own log lines written during rte_eal_init (vdev probe errors and the like).
  const std::string& startup_log() const noexcept { return startup_log_; }
  // Ethernet ports DPDK found (PCI devices bound to a DPDK driver, and vdevs).
  uint16_t port_count() const noexcept;
  // Number of --vdev arguments given (a vdev that failed to probe leaves no port).
  uint32_t vdev_args() const noexcept { return vdev_args_; }
  // The main lcore's NUMA socket.
  int main_socket() const noexcept;

  // True while a DpdkEal exists in this process.
  static bool active() noexcept;

 private:
  std::vector<std::string> args_;
  std::string startup_log_;
  uint32_t vdev_args_ = 0;
};

// Joins the lines of text with " | " (DPDK's log in one-line error messages).
std::string one_line(const std::string& text);

// Makes the calling thread a DPDK lcore (rte_thread_register) so that its mbuf frees
// use a per-lcore mempool cache; returns the lcore id, or -1 when EAL has no free lcore
// id left (the thread still works, without a cache). Call once on each data-plane
// thread before its loop; pair with unregister_dpdk_thread. Control path.
int register_dpdk_thread() noexcept;
void unregister_dpdk_thread() noexcept;

}  // namespace tachyon::nic

#endif  // TACHYON_HAVE_DPDK
