// tachyon report: one self-contained HTML page (inline CSS and SVG, no scripts, no
// external resources) that shows a RunProfile: key figures, latency histogram,
// percentile curve with log-scale tails, throughput over time, per-stage percentiles,
// memory and CPU over time, and events per symbol; with bench/load_bench results also
// the open-loop latency under load. Control path; pure function.
#pragma once

#include <string>

#include "tachyon/controlplane/load_curve.h"
#include "tachyon/controlplane/run_profile.h"

namespace tachyon::controlplane {

// Renders the page; load (may be null) adds the "latency under load" section.
std::string render_report_html(const RunProfile& p, const LoadCurve* load = nullptr);

}  // namespace tachyon::controlplane
