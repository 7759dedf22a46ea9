// ShardPipeline: the per-core data plane. Each shard core owns a handler (its books)
// and runs rx burst (32) -> decode -> book -> encode -> tx burst, never blocking,
// locking or allocating. Two shapes:
//   dispatch  one RX queue (a pcap vdev, one socket): a dispatch core receives,
//             decodes MoldUDP64, routes each message to its shard's PolicyRing
//             (priority lane for cancels/modifies) and sends what the shards emit;
//             with packet hand-off (below) it passes each datagram whole instead;
//   direct    one RX queue per shard core (RSS or SO_REUSEPORT spreads flows): each
//             core receives, decodes, applies and sends on its own queue pair.
// Stop: request_stop() (or the end of a finite input) stops rx; the dispatch core
// closes the rings, shards drain them and close their output rings, the tx side
// drains those, flushes and ends. Nothing in flight is discarded.
//
// Template parameters (no virtual call per message):
//   Router   uint32_t route(std::span<const uint8_t> msg, Lane& lane) noexcept: the
//            shard of a message (>= shards(): unroutable, counted), lane preset normal
//   Handler  void on_message(const MessageRecord&, OutputSink&) noexcept and
//            void on_burst_end(OutputSink&) noexcept, on its shard core
//
// Packet hand-off (dispatch shape): when the port keeps received frames until they
// are released (NicPort::holds_rx: DPDK, io_uring), the Router can name a message's
// shard without changing anything (uint32_t owner(msg) const noexcept, equal to what
// route() returned for it) and the Handler takes message bytes (void on_bytes(msg,
// uint64_t rx_tsc, uint8_t origin, OutputSink&) noexcept), the dispatch core routes
// each datagram's messages but copies none of them: it hands one PacketRef per
// datagram to each shard that owns one of its messages, and that shard walks the
// blocks in the receive buffer and applies its own. The dispatch core frees a buffer
// once every shard it went to has released it. Lanes do not apply (feed mode).
// Construction, start() and wait() run on the control thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/backpressure.h"
#include "tachyon/dataplane/core_thread.h"
#include "tachyon/dataplane/cpu_relax.h"
#include "tachyon/dataplane/message_record.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/packet_decoder.h"
#include "tachyon/dataplane/pipeline_report.h"
#include "tachyon/dataplane/tsc_clock.h"
#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/udp_frame_builder.h"
#include "tachyon/book/prefetch.h"

namespace tachyon::dataplane {

struct PipelineOptions {
  uint32_t shards = 1;
  bool direct = false;                 // one rx queue per shard core, no dispatch core
  int dispatch_cpu = -1;               // -1: unpinned
  std::vector<int> shard_cpus;         // per shard; missing or -1: unpinned
  uint32_t ring_capacity = 4096;       // dispatch -> shard, normal lane (power of two)
  uint32_t priority_capacity = 1024;   // dispatch -> shard, priority lane
  uint32_t output_capacity = 4096;     // shard -> tx
  BackpressurePolicy policy = BackpressurePolicy::kBlock;
  nic::UdpFeedFilter filter{};
  nic::UdpFlow tx_flow{};              // egress datagrams' addresses
  mold::Session tx_session = mold::Session::from("TACHYON");
  bool stop_at_end = true;             // stop when a finite input (capture) is exhausted
  uint32_t idle_yield_after = 0;       // empty polls before a yield; 0: pure busy-poll
  // Direct shape: an rx burst of at most this many packets is applied, and its messages
  // stamped, packet by packet, so a lightly loaded core's first packet is not held
  // behind the rest of its burst; a larger burst (the core is behind) is applied as one
  // batch, which prefetches across packets. 0: always whole bursts.
  uint32_t per_packet_burst_max = 4;
  bool register_dpdk = true;
  // Dispatch shape: hand datagrams to the shards whole when the port, router and
  // handler allow it (see the top of this file); false: one MessageRecord per message.
  // Off by default: over net_pcap and sockets the port copies each frame into a buffer
  // on the dispatch core, and buffers a shard core has read cost that copy a transfer
  // of their lines back (README, "Packet hand-off"); a NIC that writes frames by DMA
  // does not pay it.
  bool packet_handoff = false;
  uint32_t packet_ring_capacity = 1024;  // dispatch -> shard PacketRefs (power of two)
  // Memory for the rings, one per shard (its NUMA node); empty: the default heap.
  std::vector<std::pmr::memory_resource*> ring_memory;
};

// What a shard's handler writes its output messages to (the shard's output ring).
class OutputSink {
 public:
  // drain (may be null): called while a push waits for room under the block policy;
  // a core that also sends its own output (direct shape) drains the ring there.
  explicit OutputSink(PolicyRing<MessageRecord>& ring, void (*drain)(void*) noexcept = nullptr,
                      void* ctx = nullptr) noexcept
      : ring_(ring), drain_(drain), ctx_(ctx) {}
  // Queues one output message stamped with the rx time of the input that caused it.
  // Returns the ring's outcome (a full ring follows its policy). Hot path.
  PushOutcome emit(std::span<const uint8_t> msg, uint64_t rx_tsc) noexcept {
    MessageRecord r;
    if (!r.assign(msg, rx_tsc)) [[unlikely]] {
      ++oversize_;
      return PushOutcome::kDropped;
    }
    if (drain_ == nullptr) return ring_.push(r);
    return ring_.push(r, Lane::kNormal, [this]() noexcept { drain_(ctx_); });
  }
  void publish() noexcept { ring_.publish(); }
  uint64_t oversize() const noexcept { return oversize_; }

