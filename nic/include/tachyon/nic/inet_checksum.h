// The Internet checksum (RFC 1071) as used by the IPv4 header (RFC 791) and by UDP
// over IPv4 with its pseudo-header (RFC 768). Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tachyon/nic/frame_layout.h"

namespace tachyon::nic {

// Adds bytes, as big-endian 16-bit words (an odd last byte padded with zero), to the
// running one's-complement sum. Returns the unfolded 64-bit sum. O(n); hot path.
[[nodiscard]] constexpr uint64_t checksum_add(uint64_t sum, std::span<const uint8_t> bytes) noexcept {
  const std::size_t n = bytes.size();
  std::size_t i = 0;
  for (; i + 1 < n; i += 2) sum += (uint32_t{bytes[i]} << 8) | bytes[i + 1];
  if (i < n) sum += uint32_t{bytes[i]} << 8;
  return sum;
}

// Folds a running sum to 16 bits and complements it: the value to put in a checksum
// field. Folding a correct packet's sum (checksum field included) gives 0.
[[nodiscard]] constexpr uint16_t checksum_finish(uint64_t sum) noexcept {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<uint16_t>(~sum & 0xFFFF);
}

// Returns the checksum of an IPv4 header, computed with its checksum field as found;
// with that field zeroed this is the value to store, and over a correct header it is 0.
[[nodiscard]] constexpr uint16_t ipv4_header_checksum(std::span<const uint8_t> header) noexcept {
  return checksum_finish(checksum_add(0, header));
}

// Returns the UDP checksum of segment (UDP header + payload, its checksum field as
// found) over IPv4 with the pseudo-header (src, dst, zero, protocol 17, UDP length).
// With the field zeroed, this is the value to store, except that a computed 0 is sent
// as 0xFFFF (0 means "no checksum"); over a correct segment it is 0.
[[nodiscard]] constexpr uint16_t udp_ipv4_checksum(Ipv4Address src, Ipv4Address dst,
                                                   std::span<const uint8_t> segment) noexcept {
  uint64_t sum = 0;
  sum += src.value >> 16;
  sum += src.value & 0xFFFF;
  sum += dst.value >> 16;
  sum += dst.value & 0xFFFF;
  sum += kIpProtocolUdp;
  sum += segment.size();
  return checksum_finish(checksum_add(sum, segment));
}

}  // namespace tachyon::nic
