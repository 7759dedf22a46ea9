// Match-mode replay loop: OUCH 4.2 order entry in MoldUDP64 datagrams from a capture,
// matched by price-time priority; OUCH replies and ITCH market data optionally written
// to a capture. Runs on the replay thread.
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/backpressure.h"
#include "tachyon/dataplane/cpu_pinning.h"
#include "tachyon/dataplane/cpu_relax.h"
#include "tachyon/dataplane/huge_page_resource.h"
#include "tachyon/dataplane/internal/packet_source.h"
#include "tachyon/dataplane/internal/replay_meter.h"
#include "tachyon/dataplane/internal/replay_modes.h"
#include "tachyon/dataplane/internal/session_table.h"
#include "tachyon/dataplane/itch_publisher.h"
#include "tachyon/dataplane/match_endpoints.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/ouch_gateway.h"
#include "tachyon/dataplane/state_codec.h"
#include "tachyon/dataplane/tsc_clock.h"
#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/pcap_writer.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::dataplane::internal {

namespace {

constexpr uint32_t kMaxClients = 64;

// Writes replies (one flow per client) and market data (one multicast flow) into one
// capture, in the order the core produced them. Without a path it only counts. With a
// journal, every datagram is journaled first and held until its record is durable
// (an acknowledgement never leaves before its event is in the journal); while muted
// (re-applying the journal in a recovery) datagrams were already sent and are dropped.
class OutCapture {
 public:
  static constexpr uint32_t kMarketDataStream = 0xFFFF;

  // port: send through this NIC port's tx queue 0 instead of writing path (--nic dpdk:
  // the net_pcap vdev writes the capture; the frames are the same bytes).
  OutCapture(const std::string& path, JournalRing* journal, nic::NicPort* port = nullptr)
      : journal_(journal), port_(port) {
    if (port_ != nullptr) {
      md_builder_ = std::make_unique<nic::UdpFrameBuilder>(market_data_flow());
      frame_.resize(nic::kMaxUdpPayload + 64);
    } else if (!path.empty()) {
      try {
        // A recovering run keeps writing after what the interrupted run wrote.
        writer_ = std::make_unique<nic::PcapWriter>(path, market_data_flow());
      } catch (const nic::CaptureError& e) {
        throw ReplayError(e.what());
      }
      frame_.resize(nic::kMaxUdpPayload + 64);
    }
    if (journal_) held_.resize(kHeld);
  }

  // Registers the flow back to a client that wrote from src:src_port to dst:dst_port.
  void add_client(uint32_t client, nic::Ipv4Address src, uint16_t src_port, nic::Ipv4Address dst,
                  uint16_t dst_port) {
    if (!writer_ && !port_) return;
    nic::UdpFlow f;
    f.src_ip = dst;
    f.src_port = dst_port;
    f.dst_ip = src;
    f.dst_port = src_port;
    f.src_mac = kApplianceMac;
    f.dst_mac = nic::MacAddress{{0x02, 0x00, 0x00, 0x00, 0x01, static_cast<uint8_t>(client)}};
    if (clients_.size() <= client) clients_.resize(client + 1);
    clients_[client] = std::make_unique<nic::UdpFrameBuilder>(f);
    if (ip_ids_.size() <= client) ip_ids_.resize(client + 1, 0);
  }

  void mute(bool on) noexcept { muted_ = on; }

  // Market data from the ItchPublisher.
  void on_datagram(std::span<const uint8_t> d, uint64_t ts_ns) noexcept { send(kMarketDataStream, d, ts_ns); }
  // Replies from the OuchGateway.
  void on_reply(uint32_t client, std::span<const uint8_t> d, uint64_t ts_ns) noexcept { send(client, d, ts_ns); }

  // Sends the held datagrams the journal has made durable (all of them with wait).
  void release(bool wait) noexcept {
    while (held_count_ > 0) {
      Held& h = held_[held_head_];
      if (journal_->durable_seq() < h.seq) {
        if (!wait || journal_->failed()) return;
        journal_->publish();
        cpu_relax();
        continue;
      }
      emit(h.stream, std::span<const uint8_t>(h.bytes, h.size), h.ts_ns);
      journal_->note_released(h.seq);
      held_head_ = (held_head_ + 1) % kHeld;
      --held_count_;
    }
  }

  void close() {
    if (journal_) {
      journal_->sync();
      release(true);
    }
    if (port_) port_->flush_tx(0);
    if (!writer_) return;
    try {
      writer_->close();
    } catch (const nic::CaptureError& e) {
      throw ReplayError(e.what());
    }
  }

  uint64_t packets() const noexcept { return packets_; }
  uint64_t write_errors() const noexcept { return write_errors_; }
  uint64_t journaled() const noexcept { return journaled_; }

