// Opens the NIC the config asks for (nic.backend = dpdk | pcap | socket | auto) behind
// a NicPort. auto tries DPDK first and falls back to the next backend, saying why;
// an explicit backend that cannot start throws NicStartupError (exit code 2).
// Control path, control thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/nic_port.h"

namespace tachyon::nic {

struct OpenedNic {
  NicPort port;
  NicBackendKind backend = NicBackendKind::kAuto;  // the backend that started
  // What happened on the way, one line each: the EAL arguments used, each backend
  // that failed and why, and the fallback taken ("nic.backend = auto: dpdk did not
  // start (...); falling back to pcap").
  std::vector<std::string> notes;
  // Where each pool lives, one line each (DPDK mbuf pools with their socket).
  std::vector<std::string> pools;
};

// Opens the backend of options. Throws NicStartupError when the chosen backend (or,
// in auto mode, every candidate) fails; its message names each attempt.
OpenedNic open_nic(const NicOptions& options);

// Opens DPDK alone: EAL (options.eal_args, or default_eal_args for options.rx_pcap),
// a check that the vdevs probed, then port options.port_id. Throws NicStartupError.
// Only in builds with DPDK (TACHYON_HAVE_DPDK); elsewhere it throws saying so.
OpenedNic open_dpdk(const NicOptions& options);

// Returns the number of packets in a capture file (read through libpcap once).
// Throws NicStartupError when the file cannot be read.
uint64_t count_capture_packets(const std::string& path);

}  // namespace tachyon::nic
