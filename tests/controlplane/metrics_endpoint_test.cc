// The metrics endpoint through a real HTTP client (curl): in process, a server over a
// core thread that keeps recording; and the tachyon binary serving /metrics during and
// after a replay (--metrics-port 0 --metrics-linger), ended by SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "tachyon/controlplane/metrics_server.h"
#include "tachyon/controlplane/probe_collector.h"
#include "tachyon/dataplane/core_probes.h"

namespace tachyon::controlplane {
namespace {

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";
const std::string kData = TACHYON_DATA_DIR;

struct Http {
  int status = 0;
  std::string body;
};

// GETs (or POSTs) url with curl; status 0 when curl could not connect.
Http curl(const std::string& url, bool post = false) {
  const std::string cmd = "curl -s --max-time 5 " + std::string(post ? "--data x " : "") +
                          "-w '\\n%{http_code}' '" + url + "' 2>/dev/null";
  Http r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr) return r;
  std::array<char, 4096> buf;
  std::size_t n;
  std::string out;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  ::pclose(p);
  const std::size_t nl = out.rfind('\n');
  if (nl == std::string::npos) return r;
  r.status = std::atoi(out.c_str() + nl + 1);
  r.body = out.substr(0, nl);
  return r;
}

// The http://127.0.0.1:PORT that tachyon announced in its stderr file err, waiting up to
// seconds; empty when it never did.
std::string announced_endpoint(const std::string& err, int seconds) {
  const std::regex announce("metrics: http://127\\.0\\.0\\.1:([0-9]+)/metrics");
  for (int i = 0; i < seconds * 20; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream in(err);
    std::stringstream ss;
    ss << in.rdbuf();
    std::smatch m;
    const std::string text = ss.str();
    if (std::regex_search(text, m, announce)) return "http://127.0.0.1:" + std::string(m[1]);
  }
  return "";
}

// Polls base/healthz until the replay's core reports stopped (at most seconds); returns
// the last answer.
Http wait_until_stopped(const std::string& base, int seconds) {
  Http health;
  for (int i = 0; i < seconds * 20; ++i) {
    health = curl(base + "/healthz");
    if (health.body.find("\"state\":\"stopped\"") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return health;
}

uint64_t metric_value(const std::string& text, const std::string& series) {
  const std::size_t at = text.find(series + " ");
  if (at == std::string::npos) return UINT64_MAX;
  return std::stoull(text.substr(at + series.size() + 1));
}

TEST(MetricsEndpoint, ServesMetricsAndHealthWhileACoreRecords) {
  dataplane::CoreProbes core(0, 8);
  core.symbols().set_name(3, "AAPL");
  std::atomic<bool> stop{false};
  core.set_state(dataplane::CoreProbes::State::kRunning);
  core.timeline().start(0, 1'000'000, 100'000'000);
  std::thread recorder([&] {
    uint64_t i = 0;
    book::Event e{};
    e.symbol = book::SymbolId{3};
    e.kind = book::EventKind::kAccepted;
    while (!stop.load(std::memory_order_relaxed)) {
      core.stages().record(dataplane::Stage::kWireToWire, 500 + (i % 1000));
      core.symbols().on_event(e);
      core.count_message(i);
      if ((++i & 63) == 0) core.stages().poll();
    }
  });
  ProbeCollector collector({&core});
  MetricsServer server(MetricsServerOptions{"127.0.0.1", 0, std::chrono::milliseconds(20)}, collector);
  ASSERT_GT(server.port(), 0);
  const std::string base = "http://127.0.0.1:" + std::to_string(server.port());
  const std::string count = "tachyon_stage_latency_seconds_count{core=\"0\",stage=\"wire_to_wire\"}";
  // Polls /metrics until the wire-to-wire count passes above (5 s at most).
  auto count_after = [&](uint64_t above, Http& m) {
    uint64_t n = 0;
    for (int i = 0; i < 250; ++i) {
      m = curl(base + "/metrics");
      n = metric_value(m.body, count);
      if (m.status == 200 && n != UINT64_MAX && n > above) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return n;
  };

  const Http health = curl(base + "/healthz");
  EXPECT_EQ(health.status, 200);
  EXPECT_NE(health.body.find("\"status\":\"ok\""), std::string::npos) << health.body;
  EXPECT_NE(health.body.find("\"state\":\"running\""), std::string::npos) << health.body;

  Http m1, m2;
  const uint64_t n1 = count_after(0, m1);
  ASSERT_EQ(m1.status, 200);
  ASSERT_NE(n1, UINT64_MAX);
  EXPECT_GT(n1, 0u) << "no snapshot reached the endpoint";
  EXPECT_NE(m1.body.find("tachyon_symbol_events_total{core=\"0\",symbol=\"AAPL\",kind=\"accepted\"}"), std::string::npos);
  EXPECT_NE(m1.body.find("tachyon_core_running{core=\"0\",state=\"running\"} 1"), std::string::npos);
  const uint64_t n2 = count_after(n1, m2);
  EXPECT_GT(n2, n1) << "counts did not grow while the core recorded";
  EXPECT_GE(metric_value(m2.body, "tachyon_messages_total{core=\"0\"}"), n2);

  EXPECT_EQ(curl(base + "/nothing-here").status, 404);
  EXPECT_EQ(curl(base + "/metrics", true).status, 405);
  EXPECT_EQ(curl(base + "/metrics", true).status, 405);  // the server still answers after a refused POST
  EXPECT_EQ(curl(base + "/healthz").status, 200);
  EXPECT_GE(server.requests(), 7u);

  // A second server cannot take the same port.
  try {
    MetricsServer clash(MetricsServerOptions{"127.0.0.1", server.port(), std::chrono::milliseconds(100)}, collector);
    ADD_FAILURE() << "two servers listened on one port";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("127.0.0.1:" + std::to_string(server.port())), std::string::npos) << e.what();
  }
  EXPECT_THROW(MetricsServer(MetricsServerOptions{"localhost", 0, std::chrono::milliseconds(100)}, collector),
               std::runtime_error);

  server.stop();
  stop = true;
  recorder.join();
  core.set_state(dataplane::CoreProbes::State::kStopped);
  collector.finish();
  EXPECT_EQ(collector.totals(0)[dataplane::Stage::kWireToWire].count(), core.messages());
  EXPECT_NE(curl(base + "/metrics").status, 200);  // stopped
}

TEST(MetricsEndpoint, TachyonReplayServesTheReplayMetrics) {
  const std::string err = std::string(::testing::TempDir()) + "metrics_err_" + std::to_string(::getpid());
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(err.c_str(), "w", stderr);
    std::freopen("/dev/null", "w", stdout);
    const std::string input = kData + "/itch/ex20101224.TEST_ITCH_50";
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "replay", input.c_str(), "--metrics-port", "0", "--metrics-linger",
            "60", "--no-progress", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Wait for the replay to finish (the core reports stopped), then read the totals.
  const std::string base = announced_endpoint(err, 10);
  ASSERT_FALSE(base.empty()) << "tachyon never announced the metrics port";
  const Http health = wait_until_stopped(base, 15);
  EXPECT_NE(health.body.find("\"messages\":12012"), std::string::npos) << health.body;
  std::this_thread::sleep_for(std::chrono::milliseconds(250));  // a collector tick after the stop
  const Http m = curl(base + "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(metric_value(m.body, "tachyon_messages_total{core=\"0\"}"), 12'012u);
  for (const char* stage : {"rx_decode", "decode_book", "book_tx", "wire_to_wire"})
    EXPECT_EQ(metric_value(m.body, std::string("tachyon_stage_latency_seconds_count{core=\"0\",stage=\"") + stage + "\"}"),
              12'012u) << stage;
  EXPECT_NE(m.body.find("symbol=\"ALC\""), std::string::npos) << "no symbol label from the ITCH sample";
  EXPECT_NE(m.body.find("tachyon_thread_cpu_seconds_total{thread=\"tachyon-core0\""), std::string::npos);

  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status)) << "tachyon did not exit cleanly on SIGTERM";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::remove(err.c_str());
}

// Match mode on two cores under reject with a two-record ring: /metrics shows the
// gateway->matching ring's records by fate, and its refusals are the summary's busy
// rejects.
TEST(MetricsEndpoint, TwoCoreMatchModeExportsItsInputRing) {
  const std::string dir = std::string(::testing::TempDir()) + "metrics_ring_" + std::to_string(::getpid());
  const std::string capture = dir + ".pcap", err = dir + ".err", out = dir + ".json";
  ASSERT_EQ(std::system((kTachyon + " gen --mode match --messages 20000 -o " + capture + " >/dev/null").c_str()), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    std::freopen(err.c_str(), "w", stderr);
    std::freopen(out.c_str(), "w", stdout);
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "replay", "--mode", "match", "--cores", "2", "--backpressure",
            "reject", "--ring-capacity", "2", "--slow-ns", "2000", "--json", capture.c_str(), "--metrics-port", "0",
            "--metrics-linger", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const std::string base = announced_endpoint(err, 20);
  ASSERT_FALSE(base.empty()) << "tachyon never announced the metrics port";
  wait_until_stopped(base, 30);
  std::this_thread::sleep_for(std::chrono::milliseconds(250));
  const Http m = curl(base + "/metrics");
  ASSERT_EQ(m.status, 200);
  const std::string ring = "tachyon_ring_records_total{ring=\"gateway->matching\",policy=\"reject\",fate=\"";
  const uint64_t queued = metric_value(m.body, ring + "queued\"}");
  const uint64_t taken = metric_value(m.body, ring + "taken\"}");
  const uint64_t rejected = metric_value(m.body, ring + "rejected\"}");
  ASSERT_NE(queued, UINT64_MAX) << m.body.substr(0, 2000);
  EXPECT_EQ(taken, queued);
  EXPECT_GT(rejected, 0u);
  ASSERT_EQ(::kill(pid, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream in(out);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string json = ss.str();
  const std::regex busy("\"busy\":([0-9]+)"), messages("\"messages\":([0-9]+)");
  std::smatch b, n;
  ASSERT_TRUE(std::regex_search(json, b, busy)) << json;
  ASSERT_TRUE(std::regex_search(json, n, messages)) << json;
  EXPECT_EQ(std::stoull(b[1]), rejected);
  EXPECT_EQ(std::stoull(n[1]), queued);
  for (const std::string& f : {capture, err, out}) std::remove(f.c_str());
}

}  // namespace
}  // namespace tachyon::controlplane
