// Golden frames for tests/nic, written field by field from the Ethernet II (IEEE
// 802.3), 802.1Q, IPv4 (RFC 791) and UDP (RFC 768) header layouts. The checksums were
// computed independently of tachyon (a few lines of Python implementing RFC 1071 over
// the same bytes) and are cross-checked by tcpdump -vv in pcap_writer_test.
#pragma once

#include <cstdint>
#include <vector>

namespace tachyon::nic::test {

// 10.1.2.3:40000 -> 233.54.12.1:26400 (multicast), TTL 1, id 0x1c46, payload "ABCDEFGH".
inline const std::vector<uint8_t> kGoldenMulticastFrame = {
    // Ethernet: dst 01:00:5e:36:0c:01 (RFC 1112 MAC of 233.54.12.1), src, EtherType IPv4
    0x01, 0x00, 0x5e, 0x36, 0x0c, 0x01,
    0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x10,
    0x08, 0x00,
    // IPv4: version 4 IHL 5, TOS 0, total length 36, id 0x1c46, no flags/offset,
    // TTL 1, protocol 17, header checksum 0x9c48, src 10.1.2.3, dst 233.54.12.1
    0x45, 0x00, 0x00, 0x24,
    0x1c, 0x46, 0x00, 0x00,
    0x01, 0x11, 0x9c, 0x48,
    0x0a, 0x01, 0x02, 0x03,
    0xe9, 0x36, 0x0c, 0x01,
    // UDP: src port 40000, dst port 26400, length 16, checksum 0xea1c
    0x9c, 0x40, 0x67, 0x20,
    0x00, 0x10, 0xea, 0x1c,
    // payload
    'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H',
};
inline constexpr std::size_t kGoldenMulticastIpOffset = 14;

// 192.168.1.10:12345 -> 192.168.1.20:23456 in 802.1Q VLAN 100 with PCP 5, DSCP 46
// (EF), DF set, TTL 64, id 7, odd-length payload "XYZ".
inline const std::vector<uint8_t> kGoldenVlanFrame = {
    // Ethernet: dst 00:11:22:33:44:55, src 00:1b:21:3a:4f:10
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55,
    0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x10,
    // 802.1Q: TPID 0x8100, TCI = PCP 5 << 13 | VID 100 = 0xa064; then EtherType IPv4
    0x81, 0x00, 0xa0, 0x64,
    0x08, 0x00,
    // IPv4: 0x45, TOS 0xb8 (DSCP 46), total length 31, id 7, flags DF (0x4000),
    // TTL 64, protocol 17, checksum 0xb6a0, src 192.168.1.10, dst 192.168.1.20
    0x45, 0xb8, 0x00, 0x1f,
    0x00, 0x07, 0x40, 0x00,
    0x40, 0x11, 0xb6, 0xa0,
    0xc0, 0xa8, 0x01, 0x0a,
    0xc0, 0xa8, 0x01, 0x14,
    // UDP: src port 12345, dst port 23456, length 11, checksum 0x3e36
    0x30, 0x39, 0x5b, 0xa0,
    0x00, 0x0b, 0x3e, 0x36,
    'X', 'Y', 'Z',
};
inline constexpr std::size_t kGoldenVlanIpOffset = 18;

}  // namespace tachyon::nic::test
