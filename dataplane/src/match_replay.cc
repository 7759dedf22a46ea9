// Match-mode replay loop: OUCH 4.2 order entry in MoldUDP64 datagrams from a capture,
// matched by price-time priority; OUCH replies and ITCH market data optionally written
// to a capture. Runs on the replay thread.
#include <memory>
#include <string>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/internal/replay_meter.h"
#include "tachyon/dataplane/internal/replay_modes.h"
#include "tachyon/dataplane/internal/session_table.h"
#include "tachyon/dataplane/itch_publisher.h"
#include "tachyon/dataplane/match_endpoints.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/ouch_gateway.h"
#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/pcap_writer.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::dataplane::internal {

namespace {

constexpr uint32_t kMaxClients = 64;

// Writes replies (one flow per client) and market data (one multicast flow) into one
// capture, in the order the core produced them. Without a path it only counts.
class OutCapture {
 public:
  explicit OutCapture(const std::string& path) {
    if (path.empty()) return;
    try {
      writer_ = std::make_unique<nic::PcapWriter>(path, market_data_flow());
    } catch (const nic::CaptureError& e) {
      throw ReplayError(e.what());
    }
    frame_.resize(nic::kMaxUdpPayload + 64);
  }

  // Registers the flow back to a client that wrote from src:src_port to dst:dst_port.
  void add_client(uint32_t client, nic::Ipv4Address src, uint16_t src_port, nic::Ipv4Address dst,
                  uint16_t dst_port) {
    if (!writer_) return;
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

  // Market data from the ItchPublisher.
  void on_datagram(std::span<const uint8_t> d, uint64_t ts_ns) noexcept {
    ++packets_;
    if (writer_ && writer_->write_datagram(ts_ns, d) != nic::WriteStatus::kOk) ++write_errors_;
  }

  // Replies from the OuchGateway.
  void on_reply(uint32_t client, std::span<const uint8_t> d, uint64_t ts_ns) noexcept {
    ++packets_;
    if (!writer_) return;
    const std::size_t n = clients_[client]->build(frame_, d, ip_ids_[client]++);
    if (n == 0 || writer_->write_frame(ts_ns, std::span<const uint8_t>(frame_.data(), n)) != nic::WriteStatus::kOk)
      ++write_errors_;
  }

  void close() {
    if (!writer_) return;
    try {
      writer_->close();
    } catch (const nic::CaptureError& e) {
      throw ReplayError(e.what());
    }
  }

  uint64_t packets() const noexcept { return packets_; }
  uint64_t write_errors() const noexcept { return write_errors_; }

 private:
  static constexpr nic::MacAddress kApplianceMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x64}};

  static nic::UdpFlow market_data_flow() {
    nic::UdpFlow f;
    f.src_mac = kApplianceMac;
    f.src_ip = kApplianceAddress;
    f.src_port = kMarketDataSourcePort;
    f.dst_ip = kMarketDataGroup;
    f.dst_port = kMarketDataPort;
    return f;
  }

