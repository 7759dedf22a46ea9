// Tests of the outbound frame builder: golden bytes, multicast MAC derivation,
// padding, limits and flow validation.
#include "tachyon/nic/udp_frame_builder.h"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "golden_frames.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::nic {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes bytes_of(const std::string& s) { return Bytes(s.begin(), s.end()); }

UdpFlow golden_multicast_flow() {
  UdpFlow flow;
  flow.src_mac = MacAddress{{0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x10}};
  flow.dst_mac = MacAddress{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};  // ignored: multicast
  flow.src_ip = Ipv4Address(10, 1, 2, 3);
  flow.dst_ip = Ipv4Address(233, 54, 12, 1);
  flow.src_port = 40000;
  flow.dst_port = 26400;
  flow.ttl = 1;
  return flow;
}

TEST(UdpFrameBuilder, BuildsGoldenMulticastFrame) {
  const UdpFrameBuilder b(golden_multicast_flow());
  EXPECT_EQ(b.header_size(), 42u);
  Bytes out(100, 0xAA);
  const std::size_t n = b.build(out, bytes_of("ABCDEFGH"), 0x1c46);
  ASSERT_EQ(n, test::kGoldenMulticastFrame.size());
  out.resize(n);
  EXPECT_EQ(out, test::kGoldenMulticastFrame);
}

TEST(UdpFrameBuilder, BuildsGoldenVlanFrame) {
  UdpFlow flow;
  flow.src_mac = MacAddress{{0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x10}};
  flow.dst_mac = MacAddress{{0x00, 0x11, 0x22, 0x33, 0x44, 0x55}};
  flow.src_ip = Ipv4Address(192, 168, 1, 10);
  flow.dst_ip = Ipv4Address(192, 168, 1, 20);
  flow.src_port = 12345;
  flow.dst_port = 23456;
  flow.ttl = 64;
  flow.dscp = 46;
  flow.dont_fragment = true;
  flow.vlan_tagged = true;
  flow.vlan_id = 100;
  flow.vlan_pcp = 5;
  const UdpFrameBuilder b(flow);
  EXPECT_EQ(b.header_size(), 46u);
  Bytes out(b.frame_size(3));
  ASSERT_EQ(b.build(out, bytes_of("XYZ"), 7), test::kGoldenVlanFrame.size());
  EXPECT_EQ(out, test::kGoldenVlanFrame);
}

TEST(UdpFrameBuilder, MulticastDestinationGetsGroupMac) {
  // RFC 1112: only the low 23 bits of the group reach the MAC (239.129.1.2 and
  // 239.1.1.2 share 01:00:5e:01:01:02).
  UdpFlow flow;
  flow.dst_ip = Ipv4Address(239, 129, 1, 2);
  EXPECT_EQ(flow.effective_dst_mac(), (MacAddress{{0x01, 0x00, 0x5e, 0x01, 0x01, 0x02}}));
  flow.dst_ip = Ipv4Address(224, 0, 0, 251);
  EXPECT_EQ(to_string(flow.effective_dst_mac()), "01:00:5e:00:00:fb");
  flow.dst_ip = Ipv4Address(10, 0, 0, 2);
  EXPECT_EQ(flow.effective_dst_mac(), flow.dst_mac);
}

TEST(UdpFrameBuilder, PadsToEthernetMinimumWhenAsked) {
  UdpFlow flow = golden_multicast_flow();
  flow.pad_to_ethernet_minimum = true;
  const UdpFrameBuilder b(flow);
  Bytes out(100, 0xAA);
  ASSERT_EQ(b.build(out, bytes_of("ABCDEFGH"), 0x1c46), 60u);
  // Headers and payload are the golden ones; the 10 bytes after them are zero.
  EXPECT_TRUE(std::equal(test::kGoldenMulticastFrame.begin(), test::kGoldenMulticastFrame.end(),
                         out.begin()));
  for (std::size_t i = 50; i < 60; ++i) EXPECT_EQ(out[i], 0) << i;
  EXPECT_EQ(out[60], 0xAA);
  UdpFrame f;
  ASSERT_EQ(decode_udp_frame(std::span<const uint8_t>(out.data(), 60), f), FrameError::kOk);
  EXPECT_EQ(f.payload.size(), 8u);
  // A long payload is never padded.
  EXPECT_EQ(b.frame_size(100), 142u);
}

TEST(UdpFrameBuilder, ZeroChecksumWhenDisabled) {
  UdpFlow flow = golden_multicast_flow();
  flow.udp_checksum = false;
  Bytes out(50);
  ASSERT_EQ(UdpFrameBuilder(flow).build(out, bytes_of("ABCDEFGH"), 0x1c46), 50u);
  EXPECT_EQ(out[40], 0);
  EXPECT_EQ(out[41], 0);
  EXPECT_EQ(out[24], 0x9c);  // the IPv4 checksum is still there
  EXPECT_EQ(out[25], 0x48);
}

TEST(UdpFrameBuilder, LargestPayloadFitsAndOneMoreDoesNot) {
  const UdpFrameBuilder b(golden_multicast_flow());
  Bytes payload(kMaxUdpPayload, 0x5A);
  Bytes out(kMaxUdpFrameSize);
  ASSERT_EQ(b.build(out, payload, 1), 14u + 65535u);
  UdpFrame f;
  ASSERT_EQ(decode_udp_frame(std::span<const uint8_t>(out.data(), 14 + 65535), f), FrameError::kOk);
  EXPECT_EQ(f.payload.size(), kMaxUdpPayload);
  payload.push_back(0);
  EXPECT_EQ(b.build(out, payload, 1), 0u);
}

TEST(UdpFrameBuilder, ShortOutputBufferIsLeftUntouched) {
  const UdpFrameBuilder b(golden_multicast_flow());
  Bytes out(49, 0xAA);
  EXPECT_EQ(b.build(out, bytes_of("ABCDEFGH"), 0), 0u);
  EXPECT_EQ(out, Bytes(49, 0xAA));
}

TEST(UdpFrameBuilder, RejectsInvalidFlows) {
  auto message = [](UdpFlow flow) {
    try {
      UdpFrameBuilder b(flow);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  UdpFlow f;
  EXPECT_EQ(f.validate(), "");
  f.src_ip = Ipv4Address(239, 1, 1, 1);
  EXPECT_NE(message(f).find("src_ip 239.1.1.1"), std::string::npos) << message(f);
  f = UdpFlow{};
  f.src_mac = MacAddress{{0x01, 0, 0, 0, 0, 1}};
  EXPECT_NE(message(f).find("src_mac 01:00:00:00:00:01"), std::string::npos) << message(f);
  f = UdpFlow{};
  f.dst_port = 0;
  EXPECT_NE(message(f).find("dst_port 0"), std::string::npos);
  f = UdpFlow{};
  f.dst_ip = Ipv4Address{};
  EXPECT_NE(message(f).find("dst_ip 0.0.0.0"), std::string::npos);
  f = UdpFlow{};
  f.ttl = 0;
  EXPECT_NE(message(f).find("ttl 0"), std::string::npos);
  f = UdpFlow{};
  f.dscp = 64;
  EXPECT_NE(message(f).find("dscp 64"), std::string::npos);
  f = UdpFlow{};
  f.vlan_tagged = true;
  f.vlan_id = 4095;
  EXPECT_NE(message(f).find("vlan_id 4095"), std::string::npos);
  f.vlan_id = 4094;
  f.vlan_pcp = 8;
  EXPECT_NE(message(f).find("vlan_pcp 8"), std::string::npos);
}

}  // namespace
}  // namespace tachyon::nic
