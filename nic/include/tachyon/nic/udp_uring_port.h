// UdpUringPort: the socket backend for machines without DPDK. Each queue is one UDP
// socket (SO_REUSEPORT when there are several, so the kernel spreads flows over them)
// served by its own io_uring: one multishot recvmsg into a ring of preallocated
// provided buffers, and sendmsg from preallocated transmit slots. Each queue is owned
// by one thread, which must be the one that calls its rx_burst and tx_burst (the
// receive is armed on that thread's first rx_burst, so the kernel completes it there).
//
// Frames, not datagrams: rx_burst hands out each datagram behind a synthetic
// Ethernet II / IPv4 / UDP header (sender's address and port as source, the bound
// address and port as destination; checksums 0), written into the buffer space just in
// front of the payload, so nothing is copied. tx_burst decodes each frame and sends its
// payload to the frame's destination address and port.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/packet_burst.h"

namespace tachyon::nic {

class UdpUringPort {
 public:
  // A received datagram's provided buffer goes back to the kernel only at release().
  static constexpr bool kHoldsRx = true;

  // Creates, configures and binds options.rx_queues sockets to bind_address:udp_port
  // (port 0: the kernel picks one; see local_port()), sets up one io_uring and its
  // buffer ring per queue. Throws NicStartupError naming the queue, the call and
  // strerror. Control path.
  explicit UdpUringPort(const NicOptions& options);
  ~UdpUringPort();
  UdpUringPort(const UdpUringPort&) = delete;
  UdpUringPort& operator=(const UdpUringPort&) = delete;

  // Reaps up to out.size() received datagrams of queue q (at most kBurstSize). One
  // io_uring_enter only when the kernel flagged pending work. Hot path; no allocation.
  std::size_t rx_burst(uint16_t q, std::span<RxPacket> out) noexcept;
  // Returns the datagrams' buffers to the kernel. Hot path.
  void release(uint16_t q, std::span<const RxPacket> done) noexcept;
  // Queues one sendmsg per frame and submits them with one io_uring_enter. Frames that
  // do not decode as IPv4/UDP, have a larger payload than a slot, or find no free slot
  // are counted in tx_dropped. Hot path.
  std::size_t tx_burst(uint16_t q, std::span<const TxPacket> pkts) noexcept;
  // Waits (briefly) until every queued send completed. Hot path at shutdown only.
  void flush_tx(uint16_t q) noexcept;
  bool at_end() const noexcept { return false; }
  uint16_t rx_queues() const noexcept { return queues_; }
  uint16_t tx_queues() const noexcept { return queues_; }
  // Received buffers one queue's user may hold: three quarters of its provided
  // buffers, the rest left to the kernel to keep receiving into.
  uint32_t rx_lendable() const noexcept { return buffers_ - buffers_ / 4; }

  PortStats stats() const;
  std::string describe() const;
  // The UDP port the sockets are bound to (the kernel's choice when udp_port was 0).
  uint16_t local_port() const noexcept { return local_port_; }

  struct Queue;  // one socket and its io_uring (defined in udp_uring_port.cc)

 private:
  std::unique_ptr<Queue[]> q_;
  uint16_t queues_ = 0;
  uint16_t local_port_ = 0;
  std::string bind_address_;
  uint32_t buffers_ = 0;
  uint32_t buffer_bytes_ = 0;
};

static_assert(BurstPort<UdpUringPort>);

}  // namespace tachyon::nic
