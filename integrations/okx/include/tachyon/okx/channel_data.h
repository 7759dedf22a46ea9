// Typed parsing of the OKX WebSocket channels other than books: trades (public),
// orders, positions and account (private). Control path (simdjson DOM); thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "tachyon/okx/error.h"
#include "tachyon/okx/rest_types.h"

namespace tachyon::okx {

struct Trade {
  std::string inst_id;
  std::string trade_id;
  Decimal px{};
  Decimal sz{};
  book::Side side = book::Side::kBuy;  // the taker's side
  int64_t ts_ms = 0;
};

// Each parser takes one complete push ({"arg":...,"data":[...]}); data must be
// readable for len + 64 bytes (the WebSocket receive buffer is).
Result<std::vector<Trade>> parse_trades(const char* data, std::size_t len);
Result<std::vector<OrderInfo>> parse_orders(const char* data, std::size_t len);
Result<std::vector<Position>> parse_positions(const char* data, std::size_t len);
Result<std::vector<AccountBalance>> parse_account(const char* data, std::size_t len);

}  // namespace tachyon::okx
