// tachyon report: renders a profile as HTML, or compares two profiles (the regression
// check). Control path, main thread.
#pragma once

#include <string>
#include <vector>

namespace tachyon::controlplane {

// Exit code of a comparison that found a tracked metric worse than the threshold.
inline constexpr int kExitRegression = 3;

struct ReportCommand {
  std::string profile;               // profile to render
  std::string output;                // HTML path (default: profile with .html)
  std::string load_bench;            // load_bench --json results to include (optional)
  std::vector<std::string> compare;  // BASE NEW, when comparing
  double threshold_pct = 10;
};

// Runs the command and returns the exit code: 0 written / no regression,
// kExitRegression for a regression. Throws ProfileError (unreadable profile or
// output) and std::invalid_argument (usage).
int run_report_command(const ReportCommand& c);

}  // namespace tachyon::controlplane
