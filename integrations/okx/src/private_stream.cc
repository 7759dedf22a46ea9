// OKX private channels (see private_stream.h). Control-plane thread.
#include "tachyon/okx/private_stream.h"

namespace tachyon::okx {

OkxPrivateStream::OkxPrivateStream(const OkxConfig& cfg, const ServerClock& clock)
    : cfg_(cfg), signer_(cfg.credentials, cfg.demo), parser_(4u << 20, 16) {
  WsClientOptions o;
  o.url = cfg_.ws_private_url;
  o.ca_file = cfg_.ca_file;
  o.connect_timeout_ms = cfg_.connect_timeout_ms;
  o.ping_after_silence_ms = cfg_.ping_after_silence_ms;
  o.pong_timeout_ms = cfg_.pong_timeout_ms;
  o.reconnect_min_ms = cfg_.reconnect_min_ms;
  o.reconnect_max_ms = cfg_.reconnect_max_ms;
  o.login = &signer_;
  o.clock = &clock;
  ws_ = std::make_unique<WsClient>(o, *this);
}

OkxPrivateStream::~OkxPrivateStream() { ws_.reset(); }

void OkxPrivateStream::start() {
  ws_->subscribe(Subscription{"orders", "", "ANY", ""});
  ws_->subscribe(Subscription{"positions", "", "ANY", ""});
  ws_->subscribe(Subscription{"account", "", "", ""});
  ws_->start();
}

void OkxPrivateStream::on_message(const char* data, std::size_t len, std::size_t capacity) {
  const ParsedMessage m = parser_.parse(data, len, capacity);
  if (m.kind == MessageKind::kMalformed) {
    ++malformed_;
    last_problem_ = std::string("malformed frame: ") + m.error;
    return;
  }
  if (m.kind == MessageKind::kEvent) {
    if (m.event.event == "error") {
      ++venue_errors_;
      last_problem_ = "venue error " + std::string(m.event.code) + ": " + std::string(m.event.msg);
    }
    return;
  }
  if (m.kind != MessageKind::kData) return;
  auto report = [&](const Error& e) {
    ++malformed_;
    last_problem_ = e.describe();
  };
  switch (m.channel) {
    case Channel::kOrders: {
      auto r = parse_orders(data, len);
      if (!r) return report(r.error());
      if (on_order)
        for (const OrderInfo& o : *r) on_order(o);
      return;
    }
    case Channel::kPositions: {
      auto r = parse_positions(data, len);
      if (!r) return report(r.error());
      if (on_position)
        for (const Position& p : *r) on_position(p);
      return;
    }
    case Channel::kAccount: {
      auto r = parse_account(data, len);
      if (!r) return report(r.error());
      if (on_account)
        for (const AccountBalance& a : *r) on_account(a);
      return;
    }
    default:
      return;
  }
}

}  // namespace tachyon::okx
