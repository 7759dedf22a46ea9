// ControlServer: a poll() loop over a Unix listening socket and a wake eventfd.
#include "tachyon/controlplane/control_server.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>
#include <system_error>

namespace tachyon::controlplane {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

sockaddr_un address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) {
    errno = ENAMETOOLONG;
    fail("control socket " + path);
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

}  // namespace

ControlServer::ControlServer(std::string path, dataplane::CommandRing& ring, std::atomic<bool>& stop,
                             EngineLifecycle& lifecycle)
    : path_(std::move(path)), ring_(ring), stop_(stop), lifecycle_(lifecycle) {
  const sockaddr_un a = address(path_);
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) fail("control socket " + path_ + ": socket");
  ::unlink(path_.c_str());
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(listen_fd_);
    errno = e;
    fail("control socket " + path_ + ": bind");
  }
  if (::listen(listen_fd_, 8) != 0) fail("control socket " + path_ + ": listen");
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) fail("control socket: eventfd");
  thread_ = std::thread([this] { run(); });
}

ControlServer::~ControlServer() {
  const uint64_t one = 1;
  if (::write(wake_fd_, &one, sizeof one) < 0) {
    // closing the descriptors below ends the loop as well
  }
  if (thread_.joinable()) thread_.join();
  ::close(listen_fd_);
  ::close(wake_fd_);
  ::unlink(path_.c_str());
}

bool ControlServer::push(const dataplane::EngineCommand& c) {
  ++commands_;
  return ring_.try_push(c);
}

std::string ControlServer::handle(const std::string& line) {
  std::istringstream in(line);
  std::string verb, arg;
  in >> verb >> arg;
  dataplane::EngineCommand c;
  std::lock_guard<std::mutex> lock(mu_);
  auto with_symbol = [&](uint8_t kind) -> std::string {
    if (arg.empty() || arg.size() > 8) return "error: " + verb + " needs a symbol of 1..8 characters";
    c.kind = kind;
    std::memcpy(c.symbol, arg.data(), arg.size());
    if (!push(c)) return "error: command ring full; try again";
    if (kind == dataplane::EngineCommand::kHalt) halted_.insert(arg);
    else halted_.erase(arg);
    return "ok " + verb + " " + arg;
  };
  auto simple = [&](uint8_t kind) -> std::string {
    c.kind = kind;
    if (!push(c)) return "error: command ring full; try again";
    return "ok " + verb;
  };
  // Pause and resume: the command goes to the core first, then the state moves (a stop
  // in between wins: the core is draining anyway).
  auto toggle = [&](EngineRunState from, EngineRunState to, uint8_t kind) -> std::string {
    const EngineRunState now = lifecycle_.state();
    if (now != from) return "error: cannot " + verb + " while " + to_string(now);
    const std::string reply = simple(kind);
    if (reply.rfind("ok", 0) == 0) lifecycle_.move(from, to);
    return reply;
  };
  if (verb == "pause") return toggle(EngineRunState::kRunning, EngineRunState::kPaused, dataplane::EngineCommand::kPause);
  if (verb == "resume")
    return toggle(EngineRunState::kPaused, EngineRunState::kRunning, dataplane::EngineCommand::kResume);
  if (verb == "halt") return with_symbol(dataplane::EngineCommand::kHalt);
  if (verb == "unhalt") return with_symbol(dataplane::EngineCommand::kUnhalt);
  if (verb == "kill") {
    killed_ = true;
    return simple(dataplane::EngineCommand::kKill);
  }
  if (verb == "release") {
    killed_ = false;
    return simple(dataplane::EngineCommand::kRelease);
  }
  if (verb == "snapshot") return simple(dataplane::EngineCommand::kSnapshot);
  if (verb == "stop") {
    lifecycle_.stop();
    stop_.store(true, std::memory_order_release);
    return "ok stop";
  }
  if (verb == "status") {
    std::string halted;
    for (const std::string& h : halted_) halted += (halted.empty() ? "\"" : ",\"") + h + "\"";
    return std::string("{\"state\":\"") + to_string(lifecycle_.state()) + "\",\"killed\":" +
           (killed_ ? "true" : "false") + ",\"halted\":[" + halted + "],\"commands\":" + std::to_string(commands_) +
           ",\"states\":" + lifecycle_.history_json() + "}";
  }
  return "error: unknown command '" + verb + "' (pause, resume, halt SYM, unhalt SYM, kill, release, snapshot, status, stop)";
}

void ControlServer::run() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    if (!(fds[0].revents & POLLIN)) continue;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    std::string line;
    char buf[256];
    for (;;) {  // one line per connection
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) break;
      line.append(buf, static_cast<std::size_t>(n));
      if (line.find('\n') != std::string::npos || line.size() > 4096) break;
    }
    if (const std::size_t nl = line.find('\n'); nl != std::string::npos) line.resize(nl);
    const std::string reply = handle(line) + "\n";
    if (::write(fd, reply.data(), reply.size()) < 0) {
      // the client went away; nothing to do
    }
    ::close(fd);
  }
}

std::string send_control_command(const std::string& path, const std::string& line) {
  const sockaddr_un a = address(path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("control socket " + path + ": socket");
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    fail("control socket " + path + ": connect (is tachyon running with --ctl " + path + "?)");
  }
  const std::string msg = line + "\n";
  if (::write(fd, msg.data(), msg.size()) < 0) {
    const int e = errno;
    ::close(fd);
    errno = e;
    fail("control socket " + path + ": write");
  }
  std::string reply;
  char buf[512];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) reply.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  if (!reply.empty() && reply.back() == '\n') reply.pop_back();
  return reply;
}

}  // namespace tachyon::controlplane
