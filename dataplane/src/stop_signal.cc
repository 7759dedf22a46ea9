// SIGINT/SIGTERM -> an atomic stop flag. Control path; the handler is
// async-signal-safe (lock-free atomic stores only).
#include "tachyon/dataplane/stop_signal.h"

#include <csignal>
#include <mutex>

namespace tachyon::dataplane {

namespace {

std::atomic<bool> g_stop{false};
std::atomic<int> g_signal{0};
std::mutex g_mutex;
bool g_installed = false;
struct sigaction g_old_int {}, g_old_term {};

extern "C" void tachyon_dataplane_on_stop_signal(int sig) {
  g_signal.store(sig, std::memory_order_relaxed);
  g_stop.store(true, std::memory_order_release);
}

}  // namespace

const std::atomic<bool>& install_stop_signals() {
  static_assert(std::atomic<bool>::is_always_lock_free && std::atomic<int>::is_always_lock_free);
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_installed) {
    struct sigaction sa {};
    sa.sa_handler = tachyon_dataplane_on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking call in the control thread returns EINTR
    sigaction(SIGINT, &sa, &g_old_int);
    sigaction(SIGTERM, &sa, &g_old_term);
    g_installed = true;
  }
  return g_stop;
}

std::atomic<bool>& stop_flag() noexcept { return g_stop; }

int stop_signal_number() noexcept { return g_signal.load(std::memory_order_relaxed); }

void reset_stop_signal() noexcept {
  g_stop.store(false, std::memory_order_release);
  g_signal.store(0, std::memory_order_relaxed);
}

void uninstall_stop_signals() noexcept {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (!g_installed) return;
  sigaction(SIGINT, &g_old_int, nullptr);
  sigaction(SIGTERM, &g_old_term, nullptr);
  g_installed = false;
}

}  // namespace tachyon::dataplane
