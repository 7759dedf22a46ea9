// The live configuration: an immutable Config published by atomic pointer swap.
// Cores read current() (one acquire load; the Config is never freed while the store
// lives); the control thread reloads. reload() is serialised internally.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tachyon/controlplane/config.h"

namespace tachyon::controlplane {

class ConfigStore {
 public:
  explicit ConfigStore(Config initial);

  // The current configuration. Lock-free, wait-free; safe on the hot path.
  const Config* current() const noexcept { return current_.load(std::memory_order_acquire); }
  // Increments on every applied reload; cores compare it to notice a new Config.
  uint64_t version() const noexcept { return version_.load(std::memory_order_acquire); }

  struct Outcome {
    bool applied = false;
    std::vector<std::string> problems;  // why not: validation errors or static keys
  };

  // Swaps in candidate when it validated and changes only live keys; otherwise keeps
  // the current Config and says why. Control path.
  Outcome reload(const ConfigResult& candidate);

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<const Config>> history_;  // every published Config
  std::atomic<const Config*> current_{nullptr};
  std::atomic<uint64_t> version_{0};
};

}  // namespace tachyon::controlplane
