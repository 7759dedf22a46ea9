// Feed-mode replay loops: ITCH 5.0 in MoldUDP64 from pcap/pcapng captures, and ITCH
// BinaryFILE, mirrored into L3 books. Runs on the replay thread.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/book_digest.h"
#include "tachyon/dataplane/huge_page_resource.h"
#include "tachyon/dataplane/internal/replay_meter.h"
#include "tachyon/dataplane/internal/packet_source.h"
#include "tachyon/dataplane/internal/replay_modes.h"
#include "tachyon/dataplane/internal/session_table.h"
#include "tachyon/dataplane/itch_binary_file.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/lobster_orderbook.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::dataplane::internal {

namespace {

// libpcap link types for captures of bare IPv4 packets (DLT_RAW, LINKTYPE_RAW, DLT_IPV4).
constexpr int kDltRaw = 12;
constexpr int kLinktypeRaw = 101;
constexpr int kDltIpv4 = 228;

// Counts executions (E, C) as they leave the mirror, and (profiling) every event by
// symbol, naming each symbol from the builder when it first shows.
struct TradeCounter {
  uint64_t trades = 0;
  SymbolCounters* symbols = nullptr;
  const void* builder = nullptr;  // the BookBuilder feeding this sink, for name_of
  std::string_view (*name_of)(const void* builder, book::SymbolId s) noexcept = nullptr;
  void on_event(const book::Event& e) noexcept {
    if (e.kind == book::EventKind::kTrade) ++trades;
    if (symbols) {
      symbols->on_event(e);
      if (!symbols->named(e.symbol.value)) [[unlikely]]
        symbols->set_name(e.symbol.value, name_of(builder, e.symbol));
    }
  }
};

// The mirror: one shard for every symbol, fed by an ITCH BookBuilder.
struct Mirror {
  explicit Mirror(const ReplayOptions& opt)
      : shard(std::make_shared<book::BookShard>(opt.book, &HugePageResource::shared())), builder(*shard, trades), opt_(opt) {
    if (opt.probes) {
      trades.symbols = &opt.probes->symbols();
      trades.builder = &builder;
      trades.name_of = [](const void* b, book::SymbolId s) noexcept {
        return static_cast<const itch::BookBuilder<TradeCounter>*>(b)->name(s).trimmed();
      };
    }
  }

  // Applies one ITCH message. Hot path.
  DecodeStatus apply(std::span<const uint8_t> msg) noexcept {
    const DecodeStatus st = builder.apply(msg);
    if (opt_.lobster_out && msg.size() >= 3) print_row(static_cast<uint16_t>((msg[1] << 8) | msg[2]));
    return st;
  }

  // Writes the LOBSTER orderbook row of the selected symbol after a message about it.
  void print_row(uint16_t locate) {
    const std::optional<book::SymbolId> s = builder.symbol_of(locate);
    if (!s || builder.name(*s).trimmed() != opt_.lobster_symbol) return;
    char row[64 * lobster::kMaxLevels];
    const std::size_t n = lobster::format_orderbook(shard->book(*s), opt_.depth, std::span<char>(row, sizeof row - 1));
    if (n == 0) return;
    row[n] = '\n';
    std::fwrite(row, 1, n + 1, opt_.lobster_out);
  }

  void finish(ReplaySummary& sum) {
    const itch::BookBuilderStats& st = builder.stats();
    sum.by_type = st.messages;
    sum.unknown_refs_by_type = st.unknown_refs;
    sum.unknown_refs = st.total_unknown_refs();
    for (const uint64_t r : st.rejects) sum.book_rejects += r;
    sum.book_rejects += st.bad_side + st.unmapped_symbol;
    sum.trades = trades.trades;
    sum.symbols = builder.symbols_mapped();
    sum.names.assign(shard->symbols(), std::string());
    for (uint32_t s = 0; s < builder.symbols_mapped(); ++s)
      sum.names[s] = std::string(builder.name(book::SymbolId{s}).trimmed());
    finish_books(sum, shard);
  }

  TradeCounter trades;
  std::shared_ptr<book::BookShard> shard;
  itch::BookBuilder<TradeCounter> builder;
  const ReplayOptions& opt_;
};

// Stamps each message as the BinaryFILE scan hands it to the mirror.
struct Stamped {
  Mirror& m;
  ReplayMeter& meter;
  ReplaySummary& sum;
  uint64_t consumed = 0;
  template <class M>
  void on(const M& msg) noexcept {
    meter.arrived_after_previous();
    meter.decoded();
    m.builder.on(msg);
    if (m.opt_.lobster_out) m.print_row(msg.header.stock_locate);
    meter.message_done(itch_probe_op(static_cast<uint8_t>(M::kType)));
    meter.packet_done();
    consumed += 2 + M::kLength;
    if ((sum.messages & 4095) == 0) meter.maybe_report(consumed);
  }
};

}  // namespace