 private:
  static constexpr nic::MacAddress kApplianceMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x64}};
  static constexpr std::size_t kHeld = kMaxHeldDatagrams;
  struct Held {
    uint64_t seq;
    uint64_t ts_ns;
    uint32_t stream;
    uint32_t size;
    uint8_t bytes[nic::kMaxUdpPayload];
  };

  static nic::UdpFlow market_data_flow() {
    nic::UdpFlow f;
    f.src_mac = kApplianceMac;
    f.src_ip = kApplianceAddress;
    f.src_port = kMarketDataSourcePort;
    f.dst_ip = kMarketDataGroup;
    f.dst_port = kMarketDataPort;
    return f;
  }

  void send(uint32_t stream, std::span<const uint8_t> d, uint64_t ts_ns) noexcept {
    if (muted_) return;
    if (!journal_) return emit(stream, d, ts_ns);
    const uint64_t seq = journal_->append(journal::RecordType::kOutcome, stream, {}, d);
    ++journaled_;
    if (held_count_ == kHeld) release(true);  // never more than kHeld datagrams waiting
    Held& h = held_[(held_head_ + held_count_) % kHeld];
    h.seq = seq;
    h.ts_ns = ts_ns;
    h.stream = stream;
    h.size = static_cast<uint32_t>(d.size());
    std::memcpy(h.bytes, d.data(), d.size());
    ++held_count_;
  }

  void emit(uint32_t stream, std::span<const uint8_t> d, uint64_t ts_ns) noexcept {
    ++packets_;
    if (port_) return transmit(stream, d, ts_ns);
    if (!writer_) return;
    if (stream == kMarketDataStream) {
      if (writer_->write_datagram(ts_ns, d) != nic::WriteStatus::kOk) ++write_errors_;
      return;
    }
    const std::size_t n = clients_[stream]->build(frame_, d, ip_ids_[stream]++);
    if (n == 0 || writer_->write_frame(ts_ns, std::span<const uint8_t>(frame_.data(), n)) != nic::WriteStatus::kOk)
      ++write_errors_;
  }

  // The same frames PcapWriter would write (market data: the builder and IPv4 ids it
  // uses), handed to the port one by one.
  void transmit(uint32_t stream, std::span<const uint8_t> d, uint64_t ts_ns) noexcept {
    const std::size_t n = stream == kMarketDataStream ? md_builder_->build(frame_, d, md_ip_id_++)
                                                      : clients_[stream]->build(frame_, d, ip_ids_[stream]++);
    const nic::TxPacket t{frame_.data(), static_cast<uint32_t>(n), ts_ns};
    if (n == 0 || port_->tx_burst(0, std::span<const nic::TxPacket>(&t, 1)) != 1) ++write_errors_;
  }

  JournalRing* journal_;
  nic::NicPort* port_ = nullptr;
  std::unique_ptr<nic::UdpFrameBuilder> md_builder_;
  uint16_t md_ip_id_ = 0;
  std::unique_ptr<nic::PcapWriter> writer_;
  std::vector<std::unique_ptr<nic::UdpFrameBuilder>> clients_;
  std::vector<uint16_t> ip_ids_;
  std::vector<uint8_t> frame_;
  std::vector<Held> held_;
  std::size_t held_head_ = 0, held_count_ = 0;
  bool muted_ = false;
  uint64_t packets_ = 0;
  uint64_t write_errors_ = 0;
  uint64_t journaled_ = 0;
};

// Market data for the publisher, counted by symbol on the way (profiling).
struct CountingMarketData {
  ItchPublisher<OutCapture>& publisher;
  SymbolCounters* symbols;  // null without probes
  void on_symbol(uint32_t symbol, const Stock& name) {
    if (symbols) symbols->set_name(symbol, name.trimmed());
    publisher.on_symbol(symbol, name);
  }
  void on_event(const book::Event& e) noexcept {
    if (symbols) symbols->on_event(e);
    publisher.on_event(e);
  }
};

// The order-entry clients seen so far, by source address and port.
struct ClientTable {
  struct Entry {
    nic::Ipv4Address ip;
    uint16_t port;
  };
  std::vector<Entry> entries;

  // Returns the client index of (ip, port), adding it; kMaxClients when full. Also
  // reports whether it is new.
  uint32_t find(nic::Ipv4Address ip, uint16_t port, bool& added) {
    added = false;
    for (uint32_t i = 0; i < entries.size(); ++i)
      if (entries[i].ip == ip && entries[i].port == port) return i;
    if (entries.size() == kMaxClients) return kMaxClients;
    entries.push_back(Entry{ip, port});
    added = true;
    return static_cast<uint32_t>(entries.size() - 1);
  }
};

// One inbound OUCH message on its way from the gateway core to the matching core (two
// cores): the message's bytes and where it came from. Two cache lines.
struct alignas(kCacheLine) EntryRecord {
  // Longer than any inbound OUCH 4.2 message (49 bytes at most). A longer one keeps
  // its first kMaxMessage bytes and its length: it fails to decode as it would whole
  // (every type has a fixed length), and the report names its real length.
  static constexpr std::size_t kMaxMessage = 80;
  uint64_t rx_tsc;   // when the gateway core had its packet (latency runs from here)
  uint64_t ts_ns;    // its capture time
  uint64_t seq;      // MoldUDP64 sequence number
  uint64_t packet;   // capture record number and offset, for problem reports
  uint64_t offset;
  uint32_t client;
  uint16_t length;   // the message's length (may exceed kMaxMessage)
  uint8_t refused;   // the input ring was full: answer it busy without processing
  uint8_t last;      // the packet's last message: flush the replies after it
  uint8_t msg[kMaxMessage];

  std::span<const uint8_t> bytes() const noexcept {
    return {msg, std::min<std::size_t>(length, kMaxMessage)};
  }
};
static_assert(sizeof(EntryRecord) == 2 * kCacheLine);

// Clamps an exact P&L to the int64 range of the published gauges (about $922 trillion
// in Price(4) x shares: only reachable with absurd limits, and then pinned, not wrapped).
int64_t saturate64(Int128 v) noexcept {
  if (v > INT64_MAX) return INT64_MAX;
  if (v < INT64_MIN) return INT64_MIN;
  return static_cast<int64_t>(v);
}

// Classifies an inbound OUCH message: O add, X cancel, U modify; O or U that traded is
// a match.
ProbeOp ouch_probe_op(std::span<const uint8_t> msg, bool traded) noexcept {
  if (msg.empty()) return ProbeOp::kOther;
  switch (msg[0]) {
    case 'O': return traded ? ProbeOp::kMatch : ProbeOp::kAdd;
    case 'U': return traded ? ProbeOp::kMatch : ProbeOp::kModify;
    case 'X': return ProbeOp::kCancel;
    default: return ProbeOp::kOther;
  }
}

}  // namespace

namespace {

constexpr uint32_t kStateMagic = 0x54534e50;  // "PNST"

// One match-mode replay: the engine (book, gateway, publisher, sessions) plus the
// journal, snapshots, operator commands and recovery around it.
class MatchRun {
 public:
  MatchRun(const ReplayOptions& opt, ReplaySummary& sum, const std::vector<Stock>& stocks, nic::NicPort* port)
      : opt_(opt),
        sum_(sum),
        dur_(opt.durability),
        shard_(std::make_shared<book::BookShard>(opt.book, &HugePageResource::shared())),
        out_(opt.out_path, dur_.journal, port),
        publisher_(mold::Session::from(kMarketDataSession), stocks, opt.book.max_orders, out_),
        symbol_counters_(opt.probes ? &opt.probes->symbols() : nullptr),
        md_{publisher_, symbol_counters_},
        own_breakers_(opt.breakers ? nullptr : std::make_unique<CircuitBreakers>(shard_->symbols(), opt.breaker)),
        breakers_(opt.breakers ? opt.breakers : own_breakers_.get()),
        gateway_(*shard_, stocks, stocks.empty(), kMaxClients, &opt.risk, out_, md_, breakers_),
        trackers_(kMaxClients),
        resume_after_(kMaxClients, 0),
        applied_seq_(kMaxClients, 0) {
    breakers_->set_limits(opt.breaker);
    if (symbol_counters_)
      for (std::size_t s = 0; s < stocks.size(); ++s)
        symbol_counters_->set_name(static_cast<uint32_t>(s), stocks[s].trimmed());
  }

