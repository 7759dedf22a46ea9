// build_run_profile(): copies a finished replay's figures into a RunProfile. Control
// path.
#include "tachyon/controlplane/profile_builder.h"

#include <sched.h>
#include <unistd.h>

#include <ctime>

#include "tachyon/book/book_shard.h"

namespace tachyon::controlplane {

namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "unknown";
  return buf;
}

}  // namespace

int allowed_cpu_count() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return 0;
  return CPU_COUNT(&set);
}

RunProfile build_run_profile(const ProfileSources& src) {
  const dataplane::ReplaySummary& s = src.summary;
  const dataplane::CoreProbes& probes = src.probes;
  RunProfile p;
  p.command = src.command;
  p.input = s.input;
  p.format = dataplane::to_string(s.format);
  p.mode = dataplane::to_string(s.mode);
  p.host = host_name();
  p.created_utc = utc_now();
  p.cpu = probes.facts().cpu;
  p.cpus_allowed = src.cpus_allowed;
  p.pinned = src.cpus_allowed == 1;
  p.tsc_hz = probes.facts().tsc_hz;
  p.slow_ns_per_message = probes.facts().slow_ns_per_message;
  p.max_orders = src.options.book.max_orders;
  p.max_levels = src.options.book.max_levels;
  p.max_symbols = src.options.book.max_symbols;

  p.messages = s.messages;
  p.packets = s.packets;
  p.bytes = s.bytes;
  p.trades = s.trades;
  p.live_orders = s.live_orders;
  p.seconds = s.seconds;
  p.msgs_per_s = s.msgs_per_s;
  p.book_bytes = s.shard ? s.shard->memory_bytes() : 0;
  p.bytes_per_order = p.max_orders ? static_cast<double>(p.book_bytes) / static_cast<double>(p.max_orders) : 0;
  p.allocations_counted = probes.facts().allocations_counted;
  p.loop_allocated_bytes = probes.facts().loop_allocated_bytes;

  p.stages.push_back(StageStats::from("message", *s.latency));
  for (std::size_t i = 0; i < dataplane::kStageCount; ++i) {
    const auto st = static_cast<dataplane::Stage>(i);
    p.stages.push_back(StageStats::from(std::string(dataplane::stage_name(st)), src.stages[st]));
  }

  const dataplane::ThroughputTimeline& tl = probes.timeline();
  p.throughput_bucket_ns = tl.bucket_ns();
  p.throughput_last_bucket_ns = tl.last_bucket_ns();
  for (std::size_t i = 0; i < tl.size(); ++i) p.throughput.push_back(tl.count(i));

  const auto& samples = src.sampler.samples();
  p.sample_interval_ns = static_cast<uint64_t>(src.sampler.interval().count()) * 1'000'000;
  for (const dataplane::ResourceSample& r : samples) {
    p.memory.push_back({static_cast<double>(r.t_ns) / 1e9, r.memory.rss, r.memory.allocated, r.memory.active,
                        r.memory.resident});
    p.peak_rss_bytes = std::max(p.peak_rss_bytes, r.memory.peak_rss);
    if (p.allocator.empty()) p.allocator = r.memory.allocator;
  }
  for (const dataplane::ThreadTotal& t : src.sampler.thread_totals()) {
    ThreadProfile tp;
    tp.tid = t.tid;
    tp.name = t.name;
    tp.cpu_seconds = t.cpu_seconds;
    tp.utilization = t.utilization;
    for (const dataplane::ResourceSample& r : samples) {
      double u = 0;
      for (const dataplane::ThreadLoad& l : r.threads)
        if (l.tid == t.tid) u = l.utilization;
      tp.series.push_back(u);
    }
    p.threads.push_back(std::move(tp));
  }

  const dataplane::SymbolCounters& sc = probes.symbols();
  for (uint32_t i = 0; i < sc.size(); ++i) {
    if (!sc.active(i)) continue;
    SymbolProfile sp;
    sp.name = sc.name(i);
    if (sp.name.empty()) sp.name = "#" + std::to_string(i);
    sp.accepted = sc.count(i, 0);
    sp.trades = sc.count(i, 1);
    sp.canceled = sc.count(i, 2);
    sp.modified = sc.count(i, 3);
    p.symbols.push_back(std::move(sp));
  }
  return p;
}

}  // namespace tachyon::controlplane
