// Pre-trade risk checks and positions for one account or session, on the matching
// core: every new order is checked before it reaches the book, and fills update the
// positions and P&L. Owned by one core; not thread-safe. No allocation after
// construction; checks are a handful of compares (bench/risk_bench measures them).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>

#include "tachyon/book/types.h"

namespace tachyon::dataplane {

__extension__ using Int128 = __int128;

// Limits (money in Price(4) units times shares). Immutable once published; the core
// takes a new one between messages when the configuration reloads.
struct RiskLimits {
  int64_t max_order_qty = 1'000'000;
  int64_t max_notional = 10'000'000'000'000;  // price * qty of one order (= $1bn in Price(4))
  int64_t price_collar_bps = 1'000;           // max distance from the reference price
  uint32_t max_open_orders = 100'000;
  int64_t max_position = 10'000'000;          // per symbol, |position| after a full fill
  int64_t max_gross_position = 100'000'000;   // sum over symbols of |position|
  int64_t max_net_position = 50'000'000;      // |sum over symbols of position|
  uint32_t order_rate_per_s = 1'000'000;      // token bucket refill
  uint32_t order_burst = 10'000;              // token bucket depth
  bool kill_switch = false;                   // refuse every new order

  // Limits that never refuse anything (replays without a configured risk section).
  static constexpr RiskLimits unlimited() noexcept {
    RiskLimits l;
    l.max_order_qty = INT64_MAX;
    l.max_notional = INT64_MAX;
    l.price_collar_bps = INT64_MAX / 20'000;
    l.max_open_orders = UINT32_MAX;
    l.max_position = INT64_MAX / 4;
    l.max_gross_position = INT64_MAX / 4;
    l.max_net_position = INT64_MAX / 4;
    l.order_rate_per_s = 1'000'000'000;
    l.order_burst = 1'000'000'000;
    return l;
  }
  friend bool operator==(const RiskLimits&, const RiskLimits&) = default;
};

// The market's reference price per symbol (the last trade, whoever traded), shared by
// the gates of every session on a core.
struct ReferencePrices {
  std::unique_ptr<book::Price[]> price;
  std::unique_ptr<bool[]> known;
  explicit ReferencePrices(uint32_t symbols) : price(new book::Price[symbols]()), known(new bool[symbols]()) {}
  void set(book::SymbolId s, book::Price p) noexcept {
    price[s.value] = p;
    known[s.value] = true;
  }
};

enum class RiskReason : uint8_t {
  kNone = 0,
  kKillSwitch,
  kMaxOrderQty,
  kMaxNotional,
  kPriceCollar,
  kMaxOpenOrders,
  kMaxPosition,
  kMaxGrossPosition,
  kMaxNetPosition,
  kRateLimited,
};
const char* to_string(RiskReason r) noexcept;

// One symbol's position: signed shares, the cost of the open position, and realized
// P&L, all exact integers (Price(4) x shares).
struct Position {
  int64_t qty = 0;           // > 0 long, < 0 short
  Int128 open_cost = 0;      // sum of price * qty of the open position (sign of qty)
  Int128 realized = 0;       // closed P&L
  int64_t open_buy = 0;      // shares of live buy orders
  int64_t open_sell = 0;     // shares of live sell orders
  book::Price reference{};   // last trade price (the collar's reference)
  bool has_reference = false;

  // Unrealized P&L of the open position marked at mark.
  Int128 unrealized(book::Price mark) const noexcept { return Int128{qty} * mark.ticks - open_cost; }
};

class RiskGate {
 public:
  // Tracks symbols 0..symbols-1 under limits (which must outlive the gate or be
  // replaced with set_limits). The collar uses market (a table shared by the sessions
  // of a core) when given, else this gate's own fills and set_reference(). Control path.
  RiskGate(const RiskLimits* limits, uint32_t symbols, const ReferencePrices* market = nullptr);

  // Takes new limits (after a config reload). Between messages; O(1).
  void set_limits(const RiskLimits* limits) noexcept { limits_ = limits; }
  const RiskLimits& limits() const noexcept { return *limits_; }