  // Loads the snapshot and re-applies the journal records after it, without sending
  // anything again (the interrupted run sent it).
  void recover(const RecoveryPlan& plan) {
    out_.mute(true);
    if (!plan.snapshot.empty()) {
      load_state(plan.snapshot);
      sum_.resumed_from_seq = plan.snapshot_seq;
    }
    for (const RecoveryPlan::Record& r : plan.records) {
      const bool refused = r.type == journal::RecordType::kRefused;
      if ((r.type == journal::RecordType::kInput || refused) && r.payload.size() >= sizeof(journal::InputPrefix)) {
        journal::InputPrefix pre;
        std::memcpy(&pre, r.payload.data(), sizeof pre);
        set_time(pre.capture_ns);
        const std::span<const uint8_t> msg(r.payload.data() + sizeof pre, r.payload.size() - sizeof pre);
        // A refusal is answered again (muted), so the reply sequence numbers match.
        if (refused) refuse(r.stream, pre.stream_seq, msg, /*journal=*/false);
        else process(r.stream, pre.stream_seq, msg, /*journal=*/false);
        end_packet();
        resume_after_[r.stream] = std::max(resume_after_[r.stream], pre.stream_seq);
      } else if (r.type == journal::RecordType::kCommand && r.payload.size() >= EngineCommand::kJournalBytes) {
        EngineCommand c;
        std::memcpy(&c, r.payload.data(), EngineCommand::kJournalBytes);
        if (c.kind == EngineCommand::kLimits && r.payload.size() == EngineCommand::kJournalBytes + sizeof(RiskLimits)) {
          auto l = std::make_unique<RiskLimits>();
          std::memcpy(l.get(), r.payload.data() + EngineCommand::kJournalBytes, sizeof(RiskLimits));
          c.limits = l.get();
          reloaded_.push_back(std::move(l));
        }
        if (c.kind == EngineCommand::kBreaker &&
            r.payload.size() == EngineCommand::kJournalBytes + sizeof(BreakerLimits)) {
          auto l = std::make_unique<BreakerLimits>();
          std::memcpy(l.get(), r.payload.data() + EngineCommand::kJournalBytes, sizeof(BreakerLimits));
          c.breaker = l.get();
          reloaded_breakers_.push_back(std::move(l));
        }
        apply(c, r.stream);
      }
      ++sum_.recovered_records;
    }
    // Capture messages up to resume_after_ were processed before the stop: the
    // trackers expect what follows them.
    for (uint32_t c = 0; c < kMaxClients; ++c)
      if (resume_after_[c] > 0) trackers_[c].reset(resume_after_[c] + 1);
    out_.mute(false);
  }

  // Reads the capture until it ends or stop() holds, pacing each packet to its capture
  // time; counts it in s (packets, bytes) and hands it to on_packet(pkt, offset), its
  // byte offset in a classic pcap. Sets s.stopped when stop() ended it. Hot path.
  template <class Stop, class OnPacket>
  static void read_packets(PacketSource& reader, bool classic, ReplayMeter& meter, ReplaySummary& s, Stop&& stop,
                           OnPacket&& on_packet) {
    uint64_t offset = classic ? 24 : 0;
    std::array<nic::CapturedPacket, 32> burst;
    for (;;) {
      if (stop()) {
        s.stopped = true;
        return;
      }
      const std::size_t n = reader.rx_burst(burst);
      if (n == 0) return;
      for (std::size_t i = 0; i < n; ++i) {
        const nic::CapturedPacket& pkt = burst[i];
        // A stop or commands that arrived while the core waited for this packet's time
        // take effect before it, as they would before a packet arriving from the wire.
        meter.pace(pkt.timestamp_ns);
        if (stop()) {
          s.stopped = true;
          return;
        }
        ++s.packets;
        s.bytes += pkt.captured_length();
        const uint64_t record_offset = offset;
        if (classic) offset += 16 + pkt.captured_length();
        on_packet(pkt, record_offset);
        if ((s.packets & 63) == 0) meter.maybe_report(s.bytes + s.packets * 16);
      }
    }
  }

  // Graceful shutdown (a signal or `ctl stop`): input stops at the next packet.
  bool stop_requested() const noexcept { return dur_.stop && dur_.stop->load(std::memory_order_acquire); }

  // After the input: commands that came meanwhile, the end of the day, the last
  // snapshot and state, and the replies still held.
  void finish_run(ReplayMeter& meter, PacketSource& reader) {
    if (dur_.on_stage) dur_.on_stage(CoreStage::kDraining, gateway_.state().paused);
    poll_commands();
    publisher_.end_of_day();
    if (dur_.journal || dur_.write_snapshot) snapshot();
    if (dur_.published) publish_state();
    meter.finish();
    out_.close();
    if (reader.failed()) sum_.malformed.add(reader.error());
  }

