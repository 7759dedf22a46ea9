// Parsing of OKX WebSocket text messages: "pong", events (subscribe, login, error) and
// channel pushes. Book pushes (books, books5, bbo-tbt, books-l2-tbt, books50-l2-tbt)
// are parsed with simdjson On Demand into views of their level strings, without
// allocation; other channels are reported by name for the typed parsers in
// channel_data.h. Owned by the control-plane thread; not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace tachyon::okx {

enum class Channel : uint8_t {
  kUnknown = 0,
  kBooks,         // 400 levels, snapshot then incremental updates, 100 ms
  kBooks5,        // 5 levels, full snapshot every push
  kBboTbt,        // 1 level, full snapshot every push, tick by tick
  kBooksL2Tbt,    // 400 levels tick by tick (VIP)
  kBooks50L2Tbt,  // 50 levels tick by tick (VIP)
  kTrades,
  kOrders,
  kPositions,
  kAccount,
};

Channel channel_from_name(std::string_view name) noexcept;
const char* to_string(Channel c) noexcept;
// True for channels whose pushes are order-book levels.
constexpr bool is_book_channel(Channel c) noexcept { return c >= Channel::kBooks && c <= Channel::kBooks50L2Tbt; }
// True for book channels with snapshot + incremental updates and seqId continuity.
constexpr bool is_incremental_book(Channel c) noexcept {
  return c == Channel::kBooks || c == Channel::kBooksL2Tbt || c == Channel::kBooks50L2Tbt;
}

struct LevelText {
  std::string_view price;
  std::string_view size;
};

// One book push. Views point into the parser and stay valid until its next parse().
struct BookPush {
  Channel channel = Channel::kUnknown;
  bool snapshot = false;  // action "snapshot", or a full-depth channel (books5, bbo-tbt)
  std::string_view inst_id;
  int64_t seq_id = -1;
  int64_t prev_seq_id = -1;
  bool has_seq = false;
  bool has_prev_seq = false;
  int32_t checksum = 0;  // 0: absent
  int64_t ts_ms = 0;
  std::span<const LevelText> bids;  // best first, as sent
  std::span<const LevelText> asks;
};

struct EventMessage {
  std::string_view event;  // "subscribe", "unsubscribe", "login", "error", "channel-conn-count", ...
  std::string_view code;   // "0" or an OKX error code ("" when absent)
  std::string_view msg;
  std::string_view channel;
  std::string_view inst_id;
};

enum class MessageKind : uint8_t {
  kPong = 0,       // the text "pong"
  kEvent = 1,      // {"event": ...}
  kBook = 2,       // a book channel push: see book
  kData = 3,       // another channel's push: see channel, inst_id; parse with channel_data.h
  kMalformed = 4,  // not JSON, not an object, or a book push we cannot read: see error
};

struct ParsedMessage {
  MessageKind kind = MessageKind::kMalformed;
  Channel channel = Channel::kUnknown;
  std::string_view inst_id;
  BookPush book;
  EventMessage event;
  const char* error = "";  // static text for kMalformed
};

class WsMessageParser {
 public:
  // Preallocates for messages up to max_message bytes and book pushes of up to
  // max_levels levels per side.
  explicit WsMessageParser(std::size_t max_message = 1 << 20, std::size_t max_levels = 1024);
  ~WsMessageParser();
  WsMessageParser(const WsMessageParser&) = delete;
  WsMessageParser& operator=(const WsMessageParser&) = delete;

  // Parses one complete message. data must stay readable for capacity bytes, with
  // capacity >= len + kPadding (simdjson reads ahead). Hot path for book pushes: no
  // allocation, no exceptions.
  ParsedMessage parse(const char* data, std::size_t len, std::size_t capacity) noexcept;

  static constexpr std::size_t kPadding = 64;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tachyon::okx
