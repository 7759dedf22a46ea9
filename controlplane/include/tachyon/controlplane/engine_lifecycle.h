// The matching engine's run state as operators see it, with every state it has been
// in: init -> running -> paused <-> running -> stopping -> stopped. The control socket
// and HTTP threads move it on commands (pause, resume, stop); the replay thread moves it
// as the core starts taking input, starts draining, and once the journal is flushed.
// Thread-safe: one mutex, never taken by a data-plane core.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace tachyon::controlplane {

//   init      recovering (snapshot + journal tail), not yet taking input
//   running   taking input
//   paused    taking input; new orders and replaces are refused, cancels pass
//   stopping  input stopped (stop command, signal or end of input): draining, taking
//             the shutdown snapshot, flushing the journal
//   stopped   the journal is flushed and synced; the process is about to exit
enum class EngineRunState : uint8_t { kInit, kRunning, kPaused, kStopping, kStopped };
const char* to_string(EngineRunState s) noexcept;

class EngineLifecycle {
 public:
  EngineRunState state() const;
  // Every state entered, in order, starting with init.
  std::vector<EngineRunState> history() const;
  // Moves from `from` to `to` when the engine is in `from` and the step is allowed
  // (above); false, and no change, otherwise.
  bool move(EngineRunState from, EngineRunState to);
  // Moves to stopping from init, running or paused; true when it did (or already was).
  bool stop();
  // Moves to stopped from any state (the engine is gone).
  void finish();
  // The history as a JSON array of state names, e.g. ["init","running"].
  std::string history_json() const;
  // The history as text, e.g. "init -> running -> stopping -> stopped".
  std::string history_text() const;

 private:
  void enter(EngineRunState s);  // mu_ held

  mutable std::mutex mu_;
  EngineRunState state_ = EngineRunState::kInit;
  std::vector<EngineRunState> history_{EngineRunState::kInit};
};

}  // namespace tachyon::controlplane
