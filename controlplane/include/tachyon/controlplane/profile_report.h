// tachyon report: one self-contained HTML page (inline CSS and SVG, no scripts, no
// external resources) that shows a RunProfile: key figures, latency histogram,
// percentile curve with log-scale tails, throughput over time, per-stage percentiles,
// memory and CPU over time, and events per symbol. Control path; pure function.
#pragma once

#include <string>

#include "tachyon/controlplane/run_profile.h"

namespace tachyon::controlplane {

std::string render_report_html(const RunProfile& p);

}  // namespace tachyon::controlplane
