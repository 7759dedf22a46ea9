// The profile model and its renderings: statistics from histograms, JSON round trip and
// errors, CSV files, the regression check's thresholds, SVG charts, the HTML page and
// the Prometheus text of the probe collector.
#include "tachyon/controlplane/run_profile.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <string>

#include "tachyon/controlplane/load_curve.h"
#include "tachyon/controlplane/probe_collector.h"
#include "tachyon/controlplane/profile_compare.h"
#include "tachyon/controlplane/profile_report.h"
#include "tachyon/controlplane/svg_chart.h"
#include "tachyon/dataplane/core_probes.h"

namespace tachyon::controlplane {
namespace {

std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A profile with every field set, and stages from lognormal samples.
RunProfile sample_profile() {
  RunProfile p;
  p.command = "tachyon replay --profile x.json";
  p.input = "cap<1>.pcap";
  p.format = "pcap";
  p.mode = "match";
  p.host = "box";
  p.created_utc = "2024-01-02T03:04:05Z";
  p.cpu = 1;
  p.cpus_allowed = 1;
  p.pinned = true;
  p.tsc_hz = 2'600'000'000;
  p.allocator = "jemalloc";
  p.max_orders = 1000;
  p.max_levels = 100;
  p.max_symbols = 4;
  p.messages = 50'000;
  p.packets = 20'000;
  p.bytes = 1'234'567;
  p.trades = 77;
  p.live_orders = 12;
  p.seconds = 0.5;
  p.msgs_per_s = 100'000;
  p.book_bytes = 64'000;
  p.bytes_per_order = 64;
  p.peak_rss_bytes = 100 << 20;
  p.allocations_counted = true;
  p.loop_allocated_bytes = 48;
  std::mt19937_64 rng(3);
  std::lognormal_distribution<double> dist(6.5, 0.8);
  for (const char* name : {"message", "rx_decode", "decode_book", "book_tx", "wire_to_wire", "add", "cancel", "modify", "match"}) {
    auto h = std::make_unique<dataplane::LatencyHistogram>();
    for (int i = 0; i < 50'000; ++i) h->record(static_cast<uint64_t>(dist(rng)));
    p.stages.push_back(StageStats::from(name, *h));
  }
  p.throughput_bucket_ns = 100'000'000;
  p.throughput_last_bucket_ns = 50'000'000;
  p.throughput = {10'000, 30'000, 10'000};
  p.sample_interval_ns = 100'000'000;
  for (int i = 0; i < 6; ++i) p.memory.push_back({0.1 * i, 1000u + i, 500u + i, 600u + i, 700u + i});
  p.threads.push_back({101, "tachyon-core0", 0.5, 0.99, {0, 1, 1, 1, 1, 0.5}});
  p.threads.push_back({102, "tachyon-sampler", 0.01, 0.02, {0, 0, 0.1, 0, 0, 0}});
  p.symbols.push_back({"AAPL", 10, 2, 3, 1});
  p.symbols.push_back({"MSFT", 5, 0, 1, 0});
  return p;
}

TEST(RunProfile, StatisticsFromAHistogramMatchIt) {
  auto h = std::make_unique<dataplane::LatencyHistogram>();
  for (uint64_t v = 1; v <= 100'000; v += 3) h->record(v * 7 % 40'000 + 5);
  const StageStats s = StageStats::from("x", *h);
  EXPECT_EQ(s.count, h->count());
  EXPECT_EQ(s.min, h->min());
  EXPECT_EQ(s.max, h->max());
  EXPECT_EQ(s.p99, h->percentile(99));
  EXPECT_EQ(s.p9999, h->percentile(99.99));
  uint64_t total = 0;
  for (const HistogramBucket& b : s.buckets) {
    EXPECT_GT(b.count, 0u);
    EXPECT_LE(b.low, b.high);
    total += b.count;
  }
  EXPECT_EQ(total, s.count);
  for (double q : {0.0, 10.0, 50.0, 90.0, 99.0, 99.9, 100.0}) EXPECT_EQ(s.percentile(q), h->percentile(q)) << q;
}

TEST(RunProfile, JsonRoundTripKeepsEveryField) {
  const RunProfile a = sample_profile();
  const RunProfile b = profile_from_json(profile_to_json(a), "test");
  EXPECT_EQ(b.command, a.command);
  EXPECT_EQ(b.input, a.input);
  EXPECT_EQ(b.host, a.host);
  EXPECT_EQ(b.pinned, a.pinned);
  EXPECT_EQ(b.tsc_hz, a.tsc_hz);
  EXPECT_EQ(b.allocator, a.allocator);
  EXPECT_EQ(b.messages, a.messages);
  EXPECT_DOUBLE_EQ(b.msgs_per_s, a.msgs_per_s);
  EXPECT_DOUBLE_EQ(b.bytes_per_order, a.bytes_per_order);
  EXPECT_EQ(b.loop_allocated_bytes, a.loop_allocated_bytes);
  ASSERT_EQ(b.stages.size(), a.stages.size());
  for (std::size_t i = 0; i < a.stages.size(); ++i) {
    EXPECT_EQ(b.stages[i].name, a.stages[i].name);
    EXPECT_EQ(b.stages[i].p99, a.stages[i].p99);
    EXPECT_EQ(b.stages[i].p9999, a.stages[i].p9999);
    ASSERT_EQ(b.stages[i].buckets.size(), a.stages[i].buckets.size());
    EXPECT_EQ(b.stages[i].buckets.back().count, a.stages[i].buckets.back().count);
    EXPECT_EQ(b.stages[i].percentile(99.9), a.stages[i].p999);
  }
  EXPECT_EQ(b.throughput, a.throughput);
  EXPECT_DOUBLE_EQ(b.bucket_rate(1), 300'000.0);
  EXPECT_DOUBLE_EQ(b.bucket_rate(2), 200'000.0);  // the last bucket covers 50 ms
  ASSERT_EQ(b.memory.size(), 6u);
  EXPECT_EQ(b.memory[5].resident, 705u);
  ASSERT_EQ(b.threads.size(), 2u);
  EXPECT_EQ(b.threads[0].series, a.threads[0].series);
  ASSERT_EQ(b.symbols.size(), 2u);
  EXPECT_EQ(b.symbols[0].name, "AAPL");
  EXPECT_EQ(b.symbols[0].canceled, 3u);
}

TEST(RunProfile, UnreadableProfilesNameTheSourceAndTheField) {
  auto message = [](const std::string& text) {
    try {
      profile_from_json(text, "p.json");
    } catch (const ProfileError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message("{not json").find("p.json: not valid JSON"), std::string::npos);
  EXPECT_NE(message("{\"messages\":1}").find("not a tachyon profile"), std::string::npos);
  EXPECT_NE(message("{\"tachyon_profile\":7}").find("version 7"), std::string::npos);
  std::string json = profile_to_json(sample_profile());
  json.replace(json.find("\"msgs_per_s\""), 12, "\"msgs_per_x\"");
  EXPECT_NE(message(json).find("p.json: totals.msgs_per_s: missing"), std::string::npos) << message(json);
  EXPECT_THROW(read_profile("/nonexistent/p.json"), ProfileError);
}

TEST(RunProfile, CsvFilesHoldTheSameFigures) {
  const RunProfile p = sample_profile();
  const std::string dir = std::string(::testing::TempDir()) + "profile_csv_" + std::to_string(::getpid());
  write_profile_csv(p, dir);
  const std::string stages = slurp(dir + "/stages.csv");
  EXPECT_EQ(stages.substr(0, stages.find('\n')), "stage,count,min_ns,max_ns,mean_ns,p50_ns,p90_ns,p99_ns,p99.9_ns,p99.99_ns");
  EXPECT_EQ(occurrences(stages, "\n"), 1 + p.stages.size());
  EXPECT_NE(stages.find("wire_to_wire,50000," + std::to_string(p.stage("wire_to_wire")->min)), std::string::npos);
  // histograms.csv: the counts of each stage add up to its count.
  std::istringstream h(slurp(dir + "/histograms.csv"));
  std::string line;
  std::getline(h, line);
  EXPECT_EQ(line, "stage,low_ns,high_ns,count");
  uint64_t add_total = 0;
  while (std::getline(h, line))
    if (line.rfind("add,", 0) == 0) add_total += std::stoull(line.substr(line.rfind(',') + 1));
  EXPECT_EQ(add_total, 50'000u);
  EXPECT_NE(slurp(dir + "/throughput.csv").find("0.1,30000,300000"), std::string::npos);
  EXPECT_NE(slurp(dir + "/threads.csv").find(",101,tachyon-core0,1\n"), std::string::npos);
  EXPECT_NE(slurp(dir + "/symbols.csv").find("AAPL,10,2,3,1"), std::string::npos);
  EXPECT_NE(slurp(dir + "/memory.csv").find("t_s,rss_bytes,allocated_bytes,active_bytes,resident_bytes\n0,1000,500,600,700"),
            std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(ProfileCompare, FailsOnlyWhenATrackedMetricIsWorseThanTheThreshold) {
  const RunProfile base = sample_profile();
  auto with = [&](double p99_factor, double rate_factor, double bytes_factor) {
    RunProfile p = base;
    for (StageStats& s : p.stages)
      if (s.name == "wire_to_wire") s.p99 = static_cast<uint64_t>(static_cast<double>(s.p99) * p99_factor);
    p.msgs_per_s *= rate_factor;
    p.bytes_per_order *= bytes_factor;
    return p;
  };
  EXPECT_FALSE(compare_profiles(base, base, 0.10).regression);
  EXPECT_FALSE(compare_profiles(base, with(1.05, 0.95, 1.05), 0.10).regression);
  EXPECT_FALSE(compare_profiles(base, with(0.5, 2.0, 0.5), 0.10).regression);  // better is never a failure
  EXPECT_TRUE(compare_profiles(base, with(1.2, 1, 1), 0.10).regression);
  EXPECT_TRUE(compare_profiles(base, with(1, 0.85, 1), 0.10).regression);
  EXPECT_TRUE(compare_profiles(base, with(1, 1, 1.15), 0.10).regression);
  EXPECT_FALSE(compare_profiles(base, with(1.2, 0.85, 1.15), 0.25).regression);
  const CompareResult r = compare_profiles(base, with(1, 0.5, 1), 0.10);
  ASSERT_GE(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[1].metric, "throughput");
  EXPECT_TRUE(r.rows[1].worse);
  EXPECT_DOUBLE_EQ(r.rows[1].ratio, 0.5);
  EXPECT_FALSE(r.rows[0].worse);
  const std::string table = format_compare(r, 0.10, "a.json", "b.json");
  EXPECT_NE(table.find("REGRESSION"), std::string::npos);
  EXPECT_NE(table.find("WORSE"), std::string::npos);
  RunProfile other = base;
  other.input = "another.pcap";
  other.seconds = 2;
  RunProfile longer = base;
  longer.seconds = 2;
  EXPECT_EQ(compare_profiles(longer, other, 0.1).notes.size(), 1u);  // different inputs
  EXPECT_EQ(compare_profiles(longer, longer, 0.1).notes.size(), 0u);
  EXPECT_EQ(compare_profiles(base, base, 0.1).notes.size(), 1u);  // under 1 s
}

TEST(SvgChart, DrawsSeriesTicksAndLegend) {
  SvgChart c("t", 600, 300);
  c.x().scale = AxisScale::kLog10;
  c.x().format = AxisFormat::kNanoseconds;
  c.add({"first", "#ff0000", ChartSeries::Kind::kLine, {{10, 1}, {1000, 5}, {100'000, 3}}});
  c.add({"second", "#00ff00", ChartSeries::Kind::kStep, {{10, 2}, {5000, 4}}});
  const std::string svg = c.render();
  EXPECT_EQ(svg.rfind("<svg", 0), 0u);
  EXPECT_EQ(occurrences(svg, "<path"), 2u);
  EXPECT_NE(svg.find(">1 us<"), std::string::npos);  // a decade tick
  EXPECT_NE(svg.find(">100 us<"), std::string::npos);
  EXPECT_NE(svg.find(">second<"), std::string::npos);
  EXPECT_EQ(svg.find("no data"), std::string::npos);
  SvgChart empty("e");
  EXPECT_NE(empty.render().find("no data"), std::string::npos);
  SvgChart bars("b");
  bars.set_bars({"x", "y"}, {"p50", "p99"}, {"#111111", "#222222"}, {{1, 2}, {3, 4}});
  EXPECT_EQ(occurrences(bars.render(), "<title>"), 4u);
  EXPECT_EQ(format_value(1500, AxisFormat::kNanoseconds), "1.5 us");
  EXPECT_EQ(format_value(3 << 20, AxisFormat::kBytes), "3 MB");
  EXPECT_EQ(format_value(2'500'000, AxisFormat::kNumber), "2.5 M");
}

TEST(ProfileReport, IsOneSelfContainedPageWithEveryPlot) {
  const std::string html = render_report_html(sample_profile());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(occurrences(html, "<svg"), 7u);  // histogram, 2 percentile curves, stages, throughput, memory, CPU
  EXPECT_EQ(occurrences(html, "</svg>"), 7u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http://") , html.find("http://www.w3.org/2000/svg"));  // no external resources
  EXPECT_NE(html.find("cap&lt;1&gt;.pcap"), std::string::npos);  // escaped
  EXPECT_EQ(html.find("cap<1>"), std::string::npos);
  EXPECT_NE(html.find("tachyon-core0"), std::string::npos);
  EXPECT_NE(html.find(">AAPL<"), std::string::npos);
}

TEST(ProfileReport, AddsTheOpenLoopCurveFromLoadBenchResults) {
  const std::string path = std::string(::testing::TempDir()) + "load_" + std::to_string(::getpid()) + ".json";
  {
    std::ofstream f(path);
    f << R"({"bench":"load_bench","config":{"cpu_generator":0,"cpu_core":1},
      "rates":[{"offered_msgs_per_s":5000000,"achieved_msgs_per_s":4990000,"p50_ns":300,"p99_ns":2500,"p999_ns":9000,"max_ns":20000},
               {"offered_msgs_per_s":1000000,"achieved_msgs_per_s":1000000,"p50_ns":200,"p99_ns":700,"p999_ns":1500,"max_ns":9000}],
      "search":[{"offered_msgs_per_s":2236068,"achieved_msgs_per_s":2236000,"p50_ns":250,"p99_ns":990,"p999_ns":3000,"max_ns":9500}],
      "p99_passes_1us":{"where":"between","last_rate_under":2236068,"first_rate_over":5000000,"estimate_msgs_per_s":2250000},
      "burst":{"base_msgs_per_s":2000000,"factor":10,"max_queue":4096,"hash_matches_unloaded":true,
               "in_burst":{"p99":40000},"after_burst":{"p99":20000},"calm":{"p99":800}}})";
  }
  const LoadCurve c = read_load_curve(path);
  ASSERT_EQ(c.points.size(), 3u);
  EXPECT_DOUBLE_EQ(c.points[0].offered, 1e6);  // sorted by offered rate
  EXPECT_EQ(c.points[1].p99, 990u);
  EXPECT_EQ(c.crossing, "between");
  EXPECT_TRUE(c.burst_hash_ok);
  EXPECT_EQ(c.burst_p99_in, 40'000u);
  const std::string html = render_report_html(sample_profile(), &c);
  EXPECT_EQ(occurrences(html, "<svg"), 8u);
  EXPECT_NE(html.find("p99 passes 1 us at about 2.25 M msgs/s"), std::string::npos);
  EXPECT_NE(html.find("identical to an unloaded replay"), std::string::npos);
  std::ofstream(path) << "{\"bench\":\"book_bench\"}";
  EXPECT_THROW(read_load_curve(path), ProfileError);
  std::remove(path.c_str());
}

TEST(ProbeCollector, RendersPrometheusTextWithCoreStageAndSymbolLabels) {
  dataplane::CoreProbes core(0, 4);
  core.symbols().set_name(1, "MSFT");
  book::Event e{};
  e.symbol = book::SymbolId{1};
  e.kind = book::EventKind::kTrade;
  core.symbols().on_event(e);
  core.stages().record(dataplane::Stage::kWireToWire, 1500);
  core.stages().record(dataplane::Stage::kWireToWire, 2500);
  core.set_state(dataplane::CoreProbes::State::kStopped);
  ProbeCollector c({&core});
  c.tick();  // a stopped core is drained directly
  const std::string text = c.prometheus_text();
  EXPECT_NE(text.find("# TYPE tachyon_stage_latency_seconds summary\n"), std::string::npos);
  EXPECT_NE(text.find("tachyon_stage_latency_seconds_count{core=\"0\",stage=\"wire_to_wire\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("tachyon_stage_latency_seconds{core=\"0\",stage=\"wire_to_wire\",quantile=\"0.5\"} 1.5e-06\n"),
            std::string::npos);
  EXPECT_NE(text.find("tachyon_stage_latency_seconds_sum{core=\"0\",stage=\"wire_to_wire\"} 4e-06\n"), std::string::npos);
  EXPECT_NE(text.find("tachyon_symbol_events_total{core=\"0\",symbol=\"MSFT\",kind=\"trade\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("tachyon_memory_bytes{kind=\"rss\"} "), std::string::npos);
  // Every sample line is "name{labels} value" or "name value".
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("# ", 0) == 0) continue;
    const std::size_t sp = line.rfind(' ');
    ASSERT_NE(sp, std::string::npos) << line;
    std::size_t used = 0;
    std::stod(line.substr(sp + 1), &used);
    EXPECT_EQ(used, line.size() - sp - 1) << line;
    EXPECT_EQ(line.rfind("tachyon_", 0), 0u) << line;
  }
  EXPECT_EQ(prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  EXPECT_NE(c.health_json().find("\"state\":\"stopped\""), std::string::npos);
}

}  // namespace
}  // namespace tachyon::controlplane
