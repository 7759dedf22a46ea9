// Match-mode replay with a journal: recovers from an existing journal (latest snapshot
// plus the journal tail, a torn or corrupt tail reported and cut), journals the run,
// writes snapshots, and serves the control socket. Runs on the calling thread plus the
// journal thread and the control-socket thread it starts.
#pragma once

#include <atomic>
#include <map>
#include <string>
#include <vector>

#include "tachyon/controlplane/config.h"
#include "tachyon/controlplane/profile_session.h"
#include "tachyon/dataplane/replay.h"

namespace tachyon::controlplane {

struct DurableOptions {
  std::string journal_path;
  std::string snapshot_dir;            // empty: <journal_path>.snapshots
  FsyncPolicy fsync = FsyncPolicy::kIntervalMs;
  uint32_t interval_ms = 10;
  uint64_t snapshot_every = 100'000;   // inputs between snapshots; 0: only at the end
  std::string control_socket;          // empty: no control socket
  uint64_t config_hash = 0;
  std::atomic<bool>* stop = nullptr;   // graceful shutdown flag (signals)
  // Hot reload: with a config file, a valid change of live keys (risk, breaker) on
  // SIGHUP or file save reaches the core between packets; the rest is refused and said.
  std::vector<std::string> config_paths;  // layered in order (tachyon replay --config A --config B)
  const Config* config = nullptr;      // the validated start-up configuration
  std::map<std::string, std::string> config_overrides;
  // With metrics.metrics set: profile the run and serve /metrics (plus positions,
  // risk and journal gauges) and POST /control/VERB[/ARG] (the control socket's
  // commands) while it runs.
  const ProfileSessionOptions* profile = nullptr;
};

struct DurableReport {
  bool recovered = false;              // an existing journal was resumed
  uint64_t journal_records_found = 0;  // valid records in it
  std::string tail_problem;            // the torn or corrupt tail that was cut, if any
  std::string snapshot_used;           // the snapshot the state resumed from
  std::vector<std::string> snapshot_problems;
  uint64_t fsyncs = 0;
  uint64_t journal_bytes = 0;
  std::vector<std::string> reloads;    // one line per reload attempt: applied, or why not
  // Every run state the engine went through, e.g. "init -> running -> stopping ->
  // stopped", and the same as a JSON array of names.
  std::string engine_states;
  std::string engine_states_json;
};

// Renders the published engine state as Prometheus gauges (sessions' positions,
// realized and unrealized P&L and risk rejects, journal progress, paused/killed).
std::string engine_metrics(const dataplane::PublishedEngineState& p);

// Runs opt (which must be a match-mode replay) durably. Throws ReplayError and
// std::system_error with the file and the call for journal, snapshot and socket failures.
dataplane::ReplaySummary run_durable_match(dataplane::ReplayOptions opt, const DurableOptions& d, DurableReport& report);

}  // namespace tachyon::controlplane
