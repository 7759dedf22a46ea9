// DpdkEal: rte_eal_init / rte_eal_cleanup with DPDK's start-up log captured for error
// messages. Control thread.
#include "tachyon/nic/dpdk_eal.h"

#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_log.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "tachyon/nic/nic_options.h"

namespace tachyon::nic {

namespace {

// 0: never initialised; 1: a DpdkEal is live; 2: initialised once and done (DPDK
// refuses a second rte_eal_init in the same process).
std::atomic<int> g_state{0};

// Collects what DPDK logs while a capture is active (an in-memory FILE*).
class LogCapture {
 public:
  LogCapture() {
    file_ = ::open_memstream(&buf_, &len_);
    if (file_) rte_openlog_stream(file_);
  }
  // Stops capturing (DPDK then logs to stderr, never to stdout) and returns the text.
  std::string finish() {
    if (!file_) return {};
    rte_openlog_stream(stderr);
    std::fclose(file_);
    file_ = nullptr;
    std::string s(buf_ ? buf_ : "", len_);
    std::free(buf_);
    buf_ = nullptr;
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
  }
  ~LogCapture() { finish(); }

 private:
  FILE* file_ = nullptr;
  char* buf_ = nullptr;
  std::size_t len_ = 0;
};

// Captures what is written to stdout and stderr (file descriptors 1 and 2) while it
// lives: rte_eal_init prints its usage text to stdout and getopt's complaint about a bad
// argument to stderr, and the appliance's stdout must stay clean (--json).
class FdCapture {
 public:
  FdCapture() {
    fd_ = ::memfd_create("tachyon-eal-init", MFD_CLOEXEC);
    if (fd_ < 0) return;
    std::fflush(stdout);
    std::fflush(stderr);
    saved_out_ = ::dup(1);
    saved_err_ = ::dup(2);
    ::dup2(fd_, 1);
    ::dup2(fd_, 2);
  }
  // Restores stdout and stderr and returns the lines worth keeping: not the indented
  // usage text, not its headings.
  std::string finish() {
    if (fd_ < 0) return {};
    std::fflush(stdout);
    std::fflush(stderr);
    ::dup2(saved_out_, 1);
    ::dup2(saved_err_, 2);
    ::close(saved_out_);
    ::close(saved_err_);
    std::string all;
    char buf[4096];
    ssize_t n;
    ::lseek(fd_, 0, SEEK_SET);
    while ((n = ::read(fd_, buf, sizeof buf)) > 0) all.append(buf, static_cast<std::size_t>(n));
    ::close(fd_);
    fd_ = -1;
    std::string kept;
    std::size_t pos = 0;
    while (pos < all.size()) {
      std::size_t eol = all.find('\n', pos);
      if (eol == std::string::npos) eol = all.size();
      const std::string_view line(all.data() + pos, eol - pos);
      pos = eol + 1;
      if (line.empty() || line[0] == ' ' || line[0] == '\t' || line.starts_with("Usage:") || line.back() == ':')
        continue;
      // EAL parses its arguments twice, so getopt complains twice.
      if (kept.find(std::string(line) + '\n') != std::string::npos) continue;
      kept.append(line).push_back('\n');
    }
    return kept;
  }
  ~FdCapture() { finish(); }

 private:
  int fd_ = -1, saved_out_ = -1, saved_err_ = -1;
};

}  // namespace

std::string one_line(const std::string& text) {
  std::string s;
  for (const char c : text) {
    if (c == '\n') s += " | ";
    else s += c;
  }
  return s;
}

DpdkEal::DpdkEal(const std::vector<std::string>& args) : args_(args) {
  for (const std::string& a : args)
    if (std::string_view(a).starts_with("--vdev")) ++vdev_args_;
  int expected = 0;
  if (!g_state.compare_exchange_strong(expected, 1)) {
    throw NicStartupError("DPDK: rte_eal_init(" + join_args(args) +
                          ") not attempted: EAL was already initialised in this process, and DPDK allows that "
                          "once per process (share the running EAL)");
  }
  cpu_set_t saved;
  CPU_ZERO(&saved);
  const bool have_affinity = ::sched_getaffinity(0, sizeof saved, &saved) == 0;

  std::vector<std::string> argv_store;
  argv_store.reserve(args.size() + 1);
  argv_store.emplace_back("tachyon");
  argv_store.insert(argv_store.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : argv_store) argv.push_back(s.data());
  argv.push_back(nullptr);

  // DPDK's informational start-up lines (CPUs detected, IOVA mode) would bury the
  // one that matters; --log-level in args still overrides this.
  rte_log_set_global_level(RTE_LOG_NOTICE);
  FdCapture console;
  LogCapture capture;
  const int rc = rte_eal_init(static_cast<int>(argv_store.size()), argv.data());
  const int err = rte_errno;
  startup_log_ = console.finish() + capture.finish();
  while (!startup_log_.empty() && startup_log_.back() == '\n') startup_log_.pop_back();
  if (rc < 0) {
    g_state.store(2);
    std::string msg = "DPDK: rte_eal_init(" + join_args(args) + ") failed: rc " + std::to_string(rc) +
                      ", rte_errno " + std::to_string(err) + " (" + rte_strerror(err) + ")";
    if (!startup_log_.empty()) msg += "; DPDK said: " + one_line(startup_log_);
    throw NicStartupError(msg);
  }
  // EAL pinned this thread to the main lcore; the control thread must not stay there.
  if (have_affinity) ::sched_setaffinity(0, sizeof saved, &saved);
}

DpdkEal::~DpdkEal() {
  rte_eal_cleanup();
  g_state.store(2);
}

uint16_t DpdkEal::port_count() const noexcept { return rte_eth_dev_count_avail(); }

int DpdkEal::main_socket() const noexcept {
  const int s = static_cast<int>(rte_lcore_to_socket_id(rte_get_main_lcore()));
  return s < 0 ? 0 : s;
}

bool DpdkEal::active() noexcept { return g_state.load() == 1; }

int register_dpdk_thread() noexcept {
  if (!DpdkEal::active()) return -1;
  if (rte_lcore_id() != LCORE_ID_ANY) return static_cast<int>(rte_lcore_id());
  if (rte_thread_register() != 0) return -1;
  return static_cast<int>(rte_lcore_id());
}

void unregister_dpdk_thread() noexcept {
  if (DpdkEal::active() && rte_lcore_id() != LCORE_ID_ANY && rte_lcore_id() != rte_get_main_lcore())
    rte_thread_unregister();
}

}  // namespace tachyon::nic
