// What a data-plane pipeline run did, for the final stats print, metrics and tests:
// packets and messages by fate, every ring's backpressure counters, each core's
// placement, work and latency, and the port's counters. Filled by the control thread
// after the cores stopped (or as a live snapshot of the atomic counters). Plain value.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/dataplane/backpressure.h"
#include "tachyon/dataplane/latency_histogram.h"
#include "tachyon/dataplane/moldudp64_sequence.h"
#include "tachyon/dataplane/packet_decoder.h"
#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/packet_burst.h"

namespace tachyon::dataplane {

// Where a data-plane thread ran.
struct CorePlacement {
  std::string role;        // "dispatch", "shard 0", ...
  int requested_cpu = -1;  // -1: not pinned
  int cpu = -1;            // the CPU it ran on when it started its loop
  int node = -1;           // that CPU's NUMA node
  int dpdk_lcore = -1;     // its DPDK lcore id when registered with EAL
  std::string note;        // why pinning or registration did not happen, if it did not
};

// How many packets each rx burst of one receiving core delivered. A core that keeps
// up gets small bursts; a full burst (nic::kBurstSize) is a backlog, from a core that
// was away or fell behind, and its last packets wait behind the others before their
// book update (rx-to-book counts from the burst's rx stamp). Written by the receiving
// core only, one increment per non-empty burst; read after it stopped.
struct RxBurstSizes {
  // A burst at least half full counts as big: the core was behind when it received it.
  static constexpr std::size_t kBig = nic::kBurstSize / 2;
  std::array<uint64_t, nic::kBurstSize + 1> count{};  // count[n]: bursts of n packets

  void record(std::size_t n) noexcept { ++count[n < count.size() ? n : count.size() - 1]; }
  void merge(const RxBurstSizes& o) noexcept {
    for (std::size_t n = 0; n < count.size(); ++n) count[n] += o.count[n];
  }
  uint64_t bursts() const noexcept;
  uint64_t packets() const noexcept;
  // Packets that arrived in a burst of at least n packets.
  uint64_t packets_in_bursts_of_at_least(std::size_t n) const noexcept;
  // The share (0..1) of the packets that arrived in big bursts (kBig or more); 0 when
  // nothing was received.
  double big_burst_share() const noexcept;
  // With the packets ordered by the size of the burst each arrived in: the burst size
  // at percentile p (0..100) of them. 0 when nothing was received.
  std::size_t packet_percentile(double p) const noexcept;
  // "rx bursts 1,234 (1.9 packets each); packets by burst size p50 1, p99 32; 3.1 %
  // in bursts of 16 or more", or "no rx bursts".
  std::string describe() const;
};

struct RingReport {
  std::string name;
  BackpressurePolicy policy = BackpressurePolicy::kBlock;
  RingCounts counts;
  bool packets = false;  // its records are whole datagrams (packet hand-off), not messages
};

struct ShardCoreReport {
  CorePlacement placement;
  uint64_t messages = 0;  // messages the shard's handler processed
  uint64_t bursts = 0;    // applies: a non-empty poll, or (direct, small rx bursts) one packet
  std::unique_ptr<LatencyHistogram> rx_to_book = std::make_unique<LatencyHistogram>();  // ns
  std::string memory;     // where the shard's pools live (NodeLocalResource::describe)
  RxBurstSizes rx_bursts;  // direct shape: the bursts this core received (else empty)
};

struct PipelineReport {
  bool direct = false;     // multi-queue: each shard core polled its own rx queue
  bool packet_handoff = false;  // the dispatch core handed datagrams to the shards whole
  double seconds = 0;      // from start() until every core stopped
  DecoderCounts decoded;   // summed over the decoding cores
  uint64_t sessions = 0;
  uint64_t end_of_sessions = 0;
  mold::RangeLog gaps, duplicates, out_of_order;
  uint64_t oversize = 0;    // messages longer than a ring record (never expected)
  uint64_t unroutable = 0;  // messages the router gave no shard
  mold::RangeLog dropped;   // sequence numbers lost to a full ring under 'drop'
  uint64_t rejected = 0;    // messages refused by a full ring under 'reject'
  // Packet hand-off: datagrams dropped (their messages in dropped) because the
  // dispatch core already held as many frames as it may while shards read them.
  uint64_t hold_full = 0;
  uint64_t hold_capacity = 0;  // packet hand-off: frames the dispatch core may hold
  std::vector<RingReport> rings;
  std::vector<ShardCoreReport> shards;
  CorePlacement dispatch;
  RxBurstSizes dispatch_rx_bursts;  // dispatch shape: the bursts the dispatch core received
  uint64_t tx_messages = 0, tx_datagrams = 0, tx_frames_refused = 0;
  std::unique_ptr<LatencyHistogram> rx_to_tx = std::make_unique<LatencyHistogram>();  // ns, per output message
  nic::PortStats port;
  std::vector<std::string> notes;

  // Messages handed to shards that never reached one (sum over rings' lost()).
  // Messages lost to a full ring: records lost on the message rings, and the messages
  // of datagrams a packet ring lost (counted by the dispatch core in dropped/rejected).
  uint64_t lost_to_backpressure() const noexcept;
  // Multi-line human-readable summary (the final stats print).
  std::string describe() const;
};

// A running pipeline as the control plane's metrics endpoint sees it: only counters
// the cores keep as atomics, read without stopping them. Any thread.
class PipelineView {
 public:
  virtual ~PipelineView() = default;
  // Prometheus text lines: per ring its records by fate (queued, taken, dropped,
  // rejected, blocked, aborted) and policy; messages per shard core; the port's
  // counters, link and extended statistics.
  virtual std::string prometheus_text() const = 0;
};

// Prometheus text lines for rings: tachyon_ring_records_total by ring, policy and fate.
// Control path.
std::string ring_prometheus(const std::vector<RingReport>& rings);

// Renders the lines PipelineView::prometheus_text() returns. Control path.
std::string pipeline_prometheus(const std::vector<RingReport>& rings, const std::vector<uint64_t>& shard_messages,
                                const nic::NicPort& port);

}  // namespace tachyon::dataplane
