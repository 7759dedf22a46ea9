// tachyon run --config FILE [--config FILE...]: the live appliance in feed mode. Opens the NIC the config
// names (nic.backend: dpdk, socket or auto; explicit dpdk that cannot start exits 2),
// runs the shard pipeline on the configured cores (the control plane on cores.control,
// the shards' memory on cores.numa_node) until SIGINT or SIGTERM, serves
// /metrics and /healthz (ring, shard and NIC counters) on metrics.listen:port, then
// drains, prints the final stats and exits 0. Control thread.
#pragma once

#include <string>
#include <vector>

namespace tachyon::controlplane {

struct LiveArgs {
  std::vector<std::string> config;  // layered in order
  int metrics_port = -1;  // -1: metrics.port of the config (0 there: no endpoint)
  bool json = false;      // final stats as one JSON object on stdout
};

// Runs until signalled; returns the process exit code (0 after a clean stop).
int run_live(const LiveArgs& args);

}  // namespace tachyon::controlplane
