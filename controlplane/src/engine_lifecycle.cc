// EngineLifecycle: the allowed steps of the run state and its history.
#include "tachyon/controlplane/engine_lifecycle.h"

namespace tachyon::controlplane {

const char* to_string(EngineRunState s) noexcept {
  switch (s) {
    case EngineRunState::kInit: return "init";
    case EngineRunState::kRunning: return "running";
    case EngineRunState::kPaused: return "paused";
    case EngineRunState::kStopping: return "stopping";
    case EngineRunState::kStopped: return "stopped";
  }
  return "unknown";
}

namespace {

// The steps the state machine allows (stopped is entered by finish()).
bool allowed(EngineRunState from, EngineRunState to) noexcept {
  using S = EngineRunState;
  switch (from) {
    case S::kInit: return to == S::kRunning || to == S::kPaused || to == S::kStopping;
    case S::kRunning: return to == S::kPaused || to == S::kStopping;
    case S::kPaused: return to == S::kRunning || to == S::kStopping;
    case S::kStopping: return to == S::kStopped;
    case S::kStopped: return false;
  }
  return false;
}

}  // namespace

EngineRunState EngineLifecycle::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::vector<EngineRunState> EngineLifecycle::history() const {
  std::lock_guard<std::mutex> lock(mu_);
  return history_;
}

void EngineLifecycle::enter(EngineRunState s) {
  state_ = s;
  history_.push_back(s);
}

bool EngineLifecycle::move(EngineRunState from, EngineRunState to) {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ != from || !allowed(from, to)) return false;
  enter(to);
  return true;
}

bool EngineLifecycle::stop() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == EngineRunState::kStopping) return true;
  if (!allowed(state_, EngineRunState::kStopping)) return false;
  enter(EngineRunState::kStopping);
  return true;
}

void EngineLifecycle::finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == EngineRunState::kStopped) return;
  if (state_ != EngineRunState::kStopping) enter(EngineRunState::kStopping);  // e.g. a failed start
  enter(EngineRunState::kStopped);
}

std::string EngineLifecycle::history_json() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out = "[";
  for (std::size_t i = 0; i < history_.size(); ++i) out += (i ? ",\"" : "\"") + std::string(to_string(history_[i])) + "\"";
  return out + "]";
}

std::string EngineLifecycle::history_text() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (std::size_t i = 0; i < history_.size(); ++i) out += (i ? " -> " : "") + std::string(to_string(history_[i]));
  return out;
}

}  // namespace tachyon::controlplane
