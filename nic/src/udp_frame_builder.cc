// Setup of UdpFrameBuilder: flow validation and the constant header template (see
// udp_frame_builder.h). Control path.
#include "tachyon/nic/udp_frame_builder.h"

#include <stdexcept>

namespace tachyon::nic {

using internal::load_be16;
using internal::store_be16;
using internal::store_be32;

std::string UdpFlow::validate() const {
  if ((src_mac.bytes[0] & 0x01) != 0) {
    return "src_mac " + to_string(src_mac) + " is a group address; a source MAC must be unicast";
  }
  if (src_ip.is_multicast()) {
    return "src_ip " + to_string(src_ip) + " is multicast; a source address must be unicast";
  }
  if (dst_ip == Ipv4Address{}) return "dst_ip 0.0.0.0 is not a destination address";
  if (dst_port == 0) return "dst_port 0 is reserved and cannot be a destination";
  if (ttl == 0) return "ttl 0: the first router would drop every datagram";
  if (dscp > 63) return "dscp " + std::to_string(dscp) + " exceeds 63 (6 bits)";
  if (vlan_tagged && vlan_id >= 4095) {
    return "vlan_id " + std::to_string(vlan_id) + " exceeds 4094 (4095 is reserved)";
  }
  if (vlan_pcp > 7) return "vlan_pcp " + std::to_string(vlan_pcp) + " exceeds 7 (3 bits)";
  return {};
}

UdpFrameBuilder::UdpFrameBuilder(const UdpFlow& flow) : flow_(flow) {
  if (std::string err = flow.validate(); !err.empty()) {
    throw std::invalid_argument("UdpFlow: " + err);
  }
  pad_ = flow.pad_to_ethernet_minimum;
  udp_checksum_ = flow.udp_checksum;

  uint8_t* h = header_.data();
  const MacAddress dst_mac = flow.effective_dst_mac();
  std::memcpy(h + kEthernetDstOffset, dst_mac.bytes.data(), 6);
  std::memcpy(h + kEthernetSrcOffset, flow.src_mac.bytes.data(), 6);
  std::size_t type_offset = kEthernetTypeOffset;
  if (flow.vlan_tagged) {
    store_be16(h + type_offset, kTpidCustomerVlan);
    store_be16(h + type_offset + 2,
               static_cast<uint16_t>((flow.vlan_pcp << 13) | (flow.vlan_id & kVlanIdMask)));
    type_offset += kVlanTagSize;
  }
  store_be16(h + type_offset, kEtherTypeIpv4);
  ip_offset_ = type_offset + 2;
  header_size_ = ip_offset_ + kIpv4MinHeaderSize + kUdpHeaderSize;

  uint8_t* ip = h + ip_offset_;
  ip[kIpv4VersionIhlOffset] = 0x45;  // version 4, IHL 5: no options
  ip[kIpv4TosOffset] = static_cast<uint8_t>(flow.dscp << 2);
  store_be16(ip + kIpv4FlagsFragmentOffset, flow.dont_fragment ? kIpv4FlagDontFragment : 0);
  ip[kIpv4TtlOffset] = flow.ttl;
  ip[kIpv4ProtocolOffset] = kIpProtocolUdp;
  store_be32(ip + kIpv4SrcOffset, flow.src_ip.value);
  store_be32(ip + kIpv4DstOffset, flow.dst_ip.value);
  // Total length, id and checksum are still zero here, so they add nothing.
  ip_sum_ = checksum_add(0, std::span<const uint8_t>(ip, kIpv4MinHeaderSize));

  uint8_t* udp = ip + kIpv4MinHeaderSize;
  store_be16(udp + kUdpSrcPortOffset, flow.src_port);
  store_be16(udp + kUdpDstPortOffset, flow.dst_port);
  udp_sum_ = uint64_t{flow.src_ip.value >> 16} + (flow.src_ip.value & 0xFFFF) +
             (flow.dst_ip.value >> 16) + (flow.dst_ip.value & 0xFFFF) + kIpProtocolUdp +
             load_be16(udp + kUdpSrcPortOffset) + load_be16(udp + kUdpDstPortOffset);
}

}  // namespace tachyon::nic
