// OKX WebSocket connection over libwebsockets (see ws_client.h). One lws context per
// client, serviced by the caller's thread; a 20 ms timer drives pings, pong timeouts
// and reconnects.
#include "tachyon/okx/ws_client.h"

#include <libwebsockets.h>
#include <openssl/x509.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <stdexcept>

#include "tachyon/okx/json_text.h"
#include "tachyon/okx/url.h"

namespace tachyon::okx {

namespace {
constexpr std::size_t kRxPadding = 64;  // simdjson reads up to 64 bytes past the end
constexpr int kTickMs = 20;
}  // namespace

const char* to_string(WsState s) noexcept {
  switch (s) {
    case WsState::kIdle: return "idle";
    case WsState::kConnecting: return "connecting";
    case WsState::kLoggingIn: return "logging-in";
    case WsState::kOpen: return "open";
    case WsState::kWaitingToReconnect: return "waiting-to-reconnect";
    case WsState::kStopped: return "stopped";
  }
  return "unknown";
}

std::string Subscription::to_json() const {
  std::string s = "{";
  append_json_field(s, "channel", channel);
  if (!inst_id.empty()) append_json_field(s, "instId", inst_id);
  if (!inst_type.empty()) append_json_field(s, "instType", inst_type);
  if (!ccy.empty()) append_json_field(s, "ccy", ccy);
  s += '}';
  return s;
}

struct WsClient::Lws {
  struct Tick {
    lws_sorted_usec_list_t sul;  // first member: the timer callback casts back
    WsClient* self;
  };
  lws_context* ctx = nullptr;
  lws* wsi = nullptr;
  Tick tick{};
  Url url;
  std::string host;
  std::vector<unsigned char> tx_buf;
  lws_protocols protocols[2];

