// DpdkEal / DpdkPort / DpdkMempool on vdevs: EAL start-up with net_pcap, net_ring and
// net_null; the net_pcap vdev delivers the capture exactly (bytes, order, timestamps)
// and writes tx frames; net_ring loops frames back on every queue; RSS, link, xstats;
// no mbuf leaks; failures name the call. One EAL for the binary (dpdk_test_env.h).
#if defined(TACHYON_HAVE_DPDK)  // built without DPDK: no DPDK tests
#include <rte_mbuf.h>

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "dpdk_test_env.h"
#include "tachyon/nic/dpdk_mempool.h"
#include "tachyon/nic/dpdk_port.h"
#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::nic {
namespace {

using test::dpdk_fixture;
using test::hotplug_vdev;
using test::TempFile;

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new test::DpdkEnvironment);

std::vector<uint8_t> frame_with(uint16_t dst_port, const std::vector<uint8_t>& payload) {
  UdpFlow flow;
  flow.dst_port = dst_port;
  UdpFrameBuilder b(flow);
  std::vector<uint8_t> f(b.frame_size(payload.size()));
  b.build(f, payload, 1);
  return f;
}

TEST(DpdkEal, StartsWithEveryVdevOfTheArguments) {
  const auto& eal = *dpdk_fixture()->eal;
  EXPECT_TRUE(DpdkEal::active());
  EXPECT_EQ(eal.vdev_args(), 3u);
  ASSERT_GE(eal.port_count(), 3u);
  std::vector<std::string> names;
  uint16_t p;
  RTE_ETH_FOREACH_DEV(p) {
    char n[RTE_ETH_NAME_MAX_LEN] = {};
    rte_eth_dev_get_name_by_port(p, n);
    names.emplace_back(n);
  }
  EXPECT_EQ(names[0], "net_pcap0");
  EXPECT_EQ(names[1], "net_ring0");
  EXPECT_EQ(names[2], "net_null0");
  EXPECT_GE(eal.main_socket(), 0);
}

TEST(DpdkEal, SecondInitInTheSameProcessIsRefusedWithAReason) {
  try {
    DpdkEal again(test::base_eal_args());
    FAIL() << "a second EAL started";
  } catch (const NicStartupError& e) {
    EXPECT_NE(std::string(e.what()).find("already initialised in this process"), std::string::npos) << e.what();
    EXPECT_EQ(e.exit_code(), 2);
  }
  EXPECT_TRUE(DpdkEal::active());  // the running one is untouched
}

TEST(DpdkPort, PcapVdevDeliversTheCaptureInOrderWithTimestamps) {
  const auto& fx = *dpdk_fixture();
  DpdkMempools pools(2047);
  DpdkPortOptions o;
  o.port_id = 0;
  o.expected_rx_packets = fx.info.packets;
  DpdkPort port(fx.eal, pools, o);
  EXPECT_EQ(port.driver_name(), "net_pcap");
  EXPECT_TRUE(port.rx_timestamps());
  EXPECT_FALSE(port.rss());

  PcapReader ref(fx.capture.path());
  std::array<RxPacket, kBurstSize> burst;
  uint64_t n = 0, bursts = 0;
  while (!port.at_end()) {
    const std::size_t k = port.rx_burst(0, burst);
    if (k == 0) continue;
    ++bursts;
    for (std::size_t i = 0; i < k; ++i) {
      CapturedPacket c;
      ASSERT_EQ(ref.next(c), ReadStatus::kPacket) << "vdev delivered more packets than the file holds";
      ASSERT_EQ(burst[i].length, c.captured_length()) << "packet " << n;
      ASSERT_EQ(std::memcmp(burst[i].data, c.data.data(), c.data.size()), 0) << "packet " << n;
      // net_pcap reads at microsecond precision: the capture time truncated to us.
      ASSERT_EQ(burst[i].timestamp_ns, c.timestamp_ns / 1000 * 1000) << "packet " << n;
      ASSERT_NE(burst[i].rx_tsc, 0u);
      ++n;
    }
    port.release(0, std::span<const RxPacket>(burst.data(), k));
  }
  CapturedPacket c;
  EXPECT_EQ(ref.next(c), ReadStatus::kEnd);
  EXPECT_EQ(n, fx.info.packets);
  EXPECT_GT(bursts, n / kBurstSize - 1);
  const PortStats st = port.stats();
  EXPECT_EQ(st.rx_packets, fx.info.packets);
  EXPECT_EQ(st.rx_missed + st.rx_errors + st.rx_nombuf, 0u);
  // Every mbuf came back: nothing leaked from the pool.
  EXPECT_EQ(port.pool().available(), port.pool().size());
  const std::string d = port.describe();
  EXPECT_NE(d.find("driver net_pcap"), std::string::npos) << d;
  EXPECT_NE(d.find("mbuf pool 'tachyon_mbuf_s"), std::string::npos) << d;
}

TEST(DpdkPort, PcapVdevWritesEveryTxFrameToItsFile) {
  const auto& fx = *dpdk_fixture();
  TempFile out("dpdk-tx.pcap");
  const uint16_t pid = hotplug_vdev("net_pcap_tx1", "rx_pcap=" + fx.capture.path() + ",tx_pcap=" + out.path());
  std::vector<std::vector<uint8_t>> frames;
  for (int i = 0; i < 100; ++i) frames.push_back(frame_with(30000 + i, std::vector<uint8_t>(10 + i, uint8_t(i))));
  {
    DpdkMempools pools(1023);
    DpdkPortOptions o;
    o.port_id = pid;
    DpdkPort port(fx.eal, pools, o);
    std::vector<TxPacket> tx;
    for (const auto& f : frames) tx.push_back(TxPacket{f.data(), static_cast<uint32_t>(f.size()), 0});
    EXPECT_EQ(port.tx_burst(0, tx), frames.size());
    EXPECT_EQ(port.stats().tx_packets, frames.size());
    EXPECT_EQ(port.stats().tx_dropped, 0u);
  }  // closing the port flushes the file
  PcapReader r(out.path());
  CapturedPacket c;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    ASSERT_EQ(r.next(c), ReadStatus::kPacket) << i;
    ASSERT_EQ(std::vector<uint8_t>(c.data.begin(), c.data.end()), frames[i]) << i;
  }
  EXPECT_EQ(r.next(c), ReadStatus::kEnd);
}

