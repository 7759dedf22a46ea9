// Tests of the Ethernet/VLAN/IPv4/UDP frame decoder against golden frames and crafted
// bad frames (one per FrameError), plus a property test over built frames.
#include "tachyon/nic/udp_frame.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "golden_frames.h"
#include "tachyon/nic/inet_checksum.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::nic {
namespace {

using test::kGoldenMulticastFrame;
using test::kGoldenMulticastIpOffset;
using test::kGoldenVlanFrame;

using Bytes = std::vector<uint8_t>;

FrameError decode(const Bytes& b, UdpFrame& f) { return decode_udp_frame(b, f); }
FrameError decode(const Bytes& b) {
  UdpFrame f;
  return decode_udp_frame(b, f);
}

// Inserts VLAN tags (TPID, TCI pairs, outermost first) after the two MAC addresses.
Bytes with_tags(Bytes frame, const std::vector<std::pair<uint16_t, uint16_t>>& tags) {
  Bytes tag_bytes;
  for (auto [tpid, tci] : tags) {
    tag_bytes.insert(tag_bytes.end(), {static_cast<uint8_t>(tpid >> 8), static_cast<uint8_t>(tpid),
                                       static_cast<uint8_t>(tci >> 8), static_cast<uint8_t>(tci)});
  }
  frame.insert(frame.begin() + 12, tag_bytes.begin(), tag_bytes.end());
  return frame;
}

// Sets the byte at kGoldenMulticastIpOffset + ip_offset of a copy of the golden frame.
Bytes golden_with_ip_byte(std::size_t ip_offset, uint8_t value) {
  Bytes b = kGoldenMulticastFrame;
  b[kGoldenMulticastIpOffset + ip_offset] = value;
  return b;
}

TEST(UdpFrame, DecodesGoldenMulticastFrame) {
  UdpFrame f;
  ASSERT_EQ(decode(kGoldenMulticastFrame, f), FrameError::kOk);
  EXPECT_EQ(f.src_ip, Ipv4Address(10, 1, 2, 3));
  EXPECT_EQ(f.dst_ip, Ipv4Address(233, 54, 12, 1));
  EXPECT_EQ(f.src_port, 40000);
  EXPECT_EQ(f.dst_port, 26400);
  EXPECT_EQ(f.ip_id, 0x1c46);
  EXPECT_EQ(f.ttl, 1);
  EXPECT_EQ(f.vlan_tags, 0);
  EXPECT_EQ(f.vlan_id, 0);
  EXPECT_EQ(std::string(f.payload.begin(), f.payload.end()), "ABCDEFGH");
  EXPECT_EQ(f.payload.data(), kGoldenMulticastFrame.data() + 42);
  EXPECT_EQ(f.ip_header.size(), 20u);
  EXPECT_EQ(f.udp_segment.size(), 16u);
  // The golden checksums verify: summing a correct header (checksum included) gives 0.
  EXPECT_EQ(ipv4_header_checksum(f.ip_header), 0);
  EXPECT_EQ(udp_ipv4_checksum(f.src_ip, f.dst_ip, f.udp_segment), 0);
}

TEST(UdpFrame, DecodesGoldenVlanFrameWithOddPayload) {
  UdpFrame f;
  ASSERT_EQ(decode(kGoldenVlanFrame, f), FrameError::kOk);
  EXPECT_EQ(f.vlan_tags, 1);
  EXPECT_EQ(f.vlan_id, 100);
  EXPECT_EQ(f.outer_vlan_id, 0);
  EXPECT_EQ(f.src_ip, Ipv4Address(192, 168, 1, 10));
  EXPECT_EQ(f.dst_ip, Ipv4Address(192, 168, 1, 20));
  EXPECT_EQ(f.src_port, 12345);
  EXPECT_EQ(f.dst_port, 23456);
  EXPECT_EQ(f.ip_id, 7);
  EXPECT_EQ(f.ttl, 64);
  EXPECT_EQ(std::string(f.payload.begin(), f.payload.end()), "XYZ");
  EXPECT_EQ(ipv4_header_checksum(f.ip_header), 0);
  EXPECT_EQ(udp_ipv4_checksum(f.src_ip, f.dst_ip, f.udp_segment), 0);
}

TEST(UdpFrame, DecodesStackedVlanTags) {
  const std::vector<std::pair<uint16_t, uint16_t>> kOuterTpids = {
      {kTpidServiceVlan, 0}, {kTpidLegacyQinQ, 0}, {kTpidCustomerVlan, 0}};
  for (auto [outer_tpid, unused] : kOuterTpids) {
    // S-tag VID 300 with PCP 3 and DEI set; C-tag VID 4094 with PCP 7.
    const Bytes b = with_tags(kGoldenMulticastFrame,
                              {{outer_tpid, (3 << 13) | (1 << 12) | 300}, {kTpidCustomerVlan, 0xE000 | 4094}});
    UdpFrame f;
    ASSERT_EQ(decode(b, f), FrameError::kOk) << std::hex << outer_tpid;
    EXPECT_EQ(f.vlan_tags, 2);
    EXPECT_EQ(f.outer_vlan_id, 300);
    EXPECT_EQ(f.vlan_id, 4094);
    EXPECT_EQ(f.dst_port, 26400);
    EXPECT_EQ(std::string(f.payload.begin(), f.payload.end()), "ABCDEFGH");
  }
}

TEST(UdpFrame, PriorityTaggedFrameHasVlanZero) {
  const Bytes b = with_tags(kGoldenMulticastFrame, {{kTpidCustomerVlan, 6 << 13}});
  UdpFrame f;
  ASSERT_EQ(decode(b, f), FrameError::kOk);
  EXPECT_EQ(f.vlan_tags, 1);
  EXPECT_EQ(f.vlan_id, 0);
}

TEST(UdpFrame, IgnoresEthernetPaddingAfterTotalLength) {
  Bytes b = kGoldenMulticastFrame;
  b.resize(60, 0);  // padded to the wire minimum
  b.resize(64, 0xEE);  // and junk, as a capture with FCS would have
  UdpFrame f;
  ASSERT_EQ(decode(b, f), FrameError::kOk);
  EXPECT_EQ(std::string(f.payload.begin(), f.payload.end()), "ABCDEFGH");
}

TEST(UdpFrame, SkipsIpOptions) {
  // IHL 6: one 4-byte option word (four NOPs) inserted after the 20-byte header; total
  // length grows by 4. Header checksum is not verified by the decoder.
  Bytes b = kGoldenMulticastFrame;
  b.insert(b.begin() + kGoldenMulticastIpOffset + 20, {0x01, 0x01, 0x01, 0x01});
  b[kGoldenMulticastIpOffset] = 0x46;
  b[kGoldenMulticastIpOffset + 3] = 0x28;
  UdpFrame f;
  ASSERT_EQ(decode(b, f), FrameError::kOk);
  EXPECT_EQ(f.ip_header.size(), 24u);
  EXPECT_EQ(f.src_port, 40000);
  EXPECT_EQ(std::string(f.payload.begin(), f.payload.end()), "ABCDEFGH");
}

TEST(UdpFrame, UdpLengthShorterThanIpPayloadEndsPayloadThere) {
  Bytes b = kGoldenMulticastFrame;
  b[kGoldenMulticastIpOffset + 20 + 5] = 12;  // UDP length 12: 4 payload bytes
  UdpFrame f;
  ASSERT_EQ(decode(b, f), FrameError::kOk);
  EXPECT_EQ(std::string(f.payload.begin(), f.payload.end()), "ABCD");
}

TEST(UdpFrame, DecodeIpv4UdpStartsAtTheIpHeader) {
  const Bytes ip(kGoldenMulticastFrame.begin() + kGoldenMulticastIpOffset, kGoldenMulticastFrame.end());
  UdpFrame f;
  ASSERT_EQ(decode_ipv4_udp(ip, f), FrameError::kOk);
  EXPECT_EQ(f.dst_port, 26400);
  EXPECT_EQ(f.payload.size(), 8u);
  EXPECT_EQ(decode_ipv4_udp(std::span<const uint8_t>(ip.data(), 19), f), FrameError::kTruncatedIpHeader);
}

// --- one crafted frame per error --------------------------------------------------

TEST(UdpFrameErrors, TruncatedEthernet) {
  EXPECT_EQ(decode(Bytes{}), FrameError::kTruncatedEthernet);
  EXPECT_EQ(decode(Bytes(kGoldenMulticastFrame.begin(), kGoldenMulticastFrame.begin() + 13)),
            FrameError::kTruncatedEthernet);
}

TEST(UdpFrameErrors, TruncatedVlanTag) {
  // MACs + TPID 0x8100 + TCI, but no inner EtherType.
  Bytes b(kGoldenMulticastFrame.begin(), kGoldenMulticastFrame.begin() + 12);
  b.insert(b.end(), {0x81, 0x00, 0x00, 0x64});
  EXPECT_EQ(decode(b), FrameError::kTruncatedVlanTag);
  b.resize(15);  // TPID and half a TCI
  EXPECT_EQ(decode(b), FrameError::kTruncatedVlanTag);
  // Second tag cut short.
  Bytes two = with_tags(kGoldenMulticastFrame, {{kTpidServiceVlan, 1}, {kTpidCustomerVlan, 2}});
  two.resize(12 + 4 + 3);
  EXPECT_EQ(decode(two), FrameError::kTruncatedVlanTag);
}

TEST(UdpFrameErrors, TooManyVlanTags) {
  const Bytes b = with_tags(kGoldenMulticastFrame,
                            {{kTpidServiceVlan, 1}, {kTpidCustomerVlan, 2}, {kTpidCustomerVlan, 3}});
  EXPECT_EQ(decode(b), FrameError::kTooManyVlanTags);
}

TEST(UdpFrameErrors, NotIpv4) {
  // ARP request (RFC 826): who-has 10.1.2.4 tell 10.1.2.3, broadcast.
  const Bytes arp = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x10,
                     0x08, 0x06,
                     0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
                     0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x10, 0x0a, 0x01, 0x02, 0x03,
                     0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x01, 0x02, 0x04};
  EXPECT_EQ(decode(arp), FrameError::kNotIpv4);
  // IPv6 (EtherType 0x86dd) with a version-6 header start.
  Bytes v6 = kGoldenMulticastFrame;
  v6[12] = 0x86;
  v6[13] = 0xdd;
  v6[14] = 0x60;
  EXPECT_EQ(decode(v6), FrameError::kNotIpv4);
  // IPv6 behind a VLAN tag.
  EXPECT_EQ(decode(with_tags(v6, {{kTpidCustomerVlan, 5}})), FrameError::kNotIpv4);
}