  static int callback(lws* wsi, lws_callback_reasons reason, void* /*user*/, void* in, size_t len) {
    lws_context* ctx = lws_get_context(wsi);
    auto* self = ctx != nullptr ? static_cast<WsClient*>(lws_context_user(ctx)) : nullptr;
    if (self == nullptr) return 0;
    return self->on_lws_event(wsi, static_cast<int>(reason), in, len);
  }
  static void on_tick(lws_sorted_usec_list_t* sul) {
    auto* t = reinterpret_cast<Tick*>(sul);
    t->self->tick();
  }
  void arm() { lws_sul_schedule(ctx, 0, &tick.sul, on_tick, kTickMs * LWS_US_PER_MS); }
};

WsClient::WsClient(WsClientOptions opt, WsListener& listener)
    : opt_(std::move(opt)), listener_(listener), lws_(std::make_unique<Lws>()) {
  const auto url = Url::parse(opt_.url);
  if (!url || (url->scheme != "wss" && url->scheme != "ws"))
    throw std::runtime_error("okx: WebSocket URL '" + opt_.url + "' is not ws:// or wss://");
  lws_->url = *url;
  lws_->host = url->host;
  rx_.resize(opt_.max_message + kRxPadding);
  rng_ = static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
         reinterpret_cast<uintptr_t>(this);

  lws_set_log_level(LLL_ERR, nullptr);
  std::memset(lws_->protocols, 0, sizeof lws_->protocols);
  lws_->protocols[0].name = "okx";
  lws_->protocols[0].callback = &Lws::callback;
  lws_->protocols[0].rx_buffer_size = 65536;
  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = CONTEXT_PORT_NO_LISTEN;
  info.protocols = lws_->protocols;
  info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
  info.user = this;
  info.fd_limit_per_thread = 16;
  info.timeout_secs = static_cast<unsigned>(std::max(1, opt_.connect_timeout_ms / 1000));
  info.connect_timeout_secs = info.timeout_secs;
  // lws trusts one CA file: the given one, else OpenSSL's default bundle (Debian:
  // /usr/lib/ssl/cert.pem -> /etc/ssl/certs/ca-certificates.crt).
  const char* system_bundle = X509_get_default_cert_file();
  if (!opt_.ca_file.empty()) {
    info.client_ssl_ca_filepath = opt_.ca_file.c_str();
  } else if (system_bundle != nullptr && ::access(system_bundle, R_OK) == 0) {
    info.client_ssl_ca_filepath = system_bundle;
  }
  lws_->ctx = lws_create_context(&info);
  if (lws_->ctx == nullptr) throw std::runtime_error("okx: lws_create_context failed for " + opt_.url);
  lws_->tick.self = this;
  lws_->arm();
}

WsClient::~WsClient() {
  state_ = WsState::kStopped;
  if (lws_->ctx != nullptr) {
    lws_sul_cancel(&lws_->tick.sul);
    lws_context_destroy(lws_->ctx);
  }
}

int64_t WsClient::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void WsClient::start() {
  if (state_ != WsState::kIdle && state_ != WsState::kStopped) return;
  attempt_ = 0;
  connect_now();
}

void WsClient::stop() {
  state_ = WsState::kStopped;
  if (lws_->wsi != nullptr) {
    close_requested_ = true;
    close_reason_ = "stopped";
    lws_callback_on_writable(lws_->wsi);
    run_for(200, [this] { return lws_->wsi == nullptr; });
  }
}

void WsClient::connect_now() {
  state_ = WsState::kConnecting;
  close_requested_ = false;
  close_reason_.clear();
  in_message_ = false;
  tx_.clear();
  lws_client_connect_info ci;
  std::memset(&ci, 0, sizeof ci);
  ci.context = lws_->ctx;
  ci.address = lws_->host.c_str();
  ci.port = lws_->url.port;
  ci.path = lws_->url.path.c_str();
  ci.host = lws_->host.c_str();
  ci.origin = lws_->host.c_str();
  ci.ssl_connection = lws_->url.tls() ? LCCSCF_USE_SSL : 0;
  ci.local_protocol_name = "okx";
  ci.pwsi = &lws_->wsi;
  lws* w = lws_client_connect_via_info(&ci);
  if (w == nullptr && state_ == WsState::kConnecting) closed("lws_client_connect_via_info failed", false);
}

void WsClient::closed(const std::string& why, bool was_open) {
  lws_->wsi = nullptr;
  in_message_ = false;
  ping_sent_ms_ = 0;
  if (state_ == WsState::kStopped) return;
  if (was_open) {
    ++stats_.disconnects;
  } else {
    ++stats_.connect_failures;
  }
  stats_.last_error = why;
  // Jittered exponential backoff ("equal jitter"): half fixed, half random.
  const int shift = std::min(attempt_, 20);
  const int64_t base = std::min<int64_t>(opt_.reconnect_max_ms, int64_t{opt_.reconnect_min_ms} << shift);
  rng_ ^= rng_ << 13;
  rng_ ^= rng_ >> 7;
  rng_ ^= rng_ << 17;
  const int64_t delay = base / 2 + static_cast<int64_t>(rng_ % static_cast<uint64_t>(base / 2 + 1));
  ++attempt_;
  stats_.last_backoff_ms = delay;
  next_connect_ms_ = now_ms() + delay;
  state_ = WsState::kWaitingToReconnect;
  tx_.clear();
  listener_.on_close(why);
}

void WsClient::opened() {
  state_ = WsState::kOpen;
  attempt_ = 0;
  listener_.on_open();
  send_subscriptions();
}

void WsClient::send_subscriptions() {
  if (subs_.empty()) return;
  std::string m = R"({"op":"subscribe","args":[)";
  for (std::size_t i = 0; i < subs_.size(); ++i) {
    if (i) m += ',';
    m += subs_[i].to_json();
  }
  m += "]}";
  stats_.subscribes_sent += subs_.size();
  send_text(std::move(m));
}

void WsClient::subscribe(const Subscription& s) {
  if (std::find(subs_.begin(), subs_.end(), s) == subs_.end()) subs_.push_back(s);
  if (state_ == WsState::kOpen) {
    ++stats_.subscribes_sent;
    send_text(R"({"op":"subscribe","args":[)" + s.to_json() + "]}");
  }
}

void WsClient::unsubscribe(const Subscription& s) {
  subs_.erase(std::remove(subs_.begin(), subs_.end(), s), subs_.end());
  if (state_ == WsState::kOpen) send_text(R"({"op":"unsubscribe","args":[)" + s.to_json() + "]}");
}

void WsClient::resubscribe(const Subscription& s) {
  if (state_ != WsState::kOpen) return;  // the reconnect will subscribe anyway
  send_text(R"({"op":"unsubscribe","args":[)" + s.to_json() + "]}");
  ++stats_.subscribes_sent;
  send_text(R"({"op":"subscribe","args":[)" + s.to_json() + "]}");
}

void WsClient::send_text(std::string text) {
  if (state_ != WsState::kOpen && state_ != WsState::kLoggingIn) return;  // resent on (re)open
  tx_.push_back(std::move(text));
  if (lws_->wsi != nullptr) lws_callback_on_writable(lws_->wsi);
}

void WsClient::drop_connection(const std::string& why) {
  if (lws_->wsi == nullptr) return;
  stats_.last_error = why;
  close_requested_ = true;
  close_reason_ = why;
  lws_callback_on_writable(lws_->wsi);
}

void WsClient::run_for(int ms, const std::function<bool()>& until) {
  const int64_t deadline = now_ms() + ms;
  while (now_ms() < deadline) {
    if (until && until()) return;
    lws_service(lws_->ctx, 0);
  }
}

void WsClient::tick() {
  const int64_t now = now_ms();
  if (state_ == WsState::kWaitingToReconnect && now >= next_connect_ms_) connect_now();
  if ((state_ == WsState::kOpen || state_ == WsState::kLoggingIn) && lws_->wsi != nullptr) {
    if (ping_sent_ms_ == 0 && now - last_rx_ms_ >= opt_.ping_after_silence_ms) {
      ++stats_.pings_sent;
      ping_sent_ms_ = now;
      tx_.push_back("ping");
      lws_callback_on_writable(lws_->wsi);
    } else if (ping_sent_ms_ != 0 && now - ping_sent_ms_ >= opt_.pong_timeout_ms) {
      ++stats_.pong_timeouts;
      ping_sent_ms_ = 0;
      drop_connection("no pong within " + std::to_string(opt_.pong_timeout_ms) + " ms of a ping");
    }
  }
  if (state_ != WsState::kStopped || lws_->wsi != nullptr) lws_->arm();
}

void WsClient::handle_complete_message() {
  const std::size_t n = rx_len_;
  if (n == 4 && std::memcmp(rx_.data(), "pong", 4) == 0) {
    ++stats_.pongs;
    ping_sent_ms_ = 0;
    return;
  }
  if (state_ == WsState::kLoggingIn) {
    // Only the login answer matters before the connection is open.
    simdjson::dom::parser p;
    simdjson::dom::element e;
    std::string_view event, code, msg;
    if (!p.parse(rx_.data(), n, false).get(e)) {
      if (e["event"].get_string().get(event)) event = {};
      if (e["code"].get_string().get(code)) code = {};
      if (e["msg"].get_string().get(msg)) msg = {};
    }
    if (event == "login" && code == "0") {
      ++stats_.logins;
      opened();
    } else if (event == "login" || event == "error") {
      ++stats_.login_failures;
      drop_connection("login refused: code " + std::string(code) + " " + std::string(msg));
    }
    return;
  }
  ++stats_.messages;
  if (frame_split_) ++stats_.fragmented_messages;
  listener_.on_message(rx_.data(), n, rx_.size());
}

int WsClient::on_lws_event(void* wsi_ptr, int reason_int, void* in, std::size_t len) {
  auto* wsi = static_cast<lws*>(wsi_ptr);
  const auto reason = static_cast<lws_callback_reasons>(reason_int);
  switch (reason) {
    case LWS_CALLBACK_CLIENT_ESTABLISHED: {
      lws_->wsi = wsi;
      ++stats_.connects;
      last_rx_ms_ = now_ms();
      ping_sent_ms_ = 0;
      if (opt_.login != nullptr) {
        state_ = WsState::kLoggingIn;
        const int64_t ms = opt_.clock != nullptr ? opt_.clock->now_ms() : ServerClock().now_ms();
        send_text(opt_.login->ws_login_message(ms / 1000));
      } else {
        opened();
      }
      break;
    }
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR: {
      if (state_ == WsState::kStopped || (lws_->wsi != nullptr && lws_->wsi != wsi)) break;
      const std::string why = in != nullptr ? std::string(static_cast<const char*>(in), strnlen(static_cast<const char*>(in), len ? len : 256)) : "connection error";
      closed("connect " + opt_.url + ": " + why, false);
      break;
    }
    case LWS_CALLBACK_CLIENT_CLOSED: {
      if (lws_->wsi != wsi) break;
      const bool was_open = state_ == WsState::kOpen || state_ == WsState::kLoggingIn;
      closed(close_reason_.empty() ? "closed by the server" : close_reason_, was_open);
      break;
    }
    case LWS_CALLBACK_CLIENT_RECEIVE: {
      if (!in_message_) {
        in_message_ = true;
        rx_len_ = 0;
        frame_split_ = false;
        overflow_ = false;
      }
      last_rx_ms_ = now_ms();
      if (rx_len_ + len > opt_.max_message) {
        overflow_ = true;
      } else {
        std::memcpy(rx_.data() + rx_len_, in, len);
        rx_len_ += len;
      }
      const bool final_frame = lws_is_final_fragment(wsi) != 0;
      const bool frame_done = lws_remaining_packet_payload(wsi) == 0;
      if (frame_done && !final_frame) frame_split_ = true;
      if (frame_done && final_frame) {
        in_message_ = false;
        if (overflow_) {
          ++stats_.oversized;
          drop_connection("message larger than " + std::to_string(opt_.max_message) + " bytes");
        } else {
          handle_complete_message();
        }
      }
      break;
    }
    case LWS_CALLBACK_CLIENT_WRITEABLE: {
      if (close_requested_) return -1;
      if (tx_.empty()) break;
      const std::string& m = tx_.front();
      lws_->tx_buf.resize(LWS_PRE + m.size());
      std::memcpy(lws_->tx_buf.data() + LWS_PRE, m.data(), m.size());
      const int w = lws_write(wsi, lws_->tx_buf.data() + LWS_PRE, m.size(), LWS_WRITE_TEXT);
      std::memset(lws_->tx_buf.data(), 0, lws_->tx_buf.size());  // the login message held a signature
      tx_.pop_front();
      if (w < static_cast<int>(m.size())) return -1;
      if (!tx_.empty()) lws_callback_on_writable(wsi);
      break;
    }
    default:
      break;
  }
  return 0;
}

}  // namespace tachyon::okx
