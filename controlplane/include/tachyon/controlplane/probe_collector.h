// The control plane's view of the data-plane cores' probes: takes stage-histogram
// snapshots from each core without stopping it (StageProbes hand-over), keeps running
// totals, and renders them for the metrics endpoint (Prometheus text format and a
// health document). One control thread calls every method; the cores only record.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/dataplane/core_probes.h"
#include "tachyon/dataplane/stage_probes.h"

namespace tachyon::controlplane {

class ProbeCollector {
 public:
  // Watches cores (not owned; they outlive the collector). Control path.
  explicit ProbeCollector(std::vector<dataplane::CoreProbes*> cores);

  // Collects every answered snapshot and asks again; a core that has stopped is
  // drained directly. Never waits. O(cores x stages x buckets) when snapshots arrive.
  void tick();
  // Drains every core (all of them must have stopped) into the totals.
  void finish();

  std::size_t cores() const noexcept { return cores_.size(); }
  const dataplane::CoreProbes& core(std::size_t i) const noexcept { return *cores_[i]; }
  // Everything collected from core i so far.
  const dataplane::StageHistograms& totals(std::size_t i) const noexcept { return *totals_[i]; }
  uint64_t snapshots() const noexcept { return snapshots_; }

  // Renders the metrics in the Prometheus text exposition format (version 0.0.4):
  // per core messages and state; per core and stage a latency summary (quantiles 0.5,
  // 0.9, 0.99, 0.999, 0.9999, sum, count) and the maximum; per core and symbol book
  // events by kind; process memory and per-thread CPU.
  std::string prometheus_text();
  // Renders {"status":"ok","cores":[{"core":0,"state":"running","messages":N}, ...]}.
  std::string health_json() const;

 private:
  std::vector<dataplane::CoreProbes*> cores_;
  std::vector<std::unique_ptr<dataplane::StageHistograms>> totals_;
  std::vector<bool> drained_;
  uint64_t snapshots_ = 0;
  uint64_t scrapes_ = 0;
};

// Escapes a Prometheus label value (backslash, double quote, line feed).
std::string prometheus_label(const std::string& v);

}  // namespace tachyon::controlplane
