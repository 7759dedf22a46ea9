// Tests of the Internet checksum helpers against published and hand-made examples.
#include "tachyon/nic/inet_checksum.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <vector>

namespace tachyon::nic {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(InetChecksum, Ipv4HeaderTextbookExample) {
  // The widely reproduced example header 4500 0073 0000 4000 4011 ____ c0a8 0001
  // c0a8 00c7 (192.168.0.1 -> 192.168.0.199, UDP, TTL 64, DF) has checksum 0xb861.
  Bytes h = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
             0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(ipv4_header_checksum(h), 0xb861);
  h[10] = 0xb8;
  h[11] = 0x61;
  EXPECT_EQ(ipv4_header_checksum(h), 0);
}

TEST(InetChecksum, Rfc1071NumericalExample) {
  // RFC 1071 section 3: the bytes 00 01 f2 03 f4 f5 f6 f7 sum (one's complement) to
  // 0xddf2, so the checksum is its complement 0x220d.
  const Bytes b = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
  EXPECT_EQ(checksum_finish(checksum_add(0, b)), 0x220d);
}

TEST(InetChecksum, OddLengthPadsWithZero) {
  const Bytes odd = {0x12, 0x34, 0x56};
  const Bytes even = {0x12, 0x34, 0x56, 0x00};
  EXPECT_EQ(checksum_finish(checksum_add(0, odd)), checksum_finish(checksum_add(0, even)));
  EXPECT_EQ(checksum_finish(checksum_add(0, odd)), static_cast<uint16_t>(~(0x1234 + 0x5600)));
}

TEST(InetChecksum, UdpOverIpv4ByHand) {
  // 10.0.0.1:1 -> 10.0.0.2:2, payload 0x0102. Pseudo-header words: 0a00 0001 0a00
  // 0002 0011 000a; UDP words: 0001 0002 000a 0000 0102; they sum to 0x152d.
  const Bytes seg = {0x00, 0x01, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x00, 0x01, 0x02};
  const uint32_t sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 0x0011 + 0x000a + 0x0001 + 0x0002 +
                       0x000a + 0x0000 + 0x0102;
  ASSERT_EQ(sum, 0x152du);
  EXPECT_EQ(udp_ipv4_checksum(Ipv4Address(10, 0, 0, 1), Ipv4Address(10, 0, 0, 2), seg),
            static_cast<uint16_t>(~sum));
}

// A plain byte-at-a-time reference of RFC 1071 to compare the helpers against.
uint16_t reference_checksum(const Bytes& b) {
  uint32_t sum = 0;
  for (std::size_t i = 0; i < b.size(); ++i) {
    sum += (i % 2 == 0) ? uint32_t{b[i]} << 8 : b[i];
    sum = (sum & 0xFFFF) + (sum >> 16);
  }
  return static_cast<uint16_t>(~sum);
}

RC_GTEST_PROP(InetChecksumProperty, MatchesByteAtATimeReference, (const Bytes& b)) {
  RC_ASSERT(checksum_finish(checksum_add(0, b)) == reference_checksum(b));
}

RC_GTEST_PROP(InetChecksumProperty, SplittingAtEvenOffsetsAddsUp, (const Bytes& b)) {
  const std::size_t cut = b.empty() ? 0 : *rc::gen::inRange<std::size_t>(0, b.size()) & ~std::size_t{1};
  const std::span<const uint8_t> all(b);
  RC_ASSERT(checksum_finish(checksum_add(checksum_add(0, all.first(cut)), all.subspan(cut))) ==
            checksum_finish(checksum_add(0, all)));
}

}  // namespace
}  // namespace tachyon::nic