  void run(PacketSource& reader, bool classic) {
    ReplayMeter meter(opt_, sum_, file_size_of(opt_.input));
    if (dur_.on_stage) dur_.on_stage(CoreStage::kTakingInput, gateway_.state().paused);
    meter.start();
    auto on_packet = [&](const nic::CapturedPacket& pkt, uint64_t record_offset) {
      poll_commands();
      meter.packet_arrived();
      set_time(pkt.timestamp_ns);
      const bool took = take_packet<false>(
          pkt, classic, record_offset, sum_, clients_,
          [&](uint32_t client, const nic::UdpFrame& f) { register_client(client, f); },
          [&](uint32_t client, uint64_t seq, std::span<const uint8_t> msg, bool) {
            meter.decoded();
            const uint64_t trades_before = gateway_.stats().trades;
            const DecodeStatus st = process(client, seq, msg, /*journal=*/true);
            meter.message_done(ouch_probe_op(msg, gateway_.stats().trades != trades_before));
            if (st != DecodeStatus::kOk) [[unlikely]]
              sum_.malformed.add(bad_message(where(sum_.packets, classic, record_offset), seq, msg, st));
          });
      if (!took) return;
      end_packet();
      meter.packet_done();
      if (dur_.snapshot_every && inputs_since_snapshot_ >= dur_.snapshot_every) snapshot();
      if (dur_.published && (sum_.packets & 63) == 0) publish_state();
    };
    read_packets(reader, classic, meter, sum_, [&] { return stop_requested(); }, on_packet);
    finish_run(meter, reader);
  }

  // Two cores (ReplayOptions::match_cores): this thread is the matching core; a gateway
  // thread reads the capture, runs take_packet() and hands every message over the input
  // ring. New orders and replaces the ring refuses (policy reject) come back in its
  // priority lane marked refused and are answered busy. Everything that touches the
  // book, the replies, the journal and the snapshots stays on this thread.
  void run_split(PacketSource& reader, bool classic) {
    split_ = true;
    const ReplayOptions::MatchCores& mc = opt_.match_cores;
    PolicyRing<EntryRecord> ring("gateway->matching", mc.policy, mc.capacity, mc.priority_capacity, &HugePageResource::shared());
    // The gateway core numbers clients in order of first appearance; the matching core
    // registers them in the same order when their first message reaches it. Entries are
    // written before the first record that names them is published.
    struct ClientAddress {
      nic::Ipv4Address ip, dst_ip;
      uint16_t port = 0, dst_port = 0;
    };
    std::vector<ClientAddress> addresses(kMaxClients);
    ClientTable gateway_clients = clients_;  // a recovery's clients keep their numbers
    for (std::size_t c = 0; c < clients_.entries.size(); ++c)
      addresses[c] = {clients_.entries[c].ip, kApplianceAddress, clients_.entries[c].port, kOrderEntryPort};
    // Written by the gateway core only, read after it is joined.
    ReplaySummary in;
    std::atomic<bool> go{!mc.hold_until_input_ends};  // tests: hold the matching core
    std::atomic<bool> quit{false};                    // the matching core failed
    std::exception_ptr gateway_error;
    const int gateway_cpu = opt_.cpus.size() > 1 ? opt_.cpus[1] : -1;
    if (gateway_cpu >= 0)
      sum_.placement.push_back("cores: gateway core on CPU " + std::to_string(gateway_cpu) + " (NUMA node " +
                               std::to_string(numa_node_of_cpu(gateway_cpu)) + ")");

    // Registers the gateway core's clients up to number n - 1 in order: their reply flows
    // and their journal records.
    auto register_up_to = [&](std::size_t n) {
      while (clients_.entries.size() < n) {
        const auto c = static_cast<uint32_t>(clients_.entries.size());
        bool added = false;
        clients_.find(addresses[c].ip, addresses[c].port, added);
        nic::UdpFrame f{};
        f.src_ip = addresses[c].ip;
        f.src_port = addresses[c].port;
        f.dst_ip = addresses[c].dst_ip;
        f.dst_port = addresses[c].dst_port;
        register_client(c, f);
      }
    };

    // Both meters calibrate the TSC here, before the matching core's clock starts.
    ReplayMeter gateway_meter(opt_, in, file_size_of(opt_.input));
    ReplayMeter meter(opt_, sum_, 0);
    auto gateway = [&] {
      try {
        ::pthread_setname_np(::pthread_self(), "tachyon-gateway");
        if (gateway_cpu >= 0) pin_this_thread(gateway_cpu, "gateway core");
        auto wait = [&] {
          go.store(true, std::memory_order_release);
          cpu_relax();
        };
        // Per client: the normal-lane number of its last record there; its cancels and
        // replaces may overtake only once that record is taken.
        std::vector<uint64_t> last_normal(kMaxClients, UINT64_MAX);
        gateway_meter.start();
        auto stop = [&] { return quit.load(std::memory_order_relaxed) || stop_requested(); };
        // One message to the matching core: new orders (O) take the normal lane; cancels
        // (X) and replaces (U) the priority lane once their client's earlier normal-lane
        // records are taken (so their order was entered), else the normal lane. New
        // orders and replaces may be refused, and the refusal goes on in the priority
        // lane to be answered; cancels and anything that will not decode always go
        // through (they add no risk).
        auto hand_over = [&](EntryRecord& r, std::span<const uint8_t> msg) {
          const uint8_t type = msg.empty() ? 0 : msg[0];
          const uint64_t after = last_normal[r.client];
          const bool priority = (type == 'X' || type == 'U') &&
                                (after == UINT64_MAX || ring.lanes().lane_for(true, after) == Lane::kPriority);
          const Lane lane = priority ? Lane::kPriority : Lane::kNormal;
          const uint64_t number = ring.lanes().normal_staged();
          const PushOutcome o =
              type == 'O' || type == 'U' ? ring.push(r, lane, wait) : ring.push_or_wait(r, lane, wait);
          if (o == PushOutcome::kQueued) {
            if (lane == Lane::kNormal) last_normal[r.client] = number;
          } else if (o == PushOutcome::kRejected) {
            r.refused = 1;
            ring.push_or_wait(r, Lane::kPriority, wait);
          }
        };
        auto on_packet = [&](const nic::CapturedPacket& pkt, uint64_t record_offset) {
          const uint64_t rx = rdtsc();
          auto on_client = [&](uint32_t client, const nic::UdpFrame& f) {
            addresses[client] = {f.src_ip, f.dst_ip, f.src_port, f.dst_port};
          };
          auto on_message = [&](uint32_t client, uint64_t seq, std::span<const uint8_t> msg, bool last) {
            EntryRecord r;
            r.rx_tsc = rx;
            r.ts_ns = pkt.timestamp_ns;
            r.seq = seq;
            r.packet = in.packets;
            r.offset = record_offset;
            r.client = client;
            r.length = static_cast<uint16_t>(std::min<std::size_t>(msg.size(), UINT16_MAX));
            r.refused = 0;
            r.last = last ? 1 : 0;
            std::memcpy(r.msg, msg.data(), r.bytes().size());
            hand_over(r, msg);
            ++in.messages;
          };
          take_packet<true>(pkt, classic, record_offset, in, gateway_clients, on_client, on_message);
          ring.publish();
        };
        read_packets(reader, classic, gateway_meter, in, stop, on_packet);
      } catch (...) {
        gateway_error = std::current_exception();
      }
      ring.close();
      go.store(true, std::memory_order_release);
    };

    if (dur_.on_stage) dur_.on_stage(CoreStage::kTakingInput, gateway_.state().paused);
    meter.start();
    std::thread gateway_thread(gateway);
    try {
      while (!go.load(std::memory_order_acquire)) cpu_relax();
      uint64_t packets_done = 0;
      bool closed = false;
      for (;;) {
        const std::span<const EntryRecord> recs = ring.peek(32);
        if (recs.empty()) {
          if (closed) break;
          closed = ring.closed();  // then one more look: records published before close()
          poll_commands();
          cpu_relax();
          continue;
        }
        for (const EntryRecord& r : recs) {
          if (r.client >= clients_.entries.size()) [[unlikely]]
            register_up_to(r.client + 1);
          set_time(r.ts_ns);
          const std::span<const uint8_t> msg = r.bytes();
          meter.decoded();  // probes: rx -> decode is the gateway core's work and the wait in the ring
          const uint64_t trades_before = gateway_.stats().trades;
          const DecodeStatus st = r.refused ? refuse(r.client, r.seq, msg, /*journal=*/true)
                                            : process(r.client, r.seq, msg, /*journal=*/true);
          meter.message_done_since(r.rx_tsc, ouch_probe_op(msg, gateway_.stats().trades != trades_before));
          if (st != DecodeStatus::kOk) [[unlikely]]
            sum_.malformed.add(bad_message(where(r.packet, classic, r.offset), r.seq, msg, r.length, st));
          applied_seq_[r.client] = std::max(applied_seq_[r.client], r.seq);
          if (!r.last) continue;
          end_packet();
          meter.packet_done();
          ++packets_done;
          if (dur_.snapshot_every && inputs_since_snapshot_ >= dur_.snapshot_every) snapshot();
          if ((packets_done & 63) == 0) {
            if (dur_.published) publish_state();
            if (mc.published) mc.published->store(ring.counts());
          }
        }
        ring.release(recs.size());
        poll_commands();
      }
      end_packet();  // replies of a packet whose last message never came (a stop)
    } catch (...) {
      quit.store(true, std::memory_order_relaxed);
      ring.abort();
      gateway_thread.join();
      throw;
    }
    gateway_thread.join();
    if (gateway_error) std::rethrow_exception(gateway_error);
    register_up_to(gateway_clients.entries.size());  // clients that sent nothing to apply

    // The gateway core's counts join the matching core's.
    sum_.packets += in.packets;
    sum_.bytes += in.bytes;
    sum_.filtered += in.filtered;
    sum_.heartbeats += in.heartbeats;
    sum_.skipped_replayed += in.skipped_replayed;
    sum_.stopped = in.stopped;
    for (std::size_t t = 0; t < in.by_type.size(); ++t) sum_.by_type[t] += in.by_type[t];
    ProblemLog malformed = std::move(in.malformed);  // the gateway core's first, then the matching core's
    malformed.merge(std::move(sum_.malformed));
    sum_.malformed = std::move(malformed);
    sum_.match_split = true;
    sum_.input_ring = ring.counts();
    if (mc.published) mc.published->store(sum_.input_ring);
    finish_run(meter, reader);
  }

