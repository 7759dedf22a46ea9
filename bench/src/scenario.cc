// Scenario names and swings. Control path; thread-safe.
#include "tachyon/bench/scenario.h"

namespace tachyon::bench {

const char* to_string(Scenario s) noexcept {
  switch (s) {
    case Scenario::kStatic: return "static";
    case Scenario::kNormal: return "normal";
    case Scenario::kSwing25: return "swing-25";
    case Scenario::kSwing40: return "swing-40";
    case Scenario::kFlashCrash: return "flash-crash";
  }
  return "unknown";
}

std::optional<Scenario> parse_scenario(std::string_view name) noexcept {
  for (Scenario s : kScenarios)
    if (name == to_string(s)) return s;
  return std::nullopt;
}

double scenario_swing(Scenario s) noexcept {
  switch (s) {
    case Scenario::kStatic: return 0.0;
    case Scenario::kNormal: return 0.02;
    case Scenario::kSwing25: return 0.25;
    case Scenario::kSwing40: return 0.40;
    case Scenario::kFlashCrash: return 0.60;
  }
  return 0.0;
}

}  // namespace tachyon::bench
