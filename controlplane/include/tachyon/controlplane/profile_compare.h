// tachyon report --compare: the performance-regression check between two profiles of
// the same capture taken on the same machine. Three tracked metrics fail the check when
// the new run is worse by more than the threshold: wire-to-wire p99 latency (higher is
// worse), throughput (lower is worse) and book bytes per order (higher is worse).
// Other figures are shown for information. Control path; pure functions.
#pragma once

#include <string>
#include <vector>

#include "tachyon/controlplane/run_profile.h"

namespace tachyon::controlplane {

struct CompareRow {
  std::string metric;
  std::string unit;          // ns, msgs/s, bytes
  double base = 0, now = 0;
  double ratio = 1;          // now / base (1 when both are 0)
  bool higher_is_better = false;
  bool tracked = false;      // can fail the check
  bool worse = false;        // tracked and worse than the threshold
};

struct CompareResult {
  std::vector<CompareRow> rows;
  std::vector<std::string> notes;  // e.g. the runs replayed different inputs
  bool regression = false;         // any tracked row is worse
};

// Compares now against base; threshold is a fraction (0.10 = 10%).
CompareResult compare_profiles(const RunProfile& base, const RunProfile& now, double threshold);

// Renders the comparison as an aligned table with a verdict line.
std::string format_compare(const CompareResult& r, double threshold, const std::string& base_name,
                           const std::string& now_name);

}  // namespace tachyon::controlplane
