// The five market scenarios of the benchmark workload, named by how far the mid-price
// swings over a run. Plain values; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tachyon::bench {

enum class Scenario : uint8_t {
  kStatic = 0,      // the mid never moves
  kNormal = 1,      // a driftless random walk spanning 2%
  kSwing25 = 2,     // a sell-off and recovery spanning 25%
  kSwing40 = 3,     // the same, spanning 40%
  kFlashCrash = 4,  // a sudden 60% collapse in 2% of the run, half recovered
};

inline constexpr std::array<Scenario, 5> kScenarios = {Scenario::kStatic, Scenario::kNormal, Scenario::kSwing25,
                                                      Scenario::kSwing40, Scenario::kFlashCrash};

// Returns "static", "normal", "swing-25", "swing-40" or "flash-crash".
const char* to_string(Scenario s) noexcept;
// Parses a name from to_string(); nullopt for anything else.
std::optional<Scenario> parse_scenario(std::string_view name) noexcept;
// Returns (max mid - min mid) / start mid over the run: 0, 0.02, 0.25, 0.40 or 0.60.
double scenario_swing(Scenario s) noexcept;

}  // namespace tachyon::bench
