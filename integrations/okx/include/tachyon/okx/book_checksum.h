// The OKX order-book checksum: CRC32 (zlib polynomial) of the first 25 bid and ask
// levels as "bidPx:bidSz:askPx:askSz:...", interleaved, a shorter side simply ending,
// read as a signed int32. Prices and sizes are printed in their shortest exact form
// (the form OKX sends). Thread-safe; no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "tachyon/okx/decimal.h"

namespace tachyon::okx {

inline constexpr std::size_t kChecksumDepth = 25;

struct DecimalLevel {
  Decimal price;
  Decimal size;
};

// Returns CRC32 of text as a signed int32.
int32_t okx_crc32(std::string_view text) noexcept;

// Writes the checksum string of the best levels (best first on each side) into out and
// returns its length; out must hold kChecksumTextMax bytes.
inline constexpr std::size_t kChecksumTextMax = kChecksumDepth * 2 * 2 * 42;
std::size_t okx_checksum_text(std::span<const DecimalLevel> bids, std::span<const DecimalLevel> asks,
                              char* out) noexcept;

// Returns the checksum of the best levels (best first on each side).
int32_t okx_checksum(std::span<const DecimalLevel> bids, std::span<const DecimalLevel> asks) noexcept;

// Writes d in its shortest exact form to p and returns the end; p must hold 42 bytes.
char* write_canonical(char* p, Decimal d) noexcept;

}  // namespace tachyon::okx
