// Selects the datagrams of one feed among decoded UDP frames, by destination port
// and/or destination (multicast group) address. Plain value; thread-safe to share.
#pragma once

#include <cstdint>

#include "tachyon/nic/frame_layout.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::nic {

struct UdpFeedFilter {
  // Port 0 is reserved (RFC 768 source only, never a destination), and 0.0.0.0 is
  // never a destination address, so both serve as "any".
  static constexpr uint16_t kAnyPort = 0;
  static constexpr Ipv4Address kAnyAddress{};

  uint16_t dst_port = kAnyPort;
  Ipv4Address dst_address = kAnyAddress;

  // Returns true when f is addressed to this feed. O(1); hot path.
  [[nodiscard]] constexpr bool matches(const UdpFrame& f) const noexcept {
    return (dst_port == kAnyPort || f.dst_port == dst_port) &&
           (dst_address == kAnyAddress || f.dst_ip == dst_address);
  }

  // Returns true when the filter lets every datagram through.
  [[nodiscard]] constexpr bool selects_all() const noexcept {
    return dst_port == kAnyPort && dst_address == kAnyAddress;
  }
};

}  // namespace tachyon::nic
