// PcapPort: the libpcap file backend (PcapReader, PcapWriter) behind the burst
// interface: one rx queue reading a capture file as fast as the reader goes (capture
// timestamps ride along in RxPacket::timestamp_ns), one tx queue appending frames to a
// capture file. Owned by one core; not thread-safe.
//
// Captures of bare IPv4 packets (LINKTYPE_RAW, DLT_RAW, DLT_IPV4) are handed out as
// Ethernet frames: the port copies each packet behind a 14-byte Ethernet II header, so
// every backend delivers the same framing.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/packet_burst.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/pcap_writer.h"

namespace tachyon::nic {

class PcapPort {
 public:
  // Opens rx_path for reading and tx_path for writing (either may be empty: no rx
  // queue traffic / tx frames counted as dropped). Throws NicStartupError naming the
  // file and libpcap's message, or an unsupported link type. Control path.
  PcapPort(const std::string& rx_path, const std::string& tx_path);
  ~PcapPort();
  PcapPort(const PcapPort&) = delete;
  PcapPort& operator=(const PcapPort&) = delete;

  // Reads up to out.size() (at most kBurstSize) packets, valid together until the
  // next rx_burst. Hot path; no allocation.
  std::size_t rx_burst(uint16_t q, std::span<RxPacket> out) noexcept;
  // Nothing to give back: the reader reuses its arena at the next burst.
  void release(uint16_t, std::span<const RxPacket>) noexcept {}
  // Appends each frame as one capture record; frames the writer refuses are counted
  // (too large: tx_dropped; I/O error: tx_errors). Hot path; buffered stdio.
  std::size_t tx_burst(uint16_t q, std::span<const TxPacket> pkts) noexcept;
  // Flushes the writer's stdio buffer (a write error counts in tx_errors).
  void flush_tx(uint16_t q) noexcept;
  // True once the whole capture was read (or reading failed: see rx_error()).
  bool at_end() const noexcept { return !reader_ || reader_->at_end() || reader_->failed(); }
  uint16_t rx_queues() const noexcept { return 1; }
  uint16_t tx_queues() const noexcept { return 1; }

  PortStats stats() const;
  std::string describe() const;
  // The reader's error after a damaged capture; empty otherwise.
  std::string_view rx_error() const noexcept { return reader_ ? reader_->error() : std::string_view(); }
  // Closes the output capture, reporting a write error as CaptureError. Control path.
  void close_tx();

 private:
  std::unique_ptr<PcapReader> reader_;
  std::unique_ptr<PcapWriter> writer_;
  std::string rx_path_, tx_path_;
  bool raw_ip_ = false;
  std::array<CapturedPacket, kBurstSize> burst_{};
  std::vector<uint8_t> raw_arena_;  // raw-IP packets behind an Ethernet header
  // Written by the owning core only; read by any thread (metrics).
  struct Counters {
    std::atomic<uint64_t> rx_packets{0}, rx_bytes{0}, rx_errors{0}, tx_packets{0}, tx_bytes{0}, tx_dropped{0},
        tx_errors{0};
  };
  static void bump(std::atomic<uint64_t>& c, uint64_t by = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }
  Counters c_;
};

static_assert(BurstPort<PcapPort>);

}  // namespace tachyon::nic
