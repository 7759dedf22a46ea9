// Configuration: TOML parsing, whole-file validation with key/value/rule errors,
// environment overrides, live-vs-static reload rules, and hot reload on file change
// and SIGHUP.
#include "tachyon/controlplane/config.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/controlplane/config_store.h"
#include "tachyon/controlplane/config_watcher.h"

namespace tachyon::controlplane {
namespace {

const char* kGood = R"(
[book]
max_orders = 65536
max_levels = 4096
max_symbols = 16

[nic]
backend = "pcap"
eal_args = ["--no-huge", "--no-pci"]

[cores]
dataplane = [1]
control = 0

[match]
symbols = ["AAPL", "MSFT"]

[rings]
capacity = 1024
backpressure = "reject"
packet_handoff = true

[risk]
max_order_qty = 5000
kill_switch = false

[journal]
path = "/var/lib/tachyon/journal"
fsync = "every_batch"
)";

std::vector<std::string> messages(const ConfigResult& r) {
  std::vector<std::string> out;
  for (const ConfigError& e : r.errors) out.push_back(e.to_string());
  return out;
}

TEST(Config, ParsesEverySectionAndKeepsDefaults) {
  const ConfigResult r = parse_config(kGood, {});
  ASSERT_TRUE(r.config) << ::testing::PrintToString(messages(r));
  const Config& c = *r.config;
  EXPECT_EQ(c.book.max_orders, 65536u);
  EXPECT_EQ(c.book.max_symbols, 16u);
  EXPECT_EQ(c.nic.backend, NicBackend::kPcap);
  EXPECT_EQ(c.nic.eal_args, (std::vector<std::string>{"--no-huge", "--no-pci"}));
  EXPECT_EQ(c.cores.dataplane, (std::vector<unsigned>{1}));
  EXPECT_EQ(c.match.symbols.size(), 2u);
  EXPECT_EQ(c.rings.policy, Backpressure::kReject);
  EXPECT_TRUE(c.rings.packet_handoff);
  EXPECT_FALSE(Config{}.rings.packet_handoff);
  EXPECT_EQ(c.risk.max_order_qty, 5000);
  EXPECT_EQ(c.risk.max_open_orders, RiskLimits{}.max_open_orders);  // default kept
  EXPECT_EQ(c.journal.fsync, FsyncPolicy::kEveryBatch);
  EXPECT_NE(c.hash, 0u);
  EXPECT_EQ(parse_config(kGood, {}).config->hash, c.hash);
}

TEST(Config, EveryErrorNamesKeyValueAndRule) {
  const ConfigResult r = parse_config(R"(
[risk]
max_order_qty = -5
kill_switch = "yes"
[rings]
capacity = 1000
backpressure = "panic"
[book]
max_orders = 0
[nic]
backendd = "dpdk"
[feed]
shard_map = { AAPL = -1 }
)",
                                      {});
  EXPECT_FALSE(r.config);
  const auto m = messages(r);
  auto has = [&](const std::string& s) { return std::find(m.begin(), m.end(), s) != m.end(); };
  EXPECT_TRUE(has("risk.max_order_qty = -5: must be > 0")) << ::testing::PrintToString(m);
  EXPECT_TRUE(has("risk.kill_switch = \"yes\": must be true or false")) << ::testing::PrintToString(m);
  EXPECT_TRUE(has("rings.capacity = 1000: must be a power of two")) << ::testing::PrintToString(m);
  EXPECT_TRUE(has("rings.backpressure = \"panic\": must be one of reject drop block")) << ::testing::PrintToString(m);
  EXPECT_TRUE(has("book.max_orders = 0: must be in 1..2147483647")) << ::testing::PrintToString(m);
  EXPECT_TRUE(has("nic.backendd = \"dpdk\": unknown key")) << ::testing::PrintToString(m);
  EXPECT_TRUE(has("feed.shard_map = { AAPL = -1 }: must be a table of NAME = integer in 0..253"))
      << ::testing::PrintToString(m);
}

