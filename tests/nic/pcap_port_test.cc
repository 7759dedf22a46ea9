// PcapPort: the libpcap file backend behind the burst interface delivers exactly what
// PcapReader reads (bytes, order, ns timestamps), frames raw-IPv4 captures as
// Ethernet, writes tx frames as capture records, counts refused frames, and is usable
// through NicPort (one indirect call per burst).
#include <pcap/pcap.h>

#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <vector>

#include "capture_test_files.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/nic_port.h"
#include "tachyon/nic/pcap_port.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::nic {
namespace {

using test::TempFile;

TEST(PcapPort, DeliversWhatTheReaderReadsThroughNicPort) {
  TempFile cap("port-feed.pcap");
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kFeed;
  cfg.messages = 5000;
  const bench::CaptureInfo info = bench::generate_capture(cfg, cap.path());
  NicPort port(std::make_unique<PcapPort>(cap.path(), ""));
  EXPECT_EQ(port.rx_queues(), 1);
  EXPECT_NE(port.describe().find("pcap backend: rx '" + cap.path() + "' (pcap, EN10MB)"), std::string::npos)
      << port.describe();
  PcapReader ref(cap.path());
  std::array<RxPacket, kBurstSize> burst;
  uint64_t n = 0;
  while (!port.at_end()) {
    const std::size_t k = port.rx_burst(0, burst);
    for (std::size_t i = 0; i < k; ++i, ++n) {
      CapturedPacket c;
      ASSERT_EQ(ref.next(c), ReadStatus::kPacket);
      ASSERT_EQ(burst[i].length, c.captured_length());
      ASSERT_EQ(std::memcmp(burst[i].data, c.data.data(), c.data.size()), 0);
      ASSERT_EQ(burst[i].timestamp_ns, c.timestamp_ns);  // full ns precision
    }
    port.release(0, std::span<const RxPacket>(burst.data(), k));
  }
  EXPECT_EQ(n, info.packets);
  EXPECT_EQ(port.stats().rx_packets, info.packets);
  EXPECT_EQ(port.rx_burst(0, burst), 0u);
}

TEST(PcapPort, FramesRawIpv4CapturesAsEthernet) {
  TempFile cap("raw.pcap");
  UdpFlow flow;
  flow.dst_port = 4242;
  UdpFrameBuilder b(flow);
  std::vector<uint8_t> frame(b.frame_size(5));
  const std::vector<uint8_t> payload = {1, 2, 3, 4, 5};
  b.build(frame, payload, 9);
  {
    pcap_t* dead = pcap_open_dead(DLT_RAW, 65535);
    pcap_dumper_t* d = pcap_dump_open(dead, cap.path().c_str());
    pcap_pkthdr h{};
    h.caplen = h.len = static_cast<bpf_u_int32>(frame.size() - kEthernetHeaderSize);
    h.ts.tv_sec = 5;
    pcap_dump(reinterpret_cast<u_char*>(d), &h, frame.data() + kEthernetHeaderSize);
    pcap_dump_close(d);
    pcap_close(dead);
  }
  PcapPort port(cap.path(), "");
  std::array<RxPacket, kBurstSize> burst;
  ASSERT_EQ(port.rx_burst(0, burst), 1u);
  UdpFrame f;
  ASSERT_EQ(decode_udp_frame(std::span<const uint8_t>(burst[0].data, burst[0].length), f), FrameError::kOk);
  EXPECT_EQ(f.dst_port, 4242);
  EXPECT_EQ(std::vector<uint8_t>(f.payload.begin(), f.payload.end()), payload);
  EXPECT_EQ(burst[0].timestamp_ns, 5'000'000'000u);
  EXPECT_NE(port.describe().find("framed as Ethernet"), std::string::npos);
}

TEST(PcapPort, WritesTxFramesAndCountsWhatItRefuses) {
  TempFile out("port-out.pcap");
  std::vector<uint8_t> small(64, 0xAB), huge(300000, 0xCD);  // huge: beyond the snap length
  {
    PcapPort port("", out.path());
    const std::array<TxPacket, 3> tx = {TxPacket{small.data(), 64, 1000}, TxPacket{huge.data(), 300000, 2000},
                                        TxPacket{small.data(), 60, 3000}};
    EXPECT_EQ(port.tx_burst(0, tx), 2u);
    port.flush_tx(0);
    const PortStats s = port.stats();
    EXPECT_EQ(s.tx_packets, 2u);
    EXPECT_EQ(s.tx_dropped, 1u);
    EXPECT_EQ(s.tx_bytes, 124u);
    port.close_tx();
  }
  PcapReader r(out.path());
  CapturedPacket c;
  ASSERT_EQ(r.next(c), ReadStatus::kPacket);
  EXPECT_EQ(c.captured_length(), 64u);
  EXPECT_EQ(c.timestamp_ns, 1000u);
  ASSERT_EQ(r.next(c), ReadStatus::kPacket);
  EXPECT_EQ(c.captured_length(), 60u);
  EXPECT_EQ(r.next(c), ReadStatus::kEnd);
}

TEST(PcapPort, WithoutAnOutputFileTxIsCountedAsDropped) {
  TempFile cap("port-in.pcap");
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kFeed;
  cfg.messages = 100;
  bench::generate_capture(cfg, cap.path());
  PcapPort port(cap.path(), "");
  std::vector<uint8_t> f(60, 0);
  const TxPacket t{f.data(), 60, 0};
  EXPECT_EQ(port.tx_burst(0, std::span<const TxPacket>(&t, 1)), 0u);
  EXPECT_EQ(port.stats().tx_dropped, 1u);
}

TEST(PcapPort, UnreadableFileIsAStartupError) {
  try {
    PcapPort port("/nonexistent/in.pcap", "");
    FAIL();
  } catch (const NicStartupError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/in.pcap"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tachyon::nic
