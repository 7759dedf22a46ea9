// tachyon run --config FILE, the live form, as users run it: on the socket backend it
// mirrors the books of a feed sent over loopback (the same book_hash as replaying the
// capture), serves ring, shard and NIC counters on /metrics while it runs, stops on
// SIGTERM after draining and exits 0; an explicit dpdk backend that cannot start exits
// 2 saying why.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/bench/capture_generator.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"

namespace {

namespace bench = tachyon::bench;
const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";

std::string temp(const std::string& stem) {
  return std::string(::testing::TempDir()) + "tachyon-run-" + std::to_string(::getpid()) + "-" + stem;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Starts tachyon with args, stdout and stderr to files.
pid_t spawn(const std::vector<std::string>& args, const std::string& out, const std::string& err) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(kTachyon.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(kTachyon.c_str(), argv.data());
    ::_exit(127);
  }
  return pid;
}

// GET path from 127.0.0.1:port over a plain socket.
std::string http_get(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return {};
  }
  const std::string req = "GET " + path + " HTTP/1.0\r\nHost: localhost\r\n\r\n";
  (void)!::write(fd, req.data(), req.size());
  std::string resp;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return resp;
}

// Waits up to 20 s for pattern in the file; returns its first group.
std::string wait_for(const std::string& path, const std::regex& pattern) {
  for (int i = 0; i < 2000; ++i) {
    std::smatch m;
    const std::string text = slurp(path);
    if (std::regex_search(text, m, pattern)) return m[1];
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

uint64_t metric(const std::string& body, const std::string& name_and_labels) {
  const std::size_t at = body.find(name_and_labels + " ");
  return at == std::string::npos ? UINT64_MAX : std::stoull(body.substr(at + name_and_labels.size() + 1));
}

struct LiveRun {
  std::string text;     // stdout after SIGTERM
  std::string metrics;  // the last /metrics body
  std::string ref_hash; // book_hash of replaying the capture
  int status = -1;      // exit status
  std::string err;
};

// Runs tachyon run on the socket backend with the config's extra lines, sends it a
// generated feed over loopback, waits until it received every datagram, reads
// /metrics, stops it with SIGTERM.
LiveRun run_live(const std::string& stem, const std::string& extra_config) {
  LiveRun r;
  const std::string cap = temp(stem + "feed.pcap"), cfg = temp(stem + "live.toml"), out = temp(stem + "out"),
                    err = temp(stem + "err");
  bench::CaptureConfig cc;
  cc.kind = bench::CaptureKind::kFeed;
  cc.messages = 20'000;
  bench::generate_capture(cc, cap);
  // The capture's datagrams, and the reference: the same capture replayed.
  std::vector<std::vector<uint8_t>> dgrams;
  {
    tachyon::nic::PcapReader r(cap);
    tachyon::nic::CapturedPacket p;
    while (r.next(p) == tachyon::nic::ReadStatus::kPacket) {
      tachyon::nic::UdpFrame f;
      EXPECT_EQ(tachyon::nic::decode_udp_frame(p.data, f), tachyon::nic::FrameError::kOk);
      dgrams.emplace_back(f.payload.begin(), f.payload.end());
    }
  }
  const pid_t ref = spawn({"replay", "--json", "--max-symbols", "64", "--max-orders", "1000000", cap}, out, err);
  int st = 0;
  ::waitpid(ref, &st, 0);
  std::smatch m;
  const std::string ref_out = slurp(out);
  if (!std::regex_search(ref_out, m, std::regex("\"book_hash\":\"([0-9a-f]{16})\""))) {
    ADD_FAILURE() << ref_out;
    return r;
  }
  r.ref_hash = m[1];

  const uint16_t udp = static_cast<uint16_t>(27000 + ::getpid() % 2000);
  std::ofstream(cfg) << "[nic]\nbackend = \"socket\"\nbind_address = \"127.0.0.1\"\nudp_port = " << udp
                     << "\n[rings]\ncapacity = 1024\nbackpressure = \"block\"\n"
                     << "[book]\nmax_orders = 1000000\nmax_levels = 1048576\nmax_symbols = 64\n"
                     << extra_config;
  const pid_t pid = spawn({"run", "--config", cfg, "--metrics-port", "0"}, out, err);
  const std::string port = wait_for(err, std::regex("metrics: http://127\\.0\\.0\\.1:([0-9]+)/metrics"));
  if (port.empty() || wait_for(err, std::regex("(running)")).empty()) {
    ADD_FAILURE() << slurp(err);
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
    return r;
  }
  const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(udp);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string body;
  for (std::size_t i = 0; i < dgrams.size(); ++i) {
    ::sendto(fd, dgrams[i].data(), dgrams[i].size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    if (i % 256 == 255) {
      // Keep the socket's receive buffer from overflowing: wait for the port to catch up.
      for (int k = 0; k < 500; ++k) {
        body = http_get(static_cast<uint16_t>(std::stoi(port)), "/metrics");
        if (metric(body, "tachyon_nic_packets_total{direction=\"rx\",fate=\"received\"}") + 256 >= i) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
    }
  }
  ::close(fd);
  for (int k = 0; k < 1000; ++k) {
    body = http_get(static_cast<uint16_t>(std::stoi(port)), "/metrics");
    if (metric(body, "tachyon_nic_packets_total{direction=\"rx\",fate=\"received\"}") == dgrams.size()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(metric(body, "tachyon_nic_packets_total{direction=\"rx\",fate=\"received\"}"), dgrams.size()) << body;
  r.metrics = body;
  ::kill(pid, SIGTERM);
  ::waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  r.text = slurp(out);
  r.err = slurp(err);
  for (const std::string& f : {cap, cfg, out, err}) std::remove(f.c_str());
  return r;
}

TEST(TachyonRun, LiveSocketFeedMirrorsTheBooksServesMetricsAndStopsOnSigterm) {
  const LiveRun r = run_live("a", "");
  const std::string& body = r.metrics;
  EXPECT_EQ(metric(body, "tachyon_ring_records_total{ring=\"dispatch->shard0\",policy=\"block\",fate=\"dropped\"}"), 0u)
      << body;
  EXPECT_NE(body.find("tachyon_shard_messages_total{shard=\"0\"}"), std::string::npos) << body;
  EXPECT_NE(body.find("tachyon_nic_link_up 1"), std::string::npos) << body;
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.text.find("stopped by SIGTERM"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("backpressure: 0 lost"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("book_hash " + r.ref_hash), std::string::npos) << r.text << "\nreference " << r.ref_hash;
}

// cores.dataplane = [0, 1, 1]: a dispatch core and two shard cores (sharing CPU 1);
// feed.shard_map puts AAPL and MSFT on shard 1, the others are balanced as they appear.
TEST(TachyonRun, ShardMapFromTheConfigPlacesTheNamedSymbols) {
  const LiveRun r = run_live("b", "[cores]\ndataplane = [0, 1, 1]\n[feed]\nshard_map = { AAPL = 1, MSFT = 1 }\n");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.text.find("book_hash " + r.ref_hash), std::string::npos) << r.text << "\nreference " << r.ref_hash;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.text, m, std::regex("shard map: shard 0:([^\n]*)shard 1:([^\n]*)"))) << r.text;
  const std::string s0 = m[1], s1 = m[2];
  EXPECT_NE(s1.find("AAPL"), std::string::npos) << r.text;
  EXPECT_NE(s1.find("MSFT"), std::string::npos) << r.text;
  EXPECT_EQ(s0.find("AAPL"), std::string::npos) << r.text;
  EXPECT_NE(s0.find("NVDA"), std::string::npos) << r.text;  // balanced: the next new symbol goes to the emptier shard
  EXPECT_GT(metric(r.metrics, "tachyon_shard_messages_total{shard=\"1\"}"), 0u) << r.metrics;
}

TEST(TachyonRun, ShardMapNamingAShardThatDoesNotExistIsRefused) {
  const std::string cfg = temp("badmap.toml"), out = temp("out3"), err = temp("err3");
  std::ofstream(cfg) << "[nic]\nbackend = \"socket\"\nudp_port = 29999\n[metrics]\nport = 0\n[feed]\nshard_map = { AAPL = 3 }\n";
  const pid_t pid = spawn({"run", "--config", cfg}, out, err);
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_NE(WEXITSTATUS(st), 0);
  EXPECT_NE(slurp(err).find("feed.shard_map: AAPL = 3, but there is 1 shard core"), std::string::npos) << slurp(err);
  for (const std::string& f : {cfg, out, err}) std::remove(f.c_str());
}

TEST(TachyonRun, LiveSocketFeedWithPacketHandoffMirrorsTheSameBooks) {
  // The socket port keeps its receive buffers until they are released, so with
  // rings.packet_handoff its dispatch core hands each datagram to the shard whole.
  ::setenv("TACHYON_RINGS__PACKET_HANDOFF", "true", 1);
  const LiveRun r = run_live("h", "");
  ::unsetenv("TACHYON_RINGS__PACKET_HANDOFF");
  EXPECT_EQ(
      metric(r.metrics, "tachyon_ring_records_total{ring=\"dispatch->shard0 packets\",policy=\"block\",fate=\"dropped\"}"),
      0u)
      << r.metrics;
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.text.find("dispatch, packet hand-off"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("backpressure: 0 lost"), std::string::npos) << r.text;
  EXPECT_NE(r.text.find("book_hash " + r.ref_hash), std::string::npos) << r.text << "\nreference " << r.ref_hash;
}

TEST(TachyonRun, PacketHandoffOverDpdkHoldsNoMoreFramesThanTheMbufPoolLends) {
  const std::string cap = temp("pool-feed.pcap"), cfg = temp("pool.toml");
  bench::CaptureConfig cc;
  cc.kind = bench::CaptureKind::kFeed;
  cc.messages = 5'000;
  bench::generate_capture(cc, cap);
  for (const int mbufs : {1023, 8191}) {
    // Fresh output files per run: the child truncates them only after it starts.
    const std::string out = temp("pool-out" + std::to_string(mbufs)), err = temp("pool-err" + std::to_string(mbufs));
    std::ofstream(cfg) << "[nic]\nbackend = \"dpdk\"\nmbufs = " << mbufs
                       << "\neal_args = [\"--no-huge\", \"--no-pci\", \"--no-shconf\", \"--no-telemetry\", \"-m\", "
                          "\"512\", \"-l\", \"0\", \"--vdev=net_pcap0,rx_pcap="
                       << cap << "\"]\n[cores]\ndataplane = [0, 1]\n[rings]\npacket_handoff = true\n[metrics]\nport = 0\n";
    const pid_t pid = spawn({"run", "--config", cfg}, out, err);
    const bool running = !wait_for(err, std::regex("(running)")).empty();
    ::kill(pid, SIGTERM);
    int st = 0;
    ::waitpid(pid, &st, 0);
    ASSERT_TRUE(running) << slurp(err);
    ASSERT_TRUE(WIFEXITED(st)) << slurp(err);
    EXPECT_EQ(WEXITSTATUS(st), 0) << slurp(err);
    // 1023 mbufs less 1024 rx descriptors and two 256-mbuf lcore caches lend nothing:
    // the hold list shrinks to one burst; 8191 lend 6655, more than the 2048 it wants.
    const std::string text = slurp(out);
    EXPECT_NE(text.find("dispatch, packet hand-off"), std::string::npos) << text;
    EXPECT_NE(text.find(mbufs == 1023 ? "hold list: up to 32 frames" : "hold list: up to 2048 frames"),
              std::string::npos)
        << text;
    EXPECT_EQ(text.find("note: packet hand-off: the dispatch core holds at most 32 frames, as the port lends 0 "
                        "receive buffers") != std::string::npos,
              mbufs == 1023)
        << text;
    EXPECT_NE(text.find(" 0 no buffer)"), std::string::npos) << text;
    std::remove(out.c_str());
    std::remove(err.c_str());
  }
  for (const std::string& f : {cap, cfg}) std::remove(f.c_str());
}

TEST(TachyonRun, ExplicitDpdkThatCannotStartExitsTwo) {
  const std::string cfg = temp("dpdk.toml"), out = temp("out2"), err = temp("err2");
  std::ofstream(cfg) << "[nic]\nbackend = \"dpdk\"\neal_args = [\"--no-huge\", \"--no-pci\", \"--no-shconf\", "
                        "\"--no-telemetry\", \"-m\", \"512\", \"-l\", \"0\"]\n[metrics]\nport = 0\n";
  const pid_t pid = spawn({"run", "--config", cfg}, out, err);
  int st = 0;
  ::waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 2) << slurp(err);
  EXPECT_NE(slurp(err).find("tachyon: DPDK: 0 ports after rte_eal_init(--no-huge"), std::string::npos) << slurp(err);
  for (const std::string& f : {cfg, out, err}) std::remove(f.c_str());
}

}  // namespace
