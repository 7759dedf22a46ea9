// run_report_command(): HTML rendering to a file, or the comparison table and verdict
// on stdout. Control path.
#include "tachyon/controlplane/report_command.h"

#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "tachyon/controlplane/load_curve.h"
#include "tachyon/controlplane/profile_compare.h"
#include "tachyon/controlplane/profile_report.h"
#include "tachyon/controlplane/run_profile.h"

namespace tachyon::controlplane {

int run_report_command(const ReportCommand& c) {
  if (!c.compare.empty()) {
    if (c.compare.size() != 2) throw std::invalid_argument("--compare takes two profiles: BASE NEW");
    if (!c.profile.empty()) throw std::invalid_argument("give either PROFILE or --compare BASE NEW, not both");
    const RunProfile base = read_profile(c.compare[0]);
    const RunProfile now = read_profile(c.compare[1]);
    const double t = c.threshold_pct / 100.0;
    const CompareResult r = compare_profiles(base, now, t);
    std::printf("%s", format_compare(r, t, c.compare[0], c.compare[1]).c_str());
    return r.regression ? kExitRegression : 0;
  }
  if (c.profile.empty()) throw std::invalid_argument("report needs a PROFILE (tachyon replay --profile run.json) or --compare BASE NEW");
  const RunProfile p = read_profile(c.profile);
  std::string out = c.output;
  if (out.empty()) {
    out = c.profile;
    const std::size_t dot = out.rfind('.');
    const std::size_t slash = out.rfind('/');
    if (dot != std::string::npos && (slash == std::string::npos || dot > slash)) out.resize(dot);
    out += ".html";
  }
  LoadCurve load;
  if (!c.load_bench.empty()) load = read_load_curve(c.load_bench);
  const std::string html = render_report_html(p, c.load_bench.empty() ? nullptr : &load);
  std::ofstream f(out, std::ios::binary | std::ios::trunc);
  f << html;
  f.flush();
  if (!f) throw ProfileError(out + ": cannot write the report");
  std::printf("wrote %s (%zu KB): %llu messages, open it in a browser\n", out.c_str(), html.size() / 1024,
              static_cast<unsigned long long>(p.messages));
  return 0;
}

}  // namespace tachyon::controlplane
