// NASDAQ TotalView-ITCH 5.0 order-flow and trade messages (A F E C X D U P Q B) as typed
// structs with their wire layouts (see wire_layout.h). Order reference numbers are
// venue-wide uint64; Price(4) fields are book::Price in 1/10000 units. Plain data;
// thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tachyon/book/types.h"
#include "tachyon/dataplane/alpha_field.h"
#include "tachyon/dataplane/itch_header.h"
#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane::itch {

// 'A' Add Order, no MPID attribution (36).
struct AddOrder {
  static constexpr char kType = 'A';
  static constexpr std::size_t kLength = 36;
  Header header;
  uint64_t order_ref = 0;
  char side = 0;  // B S
  uint32_t shares = 0;
  Stock stock;
  book::Price price;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.order_ref);
    f(m.side);
    f(m.shares);
    f(m.stock);
    f(m.price);
  }
  friend constexpr bool operator==(const AddOrder&, const AddOrder&) = default;
};

// 'F' Add Order with MPID attribution (40).
struct AddOrderMpid {
  static constexpr char kType = 'F';
  static constexpr std::size_t kLength = 40;
  Header header;
  uint64_t order_ref = 0;
  char side = 0;
  uint32_t shares = 0;
  Stock stock;
  book::Price price;
  Mpid attribution;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.order_ref);
    f(m.side);
    f(m.shares);
    f(m.stock);
    f(m.price);
    f(m.attribution);
  }
  friend constexpr bool operator==(const AddOrderMpid&, const AddOrderMpid&) = default;
};

// 'E' Order Executed (31): at the order's own price.
struct OrderExecuted {
  static constexpr char kType = 'E';
  static constexpr std::size_t kLength = 31;
  Header header;
  uint64_t order_ref = 0;
  uint32_t executed_shares = 0;
  uint64_t match_number = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.order_ref);
    f(m.executed_shares);
    f(m.match_number);
  }
  friend constexpr bool operator==(const OrderExecuted&, const OrderExecuted&) = default;
};

// 'C' Order Executed With Price (36).
struct OrderExecutedWithPrice {
  static constexpr char kType = 'C';
  static constexpr std::size_t kLength = 36;
  Header header;
  uint64_t order_ref = 0;
  uint32_t executed_shares = 0;
  uint64_t match_number = 0;
  char printable = 0;  // Y N
  book::Price execution_price;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.order_ref);
    f(m.executed_shares);
    f(m.match_number);
    f(m.printable);
    f(m.execution_price);
  }
  friend constexpr bool operator==(const OrderExecutedWithPrice&, const OrderExecutedWithPrice&) = default;
};

// 'X' Order Cancel (23): partial cancellation.
struct OrderCancel {
  static constexpr char kType = 'X';
  static constexpr std::size_t kLength = 23;
  Header header;
  uint64_t order_ref = 0;
  uint32_t canceled_shares = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.order_ref);
    f(m.canceled_shares);
  }
  friend constexpr bool operator==(const OrderCancel&, const OrderCancel&) = default;
};

// 'D' Order Delete (19).
struct OrderDelete {
  static constexpr char kType = 'D';
  static constexpr std::size_t kLength = 19;
  Header header;
  uint64_t order_ref = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.order_ref);
  }
  friend constexpr bool operator==(const OrderDelete&, const OrderDelete&) = default;
};

// 'U' Order Replace (35): side, stock and attribution carry over from the original.
struct OrderReplace {
  static constexpr char kType = 'U';
  static constexpr std::size_t kLength = 35;
  Header header;
  uint64_t original_order_ref = 0;
  uint64_t new_order_ref = 0;
  uint32_t shares = 0;
  book::Price price;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.original_order_ref);
    f(m.new_order_ref);
    f(m.shares);
    f(m.price);
  }
  friend constexpr bool operator==(const OrderReplace&, const OrderReplace&) = default;
};

// 'P' Trade, non-cross (44): a match against a non-displayed order; no book change.
struct Trade {
  static constexpr char kType = 'P';
  static constexpr std::size_t kLength = 44;
  Header header;
  uint64_t order_ref = 0;
  char side = 0;
  uint32_t shares = 0;
  Stock stock;
  book::Price price;
  uint64_t match_number = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.order_ref);
    f(m.side);
    f(m.shares);
    f(m.stock);
    f(m.price);
    f(m.match_number);
  }
  friend constexpr bool operator==(const Trade&, const Trade&) = default;
};

// 'Q' Cross Trade (40).
struct CrossTrade {
  static constexpr char kType = 'Q';
  static constexpr std::size_t kLength = 40;
  Header header;
  uint64_t shares = 0;
  Stock stock;
  book::Price cross_price;
  uint64_t match_number = 0;
  char cross_type = 0;  // O C H
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.shares);
    f(m.stock);
    f(m.cross_price);
    f(m.match_number);
    f(m.cross_type);
  }
  friend constexpr bool operator==(const CrossTrade&, const CrossTrade&) = default;
};

// 'B' Broken Trade / Order Execution (19).
struct BrokenTrade {
  static constexpr char kType = 'B';
  static constexpr std::size_t kLength = 19;
  Header header;
  uint64_t match_number = 0;
  template <class Self, class F>
  static constexpr void fields(Self& m, F&& f) {
    f(m.header);
    f(m.match_number);
  }
  friend constexpr bool operator==(const BrokenTrade&, const BrokenTrade&) = default;
};

}  // namespace tachyon::dataplane::itch
