// generate_capture: the flow model of flow_generator.h for several symbols, interleaved
// by arrival time and encoded as OUCH order entry or ITCH market data in MoldUDP64.
#include "tachyon/bench/capture_generator.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <unordered_map>

#include "tachyon/bench/flow_generator.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_publisher.h"
#include "tachyon/dataplane/match_endpoints.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/ouch_codec.h"
#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/pcap_writer.h"

namespace tachyon::bench {

namespace dp = tachyon::dataplane;

std::string CaptureConfig::validate() const {
  auto bad = [](const char* key, const std::string& v, const char* rule) {
    return std::string("gen.") + key + " = " + v + ": " + rule;
  };
  if (messages < 100 || messages > 1'000'000'000) return bad("messages", std::to_string(messages), "must be in 100..10^9");
  if (symbols == 0 || symbols > 1000) return bad("symbols", std::to_string(symbols), "must be in 1..1000");
  if (clients == 0 || clients > 64) return bad("clients", std::to_string(clients), "must be in 1..64");
  if (tick_price4 <= 0 || tick_price4 > 10'000) return bad("tick_price4", std::to_string(tick_price4), "must be in 1..10000");
  return {};
}

std::vector<std::string> capture_symbols(uint32_t n) {
  static constexpr const char* kNames[] = {"AAPL", "MSFT", "NVDA", "AMZN", "GOOG", "META", "TSLA", "AVGO"};
  std::vector<std::string> out;
  for (uint32_t i = 0; i < n; ++i) {
    if (i < std::size(kNames)) {
      out.emplace_back(kNames[i]);
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "SYM%04u", i);
      out.emplace_back(buf);
    }
  }
  return out;
}

namespace {

// One flow message with its symbol's stream merged into arrival order.
struct Timed {
  uint64_t ns;
  uint32_t symbol;
  uint32_t index;  // position in its symbol's flow
};

// Builds the flows of every symbol (each seeded from the capture seed and its index,
// each starting from its own mid) and merges them by arrival time.
struct MergedFlow {
  std::vector<Flow> flows;
  std::vector<Timed> order;
};

MergedFlow build_flows(const CaptureConfig& cfg) {
  MergedFlow m;
  // The flow model sends about 2.05 messages per new order.
  const auto orders = static_cast<uint32_t>(std::max<uint64_t>(50, cfg.messages * 100 / 205 / cfg.symbols));
  for (uint32_t s = 0; s < cfg.symbols; ++s) {
    FlowConfig fc;
    fc.scenario = cfg.scenario;
    fc.seed = cfg.seed * 0x9e3779b97f4a7c15ull + s + 1;
    fc.orders = orders;
    fc.symbol = book::SymbolId{s};
    fc.start_mid_ticks = 10'000 + 2'500 * static_cast<int64_t>(s % 8);
    m.flows.push_back(generate_flow(fc));
  }
  for (uint32_t s = 0; s < cfg.symbols; ++s)
    for (uint32_t i = 0; i < m.flows[s].messages.size(); ++i) m.order.push_back(Timed{m.flows[s].arrival_ns[i], s, i});
  std::stable_sort(m.order.begin(), m.order.end(), [](const Timed& a, const Timed& b) {
    return a.ns != b.ns ? a.ns < b.ns : a.symbol < b.symbol;
  });
  return m;
}

std::unique_ptr<nic::PcapWriter> open_writer(const std::string& path, const nic::UdpFlow& flow) {
  try {
    return std::make_unique<nic::PcapWriter>(path, flow);
  } catch (const nic::CaptureError& e) {
    throw std::runtime_error(e.what());
  }
}

// Messages closer together than this, from one sender, share a datagram.
constexpr uint64_t kBatchWindowNs = 2'000;

// Order entry: each client writes OUCH messages in its own MoldUDP64 session.
CaptureInfo write_match(const CaptureConfig& cfg, const MergedFlow& m, const std::string& path, CaptureInfo info) {
  nic::UdpFlow base;
  base.dst_ip = dp::kApplianceAddress;
  base.dst_port = dp::kOrderEntryPort;
  base.dst_mac = nic::MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, 0x64}};
  auto writer = open_writer(path, base);
  struct Client {
    std::unique_ptr<nic::UdpFrameBuilder> builder;
    std::vector<uint8_t> buffer = std::vector<uint8_t>(dp::mold::kDefaultMaxPayload);
    std::unique_ptr<dp::mold::Packetizer> packetizer;
    uint64_t first_ns = 0, last_ns = 0;
    uint16_t ip_id = 0;
  };
  std::vector<Client> clients(cfg.clients);
  for (uint32_t c = 0; c < cfg.clients; ++c) {
    nic::UdpFlow f = base;
    f.src_ip = nic::Ipv4Address{10, 0, 1, static_cast<uint8_t>(10 + c)};
    f.src_port = static_cast<uint16_t>(40000 + c);
    f.src_mac = nic::MacAddress{{0x02, 0x00, 0x00, 0x00, 0x01, static_cast<uint8_t>(c)}};
    clients[c].builder = std::make_unique<nic::UdpFrameBuilder>(f);
    char session[11];
    std::snprintf(session, sizeof session, "CLIENT%04u", c);
    clients[c].packetizer =
        std::make_unique<dp::mold::Packetizer>(clients[c].buffer, dp::mold::Session::from(session), 1);
  }
  std::vector<uint8_t> frame(nic::kMaxUdpPayload + 64);
  auto send = [&](Client& c) {
    if (c.packetizer->pending() == 0) return;
    const std::span<const uint8_t> d = c.packetizer->flush();
    const std::size_t n = c.builder->build(frame, d, c.ip_id++);
    if (n == 0 || writer->write_frame(c.first_ns, std::span<const uint8_t>(frame.data(), n)) != nic::WriteStatus::kOk)
      throw std::runtime_error(path + ": cannot write packet: " + std::string(writer->error()));
    if (info.packets++ == 0) info.first_ns = c.first_ns;
    info.last_ns = c.first_ns;
  };

  // Tokens: one per order, renewed by every replace; the flow's order id picks them.
  struct Live {
    uint64_t token;
    uint32_t client;
  };
  std::unordered_map<uint64_t, Live> live;  // (symbol << 40 | flow order id) -> token
  uint64_t next_token = 0;
  // "T" and the token number in 13 zero-padded digits (a capture has far fewer than
  // 10^13 orders), written digit by digit: snprintf here was a quarter of the
  // generator's instructions.
  auto token_text = [](uint64_t t) {
    char buf[15];
    buf[0] = 'T';
    for (int i = 13; i >= 1; --i, t /= 10) buf[i] = static_cast<char>('0' + t % 10);
    buf[14] = '\0';
    return dp::ouch::Token::from(buf);
  };
  const std::vector<std::string> names = capture_symbols(cfg.symbols);
  for (const Timed& t : m.order) {
    const book::BookMessage& bm = m.flows[t.symbol].messages[t.index];
    const uint64_t key = (uint64_t{t.symbol} << 40) ^ bm.id.value;
    uint8_t msg[64];
    std::size_t len = 0;
    uint32_t client = 0;
    switch (bm.type) {
      case book::MsgType::kAdd: {
        client = static_cast<uint32_t>(bm.id.value % cfg.clients);
        live[key] = Live{++next_token, client};
        dp::ouch::EnterOrder o;
        o.token = token_text(next_token);
        o.side = bm.side == book::Side::kBuy ? 'B' : 'S';
        o.shares = static_cast<uint32_t>(bm.qty.value);
        o.stock = dp::Stock::from(names[t.symbol]);
        o.price = book::Price{bm.price.ticks * cfg.tick_price4};
        o.time_in_force = bm.order_type == book::OrderType::kIoc ? dp::ouch::kTifImmediate : dp::ouch::kTifSystemHours;
        o.firm = dp::ouch::Firm::from("TCHY");
        o.display = 'Y';
        o.capacity = 'A';
        o.intermarket_sweep = 'N';
        o.minimum_quantity = 0;
        o.cross_type = 'N';
        o.customer_type = 'R';
        len = dp::ouch::encode(o, msg);
        break;
      }
      case book::MsgType::kCancel: {
        // A cancel of an order the flow never entered (stale) still needs a token.
        Live& l = live.try_emplace(key, Live{++next_token, static_cast<uint32_t>(bm.id.value % cfg.clients)}).first->second;
        client = l.client;
        dp::ouch::CancelOrder x;
        x.token = token_text(l.token);
        x.shares = 0;
        len = dp::ouch::encode(x, msg);
        break;
      }
      case book::MsgType::kModify: {
        Live& l = live.try_emplace(key, Live{++next_token, static_cast<uint32_t>(bm.id.value % cfg.clients)}).first->second;
        client = l.client;
        dp::ouch::ReplaceOrder u;
        u.existing_token = token_text(l.token);
        l.token = ++next_token;
        u.replacement_token = token_text(l.token);
        u.shares = static_cast<uint32_t>(bm.qty.value);
        u.price = book::Price{bm.price.ticks * cfg.tick_price4};
        u.time_in_force = dp::ouch::kTifSystemHours;
        u.display = 'Y';
        u.intermarket_sweep = 'N';
        u.minimum_quantity = 0;
        len = dp::ouch::encode(u, msg);
        break;
      }
      default:
        throw std::runtime_error("capture generator: the flow model produced an unsupported message type");
    }
    if (len == 0) throw std::runtime_error("capture generator: OUCH encoding failed (price out of range?)");
    Client& c = clients[client];
    if (c.packetizer->pending() > 0 && (t.ns - c.first_ns > kBatchWindowNs || !c.packetizer->fits(len))) send(c);
    if (c.packetizer->pending() == 0) c.first_ns = t.ns;
    c.packetizer->append(std::span<const uint8_t>(msg, len));
    ++info.messages;
  }
  for (Client& c : clients) send(c);
  try {
    writer->close();
  } catch (const nic::CaptureError& e) {
    throw std::runtime_error(e.what());
  }
  return info;
}

// Market data: the flow matched by a venue's book, published as ITCH.
class FeedWriter {
 public:
  FeedWriter(const std::string& path, CaptureInfo& info) : path_(path), info_(info) {
    nic::UdpFlow f;
    f.src_mac = nic::MacAddress{{0x02, 0x00, 0x00, 0x00, 0x00, 0x64}};
    f.src_ip = dp::kApplianceAddress;
    f.src_port = dp::kMarketDataSourcePort;
    f.dst_ip = dp::kMarketDataGroup;
    f.dst_port = dp::kMarketDataPort;
    writer_ = open_writer(path, f);
  }
  void on_datagram(std::span<const uint8_t> d, uint64_t ts_ns) {
    if (writer_->write_datagram(ts_ns, d) != nic::WriteStatus::kOk)
      throw std::runtime_error(path_ + ": cannot write packet: " + std::string(writer_->error()));
    if (info_.packets++ == 0) info_.first_ns = ts_ns;
    info_.last_ns = ts_ns;
  }
  void close() {
    try {
      writer_->close();
    } catch (const nic::CaptureError& e) {
      throw std::runtime_error(e.what());
    }
  }

