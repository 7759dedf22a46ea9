// RunProfile: statistics from histograms, JSON rendering and parsing (simdjson), CSV
// files. Control path.
#include "tachyon/controlplane/run_profile.h"

#include <simdjson.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tachyon/controlplane/json_writer.h"

namespace tachyon::controlplane {

StageStats StageStats::from(std::string name, const dataplane::LatencyHistogram& h) {
  StageStats s;
  s.name = std::move(name);
  s.count = h.count();
  s.min = h.min();
  s.max = h.max();
  s.mean = h.mean();
  s.p50 = h.percentile(50);
  s.p90 = h.percentile(90);
  s.p99 = h.percentile(99);
  s.p999 = h.percentile(99.9);
  s.p9999 = h.percentile(99.99);
  for (std::size_t i = 0; i < dataplane::LatencyHistogram::kBuckets && s.count; ++i)
    if (const uint64_t n = h.bucket_count(i))
      s.buckets.push_back({dataplane::LatencyHistogram::lowest_value(i), dataplane::LatencyHistogram::highest_value(i), n});
  return s;
}

uint64_t StageStats::percentile(double p) const noexcept {
  uint64_t total = 0;
  for (const HistogramBucket& b : buckets) total += b.count;
  if (total == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  const auto rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(p / 100.0 * static_cast<double>(total))));
  uint64_t seen = 0;
  for (const HistogramBucket& b : buckets) {
    seen += b.count;
    if (seen >= rank) return std::min(b.high, max);
  }
  return max;
}

const StageStats* RunProfile::stage(std::string_view name) const noexcept {
  for (const StageStats& s : stages)
    if (s.name == name) return &s;
  return nullptr;
}

double RunProfile::bucket_rate(std::size_t i) const noexcept {
  if (i >= throughput.size()) return 0;
  const uint64_t ns = i + 1 == throughput.size() ? throughput_last_bucket_ns : throughput_bucket_ns;
  return ns ? static_cast<double>(throughput[i]) * 1e9 / static_cast<double>(ns) : 0;
}

// --- JSON out ------------------------------------------------------------------------

std::string profile_to_json(const RunProfile& p) {
  JsonWriter j;
  j.begin_object();
  j.field("tachyon_profile", RunProfile::kVersion);
  j.key("run").begin_object();
  j.field("command", p.command).field("input", p.input).field("format", p.format).field("mode", p.mode);
  j.field("host", p.host).field("created_utc", p.created_utc).field("cpu", p.cpu);
  j.field("cpus_allowed", p.cpus_allowed).field("pinned", p.pinned).field("tsc_hz", p.tsc_hz);
  j.field("allocator", p.allocator).field("slow_ns_per_message", p.slow_ns_per_message);
  j.field("max_orders", p.max_orders).field("max_levels", p.max_levels).field("max_symbols", p.max_symbols);
  j.end_object();
  j.key("totals").begin_object();
  j.field("messages", p.messages).field("packets", p.packets).field("bytes", p.bytes).field("trades", p.trades);
  j.field("live_orders", p.live_orders).field("seconds", p.seconds).field("msgs_per_s", p.msgs_per_s);
  j.field("book_bytes", p.book_bytes).field("bytes_per_order", p.bytes_per_order);
  j.field("peak_rss_bytes", p.peak_rss_bytes).field("allocations_counted", p.allocations_counted);
  j.field("loop_allocated_bytes", p.loop_allocated_bytes);
  j.end_object();
  j.key("stages").begin_array();
  for (const StageStats& s : p.stages) {
    j.begin_object();
    j.field("name", s.name).field("count", s.count).field("min", s.min).field("max", s.max).field("mean", s.mean);
    j.field("p50", s.p50).field("p90", s.p90).field("p99", s.p99).field("p999", s.p999).field("p9999", s.p9999);
    j.key("buckets").begin_array();
    for (const HistogramBucket& b : s.buckets) j.begin_array().value(b.low).value(b.high).value(b.count).end_array();
    j.end_array();
    j.end_object();
  }
  j.end_array();
  j.key("throughput").begin_object();
  j.field("bucket_ns", p.throughput_bucket_ns).field("last_bucket_ns", p.throughput_last_bucket_ns);
  j.key("messages").begin_array();
  for (const uint64_t n : p.throughput) j.value(n);
  j.end_array().end_object();
  j.key("memory").begin_object();
  j.field("interval_ns", p.sample_interval_ns);
  j.key("samples").begin_array();
  for (const MemoryPoint& m : p.memory) {
    j.begin_object().field("t_s", m.t_s).field("rss", m.rss).field("allocated", m.allocated);
    j.field("active", m.active).field("resident", m.resident).end_object();
  }
  j.end_array().end_object();
  j.key("threads").begin_array();
  for (const ThreadProfile& t : p.threads) {
    j.begin_object().field("tid", t.tid).field("name", t.name).field("cpu_seconds", t.cpu_seconds);
    j.field("utilization", t.utilization).key("series").begin_array();
    for (const double u : t.series) j.value(u);
    j.end_array().end_object();
  }
  j.end_array();
  j.key("symbols").begin_array();
  for (const SymbolProfile& s : p.symbols) {
    j.begin_object().field("name", s.name).field("accepted", s.accepted).field("trades", s.trades);
    j.field("canceled", s.canceled).field("modified", s.modified).end_object();
  }
  j.end_array();
  j.end_object();
  return j.str();
}