  // Checks a new order; kNone lets it through and counts it against the rate limit.
  // now_ns is the message's time (capture time in replay). Market orders have no
  // price: notional and collar use the reference price. Hot path.
  RiskReason check_new(book::SymbolId sym, book::Side side, book::Price price, book::Qty qty, bool market,
                       uint64_t now_ns) noexcept;

  // Book feedback. Hot path.
  void on_open(book::SymbolId sym, book::Side side, book::Qty qty) noexcept;    // an order now rests
  // Resting shares left the book (cancel, fill, reduce); closed when the order is gone.
  void on_reduce(book::SymbolId sym, book::Side side, book::Qty qty, bool closed) noexcept;
  // A fill of ours: updates the position (average cost) and the reference price.
  void on_fill(book::SymbolId sym, book::Side side, book::Price price, book::Qty qty) noexcept;
  // Sets the collar's reference (e.g. a mid) for a symbol without a trade yet.
  void set_reference(book::SymbolId sym, book::Price price) noexcept;

  // Writes / reads every position, the open counts and the rate bucket (snapshots).
  template <class W>
  void save(W& w) const {
    w.put(symbols_);
    for (uint32_t s = 0; s < symbols_; ++s) w.put(pos_[s]);
    w.put(open_orders_);
    w.put(gross_);
    w.put(net_);
    w.put(bucket_nano_);
    w.put(bucket_ns_);
    w.put(bucket_started_);
    for (const uint64_t r : rejects_) w.put(r);
  }
  template <class R>
  void load(R& r) {
    if (r.template get<uint32_t>() != symbols_) throw std::runtime_error("snapshot: risk gate symbol count differs");
    for (uint32_t s = 0; s < symbols_; ++s) pos_[s] = r.template get<Position>();
    open_orders_ = r.template get<uint32_t>();
    gross_ = r.template get<int64_t>();
    net_ = r.template get<int64_t>();
    bucket_nano_ = r.template get<uint64_t>();
    bucket_ns_ = r.template get<uint64_t>();
    bucket_started_ = r.template get<bool>();
    for (uint64_t& x : rejects_) x = r.template get<uint64_t>();
  }

  const Position& position(book::SymbolId sym) const noexcept { return pos_[sym.value]; }
  // The price the symbol's open position is marked at: the market's last trade (the
  // table shared by the core's sessions), else this session's own reference (its last
  // fill, or set_reference()); zero when there is none (then nothing can be open).
  book::Price mark(book::SymbolId sym) const noexcept {
    if (market_ && market_->known[sym.value]) return market_->price[sym.value];
    return pos_[sym.value].has_reference ? pos_[sym.value].reference : book::Price{};
  }
  // Realized P&L over every symbol, Price(4) x shares. O(symbols); not for the hot path.
  Int128 realized_pnl() const noexcept;
  // Unrealized P&L of every open position marked at mark(), Price(4) x shares.
  // O(symbols); not for the hot path.
  Int128 unrealized_pnl() const noexcept;
  uint32_t symbols() const noexcept { return symbols_; }
  uint32_t open_orders() const noexcept { return open_orders_; }
  int64_t gross_position() const noexcept { return gross_; }
  int64_t net_position() const noexcept { return net_; }
  uint64_t rejects(RiskReason r) const noexcept { return rejects_[static_cast<uint8_t>(r)]; }

 private:
  RiskReason refuse(RiskReason r) noexcept {
    ++rejects_[static_cast<uint8_t>(r)];
    return r;
  }
  bool take_token(uint64_t now_ns) noexcept;

  const RiskLimits* limits_;
  const ReferencePrices* market_;
  uint32_t symbols_;
  std::unique_ptr<Position[]> pos_;
  uint32_t open_orders_ = 0;
  int64_t gross_ = 0;
  int64_t net_ = 0;
  // Token bucket in nano-tokens, so refill is exact integer arithmetic.
  uint64_t bucket_nano_ = 0;
  uint64_t bucket_ns_ = 0;
  bool bucket_started_ = false;
  uint64_t rejects_[16] = {};
};

}  // namespace tachyon::dataplane
