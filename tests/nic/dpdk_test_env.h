// Test helpers for DPDK: one EAL per test binary (DPDK allows one rte_eal_init per
// process), started by a GoogleTest environment with a net_pcap vdev reading a
// generated ITCH capture, a net_ring and a net_null vdev; and fresh vdevs per test
// through hotplug (rte_dev_probe), so tests stay independent when the binary runs
// them all in one process. Single-threaded test set-up.
#pragma once

#if defined(TACHYON_HAVE_DPDK)

#include <rte_dev.h>
#include <rte_ethdev.h>

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "capture_test_files.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/nic/dpdk_eal.h"
#include "tachyon/nic/open_nic.h"

namespace tachyon::nic::test {

// The generated feed capture every DPDK test reads (one per process).
struct DpdkFixture {
  TempFile capture{"dpdk-feed.pcap"};
  bench::CaptureInfo info;
  std::shared_ptr<DpdkEal> eal;
};

inline DpdkFixture*& dpdk_fixture() {
  static DpdkFixture* f = nullptr;
  return f;
}

// EAL args for this machine: no hugepages, no PCI, one lcore (the first allowed CPU).
inline std::vector<std::string> base_eal_args() {
  std::vector<std::string> a = default_eal_args("x", "");
  a.pop_back();  // the default's own --vdev
  return a;
}

class DpdkEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    auto* f = new DpdkFixture;
    bench::CaptureConfig cfg;
    cfg.kind = bench::CaptureKind::kFeed;
    cfg.messages = 20'000;
    cfg.symbols = 4;
    cfg.seed = 7;
    f->info = bench::generate_capture(cfg, f->capture.path());
    std::vector<std::string> args = base_eal_args();
    args.push_back("--vdev=net_pcap0,rx_pcap=" + f->capture.path());
    args.push_back("--vdev=net_ring0");
    args.push_back("--vdev=net_null0");
    f->eal = std::make_shared<DpdkEal>(args);
    dpdk_fixture() = f;
  }
  void TearDown() override {
    delete dpdk_fixture();  // last reference: rte_eal_cleanup
    dpdk_fixture() = nullptr;
  }
};

// Creates a vdev now (hotplug, rte_dev_probe) and returns its port id; fails the test
// when it does not probe. Names must be unique within the process.
inline uint16_t hotplug_vdev(const std::string& name, const std::string& args) {
  const std::string devargs = args.empty() ? name : name + "," + args;
  const int rc = rte_dev_probe(devargs.c_str());
  EXPECT_EQ(rc, 0) << "rte_dev_probe(" << devargs << ")";
  uint16_t port = RTE_MAX_ETHPORTS;
  EXPECT_EQ(rte_eth_dev_get_port_by_name(name.c_str(), &port), 0) << name;
  return port;
}

}  // namespace tachyon::nic::test

#endif  // TACHYON_HAVE_DPDK
