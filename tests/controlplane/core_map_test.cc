// The core map as tuning/plan writes it and the appliance uses it: the fragment from a
// real server topology layers over the shipped config and validates key for key; the
// machine check refuses CPUs and NUMA nodes this machine lacks, naming them; and
// tachyon run / tachyon replay with the live machine's fragment put the data-plane
// threads, the control-plane threads and the memory where the plan said.
#include "tachyon/controlplane/core_map.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../support/run_command.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/controlplane/config.h"
#include "tachyon/dataplane/cpu_pinning.h"

namespace tachyon::controlplane {
namespace {

namespace fs = std::filesystem;

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";
const std::string kPlan = std::string(TACHYON_SOURCE_DIR) + "/tuning/plan";
const std::string kTopo32 =
    std::string(TACHYON_SOURCE_DIR) + "/../shared/data/topologies/32em64t-2n8c2t-pci-normalio.xml";
const std::string kExample = std::string(TACHYON_SOURCE_DIR) + "/config/tachyon.example.toml";

struct Dir {
  fs::path path = fs::path(::testing::TempDir()) / ("core-map-" + std::to_string(::getpid()));
  Dir() { fs::create_directories(path); }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string operator/(const std::string& f) const { return (path / f).string(); }
};

std::string slurp(const std::string& path) {
  std::ifstream f(path);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// Runs a shell command; returns its exit status and stdout + stderr.
int sh(const std::string& cmd, std::string& out) {
  const tachyon::test_support::CommandRun r = tachyon::test_support::run_command(cmd, /*merge_stderr=*/true);
  out += r.out;
  return r.status;
}

// Runs tuning/plan with args, writing the fragment to path; fails the test if it fails.
void write_fragment(const std::string& args, const std::string& path) {
  std::string out;
  const int rc = sh("python3 " + kPlan + " " + args + " --write-config " + path, out);
  ASSERT_EQ(rc, 0) << out;
  ASSERT_NE(out.find("wrote the core map to " + path), std::string::npos) << out;
}

std::vector<std::string> messages(const ConfigResult& r) {
  std::vector<std::string> out;
  for (const ConfigError& e : r.errors) out.push_back(e.to_string());
  return out;
}

bool allowed(int cpu) {
  const std::vector<int> a = dataplane::allowed_cpus();
  return std::find(a.begin(), a.end(), cpu) != a.end();
}

TEST(CoreMap, FormatsCpuLists) {
  EXPECT_EQ(format_cpu_list({}), "");
  EXPECT_EQ(format_cpu_list({3}), "3");
  EXPECT_EQ(format_cpu_list({14, 8, 9, 10, 11, 12, 13}), "8-14");
  EXPECT_EQ(format_cpu_list({0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 31}), "0-7,16-17,31");
  EXPECT_EQ(format_cpu_list({5, 5, 6}), "5-6");
}

TEST(CoreMap, TheFragmentPlannedFor32em64tLayersOverTheShippedConfig) {
  Dir d;
  const std::string frag = d / "cores.toml";
  write_fragment("--topology " + kTopo32 + " --nic eth0 --root " + d.path.string(), frag);
  // The loader accepts every key of the fragment (an unknown key is an error) ...
  const ConfigResult alone = load_config(frag, {});
  ASSERT_TRUE(alone.config) << ::testing::PrintToString(messages(alone));
  // ... and layered over the example, the fragment's keys win and the rest stay.
  const ConfigResult r = load_config(std::vector<std::string>{kExample, frag}, {});
  ASSERT_TRUE(r.config) << ::testing::PrintToString(messages(r));
  const Config& c = *r.config;
  EXPECT_EQ(c.cores.dataplane, (std::vector<unsigned>{8, 9, 10, 11, 12, 13, 14}));  // package 1, one PU per core
  EXPECT_EQ(c.cores.control, 15);
  EXPECT_EQ(c.cores.numa_node, 1);  // the NIC's node
  EXPECT_EQ(c.cores.housekeeping,
            (std::vector<unsigned>{0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23, 31}));
  EXPECT_EQ(c.nic.pci, "0000:81:00.0");
  const Config example = *load_config(kExample, {}).config;
  EXPECT_EQ(c.book.max_orders, example.book.max_orders);
  EXPECT_EQ(c.metrics.port, example.metrics.port);
  EXPECT_EQ(c.nic.backend, example.nic.backend);
  EXPECT_NE(c.hash, example.hash);

  // On a machine without those CPUs the appliance refuses the map, naming the key, the
  // CPU and what the machine has; on one that has them, it takes them.
  if (!allowed(8)) {
    try {
      check_core_map(c.cores);
      ADD_FAILURE() << "a core map for CPUs 8-15 was accepted on a machine without CPU 8";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("cores.dataplane = 8: CPU 8 is not one this process may run on (allowed "
                                           "CPUs " + format_cpu_list(dataplane::allowed_cpus()) + ")"),
                std::string::npos)
          << e.what();
    }
    // The same through the command line: refused with exit 2, and no key unknown.
    std::string out;
    const int rc = sh(kTachyon + " replay --config " + kExample + " --config " + frag + " --no-progress", out);
    EXPECT_EQ(rc, 2) << out;
    EXPECT_NE(out.find("cores.dataplane = 8: CPU 8 is not one this process may run on"), std::string::npos) << out;
    EXPECT_EQ(out.find("unknown key"), std::string::npos) << out;
  } else {
    EXPECT_EQ(check_core_map(c.cores).dataplane, (std::vector<int>{8, 9, 10, 11, 12, 13, 14}));
  }
}

TEST(CoreMap, RefusesCpusAndNodesThisMachineLacks) {
  Config::Cores c;
  c.dataplane = {4095};
  try {
    check_core_map(c);
    ADD_FAILURE() << "CPU 4095 accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cores.dataplane = 4095: CPU 4095 is not one this process may run on"),
              std::string::npos)
        << e.what();
  }
  c.dataplane = {};
  c.control = 4094;
  EXPECT_THROW(check_core_map(c), std::invalid_argument);
  c.control = -1;
  c.numa_node = dataplane::numa_nodes();
  try {
    check_core_map(c);
    ADD_FAILURE() << "NUMA node " << c.numa_node << " accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("cores.numa_node = " + std::to_string(c.numa_node) + ": this machine has"),
              std::string::npos)
        << e.what();
  }
  // What the machine has is accepted as given.
  const std::vector<int> cpus = dataplane::allowed_cpus();
  c.dataplane = {static_cast<unsigned>(cpus.back())};
  c.control = cpus.front();
  c.numa_node = 0;
  const CoreMap m = check_core_map(c);
  EXPECT_EQ(m.dataplane, std::vector<int>{cpus.back()});
  EXPECT_EQ(m.control, cpus.front());
  EXPECT_EQ(m.memory_node, 0);
  EXPECT_EQ(m.describe(), "data plane " + std::to_string(cpus.back()) + " · control " + std::to_string(cpus.front()) +
                              " · memory node 0");
}

