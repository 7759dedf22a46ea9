// An OKX WebSocket connection over libwebsockets (TLS): subscribe/unsubscribe, login
// for private channels, the text "ping" after a silence (and "pong" expected back),
// reconnection with jittered exponential backoff followed by login and resubscription
// of every channel, and reassembly of messages that arrive in fragments.
// Runs on the thread that calls run_for()/poll() (the control-plane event loop);
// not thread-safe. Complete messages reach the listener with simdjson padding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/okx/server_clock.h"
#include "tachyon/okx/signer.h"

namespace tachyon::okx {

// One channel argument: {"channel":..., "instId":...} or with instType / ccy.
struct Subscription {
  std::string channel;
  std::string inst_id;
  std::string inst_type;
  std::string ccy;
  std::string to_json() const;
  friend bool operator==(const Subscription&, const Subscription&) = default;
};

// Receives the connection's events. One indirect call per complete message.
class WsListener {
 public:
  virtual ~WsListener() = default;
  // A complete text message (not "pong"). data[len .. capacity) is readable padding.
  virtual void on_message(const char* data, std::size_t len, std::size_t capacity) = 0;
  // The connection is usable (after login when logging in); subscriptions follow.
  virtual void on_open() {}
  // The connection closed or failed; a reconnect is scheduled unless stopped.
  virtual void on_close(const std::string& why) { (void)why; }
};

struct WsClientOptions {
  std::string url;      // wss://host:port/path
  std::string ca_file;  // extra trusted CA (PEM); empty: the system store
  int connect_timeout_ms = 5'000;
  int ping_after_silence_ms = 20'000;
  int pong_timeout_ms = 5'000;
  int reconnect_min_ms = 250;
  int reconnect_max_ms = 30'000;
  std::size_t max_message = 4u << 20;
  // Private channels: log in with these credentials before subscribing.
  const RequestSigner* login = nullptr;
  const ServerClock* clock = nullptr;  // login timestamps (server time); local when null
};

enum class WsState : uint8_t { kIdle = 0, kConnecting, kLoggingIn, kOpen, kWaitingToReconnect, kStopped };
const char* to_string(WsState s) noexcept;

struct WsStats {
  uint64_t connects = 0;             // connections established
  uint64_t connect_failures = 0;     // attempts that failed before opening
  uint64_t disconnects = 0;          // established connections that closed
  uint64_t messages = 0;             // complete messages received (pongs excluded)
  uint64_t fragmented_messages = 0;  // ... that arrived as several WebSocket frames
  uint64_t pings_sent = 0;
  uint64_t pongs = 0;
  uint64_t pong_timeouts = 0;
  uint64_t logins = 0;
  uint64_t login_failures = 0;
  uint64_t subscribes_sent = 0;      // subscribe ops sent (one per channel argument)
  uint64_t oversized = 0;            // messages above max_message (connection dropped)
  int64_t last_backoff_ms = 0;       // the last reconnect delay chosen
  std::string last_error;
};

class WsClient {
 public:
  // Throws std::runtime_error when the URL is not ws(s):// or lws cannot start.
  WsClient(WsClientOptions opt, WsListener& listener);
  ~WsClient();
  WsClient(const WsClient&) = delete;
  WsClient& operator=(const WsClient&) = delete;

  // Starts connecting (and reconnecting until stop()).
  void start();
  // Closes the connection and stops reconnecting.
  void stop();
  // Runs the event loop for up to ms milliseconds, or until until() returns true
  // (checked after every event and at least every 20 ms).
  void run_for(int ms, const std::function<bool()>& until = {});

  // Adds a channel; sent now when open, and again after every reconnect.
  void subscribe(const Subscription& s);
  void unsubscribe(const Subscription& s);
  // Unsubscribes and subscribes again (a fresh snapshot after a gap).
  void resubscribe(const Subscription& s);
  // Queues a text message (sent when open).
  void send_text(std::string text);
  // Closes the current connection as if it had failed; reconnects after a backoff.
  void drop_connection(const std::string& why);

  WsState state() const noexcept { return state_; }
  const WsStats& stats() const noexcept { return stats_; }
  const std::vector<Subscription>& subscriptions() const noexcept { return subs_; }
  const WsClientOptions& options() const noexcept { return opt_; }

 private:
  struct Lws;
  friend struct Lws;
  int on_lws_event(void* wsi, int reason, void* in, std::size_t len);
  void tick();
  void connect_now();
  void closed(const std::string& why, bool was_open);
  void opened();
  void send_subscriptions();
  void handle_complete_message();
  int64_t now_ms() const;

  WsClientOptions opt_;
  WsListener& listener_;
  std::unique_ptr<Lws> lws_;
  WsState state_ = WsState::kIdle;
  WsStats stats_;
  std::vector<Subscription> subs_;
  std::deque<std::string> tx_;
  std::vector<char> rx_;
  std::size_t rx_len_ = 0;
  bool in_message_ = false;
  bool frame_split_ = false;
  bool close_requested_ = false;
  bool overflow_ = false;
  std::string close_reason_;
  int attempt_ = 0;
  int64_t next_connect_ms_ = 0;
  int64_t last_rx_ms_ = 0;
  int64_t ping_sent_ms_ = 0;  // 0: no ping outstanding
  uint64_t rng_;
};

}  // namespace tachyon::okx
