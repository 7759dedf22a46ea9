// RiskGate: pre-trade checks in a fixed order, token-bucket rate limit, and positions
// with average-cost P&L in exact integers.
#include "tachyon/dataplane/risk_gate.h"

#include <algorithm>

namespace tachyon::dataplane {

const char* to_string(RiskReason r) noexcept {
  switch (r) {
    case RiskReason::kNone: return "none";
    case RiskReason::kKillSwitch: return "kill_switch";
    case RiskReason::kMaxOrderQty: return "max_order_qty";
    case RiskReason::kMaxNotional: return "max_notional";
    case RiskReason::kPriceCollar: return "price_collar";
    case RiskReason::kMaxOpenOrders: return "max_open_orders";
    case RiskReason::kMaxPosition: return "max_position";
    case RiskReason::kMaxGrossPosition: return "max_gross_position";
    case RiskReason::kMaxNetPosition: return "max_net_position";
    case RiskReason::kRateLimited: return "rate_limited";
  }
  return "unknown";
}

namespace {

constexpr int64_t abs64(int64_t v) noexcept { return v < 0 ? -v : v; }
constexpr Int128 abs128(Int128 v) noexcept { return v < 0 ? -v : v; }
constexpr uint64_t kNano = 1'000'000'000;

}  // namespace

RiskGate::RiskGate(const RiskLimits* limits, uint32_t symbols, const ReferencePrices* market)
    : limits_(limits), market_(market), symbols_(symbols), pos_(new Position[symbols]) {}

bool RiskGate::take_token(uint64_t now_ns) noexcept {
  const RiskLimits& l = *limits_;
  const uint64_t cap = uint64_t{l.order_burst} * kNano;
  if (!bucket_started_) {
    bucket_started_ = true;
    bucket_nano_ = cap;
    bucket_ns_ = now_ns;
  } else if (now_ns > bucket_ns_) {
    // rate tokens per second = rate nano-tokens per ns; a long pause refills to the cap.
    const uint64_t elapsed = now_ns - bucket_ns_;
    const uint64_t rate = l.order_rate_per_s;
    bucket_nano_ = elapsed > cap / rate ? cap : std::min(cap, bucket_nano_ + elapsed * rate);
    bucket_ns_ = now_ns;
  }
  if (bucket_nano_ > cap) bucket_nano_ = cap;  // the burst shrank in a reload
  if (bucket_nano_ < kNano) return false;
  bucket_nano_ -= kNano;
  return true;
}

RiskReason RiskGate::check_new(book::SymbolId sym, book::Side side, book::Price price, book::Qty qty, bool market,
                               uint64_t now_ns) noexcept {
  const RiskLimits& l = *limits_;
  if (l.kill_switch) [[unlikely]]
    return refuse(RiskReason::kKillSwitch);
  if (qty.value > l.max_order_qty) return refuse(RiskReason::kMaxOrderQty);
  const Position& p = pos_[sym.value];
  const bool has_ref = market_ ? market_->known[sym.value] : p.has_reference;
  const book::Price ref = market_ ? market_->price[sym.value] : p.reference;
  if (market) {
    if (!has_ref) return refuse(RiskReason::kPriceCollar);  // nothing to bound a market order by
    price = ref;
  }
  if (Int128{abs64(price.ticks)} * qty.value > l.max_notional) return refuse(RiskReason::kMaxNotional);
  if (has_ref && !market) {
    const Int128 dist = abs128(Int128{price.ticks} - ref.ticks) * 10'000;
    if (dist > abs128(Int128{ref.ticks}) * l.price_collar_bps) return refuse(RiskReason::kPriceCollar);
  }
  if (open_orders_ >= l.max_open_orders) return refuse(RiskReason::kMaxOpenOrders);
  // Position if this order and every resting order on its side filled completely.
  const int64_t potential =
      side == book::Side::kBuy ? p.qty + p.open_buy + qty.value : p.qty - p.open_sell - qty.value;
  if (abs64(potential) > l.max_position) return refuse(RiskReason::kMaxPosition);
  if (gross_ - abs64(p.qty) + abs64(potential) > l.max_gross_position) return refuse(RiskReason::kMaxGrossPosition);
  if (abs64(net_ - p.qty + potential) > l.max_net_position) return refuse(RiskReason::kMaxNetPosition);
  if (!take_token(now_ns)) return refuse(RiskReason::kRateLimited);
  return RiskReason::kNone;
}

void RiskGate::on_open(book::SymbolId sym, book::Side side, book::Qty qty) noexcept {
  Position& p = pos_[sym.value];
  (side == book::Side::kBuy ? p.open_buy : p.open_sell) += qty.value;
  ++open_orders_;
}

void RiskGate::on_reduce(book::SymbolId sym, book::Side side, book::Qty qty, bool closed) noexcept {
  Position& p = pos_[sym.value];
  (side == book::Side::kBuy ? p.open_buy : p.open_sell) -= qty.value;
  if (closed) --open_orders_;
}

void RiskGate::on_fill(book::SymbolId sym, book::Side side, book::Price price, book::Qty qty) noexcept {
  Position& p = pos_[sym.value];
  const int64_t before = p.qty;
  const int64_t dir = side == book::Side::kBuy ? 1 : -1;
  int64_t left = qty.value;
  if (p.qty != 0 && (p.qty > 0) != (dir > 0)) {
    // Closing (part of) the position at average cost; the cost removed is truncated
    // toward zero, the same rule every time, so P&L is reproducible.
    const int64_t closing = std::min(abs64(p.qty), left);
    const Int128 removed = p.open_cost * closing / abs64(p.qty);
    const Int128 flow = Int128{price.ticks} * closing;
    p.realized += p.qty > 0 ? flow - removed : -removed - flow;
    p.open_cost -= removed;
    p.qty += dir * closing;
    left -= closing;
  }
  if (left > 0) {
    p.open_cost += Int128{dir} * price.ticks * left;
    p.qty += dir * left;
  }
  gross_ += abs64(p.qty) - abs64(before);
  net_ += p.qty - before;
  p.reference = price;
  p.has_reference = true;
}

Int128 RiskGate::realized_pnl() const noexcept {
  Int128 sum = 0;
  for (uint32_t s = 0; s < symbols_; ++s) sum += pos_[s].realized;
  return sum;
}

Int128 RiskGate::unrealized_pnl() const noexcept {
  Int128 sum = 0;
  for (uint32_t s = 0; s < symbols_; ++s)
    if (pos_[s].qty != 0) sum += pos_[s].unrealized(mark(book::SymbolId{s}));
  return sum;
}

void RiskGate::set_reference(book::SymbolId sym, book::Price price) noexcept {
  pos_[sym.value].reference = price;
  pos_[sym.value].has_reference = true;
}

}  // namespace tachyon::dataplane