TEST(Config, ShardMapNamesSymbolsAndShards) {
  const ConfigResult r = parse_config("[feed]\nshard_map = { AAPL = 0, MSFT = 1 }\n", {});
  ASSERT_TRUE(r.config) << ::testing::PrintToString(messages(r));
  auto map = r.config->feed.shard_map;
  std::sort(map.begin(), map.end());
  EXPECT_EQ(map, (std::vector<std::pair<std::string, uint32_t>>{{"AAPL", 0}, {"MSFT", 1}}));
  EXPECT_NE(r.config->hash, parse_config("[feed]\nshard_map = { AAPL = 1, MSFT = 1 }\n", {}).config->hash);
}

TEST(Config, SyntaxErrorsGiveLineAndColumn) {
  const ConfigResult r = parse_config("[risk]\nmax_order_qty = = 3\n", {}, "test.toml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].key, "test.toml");
  EXPECT_NE(r.errors[0].value.find("line 2"), std::string::npos) << r.errors[0].to_string();
}

TEST(Config, EnvironmentOverridesWin) {
  char a[] = "TACHYON_RISK__MAX_ORDER_QTY=100";
  char b[] = "TACHYON_NIC__BACKEND=socket";  // not a TOML value: taken as a string
  char c[] = "TACHYON_CORES__DATAPLANE=[2, 3]";
  char d[] = "PATH=/usr/bin";
  char e[] = "TACHYON_NOSEPARATOR=1";
  char* envp[] = {a, b, c, d, e, nullptr};
  const auto ov = env_overrides(envp);
  EXPECT_EQ(ov.size(), 3u);
  const ConfigResult r = parse_config(kGood, ov);
  ASSERT_TRUE(r.config) << ::testing::PrintToString(messages(r));
  EXPECT_EQ(r.config->risk.max_order_qty, 100);
  EXPECT_EQ(r.config->nic.backend, NicBackend::kSocket);
  EXPECT_EQ(r.config->cores.dataplane, (std::vector<unsigned>{2, 3}));
  const ConfigResult bad = parse_config(kGood, {{"risk.max_order_qty", "-1"}});
  ASSERT_FALSE(bad.config);
  EXPECT_EQ(bad.errors[0].to_string(), "risk.max_order_qty = -1: must be > 0");
}

TEST(ConfigStore, ReloadSwapsLiveChangesAndRefusesTheRest) {
  ConfigStore store(*parse_config(kGood, {}).config);
  const Config* first = store.current();
  // A live change: risk limits.
  const ConfigStore::Outcome live = store.reload(parse_config(kGood, {{"risk.max_order_qty", "7"}}));
  EXPECT_TRUE(live.applied);
  EXPECT_EQ(store.version(), 1u);
  EXPECT_EQ(store.current()->risk.max_order_qty, 7);
  EXPECT_EQ(first->risk.max_order_qty, 5000);  // readers of the old one are unaffected
  // An invalid file keeps the current config and says why.
  const ConfigStore::Outcome bad = store.reload(parse_config(kGood, {{"risk.max_order_qty", "0"}}));
  EXPECT_FALSE(bad.applied);
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_EQ(bad.problems[0], "risk.max_order_qty = 0: must be > 0");
  EXPECT_EQ(store.current()->risk.max_order_qty, 7);
  // Pool sizes and the core map cannot change live: each is named.
  const ConfigStore::Outcome fixed =
      store.reload(parse_config(kGood, {{"book.max_orders", "1024"}, {"cores.dataplane", "[1, 2]"}}));
  EXPECT_FALSE(fixed.applied);
  ASSERT_EQ(fixed.problems.size(), 2u);
  EXPECT_EQ(fixed.problems[0], "book.max_orders: cannot change while running (restart to apply)");
  EXPECT_EQ(fixed.problems[1], "cores.dataplane: cannot change while running (restart to apply)");
  EXPECT_EQ(store.version(), 1u);
}

TEST(ConfigWatcher, ReloadsOnFileChangeAndOnSighup) {
  ConfigWatcher::block_sighup();
  const std::string dir = ::testing::TempDir();
  const std::string path = dir + "watch_" + std::to_string(::getpid()) + ".toml";
  {
    std::ofstream(path) << kGood;
  }
  ConfigStore store(*load_config(path, {}).config);
  std::atomic<int> reports{0};
  std::atomic<int> applied{0};
  ConfigWatcher w(path, store, {}, [&](const ConfigStore::Outcome& o) {
    applied += o.applied ? 1 : 0;
    ++reports;
  });
  auto wait_for = [&](int n) {
    for (int i = 0; i < 500 && reports.load() < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  {
    std::ofstream(path) << kGood << "\n[breaker]\nwindow_ms = 250\n";
  }
  wait_for(1);
  ASSERT_GE(reports.load(), 1);
  EXPECT_EQ(store.current()->breaker.window_ms, 250u);
  const int before = reports.load();
  ::kill(::getpid(), SIGHUP);
  wait_for(before + 1);
  EXPECT_GE(reports.load(), before + 1);
  EXPECT_GE(applied.load(), 1);
  std::remove(path.c_str());
}

TEST(Config, LayeredFilesReplaceKeysSectionBySection) {
  const std::string dir = ::testing::TempDir();
  const std::string base = dir + "layer_base_" + std::to_string(::getpid()) + ".toml";
  const std::string top = dir + "layer_top_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(base) << kGood;
  std::ofstream(top) << "[cores]\ndataplane = [2, 3]\nnuma_node = 0\n[nic]\npci = \"0000:81:00.0\"\n";
  const ConfigResult r = load_config(std::vector<std::string>{base, top}, {{"risk.max_order_qty", "9"}});
  ASSERT_TRUE(r.config) << ::testing::PrintToString(messages(r));
  EXPECT_EQ(r.config->cores.dataplane, (std::vector<unsigned>{2, 3}));  // the later file wins
  EXPECT_EQ(r.config->cores.control, 0);                                // other keys of the section stay
  EXPECT_EQ(r.config->cores.numa_node, 0);
  EXPECT_EQ(r.config->nic.pci, "0000:81:00.0");
  EXPECT_EQ(r.config->nic.backend, NicBackend::kPcap);  // from the base
  EXPECT_EQ(r.config->book.max_orders, 65536u);
  EXPECT_EQ(r.config->risk.max_order_qty, 9);  // overrides apply over every file
  // The same keys in one file give the same config (and hash).
  std::ofstream(top) << "[cores]\ndataplane = [2, 3]\ncontrol = 0\nnuma_node = 0\n";
  const ConfigResult merged = load_config(std::vector<std::string>{base, top}, {});
  const ConfigResult one = parse_config(std::string(kGood) + "\n", {{"cores.dataplane", "[2, 3]"}, {"cores.numa_node", "0"}});
  ASSERT_TRUE(merged.config && one.config);
  EXPECT_EQ(merged.config->hash, one.config->hash);
  // A problem inside one file names that file; a missing one too.
  std::ofstream(top) << "[cores\n";
  const ConfigResult bad = load_config(std::vector<std::string>{base, top, dir + "no-such.toml"}, {});
  ASSERT_FALSE(bad.config);
  ASSERT_EQ(bad.errors.size(), 2u) << ::testing::PrintToString(messages(bad));
  EXPECT_EQ(bad.errors[0].key, top);
  EXPECT_NE(bad.errors[0].rule.find("TOML syntax"), std::string::npos);
  EXPECT_EQ(bad.errors[1].to_string(), dir + "no-such.toml = : cannot open: No such file or directory");
  EXPECT_EQ(describe_paths({base, top}), base + " + " + top);
  std::remove(base.c_str());
  std::remove(top.c_str());
}

TEST(Config, NicPciIsAPciAddress) {
  EXPECT_EQ(parse_config("[nic]\npci = \"0000:81:00.0\"\n", {}).config->nic.pci, "0000:81:00.0");
  EXPECT_EQ(parse_config("[nic]\npci = \"0000:af:1f.7\"\n", {}).config->nic.pci, "0000:af:1f.7");
  for (const char* bad : {"81:00.0", "0000:81:00.8", "eth0", "0000:81:0g.0"}) {
    const ConfigResult r = parse_config(std::string("[nic]\npci = \"") + bad + "\"\n", {});
    ASSERT_FALSE(r.config) << bad;
    EXPECT_EQ(r.errors[0].to_string(), std::string("nic.pci = \"") + bad +
                                           "\": must be a PCI address DOMAIN:BUS:DEVICE.FUNCTION such as 0000:81:00.0");
  }
}

TEST(ConfigWatcher, ReloadsWhenALayeredFileChanges) {
  ConfigWatcher::block_sighup();
  const std::string dir = ::testing::TempDir();
  const std::string base = dir + "watch_base_" + std::to_string(::getpid()) + ".toml";
  const std::string top = dir + "watch_top_" + std::to_string(::getpid()) + ".toml";
  std::ofstream(base) << kGood;
  std::ofstream(top) << "[risk]\nmax_order_qty = 10\n";
  const std::vector<std::string> paths{base, top};
  ConfigStore store(*load_config(paths, {}).config);
  EXPECT_EQ(store.current()->risk.max_order_qty, 10);
  std::atomic<int> reports{0};
  ConfigWatcher w(paths, store, {}, [&](const ConfigStore::Outcome&) { ++reports; });
  std::ofstream(top) << "[risk]\nmax_order_qty = 11\n";
  for (int i = 0; i < 500 && store.current()->risk.max_order_qty != 11; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(store.current()->risk.max_order_qty, 11);
  EXPECT_EQ(store.current()->book.max_orders, 65536u);  // the base is still under it
  std::remove(base.c_str());
  std::remove(top.c_str());
}

TEST(Config, OrderIndexStartSizeIsReadAndIsAStaticKey) {
  const ConfigResult d = parse_config("", {});
  ASSERT_TRUE(d.config);
  EXPECT_EQ(d.config->book.order_index_start_buckets, book::BookConfig{}.order_index_start_buckets);
  const ConfigResult full = parse_config("[book]\norder_index_start_buckets = 0\n", {});
  ASSERT_TRUE(full.config) << ::testing::PrintToString(messages(full));
  EXPECT_EQ(full.config->book.order_index_start_buckets, 0u);
  EXPECT_EQ(static_changes(*d.config, *full.config), std::vector<std::string>{"book.order_index_start_buckets"});
  const ConfigResult bad = parse_config("[book]\norder_index_start_buckets = -1\n", {});
  EXPECT_FALSE(bad.config);
  ASSERT_FALSE(bad.errors.empty());
  EXPECT_NE(bad.errors.front().to_string().find("book.order_index_start_buckets"), std::string::npos)
      << bad.errors.front().to_string();
}

TEST(Config, TheShippedExampleIsValid) {
  const ConfigResult r = load_config(std::string(TACHYON_SOURCE_DIR) + "/config/tachyon.example.toml", {});
  ASSERT_TRUE(r.config) << ::testing::PrintToString(messages(r));
  EXPECT_EQ(r.config->journal.fsync, FsyncPolicy::kIntervalMs);
  EXPECT_EQ(r.config->risk, RiskLimits{});  // the example lists the defaults
  EXPECT_EQ(r.config->book.order_index_start_buckets, book::BookConfig{}.order_index_start_buckets);
}

}  // namespace
}  // namespace tachyon::controlplane

namespace tachyon::controlplane {
namespace {

TEST(Config, BreakerIsOffByDefaultAndConvertsToCoreLimits) {
  const ConfigResult d = parse_config("", {});
  ASSERT_TRUE(d.config);
  EXPECT_FALSE(d.config->breaker.enabled);
  EXPECT_FALSE(breaker_limits(d.config->breaker).enabled);
  const ConfigResult r = parse_config(
      "[breaker]\nenabled = true\nprice_band_bps = 250\nmax_msgs_per_window = 7\nwindow_ms = 20\nresume_after_ms = 0\n",
      {});
  ASSERT_TRUE(r.config) << r.errors.front().to_string();
  const dataplane::BreakerLimits l = breaker_limits(r.config->breaker);
  EXPECT_TRUE(l.enabled);
  EXPECT_EQ(l.price_band_bps, 250);
  EXPECT_EQ(l.max_msgs_per_window, 7u);
  EXPECT_EQ(l.window_ns, 20'000'000u);
  EXPECT_EQ(l.resume_after_ns, 0u);
  EXPECT_NE(r.config->hash, d.config->hash);
  EXPECT_TRUE(static_changes(*d.config, *r.config).empty());  // breaker.* is live
  const ConfigResult example = load_config(std::string(TACHYON_SOURCE_DIR) + "/config/tachyon.example.toml", {});
  ASSERT_TRUE(example.config);
  EXPECT_EQ(example.config->breaker, CircuitBreaker{});  // the example lists the defaults
}

}  // namespace
}  // namespace tachyon::controlplane
