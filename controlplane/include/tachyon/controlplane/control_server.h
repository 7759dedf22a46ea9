// The local control socket: `tachyon ctl` connects to a Unix socket, sends one command
// line (pause, resume, halt SYM, unhalt SYM, kill, release, snapshot, status, stop) and
// reads one reply line. Commands reach the matching core over a CommandRing; the server
// thread tracks the engine state it has asked for. Owns its thread.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tachyon/dataplane/match_durability.h"

namespace tachyon::controlplane {

// init -> running -> paused <-> running -> stopping -> stopped
enum class EngineRunState : uint8_t { kInit, kRunning, kPaused, kStopping, kStopped };
const char* to_string(EngineRunState s) noexcept;

class ControlServer {
 public:
  // Listens on path (replacing a stale socket file). stop is set by the `stop` command.
  // Throws std::system_error naming the socket and the call.
  ControlServer(std::string path, dataplane::CommandRing& ring, std::atomic<bool>& stop);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  void set_state(EngineRunState s);
  // Handles one command line and returns the reply line (also used by tests).
  std::string handle(const std::string& line);

 private:
  void run();
  bool push(const dataplane::EngineCommand& c);

  std::string path_;
  dataplane::CommandRing& ring_;
  std::atomic<bool>& stop_;
  std::mutex mu_;  // the server thread and the owner both update the state
  EngineRunState state_ = EngineRunState::kInit;
  std::set<std::string> halted_;
  bool killed_ = false;
  uint64_t commands_ = 0;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
};

// Sends one command line to the control socket at path and returns the reply line.
// Throws std::system_error naming the socket when it cannot connect.
std::string send_control_command(const std::string& path, const std::string& line);

}  // namespace tachyon::controlplane
