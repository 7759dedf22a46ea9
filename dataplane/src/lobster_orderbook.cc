// LOBSTER orderbook row writers. Allocation-free; called by the replay core per message.
#include "tachyon/dataplane/lobster_orderbook.h"

#include <array>
#include <charconv>

namespace tachyon::dataplane::lobster {

namespace {

// Appends ",v" (or "v" when first) to [p, end); returns nullptr when it does not fit.
char* put(char* p, char* end, int64_t v, bool first) noexcept {
  if (p == nullptr) return nullptr;
  if (!first) {
    if (p == end) return nullptr;
    *p++ = ',';
  }
  const auto r = std::to_chars(p, end, v);
  return r.ec == std::errc() ? r.ptr : nullptr;
}

}  // namespace

std::size_t format_orderbook(std::span<const Level> asks, std::span<const Level> bids,
                             std::span<char> out) noexcept {
  if (asks.size() != bids.size()) return 0;
  char* p = out.data();
  char* const end = out.data() + out.size();
  for (std::size_t i = 0; i < asks.size(); ++i) {
    p = put(p, end, asks[i].price, i == 0);
    p = put(p, end, asks[i].size, false);
    p = put(p, end, bids[i].price, false);
    p = put(p, end, bids[i].size, false);
  }
  return p == nullptr ? 0 : static_cast<std::size_t>(p - out.data());
}

std::size_t format_orderbook(const book::OrderBook& b, uint32_t levels, std::span<char> out) noexcept {
  if (levels == 0 || levels > kMaxLevels) return 0;
  std::array<book::DepthLevel, kMaxLevels> depth;
  std::array<Level, kMaxLevels> asks;
  std::array<Level, kMaxLevels> bids;
  const std::size_t na = b.depth(book::Side::kSell, std::span(depth.data(), levels));
  for (std::size_t i = 0; i < levels; ++i) asks[i] = i < na ? Level{depth[i].price.ticks, depth[i].qty.value} : kEmptyAsk;
  const std::size_t nb = b.depth(book::Side::kBuy, std::span(depth.data(), levels));
  for (std::size_t i = 0; i < levels; ++i) bids[i] = i < nb ? Level{depth[i].price.ticks, depth[i].qty.value} : kEmptyBid;
  return format_orderbook(std::span<const Level>(asks.data(), levels), std::span<const Level>(bids.data(), levels),
                          out);
}

}  // namespace tachyon::dataplane::lobster