// --- JSON in -------------------------------------------------------------------------

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

struct Reader {
  const std::string& what;

  [[noreturn]] void fail(const std::string& field, const std::string& problem) const {
    throw ProfileError(what + ": " + field + ": " + problem);
  }
  element at(const object& o, const char* key, const std::string& path) const {
    element e;
    if (o.at_key(key).get(e) != simdjson::SUCCESS) fail(path + "." + key, "missing");
    return e;
  }
  object obj(const object& o, const char* key, const std::string& path) const {
    object r;
    if (at(o, key, path).get(r) != simdjson::SUCCESS) fail(path + "." + key, "not an object");
    return r;
  }
  array arr(const object& o, const char* key, const std::string& path) const {
    array r;
    if (at(o, key, path).get(r) != simdjson::SUCCESS) fail(path + "." + key, "not an array");
    return r;
  }
  uint64_t u64(const element& e, const std::string& path) const {
    uint64_t v;
    if (e.get(v) == simdjson::SUCCESS) return v;
    double d;
    if (e.get(d) == simdjson::SUCCESS && d >= 0) return static_cast<uint64_t>(d);
    fail(path, "not a non-negative integer");
  }
  uint64_t u64(const object& o, const char* key, const std::string& path) const {
    return u64(at(o, key, path), path + "." + key);
  }
  int64_t i64(const object& o, const char* key, const std::string& path) const {
    int64_t v;
    if (at(o, key, path).get(v) != simdjson::SUCCESS) fail(path + "." + key, "not an integer");
    return v;
  }
  double num(const element& e, const std::string& path) const {
    double d;
    if (e.get(d) == simdjson::SUCCESS) return d;
    if (e.is_null()) return 0;
    fail(path, "not a number");
  }
  double num(const object& o, const char* key, const std::string& path) const {
    return num(at(o, key, path), path + "." + key);
  }
  std::string str(const object& o, const char* key, const std::string& path) const {
    std::string_view v;
    if (at(o, key, path).get(v) != simdjson::SUCCESS) fail(path + "." + key, "not a string");
    return std::string(v);
  }
  bool boolean(const object& o, const char* key, const std::string& path) const {
    bool v;
    if (at(o, key, path).get(v) != simdjson::SUCCESS) fail(path + "." + key, "not a boolean");
    return v;
  }
};

}  // namespace