TEST(DpdkPort, RingVdevLoopsFramesBackOnEachQueue) {
  const auto& fx = *dpdk_fixture();
  const uint16_t pid = hotplug_vdev("net_ring_loop1", "");
  DpdkMempools pools(1023);
  DpdkPortOptions o;
  o.port_id = pid;
  o.rx_queues = 2;
  o.tx_queues = 2;
  DpdkPort port(fx.eal, pools, o);
  EXPECT_EQ(port.driver_name(), "net_ring");
  EXPECT_NE(port.describe().find("RSS not offered by net_ring"), std::string::npos) << port.describe();
  for (uint16_t q = 0; q < 2; ++q) {
    std::vector<std::vector<uint8_t>> frames;
    std::vector<TxPacket> tx;
    for (int i = 0; i < 40; ++i) frames.push_back(frame_with(1000 * (q + 1) + i, {uint8_t(q), uint8_t(i)}));
    for (const auto& f : frames) tx.push_back(TxPacket{f.data(), static_cast<uint32_t>(f.size()), 0});
    ASSERT_EQ(port.tx_burst(q, tx), 40u);
    std::array<RxPacket, kBurstSize> burst;
    std::size_t got = 0;
    while (got < frames.size()) {
      const std::size_t k = port.rx_burst(q, burst);
      ASSERT_GT(k, 0u) << "queue " << q << " lost frames after " << got;
      for (std::size_t i = 0; i < k; ++i, ++got) {
        EXPECT_EQ(burst[i].queue, q);
        UdpFrame f;
        ASSERT_EQ(decode_udp_frame(std::span<const uint8_t>(burst[i].data, burst[i].length), f), FrameError::kOk);
        EXPECT_EQ(f.dst_port, 1000 * (q + 1) + got);
      }
      port.release(q, std::span<const RxPacket>(burst.data(), k));
    }
    // The other queue saw nothing.
    std::array<RxPacket, kBurstSize> none;
    EXPECT_EQ(port.rx_burst(static_cast<uint16_t>(1 - q), none), 0u);
  }
  EXPECT_EQ(port.pool().available(), port.pool().size());
}

TEST(DpdkPort, NullVdevWithTwoQueuesUsesRss) {
  const auto& fx = *dpdk_fixture();
  const uint16_t pid = hotplug_vdev("net_null_rss1", "");
  DpdkMempools pools(2047);
  DpdkPortOptions o;
  o.port_id = pid;
  o.rx_queues = 2;
  DpdkPort port(fx.eal, pools, o);
  EXPECT_TRUE(port.rss());
  EXPECT_NE(port.describe().find("RSS on"), std::string::npos);
  const LinkStatus l = port.link();
  EXPECT_TRUE(l.up);
  std::array<RxPacket, kBurstSize> burst;
  const std::size_t k = port.rx_burst(1, burst);  // net_null makes packets up
  EXPECT_EQ(k, kBurstSize);
  port.release(1, std::span<const RxPacket>(burst.data(), k));
  const std::vector<XStat> xs = port.xstats();
  bool found = false;
  for (const XStat& x : xs)
    if (x.name == "rx_good_packets") {
      found = true;
      EXPECT_EQ(x.value, kBurstSize);
    }
  EXPECT_TRUE(found) << "xstats carry rx_good_packets";
}

TEST(DpdkPort, TooManyQueuesIsRefusedNamingTheDevice) {
  const auto& fx = *dpdk_fixture();
  const uint16_t pid = hotplug_vdev("net_pcap_q2", "rx_pcap=" + fx.capture.path());
  DpdkMempools pools(1023);
  DpdkPortOptions o;
  o.port_id = pid;
  o.rx_queues = 2;
  try {
    DpdkPort port(fx.eal, pools, o);
    FAIL() << "two rx queues on a one-file net_pcap vdev";
  } catch (const NicStartupError& e) {
    EXPECT_EQ(std::string(e.what()), "port " + std::to_string(pid) +
                                         " (net_pcap_q2, driver net_pcap): 2 rx queues requested, the device "
                                         "offers 1..1");
  }
}

TEST(DpdkPort, UnknownPortIdListsThePortsThatExist) {
  const auto& fx = *dpdk_fixture();
  DpdkMempools pools(1023);
  DpdkPortOptions o;
  o.port_id = 77;
  try {
    DpdkPort port(fx.eal, pools, o);
    FAIL();
  } catch (const NicStartupError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("port 77: no such DPDK port"), std::string::npos) << m;
    EXPECT_NE(m.find(" net_ring0"), std::string::npos) << m;  // a port no test closes
  }
}

TEST(DpdkMempool, ImpossiblePoolNamesItsSizesAndDpdksReason) {
  try {
    DpdkMempool p("tachyon_too_big", 1u << 30, 0);
    FAIL();
  } catch (const NicStartupError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("rte_pktmbuf_pool_create(name=tachyon_too_big, n=1073741824"), std::string::npos) << m;
    EXPECT_NE(m.find("rte_errno"), std::string::npos) << m;
  }
}

}  // namespace
}  // namespace tachyon::nic

#endif  // TACHYON_HAVE_DPDK
