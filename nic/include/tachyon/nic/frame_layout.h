// Wire layouts of Ethernet II, IEEE 802.1Q/802.1ad VLAN tags, IPv4 and UDP headers:
// sizes, offsets and field values shared by the frame decoder and the frame builder,
// plus the MAC and IPv4 address value types. Constants and plain values; thread-safe.
#pragma once

#include <array>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

namespace tachyon::nic {

// --- Ethernet II (IEEE 802.3 clause 3.2, without preamble and FCS) ------------------
inline constexpr std::size_t kEthernetHeaderSize = 14;  // dst MAC, src MAC, EtherType
inline constexpr std::size_t kEthernetDstOffset = 0;
inline constexpr std::size_t kEthernetSrcOffset = 6;
inline constexpr std::size_t kEthernetTypeOffset = 12;
// Shortest frame on the wire without the 4-byte FCS; shorter frames are padded.
inline constexpr std::size_t kEthernetMinFrameSize = 60;

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint16_t kEtherTypeArp = 0x0806;
inline constexpr uint16_t kEtherTypeIpv6 = 0x86DD;
// Tag protocol identifiers: C-tag (802.1Q), S-tag (802.1ad), and the pre-standard
// Q-in-Q S-tag still emitted by some switches.
inline constexpr uint16_t kTpidCustomerVlan = 0x8100;
inline constexpr uint16_t kTpidServiceVlan = 0x88A8;
inline constexpr uint16_t kTpidLegacyQinQ = 0x9100;

// --- 802.1Q tag: TPID (2), then TCI = PCP (3 bits) | DEI (1) | VID (12) -------------
inline constexpr std::size_t kVlanTagSize = 4;
inline constexpr uint16_t kVlanIdMask = 0x0FFF;
// At most an S-tag and a C-tag are decoded; a third tag is an error.
inline constexpr std::size_t kMaxVlanTags = 2;

// --- IPv4 (RFC 791) -----------------------------------------------------------------
inline constexpr std::size_t kIpv4MinHeaderSize = 20;  // IHL 5
inline constexpr std::size_t kIpv4MaxHeaderSize = 60;  // IHL 15
inline constexpr std::size_t kIpv4VersionIhlOffset = 0;
inline constexpr std::size_t kIpv4TosOffset = 1;
inline constexpr std::size_t kIpv4TotalLengthOffset = 2;
inline constexpr std::size_t kIpv4IdOffset = 4;
inline constexpr std::size_t kIpv4FlagsFragmentOffset = 6;
inline constexpr std::size_t kIpv4TtlOffset = 8;
inline constexpr std::size_t kIpv4ProtocolOffset = 9;
inline constexpr std::size_t kIpv4ChecksumOffset = 10;
inline constexpr std::size_t kIpv4SrcOffset = 12;
inline constexpr std::size_t kIpv4DstOffset = 16;
inline constexpr uint16_t kIpv4FlagDontFragment = 0x4000;
inline constexpr uint16_t kIpv4FlagMoreFragments = 0x2000;
inline constexpr uint16_t kIpv4FragmentOffsetMask = 0x1FFF;
inline constexpr uint8_t kIpProtocolTcp = 6;
inline constexpr uint8_t kIpProtocolUdp = 17;
inline constexpr std::size_t kIpv4MaxTotalLength = 65535;

// --- UDP (RFC 768) ------------------------------------------------------------------
inline constexpr std::size_t kUdpHeaderSize = 8;
inline constexpr std::size_t kUdpSrcPortOffset = 0;
inline constexpr std::size_t kUdpDstPortOffset = 2;
inline constexpr std::size_t kUdpLengthOffset = 4;
inline constexpr std::size_t kUdpChecksumOffset = 6;
// Largest UDP payload an IPv4 packet without options can carry.
inline constexpr std::size_t kMaxUdpPayload =
    kIpv4MaxTotalLength - kIpv4MinHeaderSize - kUdpHeaderSize;  // 65507
// Largest frame the builder produces: two VLAN tags and a full-size IPv4 packet.
inline constexpr std::size_t kMaxUdpFrameSize =
    kEthernetHeaderSize + kMaxVlanTags * kVlanTagSize + kIpv4MaxTotalLength;

// An IPv4 address in host byte order (a.b.c.d is a << 24 | b << 16 | c << 8 | d).
struct Ipv4Address {
  uint32_t value = 0;
  constexpr Ipv4Address() = default;
  constexpr explicit Ipv4Address(uint32_t host_order) noexcept : value(host_order) {}
  constexpr Ipv4Address(uint8_t a, uint8_t b, uint8_t c, uint8_t d) noexcept
      : value((uint32_t{a} << 24) | (uint32_t{b} << 16) | (uint32_t{c} << 8) | uint32_t{d}) {}
  friend constexpr auto operator<=>(Ipv4Address, Ipv4Address) = default;

  // True for 224.0.0.0/4 (RFC 5771).
  [[nodiscard]] constexpr bool is_multicast() const noexcept { return (value >> 28) == 0xE; }
};

// Formats a as dotted decimal. Allocates; not for the hot path.
inline std::string to_string(Ipv4Address a) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%u.%u.%u.%u", a.value >> 24, (a.value >> 16) & 0xFF,
                (a.value >> 8) & 0xFF, a.value & 0xFF);
  return buf;
}

// A 48-bit IEEE MAC address in wire order.
struct MacAddress {
  std::array<uint8_t, 6> bytes{};
  friend constexpr bool operator==(const MacAddress&, const MacAddress&) = default;

  // Returns the IPv4 multicast MAC of group (RFC 1112 section 6.4): 01:00:5e followed
  // by the low 23 bits of the group address.
  [[nodiscard]] static constexpr MacAddress for_ipv4_multicast(Ipv4Address group) noexcept {
    return MacAddress{{0x01, 0x00, 0x5E, static_cast<uint8_t>((group.value >> 16) & 0x7F),
                       static_cast<uint8_t>(group.value >> 8), static_cast<uint8_t>(group.value)}};
  }
};

// Formats m as six lower-case hex pairs separated by colons. Allocates; not hot.
inline std::string to_string(const MacAddress& m) {
  char buf[18];
  std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", m.bytes[0], m.bytes[1],
                m.bytes[2], m.bytes[3], m.bytes[4], m.bytes[5]);
  return buf;
}

}  // namespace tachyon::nic
