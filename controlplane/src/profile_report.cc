// render_report_html(): the report page, its charts (through SvgChart) and its tables.
// Control path.
#include "tachyon/controlplane/profile_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tachyon/controlplane/replay_report.h"
#include "tachyon/controlplane/svg_chart.h"

namespace tachyon::controlplane {

namespace {

// The pipeline stages in the order a message meets them, then the per-operation ones.
constexpr const char* kPipeline[] = {"rx_decode", "decode_book", "book_tx", "wire_to_wire"};
constexpr const char* kOperations[] = {"add", "cancel", "modify", "match"};

std::string esc(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string fixed(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string ns(double v) { return format_value(v, AxisFormat::kNanoseconds); }

// Percent of the stage's messages in each of bins_per_decade log-spaced bins from
// 10^d0 to 10^d1, as step points.
std::vector<std::pair<double, double>> histogram_steps(const StageStats& s, int d0, int d1, int bins_per_decade) {
  const int nbins = (d1 - d0) * bins_per_decade;
  std::vector<double> pct(static_cast<std::size_t>(std::max(nbins, 1)), 0.0);
  for (const HistogramBucket& b : s.buckets) {
    const double mid = std::max(0.5, (static_cast<double>(b.low) + static_cast<double>(b.high)) / 2);
    int i = static_cast<int>(std::floor((std::log10(mid) - d0) * bins_per_decade));
    i = std::clamp(i, 0, nbins - 1);
    pct[static_cast<std::size_t>(i)] += 100.0 * static_cast<double>(b.count) / static_cast<double>(s.count);
  }
  auto edge = [&](int i) { return std::pow(10.0, d0 + static_cast<double>(i) / bins_per_decade); };
  std::vector<std::pair<double, double>> pts;
  pts.emplace_back(edge(0), 0.0);
  for (int i = 0; i < nbins; ++i) pts.emplace_back(edge(i), pct[static_cast<std::size_t>(i)]);
  pts.emplace_back(edge(nbins), 0.0);
  return pts;
}

std::string latency_histogram(const RunProfile& p) {
  SvgChart c("Latency histogram (share of messages per log-spaced bin)");
  c.x().label = "latency";
  c.x().scale = AxisScale::kLog10;
  c.x().format = AxisFormat::kNanoseconds;
  c.y().label = "% of messages";
  c.y().format = AxisFormat::kPercent;
  uint64_t lo = UINT64_MAX, hi = 0;
  for (const char* name : kPipeline)
    if (const StageStats* s = p.stage(name); s && s->count) {
      lo = std::min(lo, std::max<uint64_t>(1, s->min));
      hi = std::max(hi, std::max<uint64_t>(1, s->max));
    }
  if (hi == 0) return c.render();
  const int d0 = static_cast<int>(std::floor(std::log10(static_cast<double>(lo))));
  const int d1 = std::max(d0 + 1, static_cast<int>(std::ceil(std::log10(static_cast<double>(hi) + 1))));
  c.x().min = std::pow(10.0, d0);
  c.x().max = std::pow(10.0, d1);
  std::size_t color = 0;
  for (const char* name : kPipeline) {
    const StageStats* s = p.stage(name);
    if (!s || s->count == 0) {
      ++color;
      continue;
    }
    c.add({name, chart_color(color++), ChartSeries::Kind::kStep, histogram_steps(*s, d0, d1, 10)});
  }
  return c.render();
}

std::string percentile_curve(const RunProfile& p, const char* title, const std::vector<const char*>& names,
                             std::size_t first_color) {
  SvgChart c(title);
  c.x().label = "percentile (log scale of 1 / (1 - p): each step right is ten times rarer)";
  c.y().label = "latency";
  c.y().scale = AxisScale::kLog10;
  c.y().format = AxisFormat::kNanoseconds;
  uint64_t most = 0;
  for (const char* name : names)
    if (const StageStats* s = p.stage(name)) most = std::max(most, s->count);
  const double kmax = most > 1 ? std::min(6.0, std::log10(static_cast<double>(most))) : 1.0;
  const int kticks = static_cast<int>(std::ceil(kmax));
  c.x().min = 0;
  c.x().max = std::max(1, kticks);
  static const char* kLabels[] = {"0%", "90%", "99%", "99.9%", "99.99%", "99.999%", "99.9999%"};
  for (int k = 0; k <= std::max(1, kticks); ++k) c.x().ticks.emplace_back(k, kLabels[k]);
  std::size_t color = first_color;
  for (const char* name : names) {
    const StageStats* s = p.stage(name);
    if (!s || s->count == 0) {
      ++color;
      continue;
    }
    const double smax = std::min(kmax, std::log10(static_cast<double>(std::max<uint64_t>(2, s->count))));
    ChartSeries series{name, chart_color(color++), ChartSeries::Kind::kLine, {}};
    for (double k = 0; k < smax; k += 0.025)
      series.points.emplace_back(k, static_cast<double>(std::max<uint64_t>(1, s->percentile(100.0 * (1.0 - std::pow(10.0, -k))))));
    series.points.emplace_back(smax, static_cast<double>(std::max<uint64_t>(1, s->max)));
    c.add(std::move(series));
  }
  return c.render();
}

std::string stage_bars(const RunProfile& p) {
  SvgChart c("Per-stage percentiles", 900, 360);
  c.y().label = "latency";
  c.y().scale = AxisScale::kLog10;
  c.y().format = AxisFormat::kNanoseconds;
  std::vector<std::string> cats;
  std::vector<std::vector<double>> vals(5);
  for (const StageStats& s : p.stages) {
    if (s.count == 0) continue;
    cats.push_back(s.name);
    const double v[5] = {double(s.p50), double(s.p90), double(s.p99), double(s.p999), double(s.p9999)};
    for (int i = 0; i < 5; ++i) vals[i].push_back(std::max(1.0, v[i]));
  }
  c.set_bars(cats, {"p50", "p90", "p99", "p99.9", "p99.99"},
             {"#9ecae1", "#6baed6", "#3182bd", "#08519c", "#08306b"}, vals);
  return c.render();
}

std::string throughput_chart(const RunProfile& p) {
  const double mean = p.msgs_per_s;
  SvgChart c("Throughput over time (" + format_value(static_cast<double>(p.throughput_bucket_ns) / 1e6, AxisFormat::kNumber) +
             " ms buckets; mean " + format_value(mean, AxisFormat::kNumber) + " msgs/s)");
  c.x().label = "time since the replay loop started (s)";
  c.y().label = "messages per second";
  ChartSeries s{"msgs/s", chart_color(0), ChartSeries::Kind::kStep, {}};
  const double b = static_cast<double>(p.throughput_bucket_ns) / 1e9;
  for (std::size_t i = 0; i < p.throughput.size(); ++i) s.points.emplace_back(b * static_cast<double>(i), p.bucket_rate(i));
  if (!p.throughput.empty()) {
    const double end = b * static_cast<double>(p.throughput.size() - 1) + static_cast<double>(p.throughput_last_bucket_ns) / 1e9;
    s.points.emplace_back(end, p.bucket_rate(p.throughput.size() - 1));
    c.add({"mean", "#d62728", ChartSeries::Kind::kDashed, {{0.0, mean}, {end, mean}}});
  }
  c.add(std::move(s));
  return c.render();
}

std::string memory_chart(const RunProfile& p) {
  SvgChart c("Memory over time (allocator: " + (p.allocator.empty() ? std::string("unknown") : p.allocator) + ")");
  c.x().label = "time since sampling started (s)";
  c.y().label = "bytes";
  c.y().format = AxisFormat::kBytes;
  ChartSeries rss{"resident set (RSS)", chart_color(0), ChartSeries::Kind::kLine, {}};
  ChartSeries alloc{"allocated", chart_color(1), ChartSeries::Kind::kLine, {}};
  ChartSeries active{"active", chart_color(2), ChartSeries::Kind::kDashed, {}};
  ChartSeries resident{"allocator resident", chart_color(4), ChartSeries::Kind::kLine, {}};
  for (const MemoryPoint& m : p.memory) {
    rss.points.emplace_back(m.t_s, static_cast<double>(m.rss));
    alloc.points.emplace_back(m.t_s, static_cast<double>(m.allocated));
    active.points.emplace_back(m.t_s, static_cast<double>(m.active));
    resident.points.emplace_back(m.t_s, static_cast<double>(m.resident));
  }
  c.add(std::move(rss));
  if (p.allocator != "sanitizer") {
    c.add(std::move(alloc));
    c.add(std::move(active));
    c.add(std::move(resident));
  }
  return c.render();
}

std::string cpu_chart(const RunProfile& p) {
  SvgChart c("CPU utilisation per thread");
  c.x().label = "time since sampling started (s)";
  c.y().label = "% of one CPU";
  c.y().format = AxisFormat::kPercent;
  c.y().min = 0;
  c.y().max = 100;
  for (const ThreadProfile& t : p.threads) if (t.series.size() == p.memory.size())
    for (const double u : t.series) c.y().max = std::max(c.y().max, std::ceil(u * 100 / 20) * 20);
  std::size_t shown = 0;
  for (const ThreadProfile& t : p.threads) {
    if (shown == 6) break;
    ChartSeries s{t.name + " (" + std::to_string(t.tid) + ")", chart_color(shown++), ChartSeries::Kind::kLine, {}};
    for (std::size_t i = 0; i < t.series.size() && i < p.memory.size(); ++i)
      s.points.emplace_back(p.memory[i].t_s, 100.0 * t.series[i]);
    c.add(std::move(s));
  }
  return c.render();
}

std::string card(const std::string& label, const std::string& value, const std::string& note = "") {
  return "<div class=\"card\"><div class=\"label\">" + esc(label) + "</div><div class=\"value\">" + esc(value) +
         "</div>" + (note.empty() ? "" : "<div class=\"note\">" + esc(note) + "</div>") + "</div>\n";
}

std::string stage_table(const RunProfile& p) {
  std::string t = "<table><tr><th>stage</th><th>count</th><th>min</th><th>mean</th><th>p50</th><th>p90</th>"
                  "<th>p99</th><th>p99.9</th><th>p99.99</th><th>max</th></tr>\n";
  for (const StageStats& s : p.stages) {
    t += "<tr><td>" + esc(s.name) + "</td><td>" + with_commas(s.count) + "</td>";
    for (const double v : {double(s.min), s.mean, double(s.p50), double(s.p90), double(s.p99), double(s.p999),
                           double(s.p9999), double(s.max)})
      t += "<td>" + (s.count ? ns(v) : std::string("-")) + "</td>";
    t += "</tr>\n";
  }
  return t + "</table>\n";
}

std::string thread_table(const RunProfile& p) {
  std::string t = "<table><tr><th>thread</th><th>tid</th><th>CPU seconds</th><th>utilisation</th></tr>\n";
  for (const ThreadProfile& th : p.threads)
    t += "<tr><td>" + esc(th.name) + "</td><td>" + std::to_string(th.tid) + "</td><td>" + fixed(th.cpu_seconds, 2) +
         "</td><td>" + fixed(100 * th.utilization, 1) + " %</td></tr>\n";
  return t + "</table>\n";
}

std::string symbol_table(const RunProfile& p) {
  std::vector<const SymbolProfile*> rows;
  for (const SymbolProfile& s : p.symbols) rows.push_back(&s);
  auto total = [](const SymbolProfile* s) { return s->accepted + s->trades + s->canceled + s->modified; };
  std::sort(rows.begin(), rows.end(), [&](auto* a, auto* b) { return total(a) > total(b); });
  std::string t = "<table><tr><th>symbol</th><th>accepted</th><th>trades</th><th>canceled</th><th>modified</th></tr>\n";
  for (std::size_t i = 0; i < rows.size() && i < 20; ++i)
    t += "<tr><td>" + esc(rows[i]->name) + "</td><td>" + with_commas(rows[i]->accepted) + "</td><td>" +
         with_commas(rows[i]->trades) + "</td><td>" + with_commas(rows[i]->canceled) + "</td><td>" +
         with_commas(rows[i]->modified) + "</td></tr>\n";
  t += "</table>\n";
  if (rows.size() > 20) t += "<p class=\"note\">" + std::to_string(rows.size() - 20) + " more symbols in the profile.</p>\n";
  return t;
}

std::string load_section(const LoadCurve& c) {
  SvgChart chart("Open-loop latency vs offered rate (from each message's intended send time)");
  chart.x().label = "offered rate (messages per second, log scale)";
  chart.x().scale = AxisScale::kLog10;
  chart.y().label = "latency";
  chart.y().scale = AxisScale::kLog10;
  chart.y().format = AxisFormat::kNanoseconds;
  ChartSeries p50{"p50", chart_color(0), ChartSeries::Kind::kLine, {}};
  ChartSeries p99{"p99", chart_color(1), ChartSeries::Kind::kLine, {}};
  ChartSeries p999{"p99.9", chart_color(3), ChartSeries::Kind::kLine, {}};
  for (const LoadPoint& x : c.points) {
    p50.points.emplace_back(x.offered, static_cast<double>(std::max<uint64_t>(1, x.p50)));
    p99.points.emplace_back(x.offered, static_cast<double>(std::max<uint64_t>(1, x.p99)));
    p999.points.emplace_back(x.offered, static_cast<double>(std::max<uint64_t>(1, x.p999)));
  }
  if (!c.points.empty())
    chart.add({"1 us", "#888888", ChartSeries::Kind::kDashed, {{c.points.front().offered, 1000.0}, {c.points.back().offered, 1000.0}}});
  chart.add(std::move(p50));
  chart.add(std::move(p99));
  chart.add(std::move(p999));
  std::string h = "<h2>Latency under load (bench/load_bench)</h2>\n<p class=\"how\">Messages offered at a fixed rate "
                  "by a generator on CPU " + std::to_string(c.cpu_generator) + " to the book core on CPU " +
                  std::to_string(c.cpu_core) + "; latency runs from each message's intended send time, so queueing "
                  "behind a stall counts (no coordinated omission). Where the achieved rate falls short of the "
                  "offered one, the core is saturated and latency grows with the run.</p>\n";
  h += chart.render();
  h += "<table><tr><th>offered</th><th>achieved</th><th>p50</th><th>p99</th><th>p99.9</th><th>max</th></tr>\n";
  for (const LoadPoint& x : c.points)
    h += "<tr><td>" + format_value(x.offered, AxisFormat::kNumber) + "/s</td><td>" +
         format_value(x.achieved, AxisFormat::kNumber) + "/s</td><td>" + ns(double(x.p50)) + "</td><td>" +
         ns(double(x.p99)) + "</td><td>" + ns(double(x.p999)) + "</td><td>" + ns(double(x.max)) + "</td></tr>\n";
  h += "</table>\n<p class=\"note\">";
  if (c.crossing == "between") h += "p99 passes 1 us at about " + format_value(c.crossing_estimate, AxisFormat::kNumber) + " msgs/s. ";
  else if (c.crossing == "below_lowest_rate") h += "p99 is over 1 us already at the lowest offered rate. ";
  else h += "p99 stays under 1 us at every offered rate. ";
  h += "10x burst stress (" + format_value(c.burst_base, AxisFormat::kNumber) + " msgs/s with bursts at " +
       fixed(c.burst_factor, 0) + "x): p99 " + ns(double(c.burst_p99_in)) + " in bursts, " + ns(double(c.burst_p99_after)) +
       " right after, " + ns(double(c.burst_p99_calm)) + " calm; at most " + std::to_string(c.burst_max_queue) +
       " messages queued; final book " + (c.burst_hash_ok ? "identical to" : "DIFFERENT from") +
       " an unloaded replay.</p>\n";
  return h;
}

}  // namespace

std::string render_report_html(const RunProfile& p, const LoadCurve* load) {
  const StageStats* w2w = p.stage("wire_to_wire");
  const StageStats* book = p.stage("decode_book");
  std::string h;
  h += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>tachyon latency report: " +
       esc(p.input) + "</title>\n<style>\n"
       "body{font-family:Helvetica,Arial,sans-serif;margin:24px 32px;color:#222;background:#fff;max-width:960px}\n"
       "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px;border-bottom:1px solid #ddd}\n"
       ".sub{color:#666;font-size:13px}.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}\n"
       ".card{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;min-width:150px;background:#f6f8fa}\n"
       ".card .label{font-size:11px;color:#57606a;text-transform:uppercase}.card .value{font-size:20px;"
       "font-weight:bold;color:#0b3d91}.card .note{font-size:11px;color:#57606a}\n"
       "table{border-collapse:collapse;font-size:12px;margin:6px 0}td,th{border:1px solid #d0d7de;padding:3px 8px;"
       "text-align:right}th{background:#f0f3f6}td:first-child,th:first-child{text-align:left}\n"
       "p.how{font-size:13px;color:#444;margin:4px 0 8px}.note{font-size:12px;color:#666}svg.chart{display:block;"
       "margin:6px 0}\n</style></head><body>\n";
  h += "<h1>tachyon latency report</h1>\n<div class=\"sub\">" + esc(p.input) + " &middot; " + esc(p.mode) +
       " mode &middot; " + esc(p.format) + " &middot; " + esc(p.created_utc) + " on " + esc(p.host) + "</div>\n";
  h += "<div class=\"cards\">\n";
  h += card("messages", with_commas(p.messages), fixed(p.seconds, 3) + " s");
  h += card("throughput", format_value(p.msgs_per_s, AxisFormat::kNumber) + " msgs/s");
  if (w2w && w2w->count) {
    h += card("wire-to-wire p50", ns(static_cast<double>(w2w->p50)));
    h += card("wire-to-wire p99", ns(static_cast<double>(w2w->p99)), "p99.9 " + ns(static_cast<double>(w2w->p999)));
  }
  if (book && book->count) h += card("decode->book p99", ns(static_cast<double>(book->p99)));
  h += card("bytes per order", fixed(p.bytes_per_order, 1), format_value(static_cast<double>(p.book_bytes), AxisFormat::kBytes) + " of books");
  h += card("peak RSS", format_value(static_cast<double>(p.peak_rss_bytes), AxisFormat::kBytes));
  h += card("allocated in the loop",
            p.allocations_counted ? format_value(static_cast<double>(p.loop_allocated_bytes), AxisFormat::kBytes)
                                  : std::string("not counted"),
            p.allocations_counted ? "by the replay thread" : "needs jemalloc");
  h += "</div>\n";
  if (p.slow_ns_per_message)
    h += "<p class=\"note\"><b>This run was slowed on purpose</b> by " + std::to_string(p.slow_ns_per_message) +
         " ns per message (a regression-check test).</p>\n";

  h += "<h2>Latency histogram</h2>\n<p class=\"how\">Where messages spend their time. Each line is one stage: "
       "rx&rarr;decode (packet in hand to message framed), decode&rarr;book (the book operation), book&rarr;tx "
       "(to the end of the packet, when replies and market data leave), and wire-to-wire (all of it). A second "
       "hump to the right is a tail mode worth explaining.</p>\n";
  h += latency_histogram(p);
  h += "<h2>Percentile curve</h2>\n<p class=\"how\">Latency at each percentile, with the tail stretched: every "
       "grid step to the right is ten times rarer. A flat line is a well-behaved stage; a line that climbs at 99.9% "
       "has a tail (interrupts, cache misses, ladder reshuffles). Lines stop where the sample runs out.</p>\n";
  h += percentile_curve(p, "Percentile curve: pipeline stages", {"message", "rx_decode", "decode_book", "book_tx", "wire_to_wire"}, 9);
  h += percentile_curve(p, "Percentile curve: book operations (decode->book by kind)", {"add", "cancel", "modify", "match"}, 4);
  h += "<h2>Per-stage percentiles</h2>\n<p class=\"how\">p50 to p99.99 of every stage side by side (log scale). "
       "\"message\" is the time from one message's end to the next's, the replay summary's figure.</p>\n";
  h += stage_bars(p);
  h += stage_table(p);
  if (load) h += load_section(*load);
  h += "<h2>Throughput over time</h2>\n<p class=\"how\">Messages handled in each bucket. Dips show stalls (other "
       "processes, page faults, a slow file); with --speed the curve follows the capture's own rate.</p>\n";
  h += throughput_chart(p);
  h += "<h2>Memory</h2>\n<p class=\"how\">Resident set of the process and the allocator's figures, sampled every " +
       format_value(static_cast<double>(p.sample_interval_ns) / 1e6, AxisFormat::kNumber) +
       " ms by a control thread. The books are allocated before the loop starts, so a line that grows during the run "
       "means something allocates on the way.</p>\n";
  h += memory_chart(p);
  h += "<h2>CPU</h2>\n<p class=\"how\">Utilisation of each thread from /proc/self/task/*/stat (clock-tick "
       "resolution). The replay core should sit near 100 %.</p>\n";
  h += cpu_chart(p);
  h += thread_table(p);
  if (!p.symbols.empty()) {
    h += "<h2>Book events per symbol</h2>\n";
    h += symbol_table(p);
  }
  h += "<h2>Run</h2>\n<table>\n";
  auto row = [&](const std::string& k, const std::string& v) { h += "<tr><td>" + esc(k) + "</td><td>" + esc(v) + "</td></tr>\n"; };
  row("command", p.command);
  row("input", p.input);
  row("mode / format", p.mode + " / " + p.format);
  row("host", p.host);
  row("replay CPU", std::to_string(p.cpu) + (p.pinned ? " (pinned)" : " (not pinned; " + std::to_string(p.cpus_allowed) + " CPUs allowed)"));
  row("TSC", fixed(static_cast<double>(p.tsc_hz) / 1e9, 6) + " GHz");
  row("book capacity", with_commas(p.max_orders) + " orders, " + with_commas(p.max_levels) + " levels, " +
                           with_commas(p.max_symbols) + " symbols");
  row("packets / bytes", with_commas(p.packets) + " / " + with_commas(p.bytes));
  row("trades / live orders at end", with_commas(p.trades) + " / " + with_commas(p.live_orders));
  h += "</table>\n<p class=\"note\">Written by tachyon report from a tachyon replay --profile run. Compare two runs "
       "with tachyon report --compare base.json new.json.</p>\n</body></html>\n";
  return h;
}

}  // namespace tachyon::controlplane