TEST(UdpFrameErrors, TruncatedIpHeader) {
  EXPECT_EQ(decode(Bytes(kGoldenMulticastFrame.begin(), kGoldenMulticastFrame.begin() + 14)),
            FrameError::kTruncatedIpHeader);
  EXPECT_EQ(decode(Bytes(kGoldenMulticastFrame.begin(), kGoldenMulticastFrame.begin() + 14 + 19)),
            FrameError::kTruncatedIpHeader);
  // IHL 15 (60 bytes) but only 50 bytes after the Ethernet header.
  EXPECT_EQ(decode(golden_with_ip_byte(0, 0x4F)), FrameError::kTruncatedIpHeader);
}

TEST(UdpFrameErrors, BadIpVersion) {
  EXPECT_EQ(decode(golden_with_ip_byte(0, 0x65)), FrameError::kBadIpVersion);
  EXPECT_EQ(decode(golden_with_ip_byte(0, 0x05)), FrameError::kBadIpVersion);
}

TEST(UdpFrameErrors, BadIhl) {
  EXPECT_EQ(decode(golden_with_ip_byte(0, 0x44)), FrameError::kBadIhl);
  EXPECT_EQ(decode(golden_with_ip_byte(0, 0x40)), FrameError::kBadIhl);
}

TEST(UdpFrameErrors, IpTotalLengthTooSmall) {
  EXPECT_EQ(decode(golden_with_ip_byte(3, 19)), FrameError::kIpTotalLengthTooSmall);
  EXPECT_EQ(decode(golden_with_ip_byte(3, 0)), FrameError::kIpTotalLengthTooSmall);
}

