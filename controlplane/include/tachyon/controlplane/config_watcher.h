// Hot reload: a control-plane thread that reloads the config files (layered as
// load_config does) into a ConfigStore on SIGHUP and whenever one of them changes
// (inotify on their directories, so editors that write a new file and rename it are
// seen). Owns its thread; start/stop from one
// thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/controlplane/config_store.h"

namespace tachyon::controlplane {

class ConfigWatcher {
 public:
  // Called after each reload attempt with its outcome (on the watcher's thread).
  using Report = std::function<void(const ConfigStore::Outcome&)>;

  // Starts watching paths. SIGHUP must be blocked in every thread (block_sighup()
  // before creating threads) so that it is delivered here. Throws std::system_error
  // naming the call when inotify, signalfd or eventfd cannot be set up.
  ConfigWatcher(std::vector<std::string> paths, ConfigStore& store, std::map<std::string, std::string> overrides,
                Report report);
  ConfigWatcher(std::string path, ConfigStore& store, std::map<std::string, std::string> overrides, Report report)
      : ConfigWatcher(std::vector<std::string>{std::move(path)}, store, std::move(overrides), std::move(report)) {}
  // Stops the thread and closes its descriptors.
  ~ConfigWatcher();
  ConfigWatcher(const ConfigWatcher&) = delete;
  ConfigWatcher& operator=(const ConfigWatcher&) = delete;

  // Blocks SIGHUP in the calling thread (and the threads it creates later).
  static void block_sighup();

 private:
  void run();

  std::vector<std::string> paths_;
  std::map<int, std::vector<std::string>> names_;  // inotify watch -> file names in that directory
  ConfigStore& store_;
  std::map<std::string, std::string> overrides_;
  Report report_;
  int inotify_fd_ = -1;
  int signal_fd_ = -1;
  int stop_fd_ = -1;
  std::thread thread_;
};

}  // namespace tachyon::controlplane
