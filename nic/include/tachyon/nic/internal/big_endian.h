// Unaligned big-endian (network order) loads and stores on byte pointers, for the
// frame codecs of nic/. Internal to nic/. Pure functions; thread-safe.
#pragma once

#include <cstdint>

namespace tachyon::nic::internal {

// Reads a 16-bit network-order value at p. Precondition: p[0..1] readable. Hot path.
[[nodiscard]] constexpr uint16_t load_be16(const uint8_t* p) noexcept {
  return static_cast<uint16_t>((static_cast<unsigned>(p[0]) << 8) | p[1]);
}

// Reads a 32-bit network-order value at p. Precondition: p[0..3] readable. Hot path.
[[nodiscard]] constexpr uint32_t load_be32(const uint8_t* p) noexcept {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | static_cast<uint32_t>(p[3]);
}

// Writes v at p in network order. Precondition: p[0..1] writable. Hot path.
constexpr void store_be16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}

// Writes v at p in network order. Precondition: p[0..3] writable. Hot path.
constexpr void store_be32(uint8_t* p, uint32_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

}  // namespace tachyon::nic::internal
