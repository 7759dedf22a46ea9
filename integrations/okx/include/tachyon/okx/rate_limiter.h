// Client-side OKX rate limits: one budget per REST endpoint (OKX's published limits,
// e.g. 60 requests per 2 s for placing orders, 10 per 2 s for the balance), plus the
// account-wide budget on new and amended orders (1000 orders per 2 s). A request is
// admitted now, queued until a given time, or refused with a clear error; it is never
// sent to be rejected by the venue.
//
// Each budget is a token bucket whose tokens return one window (plus a 5% guard for
// network jitter) after they were spent, kept as a ring of spend times. A bucket refilled at a steady rate instead
// would admit a full burst, then refill and admit nearly another in the same window,
// which OKX would reject. Control path; thread-safe (one mutex).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace tachyon::okx {

enum class Endpoint : uint8_t {
  kPlaceOrder = 0,
  kBatchOrders,
  kCancelOrder,
  kBatchCancel,
  kAmendOrder,
  kBatchAmend,
  kGetOrder,
  kBalance,
  kPositions,
  kInstruments,
  kOrderBook,
  kServerTime,
  kCount,
};

struct EndpointInfo {
  Endpoint endpoint;
  const char* method;
  const char* path;
  int limit;            // units per window
  int window_ms;
  bool per_order;       // a unit is one order of the batch, not one request
  bool account_orders;  // also counts against the account-wide new/amend budget
};

// OKX's published limit for each endpoint.
const EndpointInfo& endpoint_info(Endpoint e) noexcept;

// The account-wide limit on new and amended orders (sub-account level).
inline constexpr int kAccountOrderLimit = 1000;
inline constexpr int kAccountOrderWindowMs = 2000;

// A budget of `limit` units in any window of window_ms.
class WindowBudget {
 public:
  WindowBudget(int limit, int window_ms);
  // Returns the earliest time >= now_ms at which cost units fit, or -1 if cost
  // exceeds the limit (never fits).
  int64_t earliest(int cost, int64_t now_ms) const noexcept;
  // Spends cost units at at_ms. Precondition: at_ms >= earliest(cost, ...).
  void spend(int cost, int64_t at_ms);
  int limit() const noexcept { return limit_; }
  int window_ms() const noexcept { return window_ms_; }
  // Extra time a token stays spent, so that jitter between here and the venue cannot
  // put more than limit units into one of the venue's windows.
  int guard_ms() const noexcept { return window_ms_ / 20; }
  // Units spent in (now_ms - window, now_ms].
  int used(int64_t now_ms) const noexcept;

 private:
  int limit_;
  int window_ms_;
  std::vector<int64_t> ring_;  // spend times, oldest at head_
  std::size_t head_ = 0;
  std::size_t size_ = 0;
  int64_t last_ = INT64_MIN;
};

struct Admission {
  bool admitted = false;
  int64_t at_ms = 0;    // when the request may go (>= now); wait = at_ms - now
  std::string refusal;  // why it was refused (endpoint, limit, wait needed)
};

class RateLimiter {
 public:
  RateLimiter();
  // Replaces an endpoint's limit (tests and VIP tiers).
  void set_limit(Endpoint e, int limit, int window_ms);
  void set_account_limit(int limit, int window_ms);

  // Admits `cost` units (orders for per-order endpoints, else 1) on endpoint e at
  // now_ms, queued at most max_wait_ms; reserves the slot when admitted.
  Admission admit(Endpoint e, int cost, int64_t now_ms, int64_t max_wait_ms);

 private:
  std::mutex mu_;
  std::vector<WindowBudget> budgets_;
  WindowBudget account_;
};

}  // namespace tachyon::okx
