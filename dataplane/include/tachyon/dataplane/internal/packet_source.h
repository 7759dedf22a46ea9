// Where a capture replay's packets come from (ReplayOptions::nic): libpcap reading the
// file (--nic pcap, the default), or a NIC port whose receive side is the file
// (--nic dpdk: DPDK's net_pcap vdev, with --out as its tx_pcap; --nic auto: DPDK, else
// libpcap). The replay loops see the same packets, bytes and nanosecond timestamps
// either way, so their summaries agree. One virtual call per burst. Owned by the
// replay thread; not thread-safe. Internal to dataplane/.
//
// net_pcap stamps each mbuf with the capture time in microseconds only; the source
// reads the file's nanosecond timestamps once at start-up (the pass that also counts
// the packets, so the end of the file is known) and hands those out, after checking
// each against the mbuf's microsecond stamp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tachyon/dataplane/replay.h"
#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/pcap_reader.h"

namespace tachyon::dataplane::internal {

class PacketSource {
 public:
  virtual ~PacketSource() = default;

  // Fills out with up to out.size() packets, in file order, valid together until the
  // next call. Returns 0 at the end of the capture (or after an error: failed()).
  virtual std::size_t rx_burst(std::span<nic::CapturedPacket> out) noexcept = 0;
  virtual bool failed() const noexcept = 0;
  // What went wrong after failed(): file, packet, and the reader's or port's message.
  virtual std::string error() const = 0;
  // The capture's link type (libpcap DLT_*) and its name.
  virtual int link_type() const noexcept = 0;
  virtual const char* link_type_name() const noexcept = 0;
  // The NIC port the packets come from, when they do (its tx queue writes --out).
  virtual nic::NicPort* port() noexcept { return nullptr; }
  // How the source was opened (backend, EAL arguments, fallbacks), one line each.
  const std::vector<std::string>& notes() const noexcept { return notes_; }

 protected:
  std::vector<std::string> notes_;
};

// Opens opt.input through opt.nic. tx_path: the capture the port writes (DPDK
// tx_pcap); empty for none. Throws ReplayError for an unreadable capture and
// nic::NicStartupError when the NIC backend cannot start (exit code 2).
std::unique_ptr<PacketSource> open_packet_source(const ReplayOptions& opt, const std::string& tx_path);

}  // namespace tachyon::dataplane::internal
