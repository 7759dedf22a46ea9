// open_nic: backend selection by config with auto fallback; default EAL arguments.
// Control thread.
#include "tachyon/nic/open_nic.h"

#include <sched.h>
#include <sys/stat.h>

#include <memory>

#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/pcap_port.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_uring_port.h"

#if defined(TACHYON_HAVE_DPDK)
#include "tachyon/nic/dpdk_eal.h"
#include "tachyon/nic/dpdk_port.h"
#endif

namespace tachyon::nic {

const char* to_string(NicBackendKind k) noexcept {
  switch (k) {
    case NicBackendKind::kAuto: return "auto";
    case NicBackendKind::kDpdk: return "dpdk";
    case NicBackendKind::kPcap: return "pcap";
    case NicBackendKind::kSocket: return "socket";
  }
  return "unknown";
}

std::string join_args(const std::vector<std::string>& args) {
  std::string s;
  for (const std::string& a : args) s += (s.empty() ? "" : " ") + a;
  return s;
}

namespace {

// The first CPU this process may use (0 when the affinity cannot be read).
int first_allowed_cpu() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &set)) return c;
  }
  return 0;
}

}  // namespace

std::vector<std::string> live_eal_args(const std::string& pci, int main_lcore) {
  const int lcore = main_lcore >= 0 ? main_lcore : first_allowed_cpu();
  return {"-a", pci, "-l", std::to_string(lcore), "--in-memory", "--no-telemetry", "--log-level=lib.eal:warning"};
}

std::vector<std::string> default_eal_args(const std::string& rx_pcap, const std::string& tx_pcap) {
  // One lcore, the first CPU this process may use: EAL would otherwise start an idle
  // worker thread on every other CPU. The data-plane threads pin themselves.
  const int first_cpu = first_allowed_cpu();
  std::string vdev = "--vdev=net_pcap0,rx_pcap=" + rx_pcap;
  if (!tx_pcap.empty()) vdev += ",tx_pcap=" + tx_pcap;
  return {"--no-huge", "--no-pci", "--no-shconf", "--no-telemetry", "-m", "512", "-l", std::to_string(first_cpu), vdev};
}

uint64_t count_capture_packets(const std::string& path) {
  try {
    PcapReader r(path);
    CapturedPacket p;
    uint64_t n = 0;
    while (r.next(p) == ReadStatus::kPacket) ++n;
    return n;
  } catch (const CaptureError& e) {
    throw NicStartupError(e.what());
  }
}

#if defined(TACHYON_HAVE_DPDK)

OpenedNic open_dpdk(const NicOptions& o) {
  std::vector<std::string> args = o.eal_args;
  OpenedNic out;
  if (args.empty() && o.rx_pcap.empty() && !o.pci.empty()) {
    args = live_eal_args(o.pci, o.main_lcore);
    out.notes.push_back("dpdk: EAL arguments for nic.pci = " + o.pci + ": " + join_args(args));
  } else if (args.empty()) {
    if (o.rx_pcap.empty())
      throw NicStartupError(
          "dpdk backend: nic.eal_args and nic.pci are empty and there is no capture to replay: give the live NIC's "
          "PCI address (nic.pci = \"0000:3b:00.0\", as tuning/plan writes it) or its EAL arguments (e.g. "
          "eal_args = [\"-l\", \"2-3\", \"-a\", \"0000:3b:00.0\"])");
    for (const std::string* p : {&o.rx_pcap, &o.tx_pcap})
      if (p->find(',') != std::string::npos)
        throw NicStartupError("dpdk backend: capture path '" + *p +
                              "' contains ',', which a DPDK --vdev argument cannot carry");
    args = default_eal_args(o.rx_pcap, o.tx_pcap);
    out.notes.push_back("dpdk: default replay EAL arguments: " + join_args(args));
  } else {
    out.notes.push_back("dpdk: EAL arguments from nic.eal_args: " + join_args(args));
  }
  auto eal = std::make_shared<DpdkEal>(args);
  const uint16_t ports = eal->port_count();
  const std::string said = eal->startup_log().empty() ? "" : "; DPDK said: " + one_line(eal->startup_log());
  if (ports == 0) {
    if (eal->vdev_args() > 0)
      throw NicStartupError("DPDK: vdev probe failed: 0 ports after rte_eal_init(" + join_args(args) + ") with " +
                            std::to_string(eal->vdev_args()) + " --vdev" + said);
    throw NicStartupError("DPDK: 0 ports after rte_eal_init(" + join_args(args) +
                          "): no NIC is bound to a DPDK driver (vfio-pci) and no --vdev was given" + said);
  }
  if (ports < eal->vdev_args())
    throw NicStartupError("DPDK: vdev probe failed: " + std::to_string(eal->vdev_args()) + " --vdev given, " +
                          std::to_string(ports) + " ports after rte_eal_init(" + join_args(args) + ")" + said);
  DpdkPortOptions po;
  po.port_id = o.port_id;
  po.rx_queues = o.rx_queues;
  po.tx_queues = o.tx_queues;
  po.rx_descriptors = o.rx_descriptors;
  po.tx_descriptors = o.tx_descriptors;
  po.expected_rx_packets = o.rx_pcap.empty() ? 0 : count_capture_packets(o.rx_pcap);
  DpdkMempools pools(o.mbufs);
  auto port = std::make_unique<DpdkPort>(eal, pools, po);
  out.pools = pools.describe();
  out.backend = NicBackendKind::kDpdk;
  out.port = NicPort(std::move(port));
  return out;
}

#else

OpenedNic open_dpdk(const NicOptions&) {
  throw NicStartupError("dpdk backend: this build has no DPDK (configured with TACHYON_WITH_DPDK=OFF)");
}

#endif

namespace {

OpenedNic open_pcap(const NicOptions& o) {
  if (o.rx_pcap.empty() && o.tx_pcap.empty())
    throw NicStartupError("pcap backend: no capture file to read or write (replay gives one)");
  OpenedNic out;
  out.port = NicPort(std::make_unique<PcapPort>(o.rx_pcap, o.tx_pcap));
  out.backend = NicBackendKind::kPcap;
  return out;
}

OpenedNic open_socket(const NicOptions& o) {
  OpenedNic out;
  out.port = NicPort(std::make_unique<UdpUringPort>(o));
  out.backend = NicBackendKind::kSocket;
  return out;
}

}  // namespace

OpenedNic open_nic(const NicOptions& o) {
  switch (o.backend) {
    case NicBackendKind::kDpdk: return open_dpdk(o);
    case NicBackendKind::kPcap: return open_pcap(o);
    case NicBackendKind::kSocket: return open_socket(o);
    case NicBackendKind::kAuto: break;
  }
  std::string dpdk_error;
  try {
    return open_dpdk(o);
  } catch (const NicStartupError& e) {
    dpdk_error = e.what();
  }
  const bool replay = !o.rx_pcap.empty();
  const char* next = replay ? "pcap" : "socket";
  std::string note = std::string("nic.backend = auto: dpdk did not start (") + dpdk_error + "); falling back to " + next;
  try {
    OpenedNic out = replay ? open_pcap(o) : open_socket(o);
    out.notes.insert(out.notes.begin(), note);
    return out;
  } catch (const NicStartupError& e) {
    throw NicStartupError(note + ", which did not start either: " + e.what());
  }
}

}  // namespace tachyon::nic
