// The 10-byte header every NASDAQ TotalView-ITCH 5.0 message carries after its type
// byte: stock locate, tracking number, 6-byte timestamp. Plain data; thread-safe.
#pragma once

#include <cstdint>

#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane::itch {

// The fields every ITCH 5.0 message carries after its type byte (10 bytes).
struct Header {
  uint16_t stock_locate = 0;     // offset 1; 0 for messages not tied to a stock
  uint16_t tracking_number = 0;  // offset 3
  uint64_t timestamp = 0;        // offset 5, 6 bytes: nanoseconds since midnight
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.stock_locate);
    f(m.tracking_number);
    f(m.timestamp, wire::kU48);
  }
  friend constexpr bool operator==(const Header&, const Header&) = default;
};

}  // namespace tachyon::dataplane::itch