 private:
  PolicyRing<MessageRecord>& ring_;
  void (*drain_)(void*) noexcept;
  void* ctx_;
  uint64_t oversize_ = 0;
};

// Packs output messages into MoldUDP64 datagrams, frames them and sends them in bursts
// on one tx queue. Owned by the tx core. No allocation after construction.
class TxFramer {
 public:
  TxFramer(nic::NicPort& port, uint16_t queue, const nic::UdpFlow& flow, const mold::Session& session,
           const TscClock& clock, LatencyHistogram& rx_to_tx)
      : port_(port), builder_(flow), dgram_(mold::kDefaultMaxPayload), packetizer_(dgram_, session, 1),
        frames_(nic::kBurstSize * kFrameBytes), stamps_(kMaxStamps), clock_(clock), hist_(rx_to_tx), queue_(queue) {}

  // Adds one message to the current datagram. Hot path.
  void add(const MessageRecord& r) noexcept {
    if (!packetizer_.append(r.message())) {
      end_datagram();
      packetizer_.append(r.message());
    }
    if (nstamps_ == kMaxStamps) send();
    stamps_[nstamps_++] = r.rx_tsc;
    ++messages_;
  }
  // Closes the current datagram and sends every framed one. Hot path.
  void flush() noexcept {
    end_datagram();
    send();
  }
  uint64_t messages() const noexcept { return messages_; }
  uint64_t datagrams() const noexcept { return datagrams_; }
  uint64_t refused() const noexcept { return refused_; }

 private:
  static constexpr std::size_t kFrameBytes = 1536;
  static constexpr std::size_t kMaxStamps = 4096;

  void end_datagram() noexcept {
    const std::span<const uint8_t> d = packetizer_.flush();
    if (d.empty()) return;
    if (nframes_ == nic::kBurstSize) send_frames();
    uint8_t* f = frames_.data() + nframes_ * kFrameBytes;
    const std::size_t len = builder_.build(std::span<uint8_t>(f, kFrameBytes), d, ip_id_++);
    tx_[nframes_++] = nic::TxPacket{f, static_cast<uint32_t>(len), 0};
    ++datagrams_;
  }
  void send_frames() noexcept {
    if (nframes_ == 0) return;
    const std::size_t sent = port_.tx_burst(queue_, std::span<const nic::TxPacket>(tx_.data(), nframes_));
    refused_ += nframes_ - sent;
    nframes_ = 0;
  }
  void send() noexcept {
    end_datagram();
    send_frames();
    const uint64_t now = rdtsc();
    for (std::size_t i = 0; i < nstamps_; ++i) hist_.record(clock_.to_ns(now - stamps_[i]));
    nstamps_ = 0;
  }