  void summarise() {
    sum_.sessions = clients_.entries.size();
    for (uint32_t c = 0; c < clients_.entries.size(); ++c) {
      const mold::SequenceTracker& t = trackers_[c];
      merge(sum_.gaps, t.gaps());
      merge(sum_.duplicates, t.duplicates());
      merge(sum_.out_of_order, t.out_of_order());
      sum_.end_of_sessions += t.ended() ? 1 : 0;
    }
    const OuchGatewayStats& st = gateway_.stats();
    if (out_.write_errors() > 0)
      throw ReplayError(opt_.out_path + ": " + std::to_string(out_.write_errors()) + " packets could not be written");
    sum_.accepted = st.accepted;
    sum_.replaced = st.replaced;
    sum_.canceled = st.canceled;
    sum_.executed = st.executed;
    sum_.rejected = st.rejected;
    sum_.trades = st.trades;
    sum_.unknown_tokens = st.unknown_tokens;
    sum_.duplicate_tokens = st.duplicate_tokens;
    sum_.out_packets = out_.packets();
    sum_.md_messages = publisher_.messages();
    sum_.symbols = gateway_.stocks().size();
    sum_.names.assign(shard_->symbols(), std::string());
    for (std::size_t s = 0; s < gateway_.stocks().size(); ++s) sum_.names[s] = std::string(gateway_.stocks()[s].trimmed());
    if (dur_.journal) sum_.journal_records = dur_.journal->last_appended();
    sum_.risk_rejects = st.risk_rejects;
    sum_.refused_paused = st.refused_paused;
    sum_.refused_halted = st.refused_halted;
    sum_.refused_killed = st.refused_killed;
    sum_.kill_cancels = st.kill_cancels;
    sum_.refused_busy = st.refused_busy;
    sum_.breaker = breakers_->counts();
    sum_.breaker_enabled = breakers_->limits().enabled;
    sum_.halted_at_end = breakers_->halted_symbols();
    // Positions and P&L of every session, exactly (they must survive a recovery).
    uint64_t h = 0xcbf29ce484222325ull;
    auto mix = [&](const void* p, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) h = (h ^ static_cast<const uint8_t*>(p)[i]) * 0x100000001b3ull;
    };
    for (uint32_t c = 0; c < clients_.entries.size(); ++c)
      for (uint32_t s = 0; s < shard_->symbols(); ++s) {
        const Position& p = gateway_.risk(c).position(book::SymbolId{s});
        if (p.qty == 0 && p.realized == 0) continue;
        mix(&c, sizeof c);
        mix(&s, sizeof s);
        mix(&p.qty, sizeof p.qty);
        mix(&p.open_cost, sizeof p.open_cost);
        mix(&p.realized, sizeof p.realized);
      }
    sum_.positions_hash = h;
    finish_books(sum_, shard_);
  }

