// NASDAQ OUCH 4.2 order-entry messages as typed structs with their wire layouts (see
// wire_layout.h): inbound Enter Order 'O', Replace Order 'U', Cancel Order 'X'; outbound
// System Event 'S', Accepted 'A', Replaced 'U', Canceled 'C', Executed 'E', Broken Trade
// 'B', Rejected 'J'. Integers are big-endian; prices are Price(4) as book::Price;
// timestamps are 8-byte nanoseconds since midnight. Plain data; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tachyon/book/types.h"
#include "tachyon/dataplane/alpha_field.h"
#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane::ouch {

using Token = Alpha<14>;  // client order token
using Firm = Alpha<4>;

// Time in force values with a meaning of their own; others are seconds.
inline constexpr uint32_t kTifImmediate = 0;
inline constexpr uint32_t kTifMarketHours = 99998;
inline constexpr uint32_t kTifSystemHours = 99999;

// ---- inbound (client to venue) --------------------------------------------------------

// 'O' Enter Order (49).
struct EnterOrder {
  static constexpr char kType = 'O';
  static constexpr std::size_t kLength = 49;
  Token token;
  char side = 0;  // B S T E
  uint32_t shares = 0;
  Stock stock;
  book::Price price;
  uint32_t time_in_force = 0;
  Firm firm;
  char display = 0;   // Y N P I M W L O T Q A Z
  char capacity = 0;  // A P R O
  char intermarket_sweep = 0;  // Y N
  uint32_t minimum_quantity = 0;
  char cross_type = 0;     // N O C H S R
  char customer_type = 0;  // R N ' '
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.token);
    f(m.side);
    f(m.shares);
    f(m.stock);
    f(m.price);
    f(m.time_in_force);
    f(m.firm);
    f(m.display);
    f(m.capacity);
    f(m.intermarket_sweep);
    f(m.minimum_quantity);
    f(m.cross_type);
    f(m.customer_type);
  }
  friend constexpr bool operator==(const EnterOrder&, const EnterOrder&) = default;
};

// 'U' Replace Order (47).
struct ReplaceOrder {
  static constexpr char kType = 'U';
  static constexpr std::size_t kLength = 47;
  Token existing_token;
  Token replacement_token;
  uint32_t shares = 0;
  book::Price price;
  uint32_t time_in_force = 0;
  char display = 0;
  char intermarket_sweep = 0;
  uint32_t minimum_quantity = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.existing_token);
    f(m.replacement_token);
    f(m.shares);
    f(m.price);
    f(m.time_in_force);
    f(m.display);
    f(m.intermarket_sweep);
    f(m.minimum_quantity);
  }
  friend constexpr bool operator==(const ReplaceOrder&, const ReplaceOrder&) = default;
};

// 'X' Cancel Order (19): shares is the new intended size; 0 cancels the order.
struct CancelOrder {
  static constexpr char kType = 'X';
  static constexpr std::size_t kLength = 19;
  Token token;
  uint32_t shares = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.token);
    f(m.shares);
  }
  friend constexpr bool operator==(const CancelOrder&, const CancelOrder&) = default;
};

// ---- outbound (venue to client) -------------------------------------------------------

// 'S' System Event (10).
struct SystemEvent {
  static constexpr char kType = 'S';
  static constexpr std::size_t kLength = 10;
  uint64_t timestamp = 0;
  char event_code = 0;  // S E
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.timestamp);
    f(m.event_code);
  }
  friend constexpr bool operator==(const SystemEvent&, const SystemEvent&) = default;
};