TEST(CoreMap, PlacesTheControlThreadAndWhatItStartsOnItsCpu) {
  const std::vector<int> cpus = dataplane::allowed_cpus();
  Config::Cores c;
  c.control = cpus.back();
  const CoreMap m = check_core_map(c);
  std::thread t([&] {
    EXPECT_NE(place_control_thread(m).find("control plane on CPU " + std::to_string(cpus.back())), std::string::npos);
    std::vector<int> child_cpus;
    std::thread child([&] { child_cpus = dataplane::allowed_cpus(); });  // started after: inherits the pinning
    child.join();
    EXPECT_EQ(dataplane::allowed_cpus(), std::vector<int>{cpus.back()});
    EXPECT_EQ(child_cpus, std::vector<int>{cpus.back()});
  });
  t.join();
  EXPECT_EQ(place_control_thread(CoreMap{}), "");
}

// The CPUs a thread of pid may run on, by thread name (/proc/PID/task/TID): the main
// thread is "main".
std::map<std::string, std::string> thread_cpus(pid_t pid) {
  std::map<std::string, std::string> out;
  const fs::path task = "/proc/" + std::to_string(pid) + "/task";
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(task, ec)) {
    std::string name = slurp((e.path() / "comm").string());
    while (!name.empty() && name.back() == '\n') name.pop_back();
    if (e.path().filename() == std::to_string(pid)) name = "main";
    std::smatch m;
    const std::string status = slurp((e.path() / "status").string());
    if (std::regex_search(status, m, std::regex("Cpus_allowed_list:\\s*(\\S+)"))) out[name] = m[1];
  }
  return out;
}