 private:
  std::string path_;
  CaptureInfo& info_;
  std::unique_ptr<nic::PcapWriter> writer_;
};

CaptureInfo write_feed(const CaptureConfig& cfg, const MergedFlow& m, const std::string& path, CaptureInfo info) {
  FeedWriter out(path, info);
  std::vector<dp::Stock> stocks;
  for (const std::string& s : info.symbols) stocks.push_back(dp::Stock::from(s));
  book::BookConfig bc;
  bc.max_symbols = cfg.symbols;
  uint32_t peak = 0;
  for (const Flow& f : m.flows) peak += f.peak_live_orders;
  bc.max_orders = std::max<uint32_t>(1024, peak * 2);
  bc.max_levels = std::max<uint32_t>(1024, peak);
  book::BookShard venue(bc);
  dp::ItchPublisher<FeedWriter> publisher(dp::mold::Session::from(dp::kMarketDataSession), stocks, bc.max_orders, out);
  if (!m.order.empty()) publisher.set_time(m.order.front().ns);
  publisher.start_of_day();
  uint64_t seq = 0;
  uint64_t batch_start = m.order.empty() ? 0 : m.order.front().ns;
  for (const Timed& t : m.order) {
    if (t.ns - batch_start > kBatchWindowNs) {
      publisher.flush();
      batch_start = t.ns;
    }
    publisher.set_time(t.ns);
    book::BookMessage bm = m.flows[t.symbol].messages[t.index];
    bm.seq = ++seq;
    bm.symbol = book::SymbolId{t.symbol};
    bm.price = book::Price{bm.price.ticks * cfg.tick_price4};
    // Flow ids are per symbol; the venue's ids are unique across symbols.
    bm.id = book::OrderId{(uint64_t{t.symbol} << 40) ^ bm.id.value};
    venue.apply(bm, publisher);
    publisher.end_message();
  }
  publisher.end_of_day();
  info.messages = publisher.messages();
  out.close();
  return info;
}

}  // namespace

CaptureInfo generate_capture(const CaptureConfig& cfg, const std::string& path) {
  if (std::string err = cfg.validate(); !err.empty()) throw std::invalid_argument(err);
  const MergedFlow m = build_flows(cfg);
  CaptureInfo info;
  info.symbols = capture_symbols(cfg.symbols);
  return cfg.kind == CaptureKind::kMatch ? write_match(cfg, m, path, std::move(info))
                                         : write_feed(cfg, m, path, std::move(info));
}

}  // namespace tachyon::bench
