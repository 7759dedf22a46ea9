// open_nic start-up: DPDK failures name what was tried and what failed (a missing
// vdev file, 0 ports, a bad EAL argument) and carry exit code 2; auto mode falls back
// to pcap or socket and says so. Each DPDK attempt runs in a forked child, because a
// process may call rte_eal_init only once.
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "capture_test_files.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/nic/open_nic.h"
#include "tachyon/nic/pcap_port.h"

namespace tachyon::nic {
namespace {

using test::TempFile;

struct ChildResult {
  int exit_code = -1;
  std::string text;  // the NicStartupError message, or the child's notes on success
};

// Runs open_nic(o) in a child process; the child writes what happened to a pipe and
// exits with the error's exit code (0 on success).
ChildResult open_in_child(const NicOptions& o) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::string text;
    int code = 0;
    try {
      OpenedNic nic = open_nic(o);
      text = std::string("backend=") + to_string(nic.backend);
      for (const std::string& n : nic.notes) text += "\nnote: " + n;
      std::array<RxPacket, kBurstSize> burst;
      uint64_t rx = 0;
      for (int i = 0; i < 1000 && !nic.port.at_end(); ++i) {
        const std::size_t k = nic.port.rx_burst(0, burst);
        nic.port.release(0, std::span<const RxPacket>(burst.data(), k));
        rx += k;
      }
      text += "\nrx=" + std::to_string(rx);
    } catch (const NicStartupError& e) {
      text = e.what();
      code = e.exit_code();
    } catch (const std::exception& e) {
      text = std::string("unexpected: ") + e.what();
      code = 99;
    }
    (void)!::write(fds[1], text.data(), text.size());
    ::close(fds[1]);
    std::_Exit(code);  // no atexit handlers: the parent owns the test state
  }
  ::close(fds[1]);
  ChildResult r;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) r.text.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> no_vdev_args() {
  std::vector<std::string> a = default_eal_args("x", "");
  a.pop_back();
  return a;
}

TEST(NicStartup, DefaultEalArgumentsAreTheDocumentedReplayDefault) {
  const std::vector<std::string> a = default_eal_args("/data/in.pcap", "/data/out.pcap");
  ASSERT_EQ(a.size(), 9u);
  EXPECT_EQ(join_args({a.begin(), a.begin() + 6}), "--no-huge --no-pci --no-shconf --no-telemetry -m 512");
  EXPECT_EQ(a[6], "-l");
  EXPECT_EQ(a[8], "--vdev=net_pcap0,rx_pcap=/data/in.pcap,tx_pcap=/data/out.pcap");
  EXPECT_EQ(default_eal_args("in.pcap", "").back(), "--vdev=net_pcap0,rx_pcap=in.pcap");
}

#if defined(TACHYON_HAVE_DPDK)  // DPDK start-up; a build without DPDK has none

TEST(NicStartup, DpdkWithAMissingCaptureSaysTheVdevProbeFailedAndWhy) {
  NicOptions o;
  o.backend = NicBackendKind::kDpdk;
  o.rx_pcap = "/nonexistent/tachyon-missing.pcap";
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 2) << r.text;
  EXPECT_TRUE(has(r.text, "DPDK: vdev probe failed: 0 ports after rte_eal_init(--no-huge --no-pci --no-shconf "
                          "--no-telemetry -m 512 -l "))
      << r.text;
  EXPECT_TRUE(has(r.text, "--vdev=net_pcap0,rx_pcap=/nonexistent/tachyon-missing.pcap) with 1 --vdev")) << r.text;
  // DPDK's own words about the file, and none of its informational start-up lines.
  EXPECT_TRUE(has(r.text, "DPDK said: open_single_rx_pcap(): Couldn't open /nonexistent/tachyon-missing.pcap")) << r.text;
  EXPECT_TRUE(has(r.text, " | vdev_probe(): failed to initialize net_pcap0 device")) << r.text;
  EXPECT_FALSE(has(r.text, "Detected CPU lcores")) << r.text;
  EXPECT_TRUE(has(r.text, "No such file or directory")) << r.text;
}

TEST(NicStartup, DpdkWithoutAnyPortSaysSo) {
  NicOptions o;
  o.backend = NicBackendKind::kDpdk;
  o.eal_args = no_vdev_args();
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 2) << r.text;
  EXPECT_TRUE(has(r.text, "DPDK: 0 ports after rte_eal_init(" + join_args(o.eal_args) +
                              "): no NIC is bound to a DPDK driver (vfio-pci) and no --vdev was given"))
      << r.text;
}

TEST(NicStartup, DpdkWithABadEalArgumentGivesRteEalInitsResult) {
  NicOptions o;
  o.backend = NicBackendKind::kDpdk;
  o.eal_args = no_vdev_args();
  o.eal_args.push_back("--no-such-eal-option");
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 2) << r.text;
  EXPECT_TRUE(has(r.text, "DPDK: rte_eal_init(" + join_args(o.eal_args) + ") failed: rc -1, rte_errno 22 (")) << r.text;
  // getopt's and EAL's own words, without EAL's usage text.
  EXPECT_TRUE(has(r.text, "DPDK said: tachyon: unrecognized option '--no-such-eal-option' | EAL: Invalid 'command "
                          "line' arguments."))
      << r.text;
  EXPECT_FALSE(has(r.text, "Usage:")) << r.text;
}

