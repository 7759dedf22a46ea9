// OKX rate-limit budgets (see rate_limiter.h). Control path.
#include "tachyon/okx/rate_limiter.h"

#include <algorithm>

namespace tachyon::okx {

namespace {
// OKX v5 published limits (requests, or orders for batch endpoints, per 2 s).
constexpr std::array<EndpointInfo, static_cast<std::size_t>(Endpoint::kCount)> kEndpoints = {{
    {Endpoint::kPlaceOrder, "POST", "/api/v5/trade/order", 60, 2000, false, true},
    {Endpoint::kBatchOrders, "POST", "/api/v5/trade/batch-orders", 300, 2000, true, true},
    {Endpoint::kCancelOrder, "POST", "/api/v5/trade/cancel-order", 60, 2000, false, false},
    {Endpoint::kBatchCancel, "POST", "/api/v5/trade/cancel-batch-orders", 300, 2000, true, false},
    {Endpoint::kAmendOrder, "POST", "/api/v5/trade/amend-order", 60, 2000, false, true},
    {Endpoint::kBatchAmend, "POST", "/api/v5/trade/amend-batch-orders", 300, 2000, true, true},
    {Endpoint::kGetOrder, "GET", "/api/v5/trade/order", 60, 2000, false, false},
    {Endpoint::kBalance, "GET", "/api/v5/account/balance", 10, 2000, false, false},
    {Endpoint::kPositions, "GET", "/api/v5/account/positions", 10, 2000, false, false},
    {Endpoint::kInstruments, "GET", "/api/v5/public/instruments", 20, 2000, false, false},
    {Endpoint::kOrderBook, "GET", "/api/v5/market/books", 40, 2000, false, false},
    {Endpoint::kServerTime, "GET", "/api/v5/public/time", 10, 2000, false, false},
}};
}  // namespace

const EndpointInfo& endpoint_info(Endpoint e) noexcept { return kEndpoints[static_cast<std::size_t>(e)]; }

WindowBudget::WindowBudget(int limit, int window_ms)
    : limit_(limit), window_ms_(window_ms), ring_(static_cast<std::size_t>(std::max(limit, 1))) {}

int64_t WindowBudget::earliest(int cost, int64_t now_ms) const noexcept {
  if (cost > limit_) return -1;
  // Spends stay in time order: never before the last reservation.
  int64_t t = std::max(now_ms, last_);
  const int over = static_cast<int>(size_) + cost - limit_;
  if (over > 0) {
    // The over-th oldest spend must have left the window.
    const int64_t oldest = ring_[(head_ + static_cast<std::size_t>(over) - 1) % ring_.size()];
    t = std::max(t, oldest + window_ms_ + guard_ms());
  }
  return t;
}

void WindowBudget::spend(int cost, int64_t at_ms) {
  // Forget spends that left the window before at_ms.
  while (size_ > 0 && ring_[head_] + window_ms_ + guard_ms() <= at_ms) {
    head_ = (head_ + 1) % ring_.size();
    --size_;
  }
  for (int i = 0; i < cost; ++i) {
    if (size_ == ring_.size()) {  // only when a caller skipped earliest(); drop the oldest
      head_ = (head_ + 1) % ring_.size();
      --size_;
    }
    ring_[(head_ + size_) % ring_.size()] = at_ms;
    ++size_;
  }
  last_ = std::max(last_, at_ms);
}

int WindowBudget::used(int64_t now_ms) const noexcept {
  int n = 0;
  for (std::size_t i = 0; i < size_; ++i) {
    const int64_t t = ring_[(head_ + i) % ring_.size()];
    if (t > now_ms - window_ms_ && t <= now_ms) ++n;
  }
  return n;
}

RateLimiter::RateLimiter() : account_(kAccountOrderLimit, kAccountOrderWindowMs) {
  budgets_.reserve(kEndpoints.size());
  for (const EndpointInfo& e : kEndpoints) budgets_.emplace_back(e.limit, e.window_ms);
}

void RateLimiter::set_limit(Endpoint e, int limit, int window_ms) {
  std::lock_guard lk(mu_);
  budgets_[static_cast<std::size_t>(e)] = WindowBudget(limit, window_ms);
}

void RateLimiter::set_account_limit(int limit, int window_ms) {
  std::lock_guard lk(mu_);
  account_ = WindowBudget(limit, window_ms);
}

Admission RateLimiter::admit(Endpoint e, int cost, int64_t now_ms, int64_t max_wait_ms) {
  const EndpointInfo& info = endpoint_info(e);
  std::lock_guard lk(mu_);
  WindowBudget& b = budgets_[static_cast<std::size_t>(e)];
  Admission a;
  const std::string what = std::string(info.method) + " " + info.path;
  const std::string limit_text =
      std::to_string(b.limit()) + (info.per_order ? " orders" : " requests") + " per " +
      std::to_string(b.window_ms()) + " ms";
  int64_t t = b.earliest(cost, now_ms);
  if (t < 0) {
    a.refusal = what + ": " + std::to_string(cost) + " units can never fit the limit of " + limit_text;
    return a;
  }
  if (info.account_orders) {
    const int64_t ta = account_.earliest(cost, now_ms);
    if (ta < 0) {
      a.refusal = what + ": " + std::to_string(cost) + " orders exceed the account-wide limit of " +
                  std::to_string(account_.limit()) + " new/amended orders per " + std::to_string(account_.window_ms()) +
                  " ms";
      return a;
    }
    t = std::max(t, ta);
  }
  if (t - now_ms > max_wait_ms) {
    a.refusal = what + ": local rate limit (" + limit_text +
                (info.account_orders ? ", account-wide " + std::to_string(account_.limit()) + " new/amended orders per " +
                                           std::to_string(account_.window_ms()) + " ms"
                                     : std::string()) +
                ") needs a wait of " + std::to_string(t - now_ms) + " ms, more than the allowed " +
                std::to_string(max_wait_ms) + " ms";
    return a;
  }
  b.spend(cost, t);
  if (info.account_orders) account_.spend(cost, t);
  a.admitted = true;
  a.at_ms = t;
  return a;
}

}  // namespace tachyon::okx
