// `tachyon journal verify|dump|replay FILE` and `tachyon ctl ...`: the journal tools and
// the operator's client for the control socket. Control path, main thread.
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "tachyon/controlplane/durable_replay.h"

namespace tachyon::controlplane {

class EngineCommands {
 public:
  // Adds `journal` and `ctl` to app.
  explicit EngineCommands(CLI::App& app);
  ~EngineCommands();
  EngineCommands(const EngineCommands&) = delete;
  EngineCommands& operator=(const EngineCommands&) = delete;

  bool parsed() const;
  // Runs the chosen command; returns the exit code (journal verify: 1 when the journal
  // has a bad tail). Throws std::exception with a one-line message.
  int run();

  struct State;

 private:
  std::unique_ptr<State> s_;
};

// Lines describing a durable run's recovery, journal and run states (for the replay
// summary).
std::string format_durable_report(const DurableReport& r, const std::string& journal_path);
// The same as one JSON object (the "durable" member of replay --json).
std::string format_durable_json(const DurableReport& r);

}  // namespace tachyon::controlplane
