// The metrics endpoint: an HTTP server on a libwebsockets event loop serving
//   GET /metrics  Prometheus text format (ProbeCollector::prometheus_text)
//   GET /healthz  {"status":"ok",...} (ProbeCollector::health_json, plus extra_health)
//   POST /control/VERB[/ARG]  an operator command (when a control handler is set)
// bound to 127.0.0.1 by default. The loop runs on its own control thread
// ("tachyon-metrics") and also ticks the collector every 100 ms, so every collector
// call happens on that thread while the server runs. Construct, read port(), stop()
// (or destroy) from one owning thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "tachyon/controlplane/probe_collector.h"

struct lws_context;

namespace tachyon::controlplane {

struct MetricsServerOptions {
  std::string address = "127.0.0.1";  // IPv4 address to bind
  uint16_t port = 9464;                // 0: any free port (see MetricsServer::port())
  std::chrono::milliseconds tick{100}; // collector snapshot interval
  // POST /control/VERB[/ARG] runs control("VERB ARG") and answers its reply line (200
  // when it starts with "ok" or "{", else 400). Unset: 404.
  std::function<std::string(const std::string&)> control;
  // Appended to /metrics (Prometheus text lines), e.g. positions and journal counters.
  std::function<std::string()> extra_metrics;
  // More members of the /healthz object, as JSON text without braces, e.g.
  // "engine":"running" (the engine's run state). Unset or empty: none.
  std::function<std::string()> extra_health;
};

class MetricsServer {
 public:
  // Binds and starts the loop thread. Throws std::runtime_error naming address:port
  // when it cannot listen. Control path.
  MetricsServer(const MetricsServerOptions& options, ProbeCollector& collector);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  // The port it listens on.
  uint16_t port() const noexcept { return port_; }
  // Requests answered so far (any thread).
  uint64_t requests() const noexcept { return requests_.load(std::memory_order_relaxed); }
  // Stops the loop and joins its thread; the collector is the caller's again. Idempotent.
  void stop();

  // For the protocol callback and the timer (loop thread only).
  struct Impl;
  ProbeCollector& collector() noexcept { return collector_; }
  const MetricsServerOptions& options() const noexcept { return options_; }
  void count_request() noexcept { requests_.fetch_add(1, std::memory_order_relaxed); }

 private:
  void loop();

  ProbeCollector& collector_;
  MetricsServerOptions options_;
  lws_context* context_ = nullptr;
  Impl* impl_ = nullptr;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> requests_{0};
  std::thread thread_;
};

}  // namespace tachyon::controlplane
