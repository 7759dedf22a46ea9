// Deterministic generator of a realistic, cancel-heavy order flow for one liquid
// symbol: book messages in arrival order plus a nanosecond arrival time for each, for
// the book benchmark and for synthetic captures. Runs before the measured work, on any
// thread; generate_flow is reentrant (no shared state).
//
// The model, per new order (one "decision" per order, in decision order):
//   * side buy/sell 50/50; IOC with probability ioc_fraction, else a limit order;
//     quantity uniform in 1..max_qty;
//   * priced passively on its own side of the reference mid at decision time, at a
//     distance in ticks drawn from w(d) ~ d^2 / (1 + (d/c)^(2+alpha)): a power law of
//     exponent alpha in the tail with a hump (mode) near distance_hump_ticks;
//   * the reference mid follows the scenario's mid path (see mid_path.h);
//   * decision times come from a bursty two-state Markov-modulated Poisson process,
//     and each order reaches the book after a random latency (mostly microseconds,
//     a quarter of them milliseconds), so arrivals are shuffled relative to decisions:
//     an order priced against an old mid may cross orders resting around the new mid;
//   * a resting order lives for a heavy-tailed time (1 ms / 50 ms / 2 s exponential
//     mixture), may be modified once during its life (a one-tick reprice or a
//     quantity increase), and is then cancelled.
// The generator replays the flow through its own BookShard while it builds it, so it
// knows which orders are live. Three feedback rules hold the targets in every
// scenario: orders are kept (never cancelled) only while fills plus kept orders stay
// under 1 - cancel_fraction of all orders; modifies are planned while effective ones
// stay under modify_fraction; and cancels/modifies that find their order gone (filled
// or, deliberately, already cancelled) are sent only while they stay under
// stale_fraction of all cancels and modifies.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "tachyon/bench/scenario.h"
#include "tachyon/book/message.h"
#include "tachyon/book/types.h"

namespace tachyon::bench {

struct FlowConfig {
  Scenario scenario = Scenario::kNormal;
  uint64_t seed = 0x7ac4'0b5e'ed5e'0001ull;
  uint32_t orders = 1'000'000;          // new orders; messages are about 2.05x this
  book::SymbolId symbol{0};
  int64_t start_mid_ticks = 10'000;
  double ioc_fraction = 0.15;           // of new orders
  double cancel_fraction = 0.95;        // of new orders ending cancelled (user or IOC remainder)
  double modify_fraction = 0.20;        // of new orders modified at least once
  double stale_fraction = 0.02;         // of cancels + modifies, targeting an order already gone
  double distance_alpha = 2.2;          // tail exponent of the distance from the mid
  double distance_hump_ticks = 8;       // mode of the distance distribution
  uint32_t max_distance_ticks = 2'000;  // distances are drawn from 1..this
  int64_t max_qty = 100;                // new-order quantities are uniform in 1..this
  int64_t max_qty_increase = 50;        // a quantity-increase modify adds 1..this
  double mean_order_rate_hz = 50'000;   // new orders per second, averaged over bursts
  uint64_t start_ns = 1'704'205'800'000'000'000ull;  // first decision: 2024-01-02 14:30 UTC

  // Checks every field; returns an empty string when valid, else one line naming the
  // field, its value and the rule it breaks. Control path.
  std::string validate() const;
};

struct Flow {
  FlowConfig config;
  std::vector<book::BookMessage> messages;  // seq 1..N, in arrival order
  std::vector<uint64_t> arrival_ns;         // messages[i] reaches the book at arrival_ns[i]; non-decreasing
  std::vector<uint64_t> distance_histogram; // [d]: new orders placed d ticks from their reference mid
  double mid_start = 0;                     // reference mid over the run, fractional ticks
  double mid_min = 0;
  double mid_max = 0;
  uint32_t peak_live_orders = 0;            // the most orders resting at once
};

// Builds the flow of cfg. Identical output for identical cfg, on every platform.
// Throws std::invalid_argument when cfg.validate() fails. Control path; about 1 s and
// 150 MB of temporaries per million orders.
Flow generate_flow(const FlowConfig& cfg);

}  // namespace tachyon::bench
