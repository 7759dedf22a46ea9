// Unaligned big-endian (network order) integer loads and stores for the wire codecs.
// Pure functions; thread-safe.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace tachyon::dataplane {

namespace detail {

template <class T>
constexpr T to_big(T v) noexcept {
  if constexpr (std::endian::native == std::endian::big) {
    return v;
  } else if constexpr (sizeof(T) == 2) {
    return static_cast<T>(__builtin_bswap16(v));
  } else if constexpr (sizeof(T) == 4) {
    return static_cast<T>(__builtin_bswap32(v));
  } else {
    return static_cast<T>(__builtin_bswap64(v));
  }
}

}  // namespace detail

// Loads reads N bytes at p; precondition: p points at N readable bytes. Hot path.
inline uint16_t load_be16(const uint8_t* p) noexcept {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return detail::to_big(v);
}
inline uint32_t load_be32(const uint8_t* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return detail::to_big(v);
}
inline uint64_t load_be64(const uint8_t* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return detail::to_big(v);
}
// A 6-byte integer (ITCH timestamps) in the low 48 bits.
inline uint64_t load_be48(const uint8_t* p) noexcept {
  return (uint64_t{load_be16(p)} << 32) | load_be32(p + 2);
}

// Stores write N bytes at p; precondition: p points at N writable bytes. Hot path.
inline void store_be16(uint8_t* p, uint16_t v) noexcept {
  v = detail::to_big(v);
  std::memcpy(p, &v, 2);
}
inline void store_be32(uint8_t* p, uint32_t v) noexcept {
  v = detail::to_big(v);
  std::memcpy(p, &v, 4);
}
inline void store_be64(uint8_t* p, uint64_t v) noexcept {
  v = detail::to_big(v);
  std::memcpy(p, &v, 8);
}
// Stores the low 48 bits of v; precondition: v < 2^48.
inline void store_be48(uint8_t* p, uint64_t v) noexcept {
  store_be16(p, static_cast<uint16_t>(v >> 32));
  store_be32(p + 2, static_cast<uint32_t>(v));
}

}  // namespace tachyon::dataplane
