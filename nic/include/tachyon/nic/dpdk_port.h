// DpdkPort: one DPDK ethdev port (a PCI NIC bound to vfio-pci, or a vdev: net_pcap,
// net_ring, net_null, net_af_xdp) configured, started and closed as one resource, with
// the BurstPort hot path inline. Setup and teardown run on the control thread; each
// queue is then polled by one core (queue q's rx and tx may be on different cores).
//
// Memory: receive buffers come from an mbuf pool on the port's NUMA socket (the first
// data-plane socket when the device has none, as vdevs do), shared by every port on
// that socket through DpdkMempools. Transmit copies each frame into an mbuf from the
// same pool.
#pragma once

#if defined(TACHYON_HAVE_DPDK)

#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_prefetch.h>
#include <x86intrin.h>

#include <array>
#include <atomic>
#include <cstring>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tachyon/book/cache_line.h"
#include "tachyon/nic/dpdk_eal.h"
#include "tachyon/nic/dpdk_mempool.h"
#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/packet_burst.h"

namespace tachyon::nic {

// One mbuf pool per NUMA socket, created on first use. Control thread only.
class DpdkMempools {
 public:
  DpdkMempools(uint32_t mbufs_per_socket) : mbufs_(mbufs_per_socket) {}
  // Returns the pool of socket (created now when missing). Throws NicStartupError.
  std::shared_ptr<DpdkMempool> for_socket(int socket);
  // One line per pool (describe()).
  std::vector<std::string> describe() const;

 private:
  uint32_t mbufs_;
  std::map<int, std::shared_ptr<DpdkMempool>> pools_;
};

struct DpdkPortOptions {
  uint16_t port_id = 0;
  uint16_t rx_queues = 1;
  uint16_t tx_queues = 1;
  uint32_t rx_descriptors = 1024;
  uint32_t tx_descriptors = 1024;
  // at_end() turns true once this many packets were received (replay of a file of
  // known length through net_pcap); 0: a live port that never ends.
  uint64_t expected_rx_packets = 0;
  bool promiscuous = true;
};

class DpdkPort {
 public:
  // Received mbufs stay the caller's until release().
  static constexpr bool kHoldsRx = true;

  // Configures port_id with the queues and descriptors asked for (RSS over IP/UDP
  // when rx_queues > 1 and the device offers RSS; otherwise a note in describe()),
  // enables the rx timestamp offload when offered, and starts it. Throws
  // NicStartupError naming the port, the call, its arguments and rte_strerror; e.g.
  // "port 0 (net_pcap0): rte_eth_rx_queue_setup(q=0, nb_rxd=1024) failed: -22
  // (Invalid argument)". Control path.
  DpdkPort(std::shared_ptr<DpdkEal> eal, DpdkMempools& pools, const DpdkPortOptions& options);
  // Stops and closes the port.
  ~DpdkPort();
  DpdkPort(const DpdkPort&) = delete;
  DpdkPort& operator=(const DpdkPort&) = delete;

  // --- hot path (BurstPort) ----------------------------------------------------

