// OKX public market data over one WebSocket (see market_data.h). Control-plane thread.
#include "tachyon/okx/market_data.h"

#include <chrono>
#include <cstdio>
#include <sstream>

namespace tachyon::okx {

namespace {
int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

WsClientOptions ws_options(const OkxConfig& cfg, const std::string& url) {
  WsClientOptions o;
  o.url = url.empty() ? cfg.ws_public_url : url;
  o.ca_file = cfg.ca_file;
  o.connect_timeout_ms = cfg.connect_timeout_ms;
  o.ping_after_silence_ms = cfg.ping_after_silence_ms;
  o.pong_timeout_ms = cfg.pong_timeout_ms;
  o.reconnect_min_ms = cfg.reconnect_min_ms;
  o.reconnect_max_ms = cfg.reconnect_max_ms;
  return o;
}
}  // namespace

OkxMarketData::OkxMarketData(const OkxConfig& cfg, std::vector<Instrument> instruments, Channel book_channel,
                             std::string url)
    : cfg_(cfg), channel_(book_channel), parser_(4u << 20, 1024) {
  for (Instrument& i : instruments) books_.push_back(std::make_unique<BookSync>(std::move(i)));
  ws_ = std::make_unique<WsClient>(ws_options(cfg_, url), *this);
}

OkxMarketData::~OkxMarketData() { ws_.reset(); }

void OkxMarketData::start() {
  for (const auto& b : books_) ws_->subscribe(Subscription{to_string(channel_), b->instrument().inst_id, "", ""});
  ws_->start();
}

void OkxMarketData::subscribe_trades(const std::string& inst_id, std::function<void(const Trade&)> f) {
  on_trade_ = std::move(f);
  ws_->subscribe(Subscription{"trades", inst_id, "", ""});
}

BookSync* OkxMarketData::find(std::string_view inst_id) noexcept {
  for (const auto& b : books_)
    if (b->instrument().inst_id == inst_id) return b.get();
  return nullptr;
}

const BookSync* OkxMarketData::book(std::string_view inst_id) const noexcept {
  for (const auto& b : books_)
    if (b->instrument().inst_id == inst_id) return b.get();
  return nullptr;
}

void OkxMarketData::on_message(const char* data, std::size_t len, std::size_t capacity) {
  const ParsedMessage m = parser_.parse(data, len, capacity);
  switch (m.kind) {
    case MessageKind::kBook: {
      BookSync* b = find(m.book.inst_id);
      if (b == nullptr) {
        ++unknown_instrument_;
        return;
      }
      const SyncResult r = b->apply(m.book, wall_ms());
      if (needs_resubscribe(r)) {
        ++resubscribes_;
        ws_->resubscribe(Subscription{to_string(m.book.channel), b->instrument().inst_id, "", ""});
      }
      if (on_book) on_book(*b, r);
      return;
    }
    case MessageKind::kData:
      if (m.channel == Channel::kTrades && on_trade_) {
        auto t = parse_trades(data, len);
        if (!t) {
          ++malformed_;
          last_malformed_ = t.error().describe();
          return;
        }
        for (const Trade& x : *t) on_trade_(x);
      }
      return;
    case MessageKind::kEvent:
      if (m.event.event == "error") {
        ++venue_errors_;
        last_venue_error_ = "code " + std::string(m.event.code) + ": " + std::string(m.event.msg);
      }
      return;
    case MessageKind::kPong:
      return;
    case MessageKind::kMalformed: {
      ++malformed_;
      const std::size_t show = len < 60 ? len : 60;
      last_malformed_ = std::string(m.error) + ": '" + std::string(data, show) + (len > show ? "...'" : "'");
      return;
    }
  }
}

void OkxMarketData::on_open() {
  for (const auto& b : books_) b->await_snapshot();
}

void OkxMarketData::on_close(const std::string& why) {
  for (const auto& b : books_)
    if (b->health().state == BookState::kLive) b->drop(("connection lost: " + why).c_str());
}

MarketDataHealth OkxMarketData::health() const {
  MarketDataHealth h;
  h.connection = ws_->state();
  h.ws = ws_->stats();
  h.malformed = malformed_;
  h.last_malformed = last_malformed_;
  h.venue_errors = venue_errors_;
  h.last_venue_error = last_venue_error_;
  h.resubscribes = resubscribes_;
  h.unknown_instrument = unknown_instrument_;
  for (const auto& b : books_) h.books.push_back({b->instrument().inst_id, b->health()});
  return h;
}

std::string OkxMarketData::format_health() const {
  const MarketDataHealth h = health();
  std::ostringstream o;
  o << "connection " << to_string(h.connection) << ": " << h.ws.connects << " connects, " << h.ws.disconnects
    << " disconnects, " << h.ws.messages << " messages (" << h.ws.fragmented_messages << " fragmented), "
    << h.ws.pings_sent << " pings / " << h.ws.pongs << " pongs, " << h.malformed << " malformed, "
    << h.resubscribes << " resubscribes, " << h.venue_errors << " venue errors\n";
  if (!h.ws.last_error.empty()) o << "  last connection error: " << h.ws.last_error << "\n";
  if (!h.last_malformed.empty()) o << "  last malformed frame: " << h.last_malformed << "\n";
  if (!h.last_venue_error.empty()) o << "  last venue error: " << h.last_venue_error << "\n";
  const int64_t now = wall_ms();
  for (const auto& b : h.books) {
    const BookHealth& bh = b.health;
    o << b.inst_id << ": " << to_string(bh.state) << ", seqId " << bh.seq_id << ", " << bh.snapshots
      << " snapshots, " << bh.updates << " updates, " << bh.heartbeats << " heartbeats, " << bh.resets
      << " resets, " << bh.gaps << " gaps, " << bh.checksum_checked << " checksums (" << bh.checksum_mismatches
      << " bad)";
    if (bh.local_ms != 0) o << ", last push " << (now - bh.local_ms) << " ms ago";
    o << "\n";
    if (!bh.last_problem.empty()) o << "  last problem: " << bh.last_problem << "\n";
  }
  return o.str();
}

}  // namespace tachyon::okx
