// What to open as the appliance's NIC (config [nic], mirrored here so that nic/ does not
// depend on the control plane), the documented default EAL arguments for replay, and
// the start-up error type. Control path; plain values, thread-safe.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tachyon::nic {

enum class NicBackendKind : uint8_t { kAuto, kDpdk, kPcap, kSocket };

// "auto", "dpdk", "pcap", "socket".
const char* to_string(NicBackendKind k) noexcept;

struct NicOptions {
  NicBackendKind backend = NicBackendKind::kAuto;
  // DPDK: EAL arguments without the program name. Empty: default_eal_args(rx_pcap,
  // tx_pcap) when rx_pcap is set, else live_eal_args(pci, main_lcore) when pci is set,
  // else an error (a live NIC needs its address or explicit arguments).
  std::vector<std::string> eal_args;
  // DPDK, live: the NIC's PCI address (config nic.pci) and the CPU of EAL's main lcore,
  // the control-plane thread's (config cores.control; -1: the first allowed CPU).
  std::string pci;
  int main_lcore = -1;
  uint16_t port_id = 0;
  uint16_t rx_queues = 1;
  uint16_t tx_queues = 1;
  uint32_t rx_descriptors = 1024;
  uint32_t tx_descriptors = 1024;
  uint32_t mbufs = 8191;  // per NUMA socket; a power of two minus one suits rte_mempool
  // Replay: the capture to receive from and the capture to write (empty: no output).
  // The pcap backend reads and writes them through libpcap; DPDK through net_pcap.
  std::string rx_pcap;
  std::string tx_pcap;
  // Socket backend: local address and UDP port (queue q binds the same address with
  // SO_REUSEPORT, so the kernel spreads flows over queues).
  std::string bind_address = "127.0.0.1";
  uint16_t udp_port = 26000;
  uint32_t socket_buffers = 1024;   // provided receive buffers per queue (power of two)
  uint32_t socket_buffer_bytes = 2048;
};

// The embedded default for replay through DPDK without hugepages or a PCI device:
//   --no-huge --no-pci --no-shconf --no-telemetry -m 512 --log-level=lib.eal:warning
//   --vdev=net_pcap0,rx_pcap=RX[,tx_pcap=TX]
// -m 512 gives EAL 512 MiB of ordinary pages. No -l: EAL takes every CPU this process
// may run on; the data-plane threads pin themselves.
std::vector<std::string> default_eal_args(const std::string& rx_pcap, const std::string& tx_pcap);

// The default for a live NIC given by its PCI address (tuning/plan's nic.pci):
//   -a PCI -l LCORE --in-memory --no-telemetry --log-level=lib.eal:warning
// EAL probes that device alone (port 0) and pins its main thread, the control plane's,
// to LCORE (main_lcore, or the first CPU this process may use when -1); the data-plane
// threads pin themselves. Hugepages come from the kernel's reservation (tuning/apply).
std::vector<std::string> live_eal_args(const std::string& pci, int main_lcore);

// A backend that could not start. The message names what was tried (backend, EAL
// arguments, port, queue, file) and what failed (the call, its return value and the
// system's or DPDK's own message). The command line maps it to exit code 2.
class NicStartupError : public std::runtime_error {
 public:
  static constexpr int kExitCode = 2;
  explicit NicStartupError(const std::string& what) : std::runtime_error(what) {}
  int exit_code() const noexcept { return kExitCode; }
};

// Joins args with spaces, for messages.
std::string join_args(const std::vector<std::string>& args);

}  // namespace tachyon::nic
