// ConfigStore: validated, all-or-nothing reloads.
#include "tachyon/controlplane/config_store.h"

namespace tachyon::controlplane {

ConfigStore::ConfigStore(Config initial) {
  history_.push_back(std::make_unique<const Config>(std::move(initial)));
  current_.store(history_.back().get(), std::memory_order_release);
}

ConfigStore::Outcome ConfigStore::reload(const ConfigResult& candidate) {
  Outcome out;
  if (!candidate.config) {
    for (const ConfigError& e : candidate.errors) out.problems.push_back(e.to_string());
    return out;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const std::vector<std::string> fixed = static_changes(*current(), *candidate.config);
  if (!fixed.empty()) {
    for (const std::string& k : fixed) out.problems.push_back(k + ": cannot change while running (restart to apply)");
    return out;
  }
  history_.push_back(std::make_unique<const Config>(*candidate.config));
  current_.store(history_.back().get(), std::memory_order_release);
  version_.fetch_add(1, std::memory_order_acq_rel);
  out.applied = true;
  return out;
}

}  // namespace tachyon::controlplane
