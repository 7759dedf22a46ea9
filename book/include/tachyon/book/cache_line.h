// The one definition of the cache-line size that layouts across tachyon align to.
// Header-only constants; thread-safe.
#pragma once

#include <cstddef>

namespace tachyon {

// 64 bytes on every x86-64 and most AArch64 parts tachyon targets. Not taken from
// std::hardware_destructive_interference_size, whose value varies by compiler flags.
inline constexpr std::size_t kCacheLine = 64;

}  // namespace tachyon
