// Strong value types of the book: Price, Qty, OrderId, Side, SymbolId, OrderType.
// Plain values; thread-safe.
#pragma once

#include <compare>
#include <cstdint>

namespace tachyon::book {

// A price in integer ticks. May be negative (spreads, some futures). Never a sentinel:
// whether an order has a price is a property of its OrderType.
struct Price {
  int64_t ticks = 0;
  constexpr Price() = default;
  constexpr explicit Price(int64_t t) noexcept : ticks(t) {}
  friend constexpr auto operator<=>(Price, Price) = default;
  friend constexpr Price operator+(Price p, int64_t d) noexcept { return Price{p.ticks + d}; }
  friend constexpr Price operator-(Price p, int64_t d) noexcept { return Price{p.ticks - d}; }
};

// A quantity (shares, contracts, lots). Signed so that arithmetic errors show as
// negative values instead of wrapping; the book rejects anything outside (0, max_qty].
struct Qty {
  int64_t value = 0;
  constexpr Qty() = default;
  constexpr explicit Qty(int64_t v) noexcept : value(v) {}
  friend constexpr auto operator<=>(Qty, Qty) = default;
  friend constexpr Qty operator+(Qty a, Qty b) noexcept { return Qty{a.value + b.value}; }
  friend constexpr Qty operator-(Qty a, Qty b) noexcept { return Qty{a.value - b.value}; }
  constexpr Qty& operator+=(Qty o) noexcept { value += o.value; return *this; }
  constexpr Qty& operator-=(Qty o) noexcept { value -= o.value; return *this; }
};

// A client- or venue-chosen order identifier: arbitrary 64-bit, neither dense nor ordered.
struct OrderId {
  uint64_t value = 0;
  constexpr OrderId() = default;
  constexpr explicit OrderId(uint64_t v) noexcept : value(v) {}
  friend constexpr auto operator<=>(OrderId, OrderId) = default;
};

// A dense symbol index, assigned by whoever configures the shard.
struct SymbolId {
  uint32_t value = 0;
  constexpr SymbolId() = default;
  constexpr explicit SymbolId(uint32_t v) noexcept : value(v) {}
  friend constexpr auto operator<=>(SymbolId, SymbolId) = default;
};

// The sequence number every inbound message carries and every event echoes.
using SeqNum = uint64_t;

enum class Side : uint8_t { kBuy = 0, kSell = 1 };

constexpr Side opposite(Side s) noexcept { return static_cast<Side>(static_cast<uint8_t>(s) ^ 1u); }

enum class OrderType : uint8_t {
  kLimit = 0,     // good till cancelled: the remainder rests
  kIoc = 1,       // immediate or cancel: the remainder is cancelled
  kFok = 2,       // fill or kill: fills completely at once or is cancelled untouched
  kMarket = 3,    // no price limit; never rests, the remainder is cancelled
  kPostOnly = 4,  // rests only; rejected if it would cross
};

}  // namespace tachyon::book