  std::unique_ptr<nic::PcapWriter> writer_;
  std::vector<std::unique_ptr<nic::UdpFrameBuilder>> clients_;
  std::vector<uint16_t> ip_ids_;
  std::vector<uint8_t> frame_;
  uint64_t packets_ = 0;
  uint64_t write_errors_ = 0;
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

void replay_match_capture(const ReplayOptions& opt, ReplaySummary& sum) {
  std::unique_ptr<nic::PcapReader> reader;
  try {
    reader = std::make_unique<nic::PcapReader>(opt.input);
  } catch (const nic::CaptureError& e) {
    throw ReplayError(e.what());
  }
  if (reader->link_type() != nic::kDltEthernet)
    throw ReplayError(opt.input + ": link type " + std::to_string(reader->link_type()) + " (" +
                      reader->link_type_name() + ") is not supported in match mode: need Ethernet");
  const bool classic = sum.format == InputFormat::kPcap;

  std::vector<Stock> stocks;
  for (const std::string& s : opt.symbols) stocks.push_back(Stock::from(s));
  if (stocks.size() > opt.book.max_symbols)
    throw ReplayError("match mode: " + std::to_string(stocks.size()) + " symbols configured but book.max_symbols = " +
                      std::to_string(opt.book.max_symbols));

  auto shard = std::make_shared<book::BookShard>(opt.book);
  OutCapture out(opt.out_path);
  ItchPublisher<OutCapture> publisher(mold::Session::from(kMarketDataSession), stocks, opt.book.max_orders, out);
  SymbolCounters* symbol_counters = opt.probes ? &opt.probes->symbols() : nullptr;
  if (symbol_counters)
    for (std::size_t s = 0; s < stocks.size(); ++s) symbol_counters->set_name(static_cast<uint32_t>(s), stocks[s].trimmed());
  CountingMarketData md{publisher, symbol_counters};
  OuchGateway<OutCapture, CountingMarketData> gateway(*shard, stocks, stocks.empty(), kMaxClients, &opt.risk, out, md);
  ClientTable clients;
  std::vector<mold::SequenceTracker> trackers(kMaxClients);
  ReplayMeter meter(opt, sum, file_size_of(opt.input));
  uint64_t offset = classic ? 24 : 0;
  bool started = false;
  std::array<nic::CapturedPacket, 32> burst;
  meter.start();
  for (;;) {
    const std::size_t n = reader->rx_burst(burst);
    if (n == 0) break;
    for (std::size_t i = 0; i < n; ++i) {
      const nic::CapturedPacket& pkt = burst[i];
      ++sum.packets;
      sum.bytes += pkt.captured_length();
      const uint64_t record_offset = offset;
      if (classic) offset += 16 + pkt.captured_length();
      meter.pace(pkt.timestamp_ns);
      meter.packet_arrived();
      publisher.set_time(pkt.timestamp_ns);
      gateway.set_time(pkt.timestamp_ns);
      if (!started) {
        started = true;
        publisher.start_of_day();
      }
      nic::UdpFrame f;
      const nic::FrameError fe = nic::decode_udp_frame(pkt.data, f);
      if (fe != nic::FrameError::kOk) {
        sum.malformed.add(where(sum.packets, classic, record_offset) + ": frame: " + nic::to_string(fe));
        continue;
      }
      if (!opt.filter.matches(f)) {
        ++sum.filtered;
        continue;
      }
      mold::Packet p;
      const mold::ParseResult pr = mold::parse(f.payload, p);
      if (!pr.ok()) {
        sum.malformed.add(where(sum.packets, classic, record_offset) + ": MoldUDP64: " + mold::to_string(pr.status) +
                          " at datagram byte " + std::to_string(pr.offset));
        continue;
      }
      bool added = false;
      const uint32_t client = clients.find(f.src_ip, f.src_port, added);
      if (client == kMaxClients) {
        sum.malformed.add(where(sum.packets, classic, record_offset) + ": more than " + std::to_string(kMaxClients) +
                          " order-entry clients");
        continue;
      }
      if (added) out.add_client(client, f.src_ip, f.src_port, f.dst_ip, f.dst_port);
      const mold::Delivery d = trackers[client].on_packet(p.header);
      if (p.header.heartbeat()) ++sum.heartbeats;
      uint16_t index = 0;
      p.for_each([&](uint64_t seq, std::span<const uint8_t> msg) {
        if (index++ < d.skip) return;
        if (!msg.empty()) ++sum.by_type[msg[0]];
        meter.decoded();
        const uint64_t trades_before = gateway.stats().trades;
        const DecodeStatus st = gateway.on_message(client, seq, msg);
        publisher.end_message();
        meter.message_done(ouch_probe_op(msg, gateway.stats().trades != trades_before));
        if (st != DecodeStatus::kOk) [[unlikely]]
          sum.malformed.add(bad_message(where(sum.packets, classic, record_offset), seq, msg, st));
      });
      gateway.flush();
      publisher.flush();
      meter.packet_done();
      if ((sum.packets & 63) == 0) meter.maybe_report(sum.bytes + sum.packets * 16);
    }
  }
  if (started) publisher.end_of_day();
  meter.finish();
  out.close();
  if (reader->failed()) sum.malformed.add(std::string(reader->error()));

  sum.sessions = clients.entries.size();
  for (uint32_t c = 0; c < clients.entries.size(); ++c) {
    const mold::SequenceTracker& t = trackers[c];
    merge(sum.gaps, t.gaps());
    merge(sum.duplicates, t.duplicates());
    merge(sum.out_of_order, t.out_of_order());
    sum.end_of_sessions += t.ended() ? 1 : 0;
  }
  const OuchGatewayStats& st = gateway.stats();
  if (out.write_errors() > 0) throw ReplayError(opt.out_path + ": " + std::to_string(out.write_errors()) + " packets could not be written");
  sum.accepted = st.accepted;
  sum.replaced = st.replaced;
  sum.canceled = st.canceled;
  sum.executed = st.executed;
  sum.rejected = st.rejected;
  sum.trades = st.trades;
  sum.unknown_tokens = st.unknown_tokens;
  sum.duplicate_tokens = st.duplicate_tokens;
  sum.out_packets = out.packets();
  sum.md_messages = publisher.messages();
  sum.symbols = gateway.stocks().size();
  sum.names.assign(shard->symbols(), std::string());
  for (std::size_t s = 0; s < gateway.stocks().size(); ++s) sum.names[s] = std::string(gateway.stocks()[s].trimmed());
  finish_books(sum, shard);
}

}  // namespace tachyon::dataplane::internal
