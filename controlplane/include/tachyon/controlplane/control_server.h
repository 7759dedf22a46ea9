// The local control socket: `tachyon ctl` connects to a Unix socket, sends one command
// line (pause, resume, halt SYM, unhalt SYM, kill, release, snapshot, status, stop) and
// reads one reply line. Commands reach the matching core over a CommandRing; pause,
// resume and stop move the engine's run state (EngineLifecycle), which status reports.
// Owns its thread; handle() is thread-safe (the HTTP endpoint calls it too).
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "tachyon/controlplane/engine_lifecycle.h"
#include "tachyon/dataplane/match_durability.h"

namespace tachyon::controlplane {

class ControlServer {
 public:
  // Listens on path (replacing a stale socket file). stop is set by the `stop` command;
  // lifecycle (which must outlive the server) is the run state the commands move and
  // status reports. Throws std::system_error naming the socket and the call.
  ControlServer(std::string path, dataplane::CommandRing& ring, std::atomic<bool>& stop, EngineLifecycle& lifecycle);
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // Handles one command line and returns the reply line: "ok ...", a JSON object
  // (status) or "error: ...".
  std::string handle(const std::string& line);

 private:
  void run();
  bool push(const dataplane::EngineCommand& c);

  std::string path_;
  dataplane::CommandRing& ring_;
  std::atomic<bool>& stop_;
  EngineLifecycle& lifecycle_;
  std::mutex mu_;  // handle() runs on the socket thread and the HTTP thread
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