TEST(UdpFrameErrors, TruncatedIpPacket) {
  // A snap length one byte short of the frame.
  const Bytes cut(kGoldenMulticastFrame.begin(), kGoldenMulticastFrame.end() - 1);
  EXPECT_EQ(decode(cut), FrameError::kTruncatedIpPacket);
  EXPECT_EQ(decode(golden_with_ip_byte(3, 37)), FrameError::kTruncatedIpPacket);
}

TEST(UdpFrameErrors, Fragment) {
  EXPECT_EQ(decode(golden_with_ip_byte(6, 0x20)), FrameError::kFragment);  // MF, offset 0
  Bytes later = golden_with_ip_byte(7, 0xb9);                               // offset 185*8
  EXPECT_EQ(decode(later), FrameError::kFragment);
  EXPECT_EQ(decode(golden_with_ip_byte(6, 0x10)), FrameError::kFragment);  // offset 4096*8
  // DF alone is not a fragment, nor is the reserved bit.
  EXPECT_EQ(decode(golden_with_ip_byte(6, 0x40)), FrameError::kOk);
  EXPECT_EQ(decode(golden_with_ip_byte(6, 0x80)), FrameError::kOk);
}

TEST(UdpFrameErrors, NotUdp) {
  EXPECT_EQ(decode(golden_with_ip_byte(9, kIpProtocolTcp)), FrameError::kNotUdp);
  EXPECT_EQ(decode(golden_with_ip_byte(9, 1)), FrameError::kNotUdp);  // ICMP
}