  // Receives up to out.size() (at most kBurstSize) frames from queue q. A frame that
  // spans several mbufs (jumbo) is freed and counted in rx_errors. Hot path.
  std::size_t rx_burst(uint16_t q, std::span<RxPacket> out) noexcept {
    std::array<rte_mbuf*, kBurstSize> m;
    const uint16_t want = static_cast<uint16_t>(out.size() < kBurstSize ? out.size() : kBurstSize);
    const uint16_t n = rte_eth_rx_burst(port_id_, q, m.data(), want);
    if (n == 0) return 0;
    const uint64_t tsc = __rdtsc();
    // Request every mbuf header of the burst first, then each frame's first two lines as
    // its header arrives, so the misses overlap instead of coming one packet after
    // another. They are real misses whenever another core or a device wrote the buffers
    // (net_ring fed by a pacer core, a NIC's DMA), and they fall inside rx-to-book.
    // Measured with nic_bench --mode=latency (net_ring, 1 M packets/s): p50 611-641 ->
    // 510-520 ns, p99 4.7-5.0 -> 4.3-4.4 us; the net_pcap replay rates did not change.
    for (uint16_t i = 0; i < n; ++i) rte_prefetch0(m[i]);
    QueueCounters& c = queue_[q];
    std::size_t k = 0;
    for (uint16_t i = 0; i < n; ++i) {
      rte_mbuf* b = m[i];
      const auto* data = rte_pktmbuf_mtod(b, const uint8_t*);
      rte_prefetch0(data);
      rte_prefetch0(data + RTE_CACHE_LINE_SIZE);
      if (b->nb_segs != 1) [[unlikely]] {
        bump(c.rx_errors);
        rte_pktmbuf_free(b);
        continue;
      }
      RxPacket& p = out[k++];
      p.data = data;
      p.length = b->data_len;
      p.queue = q;
      p.rx_tsc = tsc;
      p.handle = reinterpret_cast<uintptr_t>(b);
      p.timestamp_ns = (ts_offset_ >= 0 && (b->ol_flags & ts_flag_) != 0)
                           ? *RTE_MBUF_DYNFIELD(b, ts_offset_, const uint64_t*) * ts_unit_ns_
                           : 0;
    }
    c.rx_packets.store(c.rx_packets.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    return k;
  }

  // Frees the mbufs of received frames. Hot path.
  void release(uint16_t, std::span<const RxPacket> done) noexcept {
    std::array<rte_mbuf*, kBurstSize> m;
    std::size_t k = 0;
    for (const RxPacket& p : done) {
      m[k++] = reinterpret_cast<rte_mbuf*>(p.handle);
      if (k == kBurstSize) {
        rte_pktmbuf_free_bulk(m.data(), static_cast<unsigned>(k));
        k = 0;
      }
    }
    if (k) rte_pktmbuf_free_bulk(m.data(), static_cast<unsigned>(k));
  }

  // Copies up to kBurstSize frames into mbufs and hands them to queue q; frames the
  // device does not take after a few retries are freed and counted in tx_dropped, as
  // are frames longer than an mbuf or found without a free mbuf. Returns the number
  // queued. Hot path.
  std::size_t tx_burst(uint16_t q, std::span<const TxPacket> pkts) noexcept {
    QueueCounters& c = queue_[q];
    std::size_t sent_total = 0;
    while (!pkts.empty()) {
      const std::size_t n = pkts.size() < kBurstSize ? pkts.size() : kBurstSize;
      std::array<rte_mbuf*, kBurstSize> m;
      if (rte_pktmbuf_alloc_bulk(tx_pool_, m.data(), static_cast<unsigned>(n)) != 0) [[unlikely]] {
        bump(c.tx_dropped, pkts.size());
        return sent_total;
      }
      uint16_t k = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const TxPacket& t = pkts[i];
        char* dst = t.length <= rte_pktmbuf_tailroom(m[i]) ? rte_pktmbuf_append(m[i], static_cast<uint16_t>(t.length))
                                                            : nullptr;
        if (dst == nullptr) [[unlikely]] {
          bump(c.tx_dropped);
          rte_pktmbuf_free(m[i]);
          continue;
        }
        std::memcpy(dst, t.data, t.length);
        m[k++] = m[i];
      }
      uint16_t sent = 0;
      for (int attempt = 0; attempt < kTxRetries && sent < k; ++attempt)
        sent = static_cast<uint16_t>(sent + rte_eth_tx_burst(port_id_, q, m.data() + sent, static_cast<uint16_t>(k - sent)));
      if (sent < k) [[unlikely]] {
        rte_pktmbuf_free_bulk(m.data() + sent, k - sent);
        bump(c.tx_dropped, k - sent);
      }
      sent_total += sent;
      pkts = pkts.subspan(n);
    }
    return sent_total;
  }

  // Nothing is buffered in software: tx_burst hands frames to the device at once.
  void flush_tx(uint16_t) noexcept {}

  bool at_end() const noexcept {
    if (expected_rx_ == 0) return false;
    uint64_t n = 0;
    for (uint16_t q = 0; q < rx_queues_; ++q) n += queue_[q].rx_packets.load(std::memory_order_relaxed);
    return n >= expected_rx_;
  }
  uint16_t rx_queues() const noexcept { return rx_queues_; }
  uint16_t tx_queues() const noexcept { return tx_queues_; }
  // Received mbufs one rx queue's user may hold before the pool runs dry: the pool
  // less every queue's rx descriptors and two lcore caches, shared by the queues.
  uint32_t rx_lendable() const noexcept;

  // --- control path --------------------------------------------------------------

  // Device counters (rte_eth_stats_get) plus the software ones above.
  PortStats stats() const;
  LinkStatus link() const;
  std::vector<XStat> xstats() const;
  std::string describe() const;

  uint16_t port_id() const noexcept { return port_id_; }
  const std::string& device_name() const noexcept { return name_; }
  const std::string& driver_name() const noexcept { return driver_; }
  int socket() const noexcept { return socket_; }
  bool rss() const noexcept { return rss_; }
  // Whether received frames carry a timestamp (mbuf dynamic field).
  bool rx_timestamps() const noexcept { return ts_offset_ >= 0; }
  const DpdkMempool& pool() const noexcept { return *pool_; }

 private:
  static constexpr int kTxRetries = 4;
  static constexpr uint16_t kMaxQueues = 128;

  struct alignas(kCacheLine) QueueCounters {
    std::atomic<uint64_t> rx_packets{0};
    std::atomic<uint64_t> rx_errors{0};
    std::atomic<uint64_t> tx_dropped{0};
  };
  static void bump(std::atomic<uint64_t>& c, uint64_t by = 1) noexcept {
    c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }

  [[noreturn]] void fail(const std::string& call, int rc) const;

  std::shared_ptr<DpdkEal> eal_;
  std::shared_ptr<DpdkMempool> pool_;
  rte_mempool* tx_pool_ = nullptr;
  uint16_t port_id_ = 0;
  uint16_t rx_queues_ = 0;
  uint16_t tx_queues_ = 0;
  int socket_ = -1;
  int ts_offset_ = -1;
  uint64_t ts_flag_ = 0;
  uint64_t ts_unit_ns_ = 1;
  uint64_t expected_rx_ = 0;
  bool rss_ = false;
  bool started_ = false;
  uint32_t rx_desc_ = 0;
  uint32_t tx_desc_ = 0;
  std::string name_;
  std::string driver_;
  std::string notes_;
  std::unique_ptr<QueueCounters[]> queue_;
};

static_assert(BurstPort<DpdkPort>);

}  // namespace tachyon::nic

#endif  // TACHYON_HAVE_DPDK