RunProfile profile_from_json(std::string_view text, const std::string& what) {
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  element doc;
  if (const auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS)
    throw ProfileError(what + ": not valid JSON (" + simdjson::error_message(err) + ")");
  object root;
  if (doc.get(root) != simdjson::SUCCESS) throw ProfileError(what + ": not a JSON object");
  const Reader r{what};
  element version;
  if (root.at_key("tachyon_profile").get(version) != simdjson::SUCCESS)
    throw ProfileError(what + ": not a tachyon profile (no \"tachyon_profile\" field; write one with tachyon replay --profile)");
  if (r.u64(version, "tachyon_profile") != RunProfile::kVersion)
    throw ProfileError(what + ": profile version " + std::to_string(r.u64(version, "tachyon_profile")) +
                       " is not " + std::to_string(RunProfile::kVersion));
  RunProfile p;
  const object run = r.obj(root, "run", "");
  p.command = r.str(run, "command", "run");
  p.input = r.str(run, "input", "run");
  p.format = r.str(run, "format", "run");
  p.mode = r.str(run, "mode", "run");
  p.host = r.str(run, "host", "run");
  p.created_utc = r.str(run, "created_utc", "run");
  p.cpu = static_cast<int>(r.i64(run, "cpu", "run"));
  p.cpus_allowed = static_cast<int>(r.i64(run, "cpus_allowed", "run"));
  p.pinned = r.boolean(run, "pinned", "run");
  p.tsc_hz = r.u64(run, "tsc_hz", "run");
  p.allocator = r.str(run, "allocator", "run");
  p.slow_ns_per_message = r.u64(run, "slow_ns_per_message", "run");
  p.max_orders = r.u64(run, "max_orders", "run");
  p.max_levels = r.u64(run, "max_levels", "run");
  p.max_symbols = r.u64(run, "max_symbols", "run");

  const object tot = r.obj(root, "totals", "");
  p.messages = r.u64(tot, "messages", "totals");
  p.packets = r.u64(tot, "packets", "totals");
  p.bytes = r.u64(tot, "bytes", "totals");
  p.trades = r.u64(tot, "trades", "totals");
  p.live_orders = r.u64(tot, "live_orders", "totals");
  p.seconds = r.num(tot, "seconds", "totals");
  p.msgs_per_s = r.num(tot, "msgs_per_s", "totals");
  p.book_bytes = r.u64(tot, "book_bytes", "totals");
  p.bytes_per_order = r.num(tot, "bytes_per_order", "totals");
  p.peak_rss_bytes = r.u64(tot, "peak_rss_bytes", "totals");
  p.allocations_counted = r.boolean(tot, "allocations_counted", "totals");
  p.loop_allocated_bytes = r.u64(tot, "loop_allocated_bytes", "totals");

  std::size_t i = 0;
  for (const element e : r.arr(root, "stages", "")) {
    const std::string path = "stages[" + std::to_string(i++) + "]";
    object o;
    if (e.get(o) != simdjson::SUCCESS) r.fail(path, "not an object");
    StageStats s;
    s.name = r.str(o, "name", path);
    s.count = r.u64(o, "count", path);
    s.min = r.u64(o, "min", path);
    s.max = r.u64(o, "max", path);
    s.mean = r.num(o, "mean", path);
    s.p50 = r.u64(o, "p50", path);
    s.p90 = r.u64(o, "p90", path);
    s.p99 = r.u64(o, "p99", path);
    s.p999 = r.u64(o, "p999", path);
    s.p9999 = r.u64(o, "p9999", path);
    for (const element b : r.arr(o, "buckets", path)) {
      array t;
      if (b.get(t) != simdjson::SUCCESS || t.size() != 3) r.fail(path + ".buckets", "each bucket is [low, high, count]");
      s.buckets.push_back({r.u64(t.at(0), path + ".buckets"), r.u64(t.at(1), path + ".buckets"),
                           r.u64(t.at(2), path + ".buckets")});
    }
    p.stages.push_back(std::move(s));
  }

  const object thr = r.obj(root, "throughput", "");
  p.throughput_bucket_ns = r.u64(thr, "bucket_ns", "throughput");
  p.throughput_last_bucket_ns = r.u64(thr, "last_bucket_ns", "throughput");
  for (const element e : r.arr(thr, "messages", "throughput")) p.throughput.push_back(r.u64(e, "throughput.messages"));

  const object mem = r.obj(root, "memory", "");
  p.sample_interval_ns = r.u64(mem, "interval_ns", "memory");
  for (const element e : r.arr(mem, "samples", "memory")) {
    object o;
    if (e.get(o) != simdjson::SUCCESS) r.fail("memory.samples", "not an object");
    MemoryPoint m;
    m.t_s = r.num(o, "t_s", "memory.samples");
    m.rss = r.u64(o, "rss", "memory.samples");
    m.allocated = r.u64(o, "allocated", "memory.samples");
    m.active = r.u64(o, "active", "memory.samples");
    m.resident = r.u64(o, "resident", "memory.samples");
    p.memory.push_back(m);
  }
  for (const element e : r.arr(root, "threads", "")) {
    object o;
    if (e.get(o) != simdjson::SUCCESS) r.fail("threads", "not an object");
    ThreadProfile t;
    t.tid = static_cast<int>(r.i64(o, "tid", "threads"));
    t.name = r.str(o, "name", "threads");
    t.cpu_seconds = r.num(o, "cpu_seconds", "threads");
    t.utilization = r.num(o, "utilization", "threads");
    for (const element u : r.arr(o, "series", "threads")) t.series.push_back(r.num(u, "threads.series"));
    p.threads.push_back(std::move(t));
  }
  for (const element e : r.arr(root, "symbols", "")) {
    object o;
    if (e.get(o) != simdjson::SUCCESS) r.fail("symbols", "not an object");
    SymbolProfile s;
    s.name = r.str(o, "name", "symbols");
    s.accepted = r.u64(o, "accepted", "symbols");
    s.trades = r.u64(o, "trades", "symbols");
    s.canceled = r.u64(o, "canceled", "symbols");
    s.modified = r.u64(o, "modified", "symbols");
    p.symbols.push_back(std::move(s));
  }
  return p;
}