  nic::NicPort& port_;
  nic::UdpFrameBuilder builder_;
  std::vector<uint8_t> dgram_;
  mold::Packetizer packetizer_;
  std::vector<uint8_t> frames_;
  std::array<nic::TxPacket, nic::kBurstSize> tx_{};
  std::size_t nframes_ = 0;
  std::vector<uint64_t> stamps_;
  std::size_t nstamps_ = 0;
  const TscClock& clock_;
  LatencyHistogram& hist_;
  uint16_t queue_;
  uint16_t ip_id_ = 0;
  uint64_t messages_ = 0, datagrams_ = 0, refused_ = 0;
};

// Packet hand-off: how many received frames the dispatch core may hold at once, for
// shards packet rings of ring_capacity each, on a port that lends lendable frames
// (NicPort::rx_lendable). Twice what the rings hold (rounded up to a power of two), so
// that a ring fills (and its policy applies) before the hold list does; the hold list
// fills first only when one shard lags while frames it never saw wait behind its
// frames. Never more than the port lends less one rx burst (rounded down to a power of
// two, at least one burst), so the port never runs out of receive buffers because of
// what is held.
inline std::size_t packet_hold_capacity(uint32_t shards, uint32_t ring_capacity,
                                        uint32_t lendable = nic::NicPort::kUnbounded) noexcept {
  std::size_t cap = 1;
  while (cap < 2 * std::size_t{shards} * ring_capacity) cap <<= 1;
  if (lendable == nic::NicPort::kUnbounded) return cap;
  const std::size_t limit = lendable > 2 * nic::kBurstSize ? lendable - nic::kBurstSize : nic::kBurstSize;
  while (cap > limit) cap >>= 1;
  return cap;
}

// What packet hand-off needs of a router and a handler (see the top of this file).
template <class Router>
concept OwnerRouter = requires(const Router& r, std::span<const uint8_t> msg) {
  { r.owner(msg) } noexcept -> std::same_as<uint32_t>;
};
template <class Handler>
concept BytesHandler = requires(Handler& h, std::span<const uint8_t> msg, OutputSink& sink) {
  { h.on_bytes(msg, uint64_t{}, uint8_t{}, sink) } noexcept;
};

template <class Router, class Handler>
class ShardPipeline final : public PipelineView {
 public:
  // Takes the handlers (one per shard, already holding their books on the shard's
  // node) and sizes every ring. Throws std::invalid_argument for a shape the port
  // cannot serve (direct mode needs rx and tx queues >= shards). Control path.
  ShardPipeline(nic::NicPort& port, Router router, std::vector<std::unique_ptr<Handler>> handlers,
                const PipelineOptions& options)
      : port_(port), router_(std::move(router)), handlers_(std::move(handlers)), opt_(options),
        clock_(TscClock::calibrate(std::chrono::milliseconds(20))) {
    const uint32_t n = static_cast<uint32_t>(handlers_.size());
    if (n == 0 || n != opt_.shards)
      throw std::invalid_argument("pipeline: " + std::to_string(n) + " handlers for " + std::to_string(opt_.shards) +
                                  " shards");
    if (opt_.direct && (port_.rx_queues() < n || port_.tx_queues() < n))
      throw std::invalid_argument("pipeline: direct mode with " + std::to_string(n) + " shard cores needs as many rx "
                                  "and tx queues; the port has " + std::to_string(port_.rx_queues()) + " rx / " +
                                  std::to_string(port_.tx_queues()) + " tx");
    if constexpr (OwnerRouter<Router> && BytesHandler<Handler>)
      handoff_ = !opt_.direct && opt_.packet_handoff && port_.holds_rx();
    for (uint32_t s = 0; s < n; ++s) {
      std::pmr::memory_resource* mr =
          s < opt_.ring_memory.size() && opt_.ring_memory[s] ? opt_.ring_memory[s] : std::pmr::new_delete_resource();
      if (handoff_)
        packets_.push_back(std::make_unique<PolicyRing<PacketRef>>("dispatch->shard" + std::to_string(s) + " packets",
                                                                   opt_.policy, opt_.packet_ring_capacity, 2, mr));
      else
        in_.push_back(std::make_unique<PolicyRing<MessageRecord>>("dispatch->shard" + std::to_string(s), opt_.policy,
                                                                  opt_.ring_capacity, opt_.priority_capacity, mr));
      out_.push_back(std::make_unique<PolicyRing<MessageRecord>>("shard" + std::to_string(s) + "->tx", opt_.policy,
                                                                 opt_.output_capacity, 2, mr));
      shard_.push_back(std::make_unique<ShardState>());
      shard_.back()->decoder = PacketDecoder(opt_.filter);
    }
    if (handoff_) {
      const uint32_t lendable = port_.rx_lendable();
      const std::size_t cap = packet_hold_capacity(n, opt_.packet_ring_capacity, lendable);
      if (cap < packet_hold_capacity(n, opt_.packet_ring_capacity))
        notes_.push_back("packet hand-off: the dispatch core holds at most " + std::to_string(cap) +
                         " frames, as the port lends " + std::to_string(lendable) +
                         " receive buffers (a larger pool, e.g. nic.mbufs, lends more)");
      held_.resize(cap);
      tickets_.resize(cap * n);
      taken_.resize(n);
    }
  }
  ~ShardPipeline() override {
    request_stop();
    for (std::thread& t : threads_)
      if (t.joinable()) t.join();
  }
  ShardPipeline(const ShardPipeline&) = delete;
  ShardPipeline& operator=(const ShardPipeline&) = delete;

