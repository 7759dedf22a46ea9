// ConfigWatcher: poll() over inotify, signalfd(SIGHUP) and a stop eventfd.
#include "tachyon/controlplane/config_watcher.h"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

namespace tachyon::controlplane {

namespace {

[[noreturn]] void throw_errno(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

void ConfigWatcher::block_sighup() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

ConfigWatcher::ConfigWatcher(std::vector<std::string> paths, ConfigStore& store,
                             std::map<std::string, std::string> overrides, Report report)
    : paths_(std::move(paths)), store_(store), overrides_(std::move(overrides)), report_(std::move(report)) {
  inotify_fd_ = ::inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  if (inotify_fd_ < 0) throw_errno("inotify_init1");
  for (const std::string& path : paths_) {
    const std::filesystem::path p(path);
    const std::string dir = p.has_parent_path() ? p.parent_path().string() : ".";
    // The same directory twice gives the same watch descriptor.
    const int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE);
    if (wd < 0) throw_errno("inotify_add_watch(" + dir + ")");
    names_[wd].push_back(p.filename().string());
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  signal_fd_ = ::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (signal_fd_ < 0) throw_errno("signalfd(SIGHUP)");
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (stop_fd_ < 0) throw_errno("eventfd");
  thread_ = std::thread([this] { run(); });
}

ConfigWatcher::~ConfigWatcher() {
  const uint64_t one = 1;
  if (::write(stop_fd_, &one, sizeof one) < 0) {
    // The thread also stops when the descriptor closes below; nothing else to do.
  }
  if (thread_.joinable()) thread_.join();
  for (int fd : {inotify_fd_, signal_fd_, stop_fd_})
    if (fd >= 0) ::close(fd);
}

void ConfigWatcher::run() {
  alignas(inotify_event) char buf[4096];
  for (;;) {
    pollfd fds[3] = {{inotify_fd_, POLLIN, 0}, {signal_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[2].revents) return;
    bool reload = false;
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si;
      while (::read(signal_fd_, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) reload = true;
    }
    if (fds[0].revents & POLLIN) {
      ssize_t n;
      while ((n = ::read(inotify_fd_, buf, sizeof buf)) > 0) {
        for (char* p = buf; p < buf + n;) {
          const auto* ev = reinterpret_cast<const inotify_event*>(p);
          if (ev->len > 0)
            if (const auto w = names_.find(ev->wd); w != names_.end())
              for (const std::string& name : w->second)
                if (name == ev->name) reload = true;
          p += sizeof(inotify_event) + ev->len;
        }
      }
    }
    if (reload) {
      const ConfigStore::Outcome out = store_.reload(load_config(paths_, overrides_));
      if (report_) report_(out);
    }
  }
}

}  // namespace tachyon::controlplane
