// libFuzzer target: decodes arbitrary bytes as an Ethernet frame and as a bare IPv4
// packet, checks the decoded spans stay inside the input, and rebuilds every accepted
// datagram with the frame builder to check the decoder reads back what it wrote.
// Single-threaded. tests/nic/pcap_fuzz_regression_test.cc replays the corpus and the
// saved crashers through the same code (with TACHYON_FUZZ_NO_ENTRY defined).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tachyon/nic/inet_checksum.h"
#include "tachyon/nic/udp_feed_filter.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

#ifndef TACHYON_FUZZ_CHECK
#define TACHYON_FUZZ_CHECK(cond) \
  do {                           \
    if (!(cond)) __builtin_trap(); \
  } while (0)
#endif

namespace tachyon::fuzz {

inline bool inside(std::span<const uint8_t> part, std::span<const uint8_t> whole) {
  return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

inline void check_decoded(const nic::UdpFrame& f, std::span<const uint8_t> input) {
  TACHYON_FUZZ_CHECK(inside(f.ip_header, input));
  TACHYON_FUZZ_CHECK(inside(f.udp_segment, input));
  TACHYON_FUZZ_CHECK(inside(f.payload, input));
  TACHYON_FUZZ_CHECK(f.ip_header.size() >= nic::kIpv4MinHeaderSize);
  TACHYON_FUZZ_CHECK(f.udp_segment.size() == f.payload.size() + nic::kUdpHeaderSize);
  TACHYON_FUZZ_CHECK(f.vlan_tags <= nic::kMaxVlanTags);
  (void)nic::ipv4_header_checksum(f.ip_header);
  (void)nic::udp_ipv4_checksum(f.src_ip, f.dst_ip, f.udp_segment);
  const nic::UdpFeedFilter exact{f.dst_port, f.dst_ip};
  TACHYON_FUZZ_CHECK(exact.matches(f));
  TACHYON_FUZZ_CHECK(nic::UdpFeedFilter{}.matches(f));
}

// Rebuilds an accepted datagram from its decoded fields and decodes the result.
inline void check_rebuild(const nic::UdpFrame& f) {
  nic::UdpFlow flow;
  flow.src_ip = f.src_ip;
  flow.dst_ip = f.dst_ip;
  flow.src_port = f.src_port;
  flow.dst_port = f.dst_port;
  flow.ttl = f.ttl;
  flow.vlan_tagged = f.vlan_tags > 0 && f.vlan_id < 4095;
  flow.vlan_id = f.vlan_id;
  if (!flow.validate().empty()) return;  // e.g. a multicast source: not buildable
  const nic::UdpFrameBuilder builder(flow);
  static std::vector<uint8_t> out(nic::kMaxUdpFrameSize);
  const std::size_t n = builder.build(out, f.payload, f.ip_id);
  TACHYON_FUZZ_CHECK(n == builder.frame_size(f.payload.size()));
  nic::UdpFrame back;
  TACHYON_FUZZ_CHECK(nic::decode_udp_frame(std::span<const uint8_t>(out.data(), n), back) ==
                     nic::FrameError::kOk);
  TACHYON_FUZZ_CHECK(back.src_ip == f.src_ip && back.dst_ip == f.dst_ip);
  TACHYON_FUZZ_CHECK(back.src_port == f.src_port && back.dst_port == f.dst_port);
  TACHYON_FUZZ_CHECK(back.ip_id == f.ip_id && back.ttl == f.ttl);
  TACHYON_FUZZ_CHECK(back.payload.size() == f.payload.size());
  for (std::size_t i = 0; i < f.payload.size(); ++i) {
    TACHYON_FUZZ_CHECK(back.payload[i] == f.payload[i]);
  }
  TACHYON_FUZZ_CHECK(nic::ipv4_header_checksum(back.ip_header) == 0);
  TACHYON_FUZZ_CHECK(nic::udp_ipv4_checksum(back.src_ip, back.dst_ip, back.udp_segment) == 0);
}

inline int pcap_frame_one_input(const uint8_t* data, std::size_t size) {
  const std::span<const uint8_t> input(data, size);
  nic::UdpFrame f;
  if (nic::decode_udp_frame(input, f) == nic::FrameError::kOk) {
    check_decoded(f, input);
    check_rebuild(f);
  }
  nic::UdpFrame raw;
  if (nic::decode_ipv4_udp(input, raw) == nic::FrameError::kOk) {
    check_decoded(raw, input);
    TACHYON_FUZZ_CHECK(raw.ip_header.data() == data);
  }
  return 0;
}

}  // namespace tachyon::fuzz

#ifndef TACHYON_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return tachyon::fuzz::pcap_frame_one_input(data, size);
}
#endif