  // Launches the cores. Control path.
  void start() {
    start_ = std::chrono::steady_clock::now();
    cores_.value.store(opt_.shards + (opt_.direct ? 0u : 1u), std::memory_order_release);
    const uint32_t n = opt_.shards;
    for (uint32_t s = 0; s < n; ++s) {
      const int cpu = s < opt_.shard_cpus.size() ? opt_.shard_cpus[s] : -1;
      if (opt_.direct) threads_.emplace_back([this, s, cpu] { direct_core(s, cpu); });
      else threads_.emplace_back([this, s, cpu] { shard_core(s, cpu); });
    }
    if (opt_.direct) return;
    if (handoff_) threads_.emplace_back([this] { packet_dispatch_core(); });
    else threads_.emplace_back([this] { dispatch_core(); });
  }
  // Stops rx on every core; the cores then drain and end. Any thread.
  void request_stop() noexcept { stop_.value.store(true, std::memory_order_release); }
  // True once every core has ended; stays true after wait() joins them. Any thread.
  bool finished() const noexcept {
    const std::size_t cores = cores_.value.load(std::memory_order_acquire);
    return cores != 0 && done_.value.load(std::memory_order_acquire) == cores;
  }
  // Polls stop (when given) every millisecond until the cores end, then joins them and
  // returns the report. Control path.
  PipelineReport wait(const std::atomic<bool>* stop = nullptr) {
    while (!finished()) {
      if (stop && stop->load(std::memory_order_acquire)) request_stop();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    for (std::thread& t : threads_) t.join();
    threads_.clear();
    return report();
  }

  uint32_t shards() const noexcept { return opt_.shards; }
  Handler& handler(uint32_t s) noexcept { return *handlers_[s]; }
  const Handler& handler(uint32_t s) const noexcept { return *handlers_[s]; }
  Router& router() noexcept { return router_; }
  PolicyRing<MessageRecord>& ring(uint32_t s) noexcept { return *in_[s]; }
  // Whether the dispatch core hands datagrams to the shards whole (packet hand-off).
  bool packet_handoff() const noexcept { return handoff_; }
  // Live counters for the metrics endpoint (any thread).
  std::string prometheus_text() const override {
    std::vector<RingReport> rings;
    if (!opt_.direct) {
      for (const auto& r : in_) rings.push_back({r->name(), r->policy(), r->counts()});
      for (const auto& r : packets_) rings.push_back({r->name(), r->policy(), r->counts(), true});
    }
    for (const auto& r : out_) rings.push_back({r->name(), r->policy(), r->counts()});
    std::vector<uint64_t> msgs;
    for (uint32_t s = 0; s < opt_.shards; ++s) msgs.push_back(shard_messages(s));
    return pipeline_prometheus(rings, msgs, port_);
  }
  // Messages shard s has processed so far (live).
  uint64_t shard_messages(uint32_t s) const noexcept { return shard_[s]->messages.load(std::memory_order_relaxed); }

 private:
  struct alignas(kCacheLine) ShardState {
    std::atomic<uint64_t> messages{0};
    uint64_t bursts = 0;
    CorePlacement placement;
    LatencyHistogram rx_to_book;
    PacketDecoder decoder;  // direct mode
    RxBurstSizes rx_bursts;  // direct mode
    uint64_t oversize = 0;
    uint64_t tx_messages = 0, tx_datagrams = 0, tx_refused = 0;
    LatencyHistogram rx_to_tx;
  };
  struct alignas(kCacheLine) Flag {
    std::atomic<bool> value{false};
  };
  struct alignas(kCacheLine) Count {
    std::atomic<std::size_t> value{0};
  };

  void idle(uint32_t& empty) noexcept {
    if (opt_.idle_yield_after != 0 && ++empty >= opt_.idle_yield_after) {
      empty = 0;
      std::this_thread::yield();
    } else {
      cpu_relax();
    }
  }
  bool stopping() const noexcept { return stop_.value.load(std::memory_order_relaxed); }
  void ended() noexcept { done_.value.fetch_add(1, std::memory_order_acq_rel); }

  // Applies a burst of records on shard s and stamps them. Hot path.
  void apply(ShardState& st, Handler& h, OutputSink& sink, std::span<const MessageRecord> recs) noexcept {
    for (std::size_t i = 0; i < recs.size(); ++i) {
      if (i + 1 < recs.size()) book::prefetch_read(&recs[i + 1]);
      h.on_message(recs[i], sink);
    }
    h.on_burst_end(sink);
    const uint64_t now = rdtsc();
    for (const MessageRecord& r : recs) st.rx_to_book.record(clock_.to_ns(now - r.rx_tsc));
    sink.publish();
    ++st.bursts;
    st.messages.store(st.messages.load(std::memory_order_relaxed) + recs.size(), std::memory_order_relaxed);
  }

  // The shard of msg (the router may bind its symbol), or kNoShard after counting it
  // unroutable (no shard below shards) or oversize (more than a record holds; packet
  // hand-off skips these too, so both shapes apply the same messages). Dispatch core.
  static constexpr uint32_t kNoShard = UINT32_MAX;
  uint32_t route_to_shard(std::span<const uint8_t> msg, Lane& lane, std::size_t shards) noexcept {
    const uint32_t s = router_.route(msg, lane);
    if (s >= shards) [[unlikely]] {
      ++unroutable_;
      return kNoShard;
    }
    if (msg.size() > MessageRecord::kMaxBytes) [[unlikely]] {
      ++oversize_;
      return kNoShard;
    }
    return s;
  }

  // Dispatch core: rx queue 0 -> decode -> route -> shard rings; shard outputs -> tx
  // queue 0.
  void dispatch_core() noexcept {
    dispatch_placement_ = enter_core("dispatch", opt_.dispatch_cpu, opt_.register_dpdk);
    TxFramer tx(port_, 0, opt_.tx_flow, opt_.tx_session, clock_, dispatch_rx_to_tx_);
    std::array<nic::RxPacket, nic::kBurstSize> pkts;
    std::array<MessageRecord, nic::kBurstSize> outs;
    uint32_t empty = 0;
    const auto route = [&](std::span<const uint8_t> msg, uint64_t seq, uint8_t session, uint64_t tsc) noexcept {
      Lane lane = Lane::kNormal;
      const uint32_t s = route_to_shard(msg, lane, in_.size());
      if (s == kNoShard) [[unlikely]]
        return;
      // The record is written straight into its ring slot. While a shard ring is full
      // (block), keep sending what the shards emit: a shard waiting on its full output
      // ring would otherwise never make room.
      const PushOutcome o = in_[s]->push_in_place(
          lane, [&](MessageRecord& r) noexcept { r.assign(msg, tsc, session); },
          [&]() noexcept {
            if (!drain_outputs(tx, outs)) cpu_relax();
          });
      if (o == PushOutcome::kDropped || o == PushOutcome::kAborted) [[unlikely]]
        dropped_.add(mold::SeqRange{seq, seq}, 1);
      else if (o == PushOutcome::kRejected) [[unlikely]]
        ++rejected_;
    };
    while (!stopping()) {
      const std::size_t n = port_.rx_burst(0, pkts);
      if (n != 0) {
        empty = 0;
        dispatch_rx_bursts_.record(n);
        for (std::size_t i = 0; i < n; ++i) {
          if (i + 1 < n) {
            book::prefetch_read(pkts[i + 1].data);
            book::prefetch_read(pkts[i + 1].data + 64);
          }
          const uint64_t tsc = pkts[i].rx_tsc;
          decoder_.decode(pkts[i], [&](std::span<const uint8_t> m, uint64_t seq, uint8_t si) noexcept {
            route(m, seq, si, tsc);
          });
        }
        port_.release(0, std::span<const nic::RxPacket>(pkts.data(), n));
        for (auto& r : in_) r->publish();
      } else if (opt_.stop_at_end && port_.at_end()) {
        break;
      }
      const bool sent = drain_outputs(tx, outs);
      if (n == 0 && !sent) idle(empty);
    }
    for (auto& r : in_) r->close();
    // Shards drain their rings and close their outputs; send everything they emit.
    for (;;) {
      bool all_closed = true;
      for (auto& o : out_) all_closed = all_closed && o->closed();
      const bool sent = drain_outputs(tx, outs);
      if (all_closed && !drain_outputs(tx, outs) && !sent) break;
      if (!sent) cpu_relax();
    }
    tx.flush();
    port_.flush_tx(0);
    dispatch_tx_ = {tx.messages(), tx.datagrams(), tx.refused()};
    leave_core(dispatch_placement_);
    ended();
  }

  // Moves every shard's pending output into the framer and sends it. Returns whether
  // anything was sent. Hot path.
  bool drain_outputs(TxFramer& tx, std::array<MessageRecord, nic::kBurstSize>& buf) noexcept {
    bool any = false;
    for (auto& o : out_) {
      std::size_t k;
      while ((k = o->pop_n(buf)) != 0) {
        any = true;
        for (std::size_t i = 0; i < k; ++i) tx.add(buf[i]);
      }
    }
    if (any) tx.flush();
    return any;
  }

  // Shard core (dispatch shape): its ring (records, or PacketRefs with packet hand-off)
  // -> handler; output to its output ring.
  void shard_core(uint32_t s, int cpu) noexcept {
    if (handoff_) {
      if constexpr (OwnerRouter<Router> && BytesHandler<Handler>)
        shard_loop(s, cpu, *packets_[s], [&](ShardState& st, Handler& h, OutputSink& sink, auto batch) noexcept {
          apply_packets(s, st, h, sink, batch);
        });
      return;
    }
    shard_loop(s, cpu, *in_[s], [&](ShardState& st, Handler& h, OutputSink& sink, auto batch) noexcept {
      apply(st, h, sink, batch);
    });
  }
  // The shard core's loop over ring in: apply_batch(st, h, sink, batch) reads each
  // batch in its ring slots (and, with packet hand-off, the frames they point to);
  // the slots are freed after it (and the dispatch core may then free the frames).
  template <class T, class ApplyBatch>
  void shard_loop(uint32_t s, int cpu, PolicyRing<T>& in, ApplyBatch&& apply_batch) noexcept {
    ShardState& st = *shard_[s];
    st.placement = enter_core("shard " + std::to_string(s), cpu, opt_.register_dpdk);
    OutputSink sink(*out_[s]);
    Handler& h = *handlers_[s];
    uint32_t empty = 0;
    for (;;) {
      std::span<const T> batch = in.peek(nic::kBurstSize);
      if (batch.empty()) {
        if (!in.closed()) {
          idle(empty);
          continue;
        }
        batch = in.peek(nic::kBurstSize);  // published before close(): the last records
        if (batch.empty()) break;
      }
      empty = 0;
      apply_batch(st, h, sink, batch);
      in.release(batch.size());
    }
    h.on_burst_end(sink);
    st.oversize = sink.oversize();
    out_[s]->close();
    leave_core(st.placement);
    ended();
  }

  // --- packet hand-off ----------------------------------------------------------

  // Frees, in rx order, the held frames every packet ring has taken; all of them when
  // all is set (the shards have ended). Returns whether any was freed. Dispatch core.
  bool reclaim(bool all = false) noexcept {
    if (held_head_ == held_tail_) return false;
    const std::size_t n = packets_.size();
    const uint64_t mask = held_.size() - 1;
    for (std::size_t s = 0; s < n; ++s) taken_[s] = packets_[s]->lanes().normal_taken();
    std::array<nic::RxPacket, nic::kBurstSize> done;
    std::size_t k = 0;
    const uint64_t first = held_head_;
    while (held_head_ != held_tail_) {
      const uint64_t slot = held_head_ & mask;
      if (!all) {
        const uint64_t* t = &tickets_[slot * n];
        bool free = true;
        for (std::size_t s = 0; s < n; ++s) free = free && t[s] <= taken_[s];
        if (!free) break;
      }
      const nic::RxPacket& f = held_[slot];
      // The port reuses this buffer soon, copying a frame into it on this core (a
      // software port) while a shard core may still hold its lines: ask for them back
      // now, so that copy does not wait on the other core (measured: the dispatch core
      // ran 16 % faster over net_pcap with this).
      const uintptr_t end = reinterpret_cast<uintptr_t>(f.data) + f.length;
      for (uintptr_t l = reinterpret_cast<uintptr_t>(f.data) & ~uintptr_t{kCacheLine - 1}; l < end; l += kCacheLine)
        book::prefetch_write(reinterpret_cast<const void*>(l));
      done[k++] = f;
      ++held_head_;
      if (k == done.size()) {
        port_.release(0, std::span<const nic::RxPacket>(done.data(), k));
        k = 0;
      }
    }
    if (k) port_.release(0, std::span<const nic::RxPacket>(done.data(), k));
    return held_head_ != first;
  }

  // Dispatch core with packet hand-off: rx queue 0 -> decode -> route each message
  // (binding new symbols) -> one PacketRef per datagram to each shard owning one of
  // its messages; frames are held until those shards have released them. Shard
  // outputs -> tx queue 0.
  void packet_dispatch_core() noexcept {
    dispatch_placement_ = enter_core("dispatch", opt_.dispatch_cpu, opt_.register_dpdk);
    TxFramer tx(port_, 0, opt_.tx_flow, opt_.tx_session, clock_, dispatch_rx_to_tx_);
    std::array<nic::RxPacket, nic::kBurstSize> pkts;
    std::array<nic::RxPacket, nic::kBurstSize> unheld;
    std::array<MessageRecord, nic::kBurstSize> outs;
    const std::size_t nshards = packets_.size();
    const uint64_t hold_mask = held_.size() - 1;
    // Per datagram: the shards that own one of its messages, and how many each owns.
    std::vector<uint32_t> touched(nshards), count(nshards, 0);
    uint32_t empty = 0;
    // While a ring or the hold list is full (block), keep sending what the shards emit
    // and freeing what they have released.
    const auto wait = [&]() noexcept {
      const bool sent = drain_outputs(tx, outs);
      if (!reclaim() && !sent) cpu_relax();
    };
    while (!stopping()) {
      const std::size_t n = port_.rx_burst(0, pkts);
      if (n != 0) {
        empty = 0;
        dispatch_rx_bursts_.record(n);
        std::size_t nu = 0;
        for (std::size_t i = 0; i < n; ++i) {
          if (i + 1 < n) {
            book::prefetch_read(pkts[i + 1].data);
            book::prefetch_read(pkts[i + 1].data + 64);
          }
          bool held = false;
          decoder_.decode_packet(pkts[i], [&](const mold::Packet& p, uint16_t skip, uint8_t si) noexcept {
            const uint8_t* b = p.blocks.data();
            for (uint16_t j = 0; j < skip; ++j) b += 2 + load_be16(b);
            PacketRef ref;
            ref.blocks = b;
            ref.rx_tsc = pkts[i].rx_tsc;
            ref.messages = static_cast<uint16_t>(p.header.messages() - skip);
            ref.origin = si;
            // Route every message (the router binds symbols seen for the first time)
            // and count each shard's share of the datagram.
            std::size_t nt = 0;
            ref.for_each([&](std::span<const uint8_t> msg) noexcept {
              Lane lane = Lane::kNormal;
              const uint32_t s = route_to_shard(msg, lane, nshards);
              if (s == kNoShard) [[unlikely]]
                return;
              if (count[s]++ == 0) touched[nt++] = s;
            });
            if (nt == 0) [[unlikely]]
              return;
            const uint64_t first = p.header.sequence + skip;
            const mold::SeqRange range{first, first + ref.messages - 1};
            if (held_tail_ - held_head_ == held_.size() && opt_.policy == BackpressurePolicy::kBlock) [[unlikely]] {
              // The shards must see what is staged, or they never release a frame.
              for (auto& r : packets_) r->publish();
              while (held_tail_ - held_head_ == held_.size()) wait();
            }
            const bool room = held_tail_ - held_head_ < held_.size();
            if (!room) [[unlikely]]
              ++hold_full_;
            for (std::size_t t = 0; t < nt; ++t) {
              const uint32_t s = touched[t];
              const uint32_t c = count[s];
              count[s] = 0;
              const PushOutcome o = room ? packets_[s]->push(ref, Lane::kNormal, wait) : PushOutcome::kDropped;
              if (o == PushOutcome::kQueued) [[likely]]
                held = true;
              else if (o == PushOutcome::kRejected)
                rejected_ += c;
              else
                dropped_.add(range, c);
            }
            if (!held) return;
            const uint64_t slot = held_tail_++ & hold_mask;
            held_[slot] = pkts[i];
            uint64_t* t = &tickets_[slot * nshards];
            for (std::size_t s = 0; s < nshards; ++s) t[s] = packets_[s]->lanes().normal_staged();
          });
          if (!held) unheld[nu++] = pkts[i];
        }
        if (nu) port_.release(0, std::span<const nic::RxPacket>(unheld.data(), nu));
        for (auto& r : packets_) r->publish();
      } else if (opt_.stop_at_end && port_.at_end()) {
        break;
      }
      const bool freed = reclaim();
      const bool sent = drain_outputs(tx, outs);
      if (n == 0 && !sent && !freed) idle(empty);
    }
    for (auto& r : packets_) r->close();
    // Shards drain their rings and close their outputs; send everything they emit.
    for (;;) {
      bool all_closed = true;
      for (auto& o : out_) all_closed = all_closed && o->closed();
      const bool sent = drain_outputs(tx, outs);
      reclaim();
      if (all_closed && !drain_outputs(tx, outs) && !sent) break;
      if (!sent) cpu_relax();
    }
    reclaim(true);  // every shard has ended: nothing is referenced any more
    tx.flush();
    port_.flush_tx(0);
    dispatch_tx_ = {tx.messages(), tx.datagrams(), tx.refused()};
    leave_core(dispatch_placement_);
    ended();
  }

  // Applies a burst of PacketRefs on shard s: the messages s owns, in order, then
  // stamps them. Hot path.
  void apply_packets(uint32_t s, ShardState& st, Handler& h, OutputSink& sink,
                     std::span<const PacketRef> refs) noexcept {
    std::array<uint16_t, nic::kBurstSize> mine;
    uint64_t applied = 0;
    for (std::size_t i = 0; i < refs.size(); ++i) {
      if (i + 1 < refs.size()) {
        book::prefetch_read(refs[i + 1].blocks);
        book::prefetch_read(refs[i + 1].blocks + 64);
      }
      const PacketRef& r = refs[i];
      uint16_t k = 0;
      r.for_each([&](std::span<const uint8_t> msg) noexcept {
        if (msg.size() > MessageRecord::kMaxBytes || router_.owner(msg) != s) return;
        h.on_bytes(msg, r.rx_tsc, r.origin, sink);
        ++k;
      });
      mine[i] = k;
      applied += k;
    }
    h.on_burst_end(sink);
    const uint64_t now = rdtsc();
    for (std::size_t i = 0; i < refs.size(); ++i) {
      const uint64_t ns = clock_.to_ns(now - refs[i].rx_tsc);
      for (uint16_t k = 0; k < mine[i]; ++k) st.rx_to_book.record(ns);
    }
    sink.publish();
    ++st.bursts;
    st.messages.store(st.messages.load(std::memory_order_relaxed) + applied, std::memory_order_relaxed);
  }

  // Shard core (direct shape): its own rx queue -> decode -> handler -> its tx queue.
  void direct_core(uint32_t s, int cpu) noexcept {
    ShardState& st = *shard_[s];
    st.placement = enter_core("shard " + std::to_string(s), cpu, opt_.register_dpdk);
    const auto q = static_cast<uint16_t>(s);
    Handler& h = *handlers_[s];
    TxFramer tx(port_, q, opt_.tx_flow, opt_.tx_session, clock_, st.rx_to_tx);
    // This core is the consumer of its own output ring: a push that finds it full (block)
    // sends what is queued, then retries.
    struct SelfDrain {
      PolicyRing<MessageRecord>* ring;
      TxFramer* tx;
      static void run(void* p) noexcept {
        auto* d = static_cast<SelfDrain*>(p);
        d->ring->publish();
        std::array<MessageRecord, nic::kBurstSize> buf;
        std::size_t m;
        while ((m = d->ring->pop_n(buf)) != 0)
          for (std::size_t i = 0; i < m; ++i) d->tx->add(buf[i]);
        d->tx->flush();
      }
    } self{out_[s].get(), &tx};
    OutputSink sink(*out_[s], &SelfDrain::run, &self);
    std::array<nic::RxPacket, nic::kBurstSize> pkts;
    std::array<MessageRecord, nic::kBurstSize> recs;
    std::array<MessageRecord, nic::kBurstSize> outs;
    uint32_t empty = 0;
    std::size_t k = 0;
    const auto flush_recs = [&]() noexcept {
      if (k == 0) return;
      apply(st, h, sink, std::span<const MessageRecord>(recs.data(), k));
      k = 0;
    };
    PolicyRing<MessageRecord>& out = *out_[s];
    const auto send_outputs = [&]() noexcept {
      std::size_t m;
      bool any = false;
      while ((m = out.pop_n(outs)) != 0) {
        any = true;
        for (std::size_t i = 0; i < m; ++i) tx.add(outs[i]);
      }
      if (any) tx.flush();
      return any;
    };
    while (!stopping()) {
      const std::size_t n = port_.rx_burst(q, pkts);
      if (n != 0) {
        empty = 0;
        st.rx_bursts.record(n);
        const bool per_packet = n <= opt_.per_packet_burst_max;
        for (std::size_t i = 0; i < n; ++i) {
          if (i + 1 < n) book::prefetch_read(pkts[i + 1].data);
          const uint64_t tsc = pkts[i].rx_tsc;
          st.decoder.decode(pkts[i], [&](std::span<const uint8_t> m, uint64_t, uint8_t si) noexcept {
            if (k == recs.size()) flush_recs();
            if (!recs[k].assign(m, tsc, si)) [[unlikely]] {
              ++st.oversize;
              return;
            }
            ++k;
          });
          if (per_packet) flush_recs();
        }
        flush_recs();
        port_.release(q, std::span<const nic::RxPacket>(pkts.data(), n));
      } else if (opt_.stop_at_end && port_.at_end()) {
        break;
      }
      const bool sent = send_outputs();
      if (n == 0 && !sent) idle(empty);
    }
    h.on_burst_end(sink);
    sink.publish();
    send_outputs();
    tx.flush();
    port_.flush_tx(q);
    out.close();
    st.tx_messages = tx.messages();
    st.tx_datagrams = tx.datagrams();
    st.tx_refused = tx.refused();
    leave_core(st.placement);
    ended();
  }

  PipelineReport report() {
    PipelineReport r;
    r.direct = opt_.direct;
    r.packet_handoff = handoff_;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::vector<const PacketDecoder*> decoders;
    if (opt_.direct) {
      for (auto& st : shard_) decoders.push_back(&st->decoder);
    } else {
      decoders.push_back(&decoder_);
    }
    for (const PacketDecoder* d : decoders) {
      const DecoderCounts& c = d->counts();
      r.decoded.packets += c.packets;
      r.decoded.bytes += c.bytes;
      r.decoded.bad_frames += c.bad_frames;
      r.decoded.filtered += c.filtered;
      r.decoded.bad_datagrams += c.bad_datagrams;
      r.decoded.too_many_sessions += c.too_many_sessions;
      r.decoded.messages += c.messages;
      r.decoded.heartbeats += c.heartbeats;
      r.sessions += d->sessions();
      for (std::size_t i = 0; i < d->sessions(); ++i) {
        merge_log(r.gaps, d->tracker(i).gaps());
        merge_log(r.duplicates, d->tracker(i).duplicates());
        merge_log(r.out_of_order, d->tracker(i).out_of_order());
        r.end_of_sessions += d->tracker(i).ended() ? 1 : 0;
      }
    }
    r.oversize = oversize_;
    r.unroutable = unroutable_;
    r.dropped = dropped_;
    r.rejected = rejected_;
    r.hold_full = hold_full_;
    r.hold_capacity = held_.size();
    r.notes.insert(r.notes.end(), notes_.begin(), notes_.end());
    if (!opt_.direct) {
      for (auto& ring : in_) r.rings.push_back({ring->name(), ring->policy(), ring->counts()});
      for (auto& ring : packets_) r.rings.push_back({ring->name(), ring->policy(), ring->counts(), true});
    }
    for (auto& ring : out_) r.rings.push_back({ring->name(), ring->policy(), ring->counts()});
    r.dispatch = dispatch_placement_;
    r.dispatch_rx_bursts = dispatch_rx_bursts_;
    r.tx_messages = dispatch_tx_[0];
    r.tx_datagrams = dispatch_tx_[1];
    r.tx_frames_refused = dispatch_tx_[2];
    r.rx_to_tx->merge(dispatch_rx_to_tx_);
    for (auto& st : shard_) {
      ShardCoreReport sr;
      sr.placement = st->placement;
      sr.messages = st->messages.load();
      sr.bursts = st->bursts;
      sr.rx_to_book->merge(st->rx_to_book);
      sr.rx_bursts = st->rx_bursts;
      r.oversize += st->oversize;
      r.tx_messages += st->tx_messages;
      r.tx_datagrams += st->tx_datagrams;
      r.tx_frames_refused += st->tx_refused;
      r.rx_to_tx->merge(st->rx_to_tx);
      r.shards.push_back(std::move(sr));
    }
    r.port = port_.stats();
    return r;
  }

  static void merge_log(mold::RangeLog& into, const mold::RangeLog& from) noexcept {
    if (from.events == 0) return;
    if (into.events == 0) into.first = from.first;
    into.last = from.last;
    into.events += from.events;
    into.messages += from.messages;
  }

  nic::NicPort& port_;
  Router router_;
  std::vector<std::unique_ptr<Handler>> handlers_;
  PipelineOptions opt_;
  TscClock clock_;
  std::vector<std::unique_ptr<PolicyRing<MessageRecord>>> in_;
  std::vector<std::unique_ptr<PolicyRing<MessageRecord>>> out_;
  std::vector<std::unique_ptr<PolicyRing<PacketRef>>> packets_;  // packet hand-off
  bool handoff_ = false;
  // Packet hand-off, dispatch core: received frames still referenced by a shard, in rx
  // order, each with the normal_staged() of every packet ring after its pushes (its
  // tickets: it is free once every ring has taken that many).
  std::vector<nic::RxPacket> held_;
  std::vector<uint64_t> tickets_;
  uint64_t held_head_ = 0, held_tail_ = 0;
  std::vector<uint64_t> taken_;  // reclaim()'s snapshot of each packet ring's taken count
  std::vector<std::unique_ptr<ShardState>> shard_;
  std::vector<std::thread> threads_;
  std::chrono::steady_clock::time_point start_;
  // Dispatch core's own state (written by it; read after join).
  PacketDecoder decoder_{opt_.filter};
  uint64_t oversize_ = 0, unroutable_ = 0, rejected_ = 0;
  uint64_t hold_full_ = 0;  // packet hand-off: datagrams dropped with the hold list full
  std::vector<std::string> notes_;  // for the report, from construction
  mold::RangeLog dropped_;
  CorePlacement dispatch_placement_;
  std::array<uint64_t, 3> dispatch_tx_{};
  LatencyHistogram dispatch_rx_to_tx_;
  RxBurstSizes dispatch_rx_bursts_;
  Flag stop_;
  Count cores_;  // cores start() launched
  Count done_;
};

}  // namespace tachyon::dataplane
