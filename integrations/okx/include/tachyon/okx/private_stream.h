// OKX private WebSocket channels: logs in (HMAC of timestamp + "GET" +
// "/users/self/verify", timestamp in Unix seconds of server time), then subscribes
// orders, positions and account, and delivers typed updates. Reconnects log in again
// and resubscribe. Owned by the control-plane thread; not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "tachyon/okx/channel_data.h"
#include "tachyon/okx/okx_config.h"
#include "tachyon/okx/server_clock.h"
#include "tachyon/okx/signer.h"
#include "tachyon/okx/ws_client.h"
#include "tachyon/okx/ws_message.h"

namespace tachyon::okx {

class OkxPrivateStream final : public WsListener {
 public:
  // clock supplies server time for the login timestamp (calibrate it through REST).
  OkxPrivateStream(const OkxConfig& cfg, const ServerClock& clock);
  ~OkxPrivateStream() override;

  // Subscribes orders (instType ANY), positions (ANY) and account, and connects.
  void start();
  void stop() { ws_->stop(); }
  void run_for(int ms, const std::function<bool()>& until = {}) { ws_->run_for(ms, until); }

  std::function<void(const OrderInfo&)> on_order;
  std::function<void(const Position&)> on_position;
  std::function<void(const AccountBalance&)> on_account;

  uint64_t malformed() const noexcept { return malformed_; }
  uint64_t venue_errors() const noexcept { return venue_errors_; }
  const std::string& last_problem() const noexcept { return last_problem_; }
  WsClient& ws() noexcept { return *ws_; }

  void on_message(const char* data, std::size_t len, std::size_t capacity) override;

 private:
  OkxConfig cfg_;
  RequestSigner signer_;
  WsMessageParser parser_;
  std::unique_ptr<WsClient> ws_;
  uint64_t malformed_ = 0;
  uint64_t venue_errors_ = 0;
  std::string last_problem_;
};

}  // namespace tachyon::okx
