// Test helper: starts tests/integrations/okx_fake/fake_okx.py (python3, TLS on
// 127.0.0.1 with a self-signed certificate made at start) and talks to its unsigned
// /__fake/* control endpoints. One process per FakeOkx; it exits when the pipe to its
// stdin closes (the destructor, or this test process dying).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "tachyon/okx/https_client.h"
#include "tachyon/okx/okx_config.h"

extern char** environ;

namespace tachyon::okx::testing {

// The fake's credentials: fake values, used only against the fake.
inline constexpr const char* kFakeApiKey = "fake-api-key-0001";
inline constexpr const char* kFakeSecret = "fake-secret-do-not-log-7f3a";
inline constexpr const char* kFakePassphrase = "fake-passphrase-9c1e";

class FakeOkx {
 public:
  explicit FakeOkx(bool demo = false) {
    static int counter = 0;
    dir_ = std::string(TACHYON_BINARY_DIR) + "/okx-fake/" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    std::filesystem::create_directories(dir_);
    const std::string script = std::string(TACHYON_SOURCE_DIR) + "/tests/integrations/okx_fake/fake_okx.py";
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    std::vector<std::string> args = {"python3", script, "--cert-dir", dir_};
    if (demo) args.push_back("--demo");
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawnp(&pid_, "python3", &fa, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start python3 (the fake OKX server needs it)");
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    // Wait for "PORT n".
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (line.find('\n') == std::string::npos) {
      pollfd p{out[0], POLLIN, 0};
      if (std::chrono::steady_clock::now() > deadline || ::poll(&p, 1, 200) < 0) break;
      char buf[64];
      if (p.revents & (POLLIN | POLLHUP)) {
        const ssize_t n = ::read(out[0], buf, sizeof buf);
        if (n <= 0) break;
        line.append(buf, static_cast<std::size_t>(n));
      }
    }
    ::close(out[0]);
    if (std::sscanf(line.c_str(), "PORT %d", &port_) != 1) {
      stop();
      throw std::runtime_error("fake OKX server did not start: '" + line + "'");
    }
    HttpsClientOptions o;
    o.ca_file = ca_file();
    o.request_timeout_ms = 10'000;
    control_ = std::make_unique<HttpsClient>(*Url::parse(rest_url()), o);
  }

  ~FakeOkx() { stop(); }
  FakeOkx(const FakeOkx&) = delete;
  FakeOkx& operator=(const FakeOkx&) = delete;

  int port() const { return port_; }
  std::string ca_file() const { return dir_ + "/fake_okx_cert.pem"; }
  std::string rest_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string ws_public_url() const { return "wss://127.0.0.1:" + std::to_string(port_) + "/ws/v5/public"; }
  std::string ws_private_url() const { return "wss://127.0.0.1:" + std::to_string(port_) + "/ws/v5/private"; }

  // A configuration pointing at this fake, with its credentials and fast timings.
  OkxConfig config(bool demo = false) const {
    OkxConfig c;
    c.use_environment(demo);
    c.rest_url = rest_url();
    c.ws_public_url = ws_public_url();
    c.ws_private_url = ws_private_url();
    c.ca_file = ca_file();
    c.credentials = Credentials{Secret(kFakeApiKey), Secret(kFakeSecret), Secret(kFakePassphrase)};
    c.request_timeout_ms = 3'000;
    c.rate_limit_backoff_ms = 50;
    c.reconnect_min_ms = 50;
    c.reconnect_max_ms = 400;
    return c;
  }

  // POSTs json to /__fake/<what>; returns the answer body.
  std::string control(const std::string& what, const std::string& json = "{}") {
    HttpRequest r{"POST", "/__fake/" + what, {}, json};
    auto res = control_->send(r);
    if (!res) throw std::runtime_error("fake control " + what + ": " + res.error().describe());
    return res->body;
  }
  std::string get(const std::string& target) {
    HttpRequest r{"GET", target, {}, ""};
    auto res = control_->send(r);
    if (!res) throw std::runtime_error("fake GET " + target + ": " + res.error().describe());
    return res->body;
  }

  // Returns a counter from /__fake/state ("sign_ok", "pings", ...).
  int64_t stat(const char* name) {
    const std::string s = get("/__fake/state");
    simdjson::dom::parser p;
    simdjson::dom::element e;
    if (p.parse(s).get(e)) throw std::runtime_error("bad state JSON");
    int64_t v = 0;
    if (e[name].get_int64().get(v)) throw std::runtime_error(std::string("no stat ") + name);
    return v;
  }
  std::string state() { return get("/__fake/state"); }

 private:
  void stop() {
    if (stdin_ >= 0) {
      ::close(stdin_);
      stdin_ = -1;
    }
    if (pid_ > 0) {
      for (int i = 0; i < 50 && pid_ > 0; ++i) {
        if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
          pid_ = 0;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      if (pid_ > 0) {  // still running after 1 s: only this child, never pid 0
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = 0;
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);  // the throwaway certificate and key
  }

  std::string dir_;
  pid_t pid_ = 0;
  int stdin_ = -1;
  int port_ = 0;
  std::unique_ptr<HttpsClient> control_;
};

}  // namespace tachyon::okx::testing