RunProfile read_profile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ProfileError(path + ": cannot open: " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return profile_from_json(ss.str(), path);
}

// --- CSV -----------------------------------------------------------------------------

namespace {

// Quotes a CSV field when it holds a comma, quote or line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.flush();
  if (!out) throw ProfileError(path.string() + ": cannot write: " + std::strerror(errno));
}

std::string fmt(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

}  // namespace

void write_profile_csv(const RunProfile& p, const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw ProfileError(dir + ": cannot create directory: " + ec.message());
  const std::filesystem::path d(dir);

  std::string s = "stage,count,min_ns,max_ns,mean_ns,p50_ns,p90_ns,p99_ns,p99.9_ns,p99.99_ns\n";
  for (const StageStats& st : p.stages)
    s += st.name + "," + std::to_string(st.count) + "," + std::to_string(st.min) + "," + std::to_string(st.max) + "," +
         fmt(st.mean) + "," + std::to_string(st.p50) + "," + std::to_string(st.p90) + "," + std::to_string(st.p99) +
         "," + std::to_string(st.p999) + "," + std::to_string(st.p9999) + "\n";
  write_file(d / "stages.csv", s);

  s = "stage,low_ns,high_ns,count\n";
  for (const StageStats& st : p.stages)
    for (const HistogramBucket& b : st.buckets)
      s += st.name + "," + std::to_string(b.low) + "," + std::to_string(b.high) + "," + std::to_string(b.count) + "\n";
  write_file(d / "histograms.csv", s);

  s = "t_s,messages,msgs_per_s\n";
  for (std::size_t i = 0; i < p.throughput.size(); ++i)
    s += fmt(static_cast<double>(i * p.throughput_bucket_ns) / 1e9) + "," + std::to_string(p.throughput[i]) + "," +
         fmt(p.bucket_rate(i)) + "\n";
  write_file(d / "throughput.csv", s);

  s = "t_s,rss_bytes,allocated_bytes,active_bytes,resident_bytes\n";
  for (const MemoryPoint& m : p.memory)
    s += fmt(m.t_s) + "," + std::to_string(m.rss) + "," + std::to_string(m.allocated) + "," + std::to_string(m.active) +
         "," + std::to_string(m.resident) + "\n";
  write_file(d / "memory.csv", s);

  s = "t_s,tid,thread,utilization\n";
  for (const ThreadProfile& t : p.threads)
    for (std::size_t i = 0; i < t.series.size() && i < p.memory.size(); ++i)
      s += fmt(p.memory[i].t_s) + "," + std::to_string(t.tid) + "," + csv_field(t.name) + "," + fmt(t.series[i]) + "\n";
  write_file(d / "threads.csv", s);

  s = "symbol,accepted,trades,canceled,modified\n";
  for (const SymbolProfile& sy : p.symbols)
    s += csv_field(sy.name) + "," + std::to_string(sy.accepted) + "," + std::to_string(sy.trades) + "," +
         std::to_string(sy.canceled) + "," + std::to_string(sy.modified) + "\n";
  write_file(d / "symbols.csv", s);
}

}  // namespace tachyon::controlplane
