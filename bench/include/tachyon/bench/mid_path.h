// The reference mid-price path of a synthetic run: a geometric Brownian motion, shaped
// by the scenario's trend and scaled so that it spans exactly the scenario's swing.
// Built once before a run; pure function, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "tachyon/bench/scenario.h"

namespace tachyon::bench {

// Returns points mid prices in ticks (fractional), one per new-order decision, with
// path[0] == start and (max - min) / start == scenario_swing(s) to 1e-9 relative.
// Deterministic in (s, points, start, seed) on every platform. Precondition: start > 0.
// O(points).
std::vector<double> make_mid_path(Scenario s, std::size_t points, double start, uint64_t seed);

}  // namespace tachyon::bench
