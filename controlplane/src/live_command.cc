// tachyon run: config -> NIC -> feed shard pipeline -> metrics, until a signal.
// Control thread (the pipeline's cores are its own threads).
#include "tachyon/controlplane/live_command.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <mutex>
#include <stdexcept>

#include "tachyon/controlplane/config.h"
#include "tachyon/controlplane/core_map.h"
#include "tachyon/controlplane/json_writer.h"
#include "tachyon/controlplane/metrics_server.h"
#include "tachyon/controlplane/probe_collector.h"
#include "tachyon/dataplane/book_digest.h"
#include "tachyon/dataplane/cpu_pinning.h"
#include "tachyon/dataplane/feed_pipeline.h"
#include "tachyon/dataplane/stop_signal.h"
#include "tachyon/nic/open_nic.h"

extern char** environ;

namespace tachyon::controlplane {

namespace {

nic::NicBackendKind backend_of(NicBackend b) {
  switch (b) {
    case NicBackend::kDpdk: return nic::NicBackendKind::kDpdk;
    case NicBackend::kPcap: return nic::NicBackendKind::kPcap;
    case NicBackend::kSocket: return nic::NicBackendKind::kSocket;
    case NicBackend::kAuto: break;
  }
  return nic::NicBackendKind::kAuto;
}

dataplane::BackpressurePolicy policy_of(Backpressure b) {
  switch (b) {
    case Backpressure::kReject: return dataplane::BackpressurePolicy::kReject;
    case Backpressure::kDrop: return dataplane::BackpressurePolicy::kDrop;
    case Backpressure::kBlock: break;
  }
  return dataplane::BackpressurePolicy::kBlock;
}

}  // namespace

int run_live(const LiveArgs& a) {
  ConfigResult r = load_config(a.config, env_overrides(environ));
  if (!r.config) {
    for (const ConfigError& e : r.errors) std::fprintf(stderr, "tachyon: %s\n", e.to_string().c_str());
    std::fprintf(stderr, "tachyon: %s: %zu error(s)\n", describe_paths(a.config).c_str(), r.errors.size());
    return 2;
  }
  const Config& cfg = *r.config;
  if (cfg.nic.backend == NicBackend::kPcap)
    throw std::invalid_argument("nic.backend = pcap reads a capture: use tachyon replay --nic pcap FILE");

  // The core map, checked against this machine; the control plane (this thread and the
  // threads it starts: metrics) moves to cores.control before anything starts.
  const CoreMap core_map = check_core_map(cfg.cores);
  for (const std::string& n : core_map.notes) std::fprintf(stderr, "%s\n", n.c_str());
  std::string control_where = place_control_thread(core_map);

  // The NIC.
  nic::NicOptions no;
  no.backend = backend_of(cfg.nic.backend);
  no.eal_args = cfg.nic.eal_args;
  no.port_id = cfg.nic.port_id;
  no.rx_queues = cfg.nic.rx_queues;
  no.rx_descriptors = cfg.nic.rx_descriptors;
  no.tx_descriptors = cfg.nic.tx_descriptors;
  no.mbufs = cfg.nic.mbufs;
  no.bind_address = cfg.nic.bind_address;
  no.udp_port = cfg.nic.udp_port;
  no.pci = cfg.nic.pci;
  no.main_lcore = core_map.control;

  // The cores: one listed core runs rx -> book itself; several run a dispatch core and
  // shard cores, or (as many rx queues as cores) one direct core per queue.
  dataplane::FeedPipelineOptions fo;
  fo.book = cfg.book;
  fo.pipeline.ring_capacity = cfg.rings.capacity;
  fo.pipeline.output_capacity = cfg.rings.capacity;
  fo.pipeline.policy = policy_of(cfg.rings.policy);
  fo.pipeline.packet_handoff = cfg.rings.packet_handoff;
  fo.pipeline.stop_at_end = false;
  fo.memory_node = core_map.memory_node;
  fo.pipeline.filter.dst_port = cfg.feed.port;
  if (!cfg.feed.group.empty()) {
    unsigned b[4];
    if (std::sscanf(cfg.feed.group.c_str(), "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) == 4)
      fo.pipeline.filter.dst_address = nic::Ipv4Address(static_cast<uint8_t>(b[0]), static_cast<uint8_t>(b[1]),
                                                         static_cast<uint8_t>(b[2]), static_cast<uint8_t>(b[3]));
  }
  const std::vector<unsigned>& cores = cfg.cores.dataplane;
  if (cores.empty()) {
    fo.pipeline.shards = 1;
    fo.pipeline.idle_yield_after = 64;  // unpinned: share the CPUs politely
  } else if (cores.size() == 1 || cfg.nic.rx_queues >= cores.size()) {
    fo.pipeline.direct = true;
    fo.pipeline.shards = static_cast<uint32_t>(cores.size());
    for (const unsigned c : cores) fo.pipeline.shard_cpus.push_back(static_cast<int>(c));
  } else {
    fo.pipeline.shards = static_cast<uint32_t>(cores.size() - 1);
    fo.pipeline.dispatch_cpu = static_cast<int>(cores[0]);
    for (std::size_t i = 1; i < cores.size(); ++i) fo.pipeline.shard_cpus.push_back(static_cast<int>(cores[i]));
  }
  fo.shard_of_symbol = cfg.feed.shard_map;
  for (const auto& [name, shard] : cfg.feed.shard_map)
    if (shard >= fo.pipeline.shards)
      throw std::invalid_argument("feed.shard_map: " + name + " = " + std::to_string(shard) + ", but there " +
                                  (fo.pipeline.shards == 1 ? "is 1 shard core" : "are " + std::to_string(fo.pipeline.shards) + " shard cores") +
                                  " (shards 0.." + std::to_string(fo.pipeline.shards - 1) + ")");
  for (std::size_t i = 0; i < cores.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (cores[i] == cores[j]) fo.pipeline.idle_yield_after = 64;  // cores sharing a CPU yield when idle
  no.rx_queues = fo.pipeline.direct ? static_cast<uint16_t>(fo.pipeline.shards) : uint16_t{1};
  no.tx_queues = no.rx_queues;

  nic::OpenedNic n = nic::open_nic(no);
  for (const std::string& s : n.notes) std::fprintf(stderr, "%s\n", s.c_str());
  // rte_eal_init pins its caller to EAL's main lcore: put the control plane back.
  if (!control_where.empty()) control_where = place_control_thread(core_map);
  if (!core_map.empty()) std::fprintf(stderr, "cores: %s\n", core_map.describe().c_str());
  if (!control_where.empty()) std::fprintf(stderr, "%s\n", control_where.c_str());
  std::fprintf(stderr, "nic: %s\n", n.port.describe().c_str());
  std::fprintf(stderr, "cores: %s, %u shard core%s, rings %u x %s\n", fo.pipeline.direct ? "direct" : "dispatch",
               fo.pipeline.shards, fo.pipeline.shards > 1 ? "s" : "", cfg.rings.capacity,
               dataplane::to_string(fo.pipeline.policy));

  // Metrics: the pipeline's live counters, read under a lock that spans its lifetime.
  std::mutex view_mutex;
  const dataplane::PipelineView* view = nullptr;
  fo.on_running = [&](const dataplane::PipelineView* v) {
    std::lock_guard<std::mutex> lock(view_mutex);
    view = v;
  };
  ProbeCollector collector({});
  std::unique_ptr<MetricsServer> metrics;
  const int port = a.metrics_port >= 0 ? a.metrics_port : cfg.metrics.port;
  if (port > 0 || a.metrics_port == 0) {
    MetricsServerOptions mo;
    mo.address = cfg.metrics.listen;
    mo.port = static_cast<uint16_t>(port);
    mo.extra_metrics = [&] {
      std::lock_guard<std::mutex> lock(view_mutex);
      return view ? view->prometheus_text() : std::string();
    };
    metrics = std::make_unique<MetricsServer>(mo, collector);
    std::fprintf(stderr, "metrics: http://%s:%u/metrics\n", mo.address.c_str(), metrics->port());
  }
  const std::atomic<bool>& stop = dataplane::install_stop_signals();
  std::fprintf(stderr, "running (SIGINT or SIGTERM stops: rx stops, rings drain, tx flushes)\n");
  dataplane::FeedPipelineResult res = dataplane::run_feed_pipeline(n.port, fo, &stop);
  if (metrics) metrics->stop();

  const int sig = dataplane::stop_signal_number();
  if (a.json) {
    JsonWriter j;
    j.begin_object()
        .field("stopped_by", sig == 2 ? "SIGINT" : sig == 15 ? "SIGTERM" : "end")
        .field("packets", res.report.decoded.packets)
        .field("messages", res.messages())
        .field("lost_to_backpressure", res.report.lost_to_backpressure())
        .field("gaps", res.report.gaps.events)
        .field("live_orders", res.live_orders)
        .field("symbols", res.symbols)
        .field("book_hash", dataplane::to_hex(res.book_hash))
        .end_object();
    std::printf("%s\n", j.str().c_str());
  } else {
    std::printf("stopped by %s\n%s", sig == 2 ? "SIGINT" : sig == 15 ? "SIGTERM" : "the end of input",
                res.report.describe().c_str());
    std::printf("books: %" PRIu64 " messages, %" PRIu64 " symbols, %" PRIu64 " live orders, book_hash %s\n",
                res.messages(), res.symbols, res.live_orders, dataplane::to_hex(res.book_hash).c_str());
    std::printf("shard map: %s\n", res.shard_map.c_str());
  }
  return 0;
}

}  // namespace tachyon::controlplane