std::string wait_for(const std::string& path, const std::regex& pattern) {
  for (int i = 0; i < 2000; ++i) {
    std::smatch m;
    const std::string text = slurp(path);
    if (std::regex_search(text, m, pattern)) return m[1];
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return {};
}

TEST(CoreMap, TachyonRunAndReplayRunWhereThisMachinesPlanSays) {
  Dir d;
  const std::string frag = d / "cores.toml";
  write_fragment("--root /", frag);  // the live machine: its topology, its state
  const ConfigResult planned = load_config(frag, {});
  ASSERT_TRUE(planned.config) << ::testing::PrintToString(messages(planned));
  const Config::Cores& cores = planned.config->cores;
  ASSERT_FALSE(cores.dataplane.empty()) << slurp(frag);
  ASSERT_GE(cores.control, 0) << slurp(frag);
  ASSERT_GE(cores.numa_node, 0) << slurp(frag);
  const std::string dp = std::to_string(cores.dataplane[0]), ctl = std::to_string(cores.control),
                    node = std::to_string(cores.numa_node);

  // tachyon run: the socket backend's one direct shard core on the data-plane CPU, the
  // main (control) thread and the metrics thread it starts on the control CPU.
  const std::string base = d / "live.toml", out = d / "out", err = d / "err";
  const int udp = 29000 + ::getpid() % 2000;
  std::ofstream(base) << "[nic]\nbackend = \"socket\"\nudp_port = " << udp
                      << "\n[book]\nmax_orders = 65536\nmax_levels = 4096\nmax_symbols = 16\n";
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(o, 1);
    ::dup2(e, 2);
    // Only the first data-plane CPU: the socket backend runs one direct core here.
    ::execl(kTachyon.c_str(), kTachyon.c_str(), "run", "--config", base.c_str(), "--config", frag.c_str(),
            "--metrics-port", "0", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ASSERT_FALSE(wait_for(err, std::regex("(running)")).empty()) << slurp(err);
  std::map<std::string, std::string> threads;
  for (int i = 0; i < 200 && !threads.count("tachyon-shard0"); ++i) {
    threads = thread_cpus(pid);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, SIGTERM);
  int st = 0;
  ::waitpid(pid, &st, 0);
  const std::string run_err = slurp(err), run_out = slurp(out);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << run_err;
  // Several data-plane CPUs: a dispatch core and shard cores (socket: one rx queue).
  const bool one = cores.dataplane.size() == 1;
  const std::string shard_cpu = one ? dp : std::to_string(cores.dataplane[1]);
  EXPECT_EQ(threads["tachyon-shard0"], shard_cpu) << ::testing::PrintToString(threads);
  if (!one) EXPECT_EQ(threads["tachyon-disp"], dp) << ::testing::PrintToString(threads);
  EXPECT_EQ(threads["main"], ctl) << ::testing::PrintToString(threads);
  EXPECT_EQ(threads["tachyon-metrics"], ctl) << ::testing::PrintToString(threads);
  EXPECT_NE(run_err.find("cores: control plane on CPU " + ctl), std::string::npos) << run_err;
  EXPECT_NE(run_err.find("memory node " + node), std::string::npos) << run_err;
  // The shard's books and rings were asked of the planned node.
  EXPECT_TRUE(std::regex_search(run_out, std::regex("memory: shard 0 books: .* node " + node))) << run_out;

  // tachyon replay: the replay core (the main thread once the books are allocated) on
  // the data-plane CPU with its memory bound to the node; the book is the same as
  // without the core map.
  const std::string cap = d / "feed.pcap";
  bench::CaptureConfig cc;
  cc.kind = bench::CaptureKind::kFeed;
  cc.messages = 5'000;
  bench::generate_capture(cc, cap);
  std::string placed, plain;
  ASSERT_EQ(sh(kTachyon + " replay --json --no-progress --config " + base + " --config " + frag + " " + cap, placed), 0)
      << placed;
  ASSERT_EQ(sh(kTachyon + " replay --json --no-progress --config " + base + " " + cap, plain), 0) << plain;
  EXPECT_EQ(plain.find("cores:"), std::string::npos) << plain;
  EXPECT_NE(placed.find("cores: replay core on CPU " + dp + " (NUMA node"), std::string::npos) << placed;
  EXPECT_NE(placed.find("cores: control plane on CPU " + ctl), std::string::npos) << placed;
  EXPECT_NE(placed.find("memory: replay core"), std::string::npos) << placed;
  std::smatch a, b;
  const std::regex hash("\"book_hash\":\"([0-9a-f]{16})\"");
  ASSERT_TRUE(std::regex_search(placed, a, hash)) << placed;
  ASSERT_TRUE(std::regex_search(plain, b, hash)) << plain;
  EXPECT_EQ(a[1], b[1]);
}

}  // namespace
}  // namespace tachyon::controlplane
