// One OKX instrument's identity and its price and size steps (tickSz, lotSz), which
// turn the venue's decimal strings into the book's integer ticks and lots.
// Plain value; thread-safe to read.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tachyon/okx/decimal.h"

namespace tachyon::okx {

struct Instrument {
  std::string inst_id;    // "BTC-USDT"
  std::string inst_type;  // "SPOT", "SWAP", "FUTURES", "OPTION", "MARGIN"
  Units tick;             // price step: a Price of n ticks is n * tickSz
  Units lot;              // size step: a Qty of n lots is n * lotSz
  Decimal min_size{};     // minSz
  std::string state;      // "live", "suspend", ...

  // Returns an instrument with the given steps; nullopt when a step is not a positive
  // decimal.
  static std::optional<Instrument> make(std::string_view inst_id, std::string_view tick_size,
                                        std::string_view lot_size, std::string_view inst_type = "SPOT") {
    const auto t = Units::parse(tick_size);
    const auto l = Units::parse(lot_size);
    if (!t || !l) return std::nullopt;
    Instrument i;
    i.inst_id = std::string(inst_id);
    i.inst_type = std::string(inst_type);
    i.tick = *t;
    i.lot = *l;
    i.min_size = l->step();
    i.state = "live";
    return i;
  }
};

}  // namespace tachyon::okx