void finish_books(ReplaySummary& sum, const std::shared_ptr<book::BookShard>& shard) {
  sum.live_orders = shard->live_orders();
  for (uint32_t s = 0; s < shard->symbols(); ++s) {
    const book::OrderBook& b = shard->book(book::SymbolId{s});
    if (b.level_count(book::Side::kBuy) + b.level_count(book::Side::kSell) > 0) ++sum.books;
  }
  sum.book_hash = book_digest(*shard, sum.names);
  sum.shard_hash = shard->hash();
  sum.shard = shard;
}

void replay_feed_capture(const ReplayOptions& opt, ReplaySummary& sum) {
  const std::unique_ptr<PacketSource> reader = open_packet_source(opt, "");
  sum.nic_notes = reader->notes();
  const bool raw_ip = reader->link_type() != nic::kDltEthernet;
  if (raw_ip && reader->link_type() != kDltRaw && reader->link_type() != kLinktypeRaw &&
      reader->link_type() != kDltIpv4)
    throw ReplayError(opt.input + ": link type " + std::to_string(reader->link_type()) + " (" +
                      reader->link_type_name() + ") is not supported: need Ethernet or raw IPv4");
  const bool classic = sum.format == InputFormat::kPcap;

  Mirror mirror(opt);
  SessionTable sessions;
  ReplayMeter meter(opt, sum, file_size_of(opt.input));
  uint64_t offset = classic ? 24 : 0;  // byte offset of the current record (classic pcap)
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
      nic::UdpFrame f;
      const nic::FrameError fe = raw_ip ? nic::decode_ipv4_udp(pkt.data, f) : nic::decode_udp_frame(pkt.data, f);
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
      mold::SequenceTracker* tracker = sessions.find(p.header.session);
      if (tracker == nullptr) {
        sum.malformed.add(where(sum.packets, classic, record_offset) + ": MoldUDP64: more than " +
                          std::to_string(SessionTable::kMaxSessions) + " sessions");
        continue;
      }
      const mold::Delivery d = tracker->on_packet(p.header);
      if (p.header.heartbeat()) ++sum.heartbeats;
      uint16_t index = 0;
      p.for_each([&](uint64_t seq, std::span<const uint8_t> msg) {
        if (index++ < d.skip) return;
        meter.decoded();
        const DecodeStatus st = mirror.apply(msg);
        meter.message_done(msg.empty() ? ProbeOp::kOther : itch_probe_op(msg[0]));
        if (st != DecodeStatus::kOk) [[unlikely]]
          sum.malformed.add(bad_message(where(sum.packets, classic, record_offset), seq, msg, st));
      });
      meter.packet_done();
      if ((sum.packets & 63) == 0) meter.maybe_report(sum.bytes + sum.packets * 16);
    }
  }
  meter.finish();
  if (reader->failed()) sum.malformed.add(reader->error());
  sessions.summarise(sum);
  mirror.finish(sum);
}

void replay_itch_file(const ReplayOptions& opt, ReplaySummary& sum) {
  const uint64_t size = file_size_of(opt.input);
  const int fd = ::open(opt.input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ReplayError(opt.input + ": cannot open: " + std::strerror(errno));
  void* map = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
  const int map_errno = errno;
  ::close(fd);
  if (map == MAP_FAILED) throw ReplayError(opt.input + ": mmap failed: " + std::strerror(map_errno));
  struct Unmap {
    void* p;
    uint64_t n;
    ~Unmap() { ::munmap(p, n); }
  } unmap{map, size};

  Mirror mirror(opt);
  ReplayMeter meter(opt, sum, size);

  Stamped stamped{mirror, meter, sum};

  meter.start();
  const itch::BinaryFileReport r =
      itch::scan_binary_file(std::span<const uint8_t>(static_cast<const uint8_t*>(map), size), stamped);
  meter.finish();
  sum.bytes = r.bytes;
  sum.packets = r.records;
  sum.recovered_lengths = r.recovered_lengths;
  sum.first_recovery_offset = r.first_recovery_offset;
  for (std::size_t i = 0; i < std::min<uint64_t>(r.issue_count, r.kKeptIssues); ++i) {
    const itch::FileIssue& is = r.issues[i];
    char type[8];
    std::snprintf(type, sizeof type, is.type >= 0x20 && is.type < 0x7f ? "'%c'" : "0x%02x", is.type);
    sum.malformed.add("offset " + std::to_string(is.offset) + ": " + itch::to_string(is.kind) + " (type " + type +
                      ", prefix " + std::to_string(is.prefix) + ")");
  }
  sum.malformed.count = r.issue_count;
  mirror.finish(sum);
}

}  // namespace tachyon::dataplane::internal
