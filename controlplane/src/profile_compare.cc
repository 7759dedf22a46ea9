// compare_profiles() and its table. Control path.
#include "tachyon/controlplane/profile_compare.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace tachyon::controlplane {

namespace {

CompareRow row(std::string metric, std::string unit, double base, double now, bool higher_is_better, bool tracked,
               double threshold) {
  CompareRow r;
  r.metric = std::move(metric);
  r.unit = std::move(unit);
  r.base = base;
  r.now = now;
  r.higher_is_better = higher_is_better;
  r.tracked = tracked;
  if (base == now) r.ratio = 1;
  else if (base == 0) r.ratio = INFINITY;
  else r.ratio = now / base;
  if (tracked)
    r.worse = higher_is_better ? now < base * (1 - threshold) : (base == 0 ? now > 0 : now > base * (1 + threshold));
  return r;
}

std::string number(double v, const std::string& unit) {
  char buf[48];
  if (unit == "msgs/s") std::snprintf(buf, sizeof buf, "%.3f M", v / 1e6);
  else if (std::fabs(v - std::round(v)) < 1e-9 && std::fabs(v) < 1e15) std::snprintf(buf, sizeof buf, "%.0f", v);
  else std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

CompareResult compare_profiles(const RunProfile& base, const RunProfile& now, double threshold) {
  CompareResult r;
  auto stage_p = [](const RunProfile& p, const char* stage, int which) -> double {
    const StageStats* s = p.stage(stage);
    if (!s) return 0;
    switch (which) {
      case 50: return static_cast<double>(s->p50);
      case 99: return static_cast<double>(s->p99);
      default: return static_cast<double>(s->p999);
    }
  };
  r.rows.push_back(row("wire_to_wire p99", "ns", stage_p(base, "wire_to_wire", 99), stage_p(now, "wire_to_wire", 99),
                       false, true, threshold));
  r.rows.push_back(row("throughput", "msgs/s", base.msgs_per_s, now.msgs_per_s, true, true, threshold));
  r.rows.push_back(row("bytes per order", "bytes", base.bytes_per_order, now.bytes_per_order, false, true, threshold));
  r.rows.push_back(row("wire_to_wire p50", "ns", stage_p(base, "wire_to_wire", 50), stage_p(now, "wire_to_wire", 50),
                       false, false, threshold));
  r.rows.push_back(row("wire_to_wire p99.9", "ns", stage_p(base, "wire_to_wire", 999),
                       stage_p(now, "wire_to_wire", 999), false, false, threshold));
  for (const char* s : {"message", "rx_decode", "decode_book", "book_tx", "add", "cancel", "modify", "match"})
    r.rows.push_back(row(std::string(s) + " p99", "ns", stage_p(base, s, 99), stage_p(now, s, 99), false, false, threshold));
  r.rows.push_back(row("peak RSS", "bytes", static_cast<double>(base.peak_rss_bytes), static_cast<double>(now.peak_rss_bytes),
                       false, false, threshold));
  r.rows.push_back(row("allocated in the loop", "bytes", static_cast<double>(base.loop_allocated_bytes),
                       static_cast<double>(now.loop_allocated_bytes), false, false, threshold));
  for (const CompareRow& x : r.rows) r.regression = r.regression || x.worse;

  if (base.input != now.input) r.notes.push_back("the runs replayed different inputs (" + base.input + " vs " + now.input + ")");
  if (base.mode != now.mode) r.notes.push_back("the runs used different modes (" + base.mode + " vs " + now.mode + ")");
  if (base.messages != now.messages)
    r.notes.push_back("the runs handled different message counts (" + std::to_string(base.messages) + " vs " +
                      std::to_string(now.messages) + ")");
  if (base.host != now.host) r.notes.push_back("the runs come from different hosts (" + base.host + " vs " + now.host + ")");
  if (std::min(base.seconds, now.seconds) < 1.0)
    r.notes.push_back("a run lasted under 1 s (" + std::to_string(base.seconds) + " s vs " + std::to_string(now.seconds) +
                      " s): one preemption moves its throughput and tail; replay a longer capture");
  if (base.slow_ns_per_message != now.slow_ns_per_message)
    r.notes.push_back("a run was slowed on purpose (slow_ns_per_message " + std::to_string(base.slow_ns_per_message) +
                      " vs " + std::to_string(now.slow_ns_per_message) + ")");
  return r;
}

std::string format_compare(const CompareResult& r, double threshold, const std::string& base_name,
                           const std::string& now_name) {
  std::string o = "base: " + base_name + "\nnew:  " + now_name + "\n\n";
  char line[200];
  std::snprintf(line, sizeof line, "%-24s %16s %16s %8s  %s\n", "metric", "base", "new", "new/base", "verdict");
  o += line;
  for (const CompareRow& x : r.rows) {
    const char* verdict = !x.tracked ? "(info)" : x.worse ? "WORSE" : "ok";
    char ratio[24];
    if (std::isinf(x.ratio)) std::snprintf(ratio, sizeof ratio, "inf");
    else std::snprintf(ratio, sizeof ratio, "%.3f", x.ratio);
    std::snprintf(line, sizeof line, "%-24s %16s %16s %8s  %s\n", (x.metric + " (" + x.unit + ")").c_str(),
                  number(x.base, x.unit).c_str(), number(x.now, x.unit).c_str(), ratio, verdict);
    o += line;
  }
  for (const std::string& n : r.notes) o += "note: " + n + "\n";
  char verdict[200];
  std::snprintf(verdict, sizeof verdict, "\n%s: %s (threshold %.0f%%: p99 latency and bytes per order may rise, "
                "throughput may fall, by at most that)\n",
                r.regression ? "REGRESSION" : "PASS",
                r.regression ? "a tracked metric is worse than the threshold" : "no tracked metric is worse than the threshold",
                threshold * 100);
  o += verdict;
  return o;
}

}  // namespace tachyon::controlplane
