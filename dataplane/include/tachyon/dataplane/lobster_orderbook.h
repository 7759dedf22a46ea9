// LOBSTER CSV orderbook files: row k is the book after message k, with ask price, ask
// size, bid price, bid size for each level 1..N; empty levels are 9999999999 (ask) /
// -9999999999 (bid) with size 0. Strict row parser (errors name line and column) and row
// writer, from levels or straight from a book. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "tachyon/book/order_book.h"
#include "tachyon/dataplane/lobster.h"

namespace tachyon::dataplane::lobster {

struct Level {
  int64_t price = 0;  // USD x 10000
  int64_t size = 0;
  friend bool operator==(const Level&, const Level&) = default;
};

inline constexpr int64_t kEmptyAskPrice = 9'999'999'999;
inline constexpr int64_t kEmptyBidPrice = -9'999'999'999;
inline constexpr Level kEmptyAsk{kEmptyAskPrice, 0};
inline constexpr Level kEmptyBid{kEmptyBidPrice, 0};
// Most levels one row may carry (the writers keep them on the stack).
inline constexpr uint32_t kMaxLevels = 256;

// Parses one orderbook row with asks.size() levels (bids.size() must match) into asks
// and bids, best level first. Sizes must be >= 0. No allocation.
inline Error parse_orderbook(std::string_view row, uint32_t line, std::span<Level> asks,
                             std::span<Level> bids) noexcept {
  if (asks.size() != bids.size()) return Error{ErrorKind::kMissingField, line, 1};
  std::string_view rest = row;
  bool more = true;
  std::string_view f;
  uint32_t col = 0;
  auto field = [&](bool is_size, int64_t& v) -> ErrorKind {
    ++col;
    if (!detail::next_field(rest, more, f)) return ErrorKind::kMissingField;
    return detail::parse_int(f, !is_size, v);
  };
  for (std::size_t i = 0; i < asks.size(); ++i) {
    ErrorKind k;
    if ((k = field(false, asks[i].price)) != ErrorKind::kNone) return Error{k, line, col};
    if ((k = field(true, asks[i].size)) != ErrorKind::kNone) return Error{k, line, col};
    if ((k = field(false, bids[i].price)) != ErrorKind::kNone) return Error{k, line, col};
    if ((k = field(true, bids[i].size)) != ErrorKind::kNone) return Error{k, line, col};
  }
  if (more) return Error{ErrorKind::kExtraField, line, col + 1};
  return {};
}

// Writes one row (no line terminator) of asks.size() levels; bids.size() must match.
// Returns the length, or 0 when out is too small or the sides differ. No allocation.
std::size_t format_orderbook(std::span<const Level> asks, std::span<const Level> bids,
                             std::span<char> out) noexcept;

// Writes the top `levels` levels of b (at most kMaxLevels) as one row, padding missing
// levels with the empty-level values. Book ticks are taken as USD x 10000. Returns the
// length, or 0 when out is too small or levels is out of range. No allocation.
std::size_t format_orderbook(const book::OrderBook& b, uint32_t levels, std::span<char> out) noexcept;

}  // namespace tachyon::dataplane::lobster
