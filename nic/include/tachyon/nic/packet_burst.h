// The burst interface every packet backend offers (DPDK ethdev, libpcap file, UDP
// socket over io_uring): views of received frames with their stamps, frames to send,
// and counters. Plain data and a concept; thread-safe as values. A port itself is owned
// by one core per queue.
//
// Every backend speaks Ethernet II frames, so the decoders never know which one is in
// use: the socket backend puts a synthetic Ethernet/IPv4/UDP header in front of each
// datagram it receives and strips it from each frame it sends.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

namespace tachyon::nic {

// Packets per rx/tx burst on the data-plane cores: DPDK's usual vector size.
inline constexpr std::size_t kBurstSize = 32;

// One received frame. data stays valid until release() is called for it, or (pcap
// backend) until the next rx_burst on the same queue, whichever comes first; callers
// that keep bytes longer copy them. A backend whose frames stay valid until release()
// however many bursts follow says so with kHoldsRx (below).
struct RxPacket {
  const uint8_t* data = nullptr;
  uint32_t length = 0;
  uint16_t queue = 0;
  // Source time in ns since the Unix epoch when the backend knows one: the capture
  // time (pcap file), the mbuf's dynamic rx timestamp (DPDK: net_pcap gives the
  // capture time in microseconds, a NIC its hardware clock), the kernel's receive time
  // (socket, SO_TIMESTAMPNS). 0 when unknown.
  uint64_t timestamp_ns = 0;
  // TSC read once per rx burst, right after the backend returned the burst: the
  // first latency stamp point of every message in the packet.
  uint64_t rx_tsc = 0;
  // The backend's buffer (rte_mbuf*, provided-buffer id); opaque to callers.
  uintptr_t handle = 0;
};

// One frame to send: the backend copies the bytes before tx_burst returns.
struct TxPacket {
  const uint8_t* data = nullptr;
  uint32_t length = 0;
  uint64_t timestamp_ns = 0;  // pcap backend: the record's timestamp; others ignore it
};

// Counters of one port, summed over its queues. Every packet the backend refused or
// lost is in one of the drop or error counters: nothing is lost without a count.
struct PortStats {
  uint64_t rx_packets = 0;
  uint64_t rx_bytes = 0;
  uint64_t rx_missed = 0;   // dropped by the device or kernel: no descriptor / buffer
  uint64_t rx_errors = 0;   // bad or truncated frames the backend discarded
  uint64_t rx_nombuf = 0;   // receive attempts that found no free buffer
  uint64_t tx_packets = 0;
  uint64_t tx_bytes = 0;
  uint64_t tx_dropped = 0;  // frames tx_burst could not queue (full ring, no buffer)
  uint64_t tx_errors = 0;   // frames the device or kernel failed to send
};

// A port of one backend. rx_burst fills out with up to out.size() frames and returns
// the count (0: nothing now); release gives their buffers back; tx_burst copies up to
// pkts.size() frames into the queue and returns how many it took (the rest are counted
// in tx_dropped); flush_tx pushes buffered frames out. All four are noexcept, hot-path
// calls that neither allocate nor lock. at_end() says a finite source (a capture file)
// has delivered everything.
template <class P>
concept BurstPort = requires(P& p, const P& cp, uint16_t q, std::span<RxPacket> rx,
                             std::span<const RxPacket> done, std::span<const TxPacket> tx) {
  { p.rx_burst(q, rx) } noexcept -> std::same_as<std::size_t>;
  { p.release(q, done) } noexcept;
  { p.tx_burst(q, tx) } noexcept -> std::same_as<std::size_t>;
  { p.flush_tx(q) } noexcept;
  { cp.at_end() } noexcept -> std::same_as<bool>;
  { cp.stats() } -> std::same_as<PortStats>;
  { cp.rx_queues() } noexcept -> std::same_as<uint16_t>;
  { cp.tx_queues() } noexcept -> std::same_as<uint16_t>;
};

// True for a backend P that declares `static constexpr bool kHoldsRx = true;`: its
// received frames stay valid until release(), across later rx bursts, so a core may
// hand them to other cores and free them when those are done (DPDK mbufs, io_uring
// provided buffers). Backends that reuse their buffers at the next burst leave it out.
template <class P>
inline constexpr bool kHoldsRx = requires { requires P::kHoldsRx; };

}  // namespace tachyon::nic
