// Measured statistics of a generated flow, taken by replaying it through a fresh
// BookShard and reading the events: what fraction of orders ended cancelled, were
// modified, traded; how many cancels/modifies found their order gone; the shape of
// quantities, distances and arrivals. Control path; measure_flow is reentrant.
#pragma once

#include <cstdint>
#include <span>

#include "tachyon/bench/flow_generator.h"

namespace tachyon::bench {

struct FlowStats {
  // Messages by type.
  uint64_t messages = 0;
  uint64_t adds = 0;
  uint64_t ioc_adds = 0;
  uint64_t cancels = 0;
  uint64_t modifies = 0;
  uint64_t other_messages = 0;

  // Events of the replay.
  uint64_t events = 0;
  uint64_t trades = 0;
  uint64_t stale_targets = 0;   // cancels and modifies rejected as not resting
  uint64_t other_rejects = 0;   // any other rejection (a generator bug if non-zero)

  // Orders (one per add), by what happened to them.
  uint64_t orders_cancelled = 0;       // got a Canceled event: user cancel or IOC remainder
  uint64_t orders_user_cancelled = 0;  // ... by a cancel message
  uint64_t orders_modified = 0;        // got at least one Modified event
  uint64_t orders_traded = 0;          // took part in at least one trade (either side)
  uint64_t orders_filled = 0;          // fully executed
  uint64_t adds_crossing = 0;          // new orders that traded on arrival
  uint64_t resting_at_end = 0;
  uint32_t peak_resting = 0;

  // Modifies that took effect, by kind.
  uint64_t reprice_modifies = 0;       // price moved by exactly one tick, quantity kept
  uint64_t qty_increase_modifies = 0;  // same price, larger quantity
  uint64_t other_effective_modifies = 0;

  // New-order quantities.
  int64_t qty_min = 0;
  int64_t qty_max = 0;
  double qty_mean = 0;

  // Arrivals.
  bool seq_contiguous = false;        // seq == 1..messages
  bool arrivals_nondecreasing = false;
  double duration_s = 0;              // first to last message
  double new_order_rate_hz = 0;       // adds per second between the first and last add
  double interarrival_cv = 0;         // stdev / mean of gaps between new orders; 1 for Poisson

  // From the generator's record of the reference mid and distances.
  double swing = 0;                   // (mid_max - mid_min) / mid_start
  double distance_tail_alpha = 0;     // maximum-likelihood power-law exponent for d >= kTailFrom
  uint32_t distance_mode = 0;         // most common distance in ticks
  static constexpr uint32_t kTailFrom = 64;

  uint64_t book_hash = 0;             // final BookShard::hash()

  double fraction(uint64_t part, uint64_t whole) const noexcept {
    return whole ? static_cast<double>(part) / static_cast<double>(whole) : 0.0;
  }
  double cancelled_fraction() const noexcept { return fraction(orders_cancelled, adds); }
  double modified_fraction() const noexcept { return fraction(orders_modified, adds); }
  double ioc_fraction() const noexcept { return fraction(ioc_adds, adds); }
  double stale_fraction() const noexcept { return fraction(stale_targets, cancels + modifies); }
  double traded_fraction() const noexcept { return fraction(orders_traded, adds); }
  double filled_fraction() const noexcept { return fraction(orders_filled, adds); }
  double messages_per_order() const noexcept { return fraction(messages, adds); }
};

// Replays flow through a new BookShard (sized for the flow) and measures it. Throws
// std::invalid_argument when messages and arrival times differ in length. Control
// path: about 0.5 s and 100 MB of temporaries per million orders.
FlowStats measure_flow(const Flow& flow);

// Returns the maximum-likelihood estimate of the exponent alpha of a power law
// p(d) ~ d^-alpha truncated to [from, histogram.size() - 1], from a histogram of
// positive integers (continuous approximation). 0 when fewer than 2 values qualify.
double tail_alpha(std::span<const uint64_t> histogram, uint32_t from) noexcept;

}  // namespace tachyon::bench
