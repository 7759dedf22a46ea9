// Builder of outbound Ethernet II / [802.1Q] / IPv4 / UDP frames for one flow, with a
// correct IPv4 header checksum and UDP checksum. Constructed on the control path;
// build() runs on the transmitting core. Immutable after construction, so one builder
// may be shared read-only; the IP identification counter belongs to the caller.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>

#include "tachyon/nic/frame_layout.h"
#include "tachyon/nic/inet_checksum.h"
#include "tachyon/nic/internal/big_endian.h"

namespace tachyon::nic {

// Addresses and header fields of one UDP flow.
struct UdpFlow {
  MacAddress src_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};  // locally administered
  // Used for a unicast destination only; a multicast destination always gets its
  // RFC 1112 group MAC (01:00:5e + low 23 bits of the group).
  MacAddress dst_mac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x02}};
  Ipv4Address src_ip{10, 0, 0, 1};
  Ipv4Address dst_ip{239, 0, 0, 1};
  uint16_t src_port = 10000;
  uint16_t dst_port = 10001;
  uint8_t ttl = 64;
  uint8_t dscp = 0;             // 6 bits; ECN is sent as 0
  bool dont_fragment = false;
  bool vlan_tagged = false;     // adds one 802.1Q tag carrying vlan_id and vlan_pcp
  uint16_t vlan_id = 0;         // 12 bits
  uint8_t vlan_pcp = 0;         // 3 bits
  bool udp_checksum = true;     // false sends 0 ("no checksum", RFC 768)
  bool pad_to_ethernet_minimum = false;  // zero-pad frames to 60 bytes, as on the wire

  // Checks every field; returns an empty string when valid, else one line naming the
  // field, its value and the rule it breaks.
  [[nodiscard]] std::string validate() const;

  // Returns the destination MAC the frames carry.
  [[nodiscard]] constexpr MacAddress effective_dst_mac() const noexcept {
    return dst_ip.is_multicast() ? MacAddress::for_ipv4_multicast(dst_ip) : dst_mac;
  }
};

class UdpFrameBuilder {
 public:
  // Precomputes the constant header bytes and checksum terms. Throws
  // std::invalid_argument with flow.validate()'s message when flow is invalid.
  explicit UdpFrameBuilder(const UdpFlow& flow);

  // Bytes before the UDP payload: 42, or 46 with a VLAN tag.
  [[nodiscard]] std::size_t header_size() const noexcept { return header_size_; }
  // Returns the frame length build() produces for a payload of n bytes.
  [[nodiscard]] std::size_t frame_size(std::size_t n) const noexcept {
    const std::size_t len = header_size_ + n;
    return pad_ && len < kEthernetMinFrameSize ? kEthernetMinFrameSize : len;
  }
  [[nodiscard]] const UdpFlow& flow() const noexcept { return flow_; }

  // Writes the frame carrying payload, with IPv4 identification ip_id, to the start of
  // out. Returns the frame length, or 0 (out untouched) when the payload exceeds
  // kMaxUdpPayload or out is shorter than frame_size(). O(payload); hot path.
  std::size_t build(std::span<uint8_t> out, std::span<const uint8_t> payload,
                    uint16_t ip_id) const noexcept {
    if (payload.size() > kMaxUdpPayload) return 0;
    const std::size_t len = frame_size(payload.size());
    if (out.size() < len) return 0;
    uint8_t* f = out.data();
    std::memcpy(f, header_.data(), header_size_);
    if (!payload.empty()) std::memcpy(f + header_size_, payload.data(), payload.size());
    if (len > header_size_ + payload.size()) {
      std::memset(f + header_size_ + payload.size(), 0, len - header_size_ - payload.size());
    }
    uint8_t* ip = f + ip_offset_;
    uint8_t* udp = ip + kIpv4MinHeaderSize;
    const auto udp_length = static_cast<uint16_t>(kUdpHeaderSize + payload.size());
    const auto total_length = static_cast<uint16_t>(kIpv4MinHeaderSize + udp_length);
    internal::store_be16(ip + kIpv4TotalLengthOffset, total_length);
    internal::store_be16(ip + kIpv4IdOffset, ip_id);
    internal::store_be16(ip + kIpv4ChecksumOffset,
                         checksum_finish(ip_sum_ + total_length + ip_id));
    internal::store_be16(udp + kUdpLengthOffset, udp_length);
    if (udp_checksum_) {
      // The UDP length counts twice: once in the pseudo-header, once in the header.
      const uint16_t sum = checksum_finish(checksum_add(udp_sum_ + 2u * udp_length, payload));
      internal::store_be16(udp + kUdpChecksumOffset, sum == 0 ? uint16_t{0xFFFF} : sum);
    }
    return len;
  }

 private:
  static constexpr std::size_t kMaxHeaderSize =
      kEthernetHeaderSize + kVlanTagSize + kIpv4MinHeaderSize + kUdpHeaderSize;

  UdpFlow flow_;
  std::array<uint8_t, kMaxHeaderSize> header_{};  // constant fields filled in
  std::size_t header_size_ = 0;
  std::size_t ip_offset_ = 0;
  uint64_t ip_sum_ = 0;   // IPv4 header words other than total length, id, checksum
  uint64_t udp_sum_ = 0;  // pseudo-header addresses and protocol, plus both ports
  bool pad_ = false;
  bool udp_checksum_ = true;
};

}  // namespace tachyon::nic
