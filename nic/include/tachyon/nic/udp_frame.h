// Decoder of captured or received frames: Ethernet II with up to two VLAN tags
// (802.1ad S-tag and/or 802.1Q C-tag), IPv4 and UDP, down to the UDP payload. Runs on
// the receiving data-plane core; pure functions, no allocation, thread-safe.
//
// Checksums are not verified here: NICs validate them in hardware, and captures taken
// on a sending host carry placeholder checksums when transmit offload is on. See
// inet_checksum.h to verify them where that matters.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tachyon/nic/frame_layout.h"
#include "tachyon/nic/internal/big_endian.h"

namespace tachyon::nic {

// Why a frame is not a complete, unfragmented IPv4 UDP datagram. Checked in this
// order, so a frame reports the outermost problem.
enum class FrameError : uint8_t {
  kOk = 0,
  kTruncatedEthernet,    // fewer than 14 bytes
  kTruncatedVlanTag,     // a VLAN TPID without its TCI and the next EtherType
  kTooManyVlanTags,      // a third VLAN tag
  kNotIpv4,              // EtherType after the tags is not IPv4 (ARP, IPv6, ...)
  kTruncatedIpHeader,    // fewer than 20 bytes, or fewer than IHL * 4 bytes
  kBadIpVersion,         // version nibble is not 4
  kBadIhl,               // IHL below 5 (header shorter than 20 bytes)
  kIpTotalLengthTooSmall,// total length below IHL * 4
  kTruncatedIpPacket,    // total length exceeds the captured bytes (short snaplen)
  kFragment,             // more-fragments flag set or fragment offset non-zero
  kNotUdp,               // IP protocol is not 17
  kTruncatedUdpHeader,   // IP payload shorter than the 8-byte UDP header
  kBadUdpLength,         // UDP length below 8 or beyond the IP payload
};

// Returns the enumerator's name without the k, e.g. "TruncatedIpPacket".
[[nodiscard]] constexpr const char* to_string(FrameError e) noexcept {
  switch (e) {
    case FrameError::kOk: return "Ok";
    case FrameError::kTruncatedEthernet: return "TruncatedEthernet";
    case FrameError::kTruncatedVlanTag: return "TruncatedVlanTag";
    case FrameError::kTooManyVlanTags: return "TooManyVlanTags";
    case FrameError::kNotIpv4: return "NotIpv4";
    case FrameError::kTruncatedIpHeader: return "TruncatedIpHeader";
    case FrameError::kBadIpVersion: return "BadIpVersion";
    case FrameError::kBadIhl: return "BadIhl";
    case FrameError::kIpTotalLengthTooSmall: return "IpTotalLengthTooSmall";
    case FrameError::kTruncatedIpPacket: return "TruncatedIpPacket";
    case FrameError::kFragment: return "Fragment";
    case FrameError::kNotUdp: return "NotUdp";
    case FrameError::kTruncatedUdpHeader: return "TruncatedUdpHeader";
    case FrameError::kBadUdpLength: return "BadUdpLength";
  }
  return "Unknown";
}

// One decoded datagram. Spans point into the decoded frame and live as long as it.
struct UdpFrame {
  std::span<const uint8_t> payload;      // UDP payload (UDP length - 8 bytes)
  std::span<const uint8_t> ip_header;    // IPv4 header including options (IHL * 4 bytes)
  std::span<const uint8_t> udp_segment;  // UDP header + payload (UDP length bytes)
  Ipv4Address src_ip;
  Ipv4Address dst_ip;
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  uint16_t ip_id = 0;
  uint16_t vlan_id = 0;        // VID of the innermost tag; 0 when untagged
  uint16_t outer_vlan_id = 0;  // VID of the outer (S-)tag when two tags; else 0
  uint8_t vlan_tags = 0;       // 0, 1 or 2
  uint8_t ttl = 0;
};

// Decodes an IPv4 packet that starts at packet[0] (no link-layer header, as in
// LINKTYPE_RAW captures) down to its UDP payload. Bytes after the IPv4 total length
// (Ethernet padding) are ignored. On an error, out is unspecified. O(1); hot path.
[[nodiscard]] inline FrameError decode_ipv4_udp(std::span<const uint8_t> packet,
                                                UdpFrame& out) noexcept {
  using internal::load_be16;
  using internal::load_be32;
  const uint8_t* ip = packet.data();
  const std::size_t avail = packet.size();
  if (avail < kIpv4MinHeaderSize) return FrameError::kTruncatedIpHeader;
  const uint8_t version_ihl = ip[kIpv4VersionIhlOffset];
  if ((version_ihl >> 4) != 4) return FrameError::kBadIpVersion;
  const std::size_t ihl_bytes = std::size_t{version_ihl & 0x0Fu} * 4;
  if (ihl_bytes < kIpv4MinHeaderSize) return FrameError::kBadIhl;
  if (avail < ihl_bytes) return FrameError::kTruncatedIpHeader;
  const std::size_t total_length = load_be16(ip + kIpv4TotalLengthOffset);
  if (total_length < ihl_bytes) return FrameError::kIpTotalLengthTooSmall;
  if (total_length > avail) return FrameError::kTruncatedIpPacket;
  const uint16_t flags_frag = load_be16(ip + kIpv4FlagsFragmentOffset);
  if ((flags_frag & (kIpv4FlagMoreFragments | kIpv4FragmentOffsetMask)) != 0) {
    return FrameError::kFragment;
  }
  if (ip[kIpv4ProtocolOffset] != kIpProtocolUdp) return FrameError::kNotUdp;
  const std::size_t ip_payload = total_length - ihl_bytes;
  if (ip_payload < kUdpHeaderSize) return FrameError::kTruncatedUdpHeader;
  const uint8_t* udp = ip + ihl_bytes;
  const std::size_t udp_length = load_be16(udp + kUdpLengthOffset);
  if (udp_length < kUdpHeaderSize || udp_length > ip_payload) return FrameError::kBadUdpLength;

  out.ip_header = std::span<const uint8_t>(ip, ihl_bytes);
  out.udp_segment = std::span<const uint8_t>(udp, udp_length);
  out.payload = std::span<const uint8_t>(udp + kUdpHeaderSize, udp_length - kUdpHeaderSize);
  out.src_ip = Ipv4Address(load_be32(ip + kIpv4SrcOffset));
  out.dst_ip = Ipv4Address(load_be32(ip + kIpv4DstOffset));
  out.src_port = load_be16(udp + kUdpSrcPortOffset);
  out.dst_port = load_be16(udp + kUdpDstPortOffset);
  out.ip_id = load_be16(ip + kIpv4IdOffset);
  out.ttl = ip[kIpv4TtlOffset];
  return FrameError::kOk;
}

// Decodes an Ethernet II frame (without FCS) carrying IPv4/UDP, optionally behind an
// 802.1Q tag or an 802.1ad/802.1Q (or 0x9100/802.1Q) tag pair, down to its UDP
// payload. On an error, out is unspecified. O(1); hot path.
[[nodiscard]] inline FrameError decode_udp_frame(std::span<const uint8_t> frame,
                                                 UdpFrame& out) noexcept {
  using internal::load_be16;
  if (frame.size() < kEthernetHeaderSize) return FrameError::kTruncatedEthernet;
  const uint8_t* p = frame.data();
  std::size_t type_offset = kEthernetTypeOffset;
  uint16_t ether_type = load_be16(p + type_offset);
  uint16_t vids[kMaxVlanTags] = {0, 0};
  uint8_t tags = 0;
  while (ether_type == kTpidCustomerVlan || ether_type == kTpidServiceVlan ||
         ether_type == kTpidLegacyQinQ) {
    if (tags == kMaxVlanTags) return FrameError::kTooManyVlanTags;
    // The tag is TPID (already read) + TCI, followed by the next EtherType.
    if (frame.size() < type_offset + kVlanTagSize + 2) return FrameError::kTruncatedVlanTag;
    vids[tags++] = load_be16(p + type_offset + 2) & kVlanIdMask;
    type_offset += kVlanTagSize;
    ether_type = load_be16(p + type_offset);
  }
  if (ether_type != kEtherTypeIpv4) return FrameError::kNotIpv4;
  const FrameError e = decode_ipv4_udp(frame.subspan(type_offset + 2), out);
  if (e != FrameError::kOk) return e;
  out.vlan_tags = tags;
  out.vlan_id = tags == 0 ? uint16_t{0} : vids[tags - 1];
  out.outer_vlan_id = tags == 2 ? vids[0] : uint16_t{0};
  return FrameError::kOk;
}

}  // namespace tachyon::nic
