// ProbeCollector: snapshot collection and the Prometheus / health renderings.
// Control thread only.
#include "tachyon/controlplane/probe_collector.h"

#include <cstdio>

#include "tachyon/controlplane/json_writer.h"
#include "tachyon/dataplane/resource_usage.h"

namespace tachyon::controlplane {

namespace {

const char* state_name(dataplane::CoreProbes::State s) {
  switch (s) {
    case dataplane::CoreProbes::State::kIdle: return "idle";
    case dataplane::CoreProbes::State::kRunning: return "running";
    case dataplane::CoreProbes::State::kStopped: return "stopped";
  }
  return "unknown";
}

std::string g(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

}  // namespace

std::string prometheus_label(const std::string& v) {
  std::string out;
  for (const char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

ProbeCollector::ProbeCollector(std::vector<dataplane::CoreProbes*> cores)
    : cores_(std::move(cores)), drained_(cores_.size(), false) {
  for (std::size_t i = 0; i < cores_.size(); ++i) totals_.push_back(std::make_unique<dataplane::StageHistograms>());
}

void ProbeCollector::tick() {
  for (std::size_t i = 0; i < cores_.size(); ++i) {
    dataplane::StageProbes& st = cores_[i]->stages();
    if (cores_[i]->state() == dataplane::CoreProbes::State::kStopped) {
      // The core has stopped for good (its last write happened before the state was
      // published): take everything, answered or not.
      if (!drained_[i]) {
        st.drain(*totals_[i]);
        drained_[i] = true;
      }
      continue;
    }
    if (st.try_collect(*totals_[i])) ++snapshots_;
    st.request_snapshot();
  }
}

void ProbeCollector::finish() {
  for (std::size_t i = 0; i < cores_.size(); ++i) {
    cores_[i]->stages().drain(*totals_[i]);
    drained_[i] = true;
  }
}

std::string ProbeCollector::prometheus_text() {
  ++scrapes_;
  std::string o;
  auto help = [&](const char* name, const char* type, const char* text) {
    o += std::string("# HELP ") + name + " " + text + "\n# TYPE " + name + " " + type + "\n";
  };
  help("tachyon_up", "gauge", "1 while the appliance serves metrics.");
  o += "tachyon_up 1\n";
  help("tachyon_metrics_scrapes_total", "counter", "Requests for /metrics served.");
  o += "tachyon_metrics_scrapes_total " + std::to_string(scrapes_) + "\n";

  help("tachyon_messages_total", "counter", "Messages the core has handled.");
  for (const auto* c : cores_)
    o += "tachyon_messages_total{core=\"" + std::to_string(c->core()) + "\"} " + std::to_string(c->messages()) + "\n";
  help("tachyon_core_running", "gauge", "1 while the core runs its loop, 0 before and after.");
  for (const auto* c : cores_)
    o += "tachyon_core_running{core=\"" + std::to_string(c->core()) + "\",state=\"" + state_name(c->state()) + "\"} " +
         (c->state() == dataplane::CoreProbes::State::kRunning ? "1" : "0") + "\n";

  help("tachyon_stage_latency_seconds", "summary",
       "Latency of each stage (rx_decode, decode_book, book_tx, wire_to_wire; add, cancel, modify and match are "
       "decode_book by operation), from the collected snapshots.");
  static constexpr double kQuantiles[] = {0.5, 0.9, 0.99, 0.999, 0.9999};
  for (std::size_t i = 0; i < cores_.size(); ++i) {
    for (std::size_t s = 0; s < dataplane::kStageCount; ++s) {
      const dataplane::LatencyHistogram& h = totals_[i]->by_stage[s];
      const std::string labels = "core=\"" + std::to_string(cores_[i]->core()) + "\",stage=\"" +
                                 std::string(dataplane::stage_name(static_cast<dataplane::Stage>(s))) + "\"";
      for (const double q : kQuantiles)
        o += "tachyon_stage_latency_seconds{" + labels + ",quantile=\"" + g(q) + "\"} " +
             g(static_cast<double>(h.percentile(q * 100)) / 1e9) + "\n";
      o += "tachyon_stage_latency_seconds_sum{" + labels + "} " + g(h.mean() * static_cast<double>(h.count()) / 1e9) + "\n";
      o += "tachyon_stage_latency_seconds_count{" + labels + "} " + std::to_string(h.count()) + "\n";
    }
  }
  help("tachyon_stage_latency_max_seconds", "gauge", "Highest latency seen in each stage.");
  for (std::size_t i = 0; i < cores_.size(); ++i)
    for (std::size_t s = 0; s < dataplane::kStageCount; ++s)
      o += "tachyon_stage_latency_max_seconds{core=\"" + std::to_string(cores_[i]->core()) + "\",stage=\"" +
           std::string(dataplane::stage_name(static_cast<dataplane::Stage>(s))) + "\"} " +
           g(static_cast<double>(totals_[i]->by_stage[s].max()) / 1e9) + "\n";

  help("tachyon_symbol_events_total", "counter", "Book events by symbol and kind (accepted, trade, canceled, modified).");
  for (const auto* c : cores_) {
    const dataplane::SymbolCounters& sc = c->symbols();
    for (uint32_t s = 0; s < sc.size(); ++s) {
      if (!sc.active(s)) continue;
      std::string name = sc.name(s);
      if (name.empty()) name = "#" + std::to_string(s);
      for (std::size_t k = 0; k < dataplane::SymbolCounters::kKinds; ++k)
        o += "tachyon_symbol_events_total{core=\"" + std::to_string(c->core()) + "\",symbol=\"" +
             prometheus_label(name) + "\",kind=\"" + std::string(dataplane::SymbolCounters::kind_name(k)) + "\"} " +
             std::to_string(sc.count(s, k)) + "\n";
    }
  }

  const dataplane::MemoryStats m = dataplane::read_memory_stats();
  help("tachyon_memory_bytes", "gauge", "Process memory: resident set, its peak, and the allocator's figures.");
  o += "tachyon_memory_bytes{kind=\"rss\"} " + std::to_string(m.rss) + "\n";
  o += "tachyon_memory_bytes{kind=\"peak_rss\"} " + std::to_string(m.peak_rss) + "\n";
  if (m.has_allocator_stats) {
    const std::string a = prometheus_label(m.allocator);
    o += "tachyon_memory_bytes{kind=\"allocated\",allocator=\"" + a + "\"} " + std::to_string(m.allocated) + "\n";
    o += "tachyon_memory_bytes{kind=\"active\",allocator=\"" + a + "\"} " + std::to_string(m.active) + "\n";
    o += "tachyon_memory_bytes{kind=\"resident\",allocator=\"" + a + "\"} " + std::to_string(m.resident) + "\n";
  }
  help("tachyon_thread_cpu_seconds_total", "counter", "CPU time of each thread (user + system).");
  for (const dataplane::ThreadCpu& t : dataplane::read_thread_cpu())
    o += "tachyon_thread_cpu_seconds_total{thread=\"" + prometheus_label(t.name) + "\",tid=\"" + std::to_string(t.tid) +
         "\"} " + g(static_cast<double>(t.cpu_ns) / 1e9) + "\n";
  return o;
}

std::string ProbeCollector::health_json() const {
  JsonWriter j;
  j.begin_object().field("status", "ok").key("cores").begin_array();
  for (const auto* c : cores_)
    j.begin_object().field("core", c->core()).field("state", state_name(c->state())).field("messages", c->messages()).end_object();
  j.end_array().field("snapshots", snapshots_).end_object();
  return j.str();
}

}  // namespace tachyon::controlplane