TEST(UdpFrameErrors, TruncatedUdpHeader) {
  // Total length 27: only 7 bytes of IP payload, though the frame has more.
  EXPECT_EQ(decode(golden_with_ip_byte(3, 27)), FrameError::kTruncatedUdpHeader);
  EXPECT_EQ(decode(golden_with_ip_byte(3, 20)), FrameError::kTruncatedUdpHeader);
}

TEST(UdpFrameErrors, BadUdpLength) {
  Bytes b = kGoldenMulticastFrame;
  const std::size_t udp_len = kGoldenMulticastIpOffset + 20 + 5;
  b[udp_len] = 7;  // below the header size
  EXPECT_EQ(decode(b), FrameError::kBadUdpLength);
  b[udp_len] = 17;  // one beyond the IP payload
  EXPECT_EQ(decode(b), FrameError::kBadUdpLength);
}

TEST(UdpFrameErrors, EveryErrorHasAName) {
  for (int e = 0; e <= static_cast<int>(FrameError::kBadUdpLength); ++e) {
    EXPECT_STRNE(to_string(static_cast<FrameError>(e)), "Unknown") << e;
  }
  EXPECT_STREQ(to_string(FrameError::kTruncatedIpPacket), "TruncatedIpPacket");
}

// --- properties ---------------------------------------------------------------------

RC_GTEST_PROP(UdpFrameProperty, BuiltFramesDecodeToTheirFlow, ()) {
  UdpFlow flow;
  flow.src_ip = Ipv4Address(*rc::gen::inRange<uint32_t>(0x01000000, 0xE0000000));
  flow.dst_ip = Ipv4Address(*rc::gen::inRange<uint32_t>(1, 0xFFFFFFFF));
  flow.src_port = *rc::gen::arbitrary<uint16_t>();
  flow.dst_port = *rc::gen::inRange<uint16_t>(1, 65535);
  flow.vlan_tagged = *rc::gen::arbitrary<bool>();
  flow.vlan_id = *rc::gen::inRange<uint16_t>(0, 4095);
  flow.pad_to_ethernet_minimum = *rc::gen::arbitrary<bool>();
  const auto payload = *rc::gen::container<Bytes>(*rc::gen::inRange<std::size_t>(0, 1600),
                                                  rc::gen::arbitrary<uint8_t>());
  const auto ip_id = *rc::gen::arbitrary<uint16_t>();
  const UdpFrameBuilder builder(flow);
  Bytes frame(builder.frame_size(payload.size()));
  RC_ASSERT(builder.build(frame, payload, ip_id) == frame.size());
  UdpFrame f;
  RC_ASSERT(decode_udp_frame(frame, f) == FrameError::kOk);
  RC_ASSERT(f.src_ip == flow.src_ip);
  RC_ASSERT(f.dst_ip == flow.dst_ip);
  RC_ASSERT(f.src_port == flow.src_port);
  RC_ASSERT(f.dst_port == flow.dst_port);
  RC_ASSERT(f.ip_id == ip_id);
  RC_ASSERT(f.vlan_tags == (flow.vlan_tagged ? 1 : 0));
  RC_ASSERT(f.vlan_id == (flow.vlan_tagged ? flow.vlan_id : 0));
  RC_ASSERT(Bytes(f.payload.begin(), f.payload.end()) == payload);
  RC_ASSERT(ipv4_header_checksum(f.ip_header) == 0);
  RC_ASSERT(udp_ipv4_checksum(f.src_ip, f.dst_ip, f.udp_segment) == 0);
}

RC_GTEST_PROP(UdpFrameProperty, AnyTruncationIsAnErrorNeverARead, ()) {
  // Every strict prefix of a valid frame fails to decode (the payload would be cut);
  // run under ASan this also shows no read past the prefix.
  const Bytes& base = *rc::gen::element(kGoldenMulticastFrame, kGoldenVlanFrame);
  const auto cut = *rc::gen::inRange<std::size_t>(0, base.size());
  const Bytes prefix(base.begin(), base.begin() + static_cast<std::ptrdiff_t>(cut));
  UdpFrame f;
  RC_ASSERT(decode_udp_frame(prefix, f) != FrameError::kOk);
}

}  // namespace
}  // namespace tachyon::nic
