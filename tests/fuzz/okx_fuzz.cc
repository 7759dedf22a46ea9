// libFuzzer target for the OKX WebSocket message parser and the book mirror behind it.
// The input is split at '\n' into messages. Each is parsed with WsMessageParser; book
// pushes for BTC-USDT go through BookSync, and other channels' data through the typed
// parsers of channel_data.h. Checks: a book that needs a resubscribe is stale and
// empty; a live book's sides are strictly ordered with positive sizes. Single-threaded.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "tachyon/okx/book_sync.h"
#include "tachyon/okx/channel_data.h"
#include "tachyon/okx/instrument.h"
#include "tachyon/okx/ws_message.h"

#ifndef TACHYON_FUZZ_CHECK
#define TACHYON_FUZZ_CHECK(cond)   \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)
#endif

namespace tachyon::fuzz {

namespace {

void check_side(const okx::L2Book& b, book::Side side) {
  static book::DepthLevel levels[64];
  const std::size_t n = b.depth(side, levels);
  for (std::size_t i = 0; i < n; ++i) {
    TACHYON_FUZZ_CHECK(levels[i].qty.value > 0);
    if (i == 0) continue;
    if (side == book::Side::kBuy) {
      TACHYON_FUZZ_CHECK(levels[i].price.ticks < levels[i - 1].price.ticks);
    } else {
      TACHYON_FUZZ_CHECK(levels[i].price.ticks > levels[i - 1].price.ticks);
    }
  }
}

void on_data(okx::Channel c, const char* data, std::size_t len) {
  switch (c) {
    case okx::Channel::kTrades: (void)okx::parse_trades(data, len); break;
    case okx::Channel::kOrders: (void)okx::parse_orders(data, len); break;
    case okx::Channel::kPositions: (void)okx::parse_positions(data, len); break;
    case okx::Channel::kAccount: (void)okx::parse_account(data, len); break;
    default: break;
  }
}

}  // namespace

inline int okx_one_input(const uint8_t* data, std::size_t size) {
  static okx::WsMessageParser parser(1 << 16, 64);
  okx::L2BookConfig cfg;
  cfg.max_levels = 256;
  static okx::BookSync sync(*okx::Instrument::make("BTC-USDT", "0.1", "0.00000001"), cfg);
  sync.await_snapshot();
  sync.drop("new input");
  std::vector<char> buf;
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  std::size_t at = 0;
  int64_t now_ms = 0;
  while (at <= all.size()) {
    std::size_t end = all.find('\n', at);
    if (end == std::string_view::npos) end = all.size();
    const std::string_view msg = all.substr(at, end - at);
    at = end + 1;
    if (msg.size() > (1 << 16)) continue;
    buf.assign(msg.size() + okx::WsMessageParser::kPadding, '\0');
    std::memcpy(buf.data(), msg.data(), msg.size());
    const okx::ParsedMessage m = parser.parse(buf.data(), msg.size(), buf.size());
    if (m.kind == okx::MessageKind::kMalformed) {
      TACHYON_FUZZ_CHECK(m.error != nullptr && m.error[0] != '\0');
    }
    if (m.kind == okx::MessageKind::kData) {
      // The typed parsers copy what they keep, so they get their own padded copy.
      std::vector<char> copy(buf);
      on_data(m.channel, copy.data(), msg.size());
    }
    if (m.kind != okx::MessageKind::kBook || m.book.inst_id != "BTC-USDT") continue;
    const okx::SyncResult r = sync.apply(m.book, ++now_ms);
    if (okx::needs_resubscribe(r)) {
      TACHYON_FUZZ_CHECK(!sync.live());
      TACHYON_FUZZ_CHECK(sync.book().level_count(book::Side::kBuy) == 0);
      TACHYON_FUZZ_CHECK(sync.book().level_count(book::Side::kSell) == 0);
      sync.await_snapshot();
    }
    if (r == okx::SyncResult::kSnapshot) {
      TACHYON_FUZZ_CHECK(sync.live());
    }
    if (sync.live()) {
      check_side(sync.book(), book::Side::kBuy);
      check_side(sync.book(), book::Side::kSell);
      (void)sync.checksum();
    }
  }
  return 0;
}

}  // namespace tachyon::fuzz

#ifndef TACHYON_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return tachyon::fuzz::okx_one_input(data, size);
}
#endif
