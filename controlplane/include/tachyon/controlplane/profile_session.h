// A profiled replay as tachyon replay --profile/--csv/--metrics-port runs it: the
// replay with probes on the calling thread (named tachyon-core0), a resource sampler,
// optionally the metrics endpoint, then the profile written as JSON and/or CSV.
// Control path; call from the main thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "tachyon/dataplane/replay.h"

namespace tachyon::controlplane {

struct ProfileSessionOptions {
  std::string profile_path;            // JSON profile (empty: none)
  std::string csv_dir;                 // CSV files (empty: none)
  bool metrics = false;                // serve /metrics and /healthz during the replay
  std::string metrics_address = "127.0.0.1";
  uint16_t metrics_port = 9464;
  double metrics_linger_s = 0;         // keep serving this long after the replay (SIGINT/SIGTERM end it early)
  std::string command;                 // the command line, recorded in the profile
  std::string input_label;             // recorded instead of the input path when set
  bool announce = true;                // print where the outputs went (stderr)
  // Passed to the metrics endpoint (see MetricsServerOptions).
  std::function<std::string(const std::string&)> control;
  std::function<std::string()> extra_metrics;
  std::function<std::string()> extra_health;
};

// Runs replay(options) with profiling and writes the outputs. Throws what replay()
// throws, std::runtime_error when the endpoint cannot listen, and ProfileError when an
// output cannot be written.
dataplane::ReplaySummary replay_profiled(dataplane::ReplayOptions options, const ProfileSessionOptions& session);

}  // namespace tachyon::controlplane