// 'A' Accepted (66).
struct Accepted {
  static constexpr char kType = 'A';
  static constexpr std::size_t kLength = 66;
  uint64_t timestamp = 0;
  Token token;
  char side = 0;
  uint32_t shares = 0;
  Stock stock;
  book::Price price;
  uint32_t time_in_force = 0;
  Firm firm;
  char display = 0;
  uint64_t order_ref = 0;
  char capacity = 0;
  char intermarket_sweep = 0;
  uint32_t minimum_quantity = 0;
  char cross_type = 0;
  char order_state = 0;  // L live, D dead
  char bbo_weight = 0;   // 0 1 2 3 ' '
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.timestamp);
    f(m.token);
    f(m.side);
    f(m.shares);
    f(m.stock);
    f(m.price);
    f(m.time_in_force);
    f(m.firm);
    f(m.display);
    f(m.order_ref);
    f(m.capacity);
    f(m.intermarket_sweep);
    f(m.minimum_quantity);
    f(m.cross_type);
    f(m.order_state);
    f(m.bbo_weight);
  }
  friend constexpr bool operator==(const Accepted&, const Accepted&) = default;
};

// 'U' Replaced (80).
struct Replaced {
  static constexpr char kType = 'U';
  static constexpr std::size_t kLength = 80;
  uint64_t timestamp = 0;
  Token replacement_token;
  char side = 0;
  uint32_t shares = 0;
  Stock stock;
  book::Price price;
  uint32_t time_in_force = 0;
  Firm firm;
  char display = 0;
  uint64_t order_ref = 0;
  char capacity = 0;
  char intermarket_sweep = 0;
  uint32_t minimum_quantity = 0;
  char cross_type = 0;
  char order_state = 0;
  Token previous_token;
  char bbo_weight = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.timestamp);
    f(m.replacement_token);
    f(m.side);
    f(m.shares);
    f(m.stock);
    f(m.price);
    f(m.time_in_force);
    f(m.firm);
    f(m.display);
    f(m.order_ref);
    f(m.capacity);
    f(m.intermarket_sweep);
    f(m.minimum_quantity);
    f(m.cross_type);
    f(m.order_state);
    f(m.previous_token);
    f(m.bbo_weight);
  }
  friend constexpr bool operator==(const Replaced&, const Replaced&) = default;
};

// 'C' Canceled (28): decrement_shares left the order; reason is a CancelCode.
struct Canceled {
  static constexpr char kType = 'C';
  static constexpr std::size_t kLength = 28;
  uint64_t timestamp = 0;
  Token token;
  uint32_t decrement_shares = 0;
  char reason = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.timestamp);
    f(m.token);
    f(m.decrement_shares);
    f(m.reason);
  }
  friend constexpr bool operator==(const Canceled&, const Canceled&) = default;
};

// 'E' Executed (40).
struct Executed {
  static constexpr char kType = 'E';
  static constexpr std::size_t kLength = 40;
  uint64_t timestamp = 0;
  Token token;
  uint32_t executed_shares = 0;
  book::Price execution_price;
  char liquidity_flag = 0;  // A added, R removed, ...
  uint64_t match_number = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.timestamp);
    f(m.token);
    f(m.executed_shares);
    f(m.execution_price);
    f(m.liquidity_flag);
    f(m.match_number);
  }
  friend constexpr bool operator==(const Executed&, const Executed&) = default;
};

// 'B' Broken Trade (32).
struct BrokenTrade {
  static constexpr char kType = 'B';
  static constexpr std::size_t kLength = 32;
  uint64_t timestamp = 0;
  Token token;
  uint64_t match_number = 0;
  char reason = 0;  // E C S X
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.timestamp);
    f(m.token);
    f(m.match_number);
    f(m.reason);
  }
  friend constexpr bool operator==(const BrokenTrade&, const BrokenTrade&) = default;
};

// 'J' Rejected (24): reason is a RejectCode.
struct Rejected {
  static constexpr char kType = 'J';
  static constexpr std::size_t kLength = 24;
  uint64_t timestamp = 0;
  Token token;
  char reason = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.timestamp);
    f(m.token);
    f(m.reason);
  }
  friend constexpr bool operator==(const Rejected&, const Rejected&) = default;
};

}  // namespace tachyon::dataplane::ouch