 private:
  void set_time(uint64_t ts_ns) noexcept {
    now_ns_ = ts_ns;
    publisher_.set_time(ts_ns);
    gateway_.set_time(ts_ns);
    if (!started_) {
      started_ = true;
      publisher_.start_of_day();
    }
  }

  // Appends an inbound message to the journal, when there is one: its capture time and
  // sequence number, then its bytes (an input, or a refused one). Hot path.
  void journal_input(journal::RecordType type, uint32_t client, uint64_t seq, std::span<const uint8_t> msg) noexcept {
    if (!dur_.journal) return;
    const journal::InputPrefix pre{time_ns_(), seq};
    dur_.journal->append(type, client, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(&pre), sizeof pre),
                         msg);
  }

  // Journals (when asked) and answers one inbound message busy, without applying it
  // (two-core match mode: the input ring was full). Hot path.
  DecodeStatus refuse(uint32_t client, uint64_t seq, std::span<const uint8_t> msg, bool journal) noexcept {
    if (journal) journal_input(journal::RecordType::kRefused, client, seq, msg);
    ++inputs_since_snapshot_;
    return gateway_.refuse_busy(client, seq, msg);
  }

  // Journals (when asked) and applies one inbound message. Hot path.
  DecodeStatus process(uint32_t client, uint64_t seq, std::span<const uint8_t> msg, bool journal) noexcept {
    if (journal) journal_input(journal::RecordType::kInput, client, seq, msg);
    ++inputs_;
    ++inputs_since_snapshot_;
    // Timer resumes at input times only: a recovery sees exactly these inputs, at these
    // capture times, and so resumes at the same points.
    input_ns_ = now_ns_;
    breakers_->poll(input_ns_);
    const DecodeStatus st = gateway_.on_message(client, seq, msg);
    publisher_.end_message();
    return st;
  }

  uint64_t time_ns_() const noexcept { return now_ns_; }

  void end_packet() noexcept {
    gateway_.flush();
    publisher_.flush();
    if (dur_.journal) {
      dur_.journal->publish();
      out_.release(false);
    }
  }

  // A client seen for the first time: its reply flow, and a journaled record of it so
  // that a recovery numbers the clients in the same order.
  void register_client(uint32_t client, const nic::UdpFrame& f) {
    out_.add_client(client, f.src_ip, f.src_port, f.dst_ip, f.dst_port);
    EngineCommand c;
    c.kind = EngineCommand::kClient;
    c.ip = f.src_ip.value;
    c.port = f.src_port;
    journal_command(c, client);
  }

  // The front half of a packet, shared by both loops: the frame, the feed filter,
  // MoldUDP64, the client (on_client(client, frame) when it is new), the session's
  // sequence tracking and a recovery's resume point, each problem counted in s. Then
  // on_message(client, seq, msg, last) for every message to apply, last marking the
  // packet's last one when kMarkLast (the two-core gateway needs it; one core does not
  // ask, so it does not pay for the count). Returns false when the packet had nothing
  // to apply and no reply can follow from it. Hot path.
  template <bool kMarkLast, class OnClient, class OnMessage>
  bool take_packet(const nic::CapturedPacket& pkt, bool classic, uint64_t record_offset, ReplaySummary& s,
                   ClientTable& clients, OnClient&& on_client, OnMessage&& on_message) {
    nic::UdpFrame f;
    const nic::FrameError fe = nic::decode_udp_frame(pkt.data, f);
    if (fe != nic::FrameError::kOk) {
      s.malformed.add(where(s.packets, classic, record_offset) + ": frame: " + nic::to_string(fe));
      return false;
    }
    if (!opt_.filter.matches(f)) {
      ++s.filtered;
      return false;
    }
    mold::Packet p;
    const mold::ParseResult pr = mold::parse(f.payload, p);
    if (!pr.ok()) {
      s.malformed.add(where(s.packets, classic, record_offset) + ": MoldUDP64: " + mold::to_string(pr.status) +
                      " at datagram byte " + std::to_string(pr.offset));
      return false;
    }
    bool added = false;
    const uint32_t client = clients.find(f.src_ip, f.src_port, added);
    if (client == kMaxClients) {
      s.malformed.add(where(s.packets, classic, record_offset) + ": more than " + std::to_string(kMaxClients) +
                      " order-entry clients");
      return false;
    }
    if (added) on_client(client, f);
    if (p.header.messages() > 0 && p.header.sequence + p.header.messages() - 1 <= resume_after_[client]) {
      s.skipped_replayed += p.header.messages();  // the journal already had all of it
      return false;
    }
    const mold::Delivery d = trackers_[client].on_packet(p.header);
    if (p.header.heartbeat()) ++s.heartbeats;
    uint32_t to_apply = 0;
    if constexpr (kMarkLast) {
      uint16_t index = 0;
      p.for_each([&](uint64_t seq, std::span<const uint8_t>) {
        if (index++ >= d.skip && seq > resume_after_[client]) ++to_apply;
      });
    }
    uint16_t index = 0;
    p.for_each([&](uint64_t seq, std::span<const uint8_t> msg) {
      if (index++ < d.skip) return;
      if (seq <= resume_after_[client]) {
        ++s.skipped_replayed;
        return;
      }
      if (!msg.empty()) ++s.by_type[msg[0]];
      on_message(client, seq, msg, kMarkLast && --to_apply == 0);
    });
    return true;
  }

  void journal_command(const EngineCommand& c, uint32_t stream) noexcept {
    if (!dur_.journal) return;
    const std::span<const uint8_t> head(reinterpret_cast<const uint8_t*>(&c), EngineCommand::kJournalBytes);
    std::span<const uint8_t> body;
    if (c.kind == EngineCommand::kLimits && c.limits)
      body = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(c.limits), sizeof(RiskLimits));
    if (c.kind == EngineCommand::kBreaker && c.breaker)
      body = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(c.breaker), sizeof(BreakerLimits));
    dur_.journal->append(journal::RecordType::kCommand, stream, head, body);
  }

  void poll_commands() {
    for (CommandRing* ring : {dur_.commands, dur_.config_commands}) {
      if (!ring) continue;
      EngineCommand c;
      while (ring->try_pop(c)) {
        journal_command(c, 0);
        apply(c, 0);
        end_packet();
      }
    }
  }

  // Applies an operator command (already journaled by the caller, or re-applied from
  // the journal in a recovery).
  void apply(const EngineCommand& c, uint32_t stream) {
    const std::string_view sym(c.symbol, 8);
    switch (c.kind) {
      case EngineCommand::kPause: gateway_.pause(); break;
      case EngineCommand::kResume: gateway_.resume(); break;
      // Halts go through the circuit breakers (one halt state), stamped with the time
      // of the last input: a recovery re-applies the command after the same input.
      case EngineCommand::kHalt: gateway_.halt(Stock::from(sym).trimmed(), true, input_ns_); break;
      case EngineCommand::kUnhalt: gateway_.halt(Stock::from(sym).trimmed(), false, input_ns_); break;
      case EngineCommand::kKill: gateway_.kill(); break;
      case EngineCommand::kRelease: gateway_.release_kill(); break;
      case EngineCommand::kSnapshot: snapshot(); break;
      case EngineCommand::kLimits:
        // A reloaded configuration: the risk kill switch cancels every open order too,
        // and turning it off releases the refusal.
        if (!c.limits) return;
        gateway_.set_limits(c.limits);
        if (c.limits->kill_switch && !gateway_.state().killed) gateway_.kill();
        if (!c.limits->kill_switch && gateway_.state().killed) gateway_.release_kill();
        break;
      case EngineCommand::kBreaker:
        // A reloaded configuration: halts in progress carry on under the new limits.
        if (!c.breaker) return;
        breakers_->set_limits(*c.breaker);
        break;
      case EngineCommand::kClient: {
        // Recovery: the client table grows in the same order as before the stop.
        nic::UdpFrame f{};
        f.src_ip = nic::Ipv4Address(c.ip);
        f.src_port = c.port;
        f.dst_ip = kApplianceAddress;
        f.dst_port = kOrderEntryPort;
        bool added = false;
        const uint32_t client = clients_.find(f.src_ip, f.src_port, added);
        if (added && client == stream) out_.add_client(client, f.src_ip, f.src_port, f.dst_ip, f.dst_port);
        return;
      }
      default: return;
    }
    ++sum_.commands;
  }

  // Publishes positions, risk counters, journal progress and state (seqlock write).
  void publish_state() noexcept {
    PublishedEngineState& p = *dur_.published;
    p.begin_write();
    const auto n = static_cast<uint32_t>(std::min<std::size_t>(clients_.entries.size(), PublishedEngineState::kMaxSessions));
    for (uint32_t c = 0; c < n; ++c) {
      const RiskGate& g = gateway_.risk(c);
      uint64_t rejects = 0;
      for (int r = 1; r <= static_cast<int>(RiskReason::kRateLimited); ++r) rejects += g.rejects(static_cast<RiskReason>(r));
      PublishedEngineState::Session& s = p.session[c];
      s.gross.store(g.gross_position(), std::memory_order_relaxed);
      s.net.store(g.net_position(), std::memory_order_relaxed);
      s.realized.store(saturate64(g.realized_pnl()), std::memory_order_relaxed);
      s.unrealized.store(saturate64(g.unrealized_pnl()), std::memory_order_relaxed);
      s.open_orders.store(g.open_orders(), std::memory_order_relaxed);
      s.risk_rejects.store(rejects, std::memory_order_relaxed);
    }
    p.sessions.store(n, std::memory_order_relaxed);
    if (dur_.journal) {
      p.journal_appended.store(dur_.journal->last_appended(), std::memory_order_relaxed);
      p.journal_durable.store(dur_.journal->durable_seq(), std::memory_order_relaxed);
      p.journal_released.store(dur_.journal->released_seq(), std::memory_order_relaxed);
    }
    p.paused.store(gateway_.state().paused, std::memory_order_relaxed);
    p.killed.store(gateway_.state().killed, std::memory_order_relaxed);
    p.end_write();
  }

  void save_state(StateWriter& w) const {
    w.mark(kStateMagic);
    const book::BookConfig& bc = shard_->config();
    w.put(bc.max_orders);
    w.put(bc.max_levels);
    w.put(bc.max_symbols);
    // The book: every order in priority order, per symbol and side.
    uint64_t n = shard_->live_orders();
    w.put(n);
    for (uint32_t s = 0; s < shard_->symbols(); ++s)
      for (const book::Side side : {book::Side::kBuy, book::Side::kSell})
        shard_->book(book::SymbolId{s}).for_each_order(side, [&](book::Price px, const book::Order& o) {
          w.put(s);
          w.put(side);
          w.put(px);
          w.put(o.id);
          w.put(o.qty);
          w.put(o.flags);
        });
    w.mark(kStateMagic + 1);
    gateway_.save(w);
    w.mark(kStateMagic + 2);
    publisher_.save(w);
    w.mark(kStateMagic + 3);
    w.put(static_cast<uint32_t>(clients_.entries.size()));
    for (std::size_t c = 0; c < clients_.entries.size(); ++c) {
      w.put(clients_.entries[c].ip.value);
      w.put(clients_.entries[c].port);
      w.put(last_applied(static_cast<uint32_t>(c)));
    }
    w.put(started_);
    w.put(input_ns_);
    w.mark(kStateMagic + 4);
  }

  void load_state(const std::vector<uint8_t>& bytes) {
    StateReader r(bytes);
    r.expect_mark(kStateMagic);
    const book::BookConfig& bc = shard_->config();
    const auto orders = r.get<uint32_t>(), levels = r.get<uint32_t>(), symbols = r.get<uint32_t>();
    if (orders > bc.max_orders || levels > bc.max_levels || symbols > bc.max_symbols)
      throw ReplayError("snapshot: taken with book.max_orders=" + std::to_string(orders) + ", max_levels=" +
                        std::to_string(levels) + ", max_symbols=" + std::to_string(symbols) +
                        "; this run has " + std::to_string(bc.max_orders) + ", " + std::to_string(bc.max_levels) +
                        ", " + std::to_string(bc.max_symbols) + " (start it with the same configuration)");
    const auto n = r.get<uint64_t>();
    for (uint64_t i = 0; i < n; ++i) {
      const auto s = r.get<uint32_t>();
      const auto side = r.get<book::Side>();
      const auto px = r.get<book::Price>();
      const auto id = r.get<book::OrderId>();
      const auto qty = r.get<book::Qty>();
      const auto flags = r.get<uint8_t>();
      if (!shard_->restore(book::SymbolId{s}, id, side, px, qty, flags))
        throw ReplayError("snapshot: order " + std::to_string(id.value) + " cannot be restored");
    }
    r.expect_mark(kStateMagic + 1);
    gateway_.load(r);
    r.expect_mark(kStateMagic + 2);
    publisher_.load(r);
    r.expect_mark(kStateMagic + 3);
    const auto clients = r.get<uint32_t>();
    for (uint32_t c = 0; c < clients; ++c) {
      const nic::Ipv4Address ip(r.get<uint32_t>());
      const auto port = r.get<uint16_t>();
      resume_after_[c] = r.get<uint64_t>();
      bool added = false;
      clients_.find(ip, port, added);
      out_.add_client(c, ip, port, kApplianceAddress, kOrderEntryPort);
    }
    started_ = r.get<bool>();
    input_ns_ = r.get<uint64_t>();
    r.expect_mark(kStateMagic + 4);
    if (!r.done()) throw ReplayError("snapshot: " + std::to_string(bytes.size() - r.position()) + " bytes left over");
  }

  // The last inbound sequence number of client c that the engine applied or answered.
  // One core: what its tracker delivered. Two cores: the tracker is the gateway
  // core's and runs ahead, so the matching core's own count.
  uint64_t last_applied(uint32_t c) const noexcept {
    const uint64_t applied = split_ ? applied_seq_[c] : trackers_[c].expected() - 1;
    return std::max(applied, resume_after_[c]);
  }

  void snapshot() {
    inputs_since_snapshot_ = 0;
    if (!dur_.write_snapshot) return;
    StateWriter w;
    save_state(w);
    uint64_t covers = 0;
    if (dur_.journal) {
      covers = dur_.journal->last_appended();
      // The snapshot is worth keeping only with the journal it follows on disk.
      dur_.journal->sync();
    }
    dur_.write_snapshot(covers, std::move(w.bytes()));
    ++sum_.snapshots;
  }

  const ReplayOptions& opt_;
  ReplaySummary& sum_;
  const MatchDurability& dur_;
  std::shared_ptr<book::BookShard> shard_;
  OutCapture out_;
  ItchPublisher<OutCapture> publisher_;
  SymbolCounters* symbol_counters_;
  CountingMarketData md_;
  std::unique_ptr<CircuitBreakers> own_breakers_;  // when the caller did not give any
  CircuitBreakers* breakers_;                      // every halt, automatic or by command
  OuchGateway<OutCapture, CountingMarketData> gateway_;
  ClientTable clients_;
  std::vector<mold::SequenceTracker> trackers_;
  std::vector<uint64_t> resume_after_;  // per client: last inbound sequence already applied
  bool split_ = false;                  // two cores: run_split()
  std::vector<uint64_t> applied_seq_;   // two cores, per client: last sequence the matching core took
  std::vector<std::unique_ptr<RiskLimits>> reloaded_;  // limits re-applied from the journal
  std::vector<std::unique_ptr<BreakerLimits>> reloaded_breakers_;
  uint64_t now_ns_ = 0;
  uint64_t input_ns_ = 0;  // capture time of the last input message (commands take effect then)
  uint64_t inputs_ = 0;
  uint64_t inputs_since_snapshot_ = 0;
  bool started_ = false;
};

}  // namespace