TEST(NicStartup, DpdkLiveWithoutEalArgumentsAsksForThem) {
  NicOptions o;
  o.backend = NicBackendKind::kDpdk;
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(has(r.text, "nic.eal_args and nic.pci are empty and there is no capture to replay")) << r.text;
  EXPECT_TRUE(has(r.text, "nic.pci = \"0000:3b:00.0\"")) << r.text;
}

TEST(NicStartup, LiveEalArgumentsTakeTheNicByItsPciAddressOnTheControlCore) {
  EXPECT_EQ(live_eal_args("0000:81:00.0", 15),
            (std::vector<std::string>{"-a", "0000:81:00.0", "-l", "15", "--in-memory", "--no-telemetry",
                                      "--log-level=lib.eal:warning"}));
  // No control core: the first CPU this process may use, as the replay default does.
  const std::vector<std::string> d = live_eal_args("0000:81:00.0", -1);
  EXPECT_EQ(d[3], default_eal_args("x.pcap", "")[7]);
}

TEST(NicStartup, DpdkLiveWithAPciAddressProbesOnlyThatDevice) {
  // No device sits at this address here: EAL starts (or not) without it, and the error
  // names the arguments tried, which allow-list that address alone.
  NicOptions o;
  o.backend = NicBackendKind::kDpdk;
  o.pci = "0000:7f:1f.7";
  o.main_lcore = 0;
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 2) << r.text;
  EXPECT_TRUE(has(r.text, "-a 0000:7f:1f.7 -l 0 --in-memory --no-telemetry --log-level=lib.eal:warning")) << r.text;
}

TEST(NicStartup, DpdkReplaysACaptureThroughTheDefaultArguments) {
  TempFile cap("startup-feed.pcap");
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kFeed;
  cfg.messages = 2000;
  const bench::CaptureInfo info = bench::generate_capture(cfg, cap.path());
  NicOptions o;
  o.backend = NicBackendKind::kDpdk;
  o.rx_pcap = cap.path();
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 0) << r.text;
  EXPECT_TRUE(has(r.text, "backend=dpdk")) << r.text;
  EXPECT_TRUE(has(r.text, "note: dpdk: default replay EAL arguments: --no-huge")) << r.text;
  EXPECT_TRUE(has(r.text, "rx=" + std::to_string(info.packets))) << r.text;
}

TEST(NicStartup, AutoFallsBackToPcapWhenDpdkFailsAndSaysWhy) {
  TempFile cap("fallback-feed.pcap");
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kFeed;
  cfg.messages = 2000;
  const bench::CaptureInfo info = bench::generate_capture(cfg, cap.path());
  NicOptions o;
  o.backend = NicBackendKind::kAuto;
  o.rx_pcap = cap.path();
  o.eal_args = no_vdev_args();
  o.eal_args.push_back("--vdev=net_pcap0,rx_pcap=/nonexistent/elsewhere.pcap");
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 0) << r.text;
  EXPECT_TRUE(has(r.text, "backend=pcap")) << r.text;
  EXPECT_TRUE(has(r.text, "note: nic.backend = auto: dpdk did not start (DPDK: vdev probe failed: 0 ports")) << r.text;
  EXPECT_TRUE(has(r.text, "); falling back to pcap")) << r.text;
  EXPECT_TRUE(has(r.text, "rx=" + std::to_string(info.packets))) << r.text;
}

TEST(NicStartup, AutoWithoutACaptureFallsBackToTheSocketBackend) {
  NicOptions o;
  o.backend = NicBackendKind::kAuto;
  o.eal_args = no_vdev_args();
  o.udp_port = 0;  // any free port
  const ChildResult r = open_in_child(o);
  EXPECT_EQ(r.exit_code, 0) << r.text;
  EXPECT_TRUE(has(r.text, "backend=socket")) << r.text;
  EXPECT_TRUE(has(r.text, "falling back to socket")) << r.text;
}

#endif  // TACHYON_HAVE_DPDK

TEST(NicStartup, ExplicitPcapWithAMissingFileNamesIt) {
  NicOptions o;
  o.backend = NicBackendKind::kPcap;
  o.rx_pcap = "/nonexistent/none.pcap";
  try {
    (void)open_nic(o);
    FAIL();
  } catch (const NicStartupError& e) {
    EXPECT_TRUE(has(e.what(), "pcap backend: ")) << e.what();
    EXPECT_TRUE(has(e.what(), "/nonexistent/none.pcap")) << e.what();
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(NicStartup, SocketBackendBindFailureNamesTheAddress) {
  NicOptions o;
  o.backend = NicBackendKind::kSocket;
  o.bind_address = "192.0.2.77";  // TEST-NET-1: not an address of this host
  o.udp_port = 26001;
  try {
    (void)open_nic(o);
    FAIL();
  } catch (const NicStartupError& e) {
    EXPECT_TRUE(has(e.what(), "socket backend (udp 192.0.2.77:26001) queue 0: bind(192.0.2.77:26001) failed: 99"))
        << e.what();
  }
}

}  // namespace
}  // namespace tachyon::nic
