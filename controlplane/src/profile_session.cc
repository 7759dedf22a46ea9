// replay_profiled(): wiring of probes, sampler, collector, metrics endpoint and outputs
// around one replay. Control path, main thread.
#include "tachyon/controlplane/profile_session.h"

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "tachyon/controlplane/breaker_metrics.h"
#include "tachyon/controlplane/metrics_server.h"
#include "tachyon/controlplane/probe_collector.h"
#include "tachyon/controlplane/profile_builder.h"
#include "tachyon/controlplane/run_profile.h"
#include "tachyon/dataplane/core_probes.h"
#include "tachyon/dataplane/pipeline_report.h"
#include "tachyon/dataplane/resource_sampler.h"
#include "tachyon/dataplane/stop_signal.h"

namespace tachyon::controlplane {

namespace {

volatile std::sig_atomic_t g_stop_linger = 0;

void on_stop_signal(int) { g_stop_linger = 1; }

// Waits up to seconds, or until SIGINT or SIGTERM.
void linger(double seconds) {
  g_stop_linger = 0;
  struct sigaction sa{}, old_int{}, old_term{};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_int);
  sigaction(SIGTERM, &sa, &old_term);
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  // A stop asked for during the replay (its signal handlers, or ctl stop) ends it too.
  const std::atomic<bool>& stopped = dataplane::stop_flag();
  while (!g_stop_linger && !stopped.load(std::memory_order_acquire) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGTERM, &old_term, nullptr);
}

}  // namespace

dataplane::ReplaySummary replay_profiled(dataplane::ReplayOptions options, const ProfileSessionOptions& session) {
  auto probes = std::make_unique<dataplane::CoreProbes>(0, options.book.max_symbols);
  options.probes = probes.get();
  ProbeCollector collector({probes.get()});
  // Match mode: the core's circuit breakers live here, so that /metrics reads their
  // counters while the replay runs.
  std::unique_ptr<dataplane::CircuitBreakers> breakers;
  if (options.mode == dataplane::ReplayMode::kMatch && options.breakers == nullptr) {
    breakers = std::make_unique<dataplane::CircuitBreakers>(options.book.max_symbols, options.breaker);
    options.breakers = breakers.get();
  }
  std::unique_ptr<dataplane::PublishedRingCounts> input_ring;
  std::unique_ptr<MetricsServer> server;
  if (session.metrics) {
    MetricsServerOptions mo;
    mo.address = session.metrics_address;
    mo.port = session.metrics_port;
    mo.control = session.control;
    mo.extra_metrics = session.extra_metrics;
    mo.extra_health = session.extra_health;
    if (const dataplane::CircuitBreakers* b = options.breakers; b && options.mode == dataplane::ReplayMode::kMatch)
      mo.extra_metrics = [extra = session.extra_metrics, b] { return (extra ? extra() : std::string()) + breaker_metrics(*b); };
    if (options.mode == dataplane::ReplayMode::kMatch && options.match_cores.split) {
      // Match mode on two cores: the input ring's counters, as the matching core
      // publishes them.
      input_ring = std::make_unique<dataplane::PublishedRingCounts>();
      options.match_cores.published = input_ring.get();
      mo.extra_metrics = [extra = mo.extra_metrics, r = input_ring.get(), policy = options.match_cores.policy] {
        return (extra ? extra() : std::string()) +
               dataplane::ring_prometheus({dataplane::RingReport{"gateway->matching", policy, r->load()}});
      };
    }
    server = std::make_unique<MetricsServer>(mo, collector);
    if (session.announce)
      std::fprintf(stderr, "metrics: http://%s:%u/metrics and /healthz\n", session.metrics_address.c_str(),
                   static_cast<unsigned>(server->port()));
  }
  dataplane::ResourceSampler sampler;
  const int cpus = allowed_cpu_count();
  ::pthread_setname_np(::pthread_self(), "tachyon-core0");
  sampler.start();
  dataplane::ReplaySummary summary;
  try {
    summary = dataplane::replay(options);
  } catch (...) {
    sampler.stop();
    if (server) server->stop();
    throw;
  }
  if (server && session.metrics_linger_s > 0) {
    if (session.announce)
      std::fprintf(stderr, "metrics: replay done; serving final figures for %.0f s (Ctrl-C ends)\n",
                   session.metrics_linger_s);
    linger(session.metrics_linger_s);
  }
  sampler.stop();
  if (server) server->stop();
  collector.finish();

  ProfileSources src{options, summary, *probes, collector.totals(0), sampler, session.command, cpus};
  RunProfile profile = build_run_profile(src);
  if (!session.input_label.empty()) profile.input = session.input_label;
  if (!session.profile_path.empty()) {
    std::ofstream out(session.profile_path, std::ios::binary | std::ios::trunc);
    out << profile_to_json(profile) << "\n";
    out.flush();
    if (!out) throw ProfileError(session.profile_path + ": cannot write the profile");
    if (session.announce)
      std::fprintf(stderr, "profile: %s (view it with: tachyon report %s)\n", session.profile_path.c_str(),
                   session.profile_path.c_str());
  }
  if (!session.csv_dir.empty()) {
    write_profile_csv(profile, session.csv_dir);
    if (session.announce) std::fprintf(stderr, "csv: %s/{stages,histograms,throughput,memory,threads,symbols}.csv\n",
                                       session.csv_dir.c_str());
  }
  return summary;
}

}  // namespace tachyon::controlplane
