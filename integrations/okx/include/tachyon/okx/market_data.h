// OKX public market data: one WebSocket connection carrying order-book channels
// (books, books5, bbo-tbt, ...) and trades for a set of instruments. Each book is
// mirrored in an L2Book and kept continuous by a BookSync; a break resubscribes that
// channel, a malformed frame is counted and reported while the connection carries on,
// and a lost connection marks every book stale until its next snapshot.
// Owned by the control-plane thread; not thread-safe (read health() on that thread).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/okx/book_sync.h"
#include "tachyon/okx/channel_data.h"
#include "tachyon/okx/instrument.h"
#include "tachyon/okx/okx_config.h"
#include "tachyon/okx/ws_client.h"
#include "tachyon/okx/ws_message.h"

namespace tachyon::okx {

struct MarketDataHealth {
  WsState connection = WsState::kIdle;
  WsStats ws;
  uint64_t malformed = 0;       // frames that were not valid OKX messages
  std::string last_malformed;   // why, and the start of the frame
  uint64_t venue_errors = 0;    // {"event":"error"} answers
  std::string last_venue_error;
  uint64_t resubscribes = 0;    // after a gap, a checksum mismatch or a bad level
  uint64_t unknown_instrument = 0;
  struct Book {
    std::string inst_id;
    BookHealth health;
  };
  std::vector<Book> books;
};

class OkxMarketData final : public WsListener {
 public:
  // Connects to cfg.ws_public_url (or url when not empty). Books use channel.
  OkxMarketData(const OkxConfig& cfg, std::vector<Instrument> instruments, Channel book_channel = Channel::kBooks,
                std::string url = "");
  ~OkxMarketData() override;

  // Subscribes the book channel of every instrument and starts connecting.
  void start();
  void stop() { ws_->stop(); }
  // Also subscribes the trades channel; f receives each trade.
  void subscribe_trades(const std::string& inst_id, std::function<void(const Trade&)> f);
  // Runs the event loop (see WsClient::run_for).
  void run_for(int ms, const std::function<bool()>& until = {}) { ws_->run_for(ms, until); }

  // Returns the mirrored book of inst_id, or nullptr.
  const BookSync* book(std::string_view inst_id) const noexcept;
  MarketDataHealth health() const;
  // Returns a human-readable health block (connection, counters, each book's state).
  std::string format_health() const;
  WsClient& ws() noexcept { return *ws_; }
  // The book channel every instrument is subscribed on.
  Channel channel() const noexcept { return channel_; }

  // WsListener
  void on_message(const char* data, std::size_t len, std::size_t capacity) override;
  void on_open() override;
  void on_close(const std::string& why) override;

  // Called after each applied book push (for a display or the coordinator).
  std::function<void(const BookSync&, SyncResult)> on_book;

 private:
  BookSync* find(std::string_view inst_id) noexcept;

  OkxConfig cfg_;
  Channel channel_;
  std::vector<std::unique_ptr<BookSync>> books_;
  WsMessageParser parser_;
  std::unique_ptr<WsClient> ws_;
  std::function<void(const Trade&)> on_trade_;
  uint64_t malformed_ = 0;
  std::string last_malformed_;
  uint64_t venue_errors_ = 0;
  std::string last_venue_error_;
  uint64_t resubscribes_ = 0;
  uint64_t unknown_instrument_ = 0;
};

}  // namespace tachyon::okx