void replay_match_capture(const ReplayOptions& opt, ReplaySummary& sum) {
  // Through a NIC, the port's tx writes --out (net_pcap tx_pcap).
  const std::unique_ptr<PacketSource> reader = open_packet_source(opt, opt.out_path);
  sum.nic_notes = reader->notes();
  if (reader->link_type() != nic::kDltEthernet)
    throw ReplayError(opt.input + ": link type " + std::to_string(reader->link_type()) + " (" +
                      reader->link_type_name() + ") is not supported in match mode: need Ethernet");
  std::vector<Stock> stocks;
  for (const std::string& s : opt.symbols) stocks.push_back(Stock::from(s));
  if (stocks.size() > opt.book.max_symbols)
    throw ReplayError("match mode: " + std::to_string(stocks.size()) + " symbols configured but book.max_symbols = " +
                      std::to_string(opt.book.max_symbols));
  if (opt.breakers && opt.breakers->symbols() < opt.book.max_symbols)
    throw ReplayError("match mode: circuit breakers for " + std::to_string(opt.breakers->symbols()) +
                      " symbols but book.max_symbols = " + std::to_string(opt.book.max_symbols));
  if (opt.match_cores.split) {
    const ReplayOptions::MatchCores& mc = opt.match_cores;
    auto pow2 = [](uint32_t n) { return n >= 2 && (n & (n - 1)) == 0; };
    if (!pow2(mc.capacity) || !pow2(mc.priority_capacity))
      throw ReplayError("match mode on two cores: input ring capacity " + std::to_string(mc.capacity) +
                        " (priority lane " + std::to_string(mc.priority_capacity) + ") must be a power of two >= 2");
    if (mc.policy == BackpressurePolicy::kDrop)
      throw ReplayError("match mode on two cores: backpressure drop would leave orders unanswered; use reject or block");
  }
  auto run = std::make_unique<MatchRun>(opt, sum, stocks, opt.out_path.empty() ? nullptr : reader->port());
  if (opt.durability.recovery) run->recover(*opt.durability.recovery);
  if (opt.match_cores.split) run->run_split(*reader, sum.format == InputFormat::kPcap);
  else run->run(*reader, sum.format == InputFormat::kPcap);
  run->summarise();
}

}  // namespace tachyon::dataplane::internal
