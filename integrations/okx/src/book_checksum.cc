// OKX book checksum (see book_checksum.h): zlib's CRC32 over the interleaved levels.
// Control-plane thread; no allocation.
#include "tachyon/okx/book_checksum.h"

#include <zlib.h>

#include <cstring>

namespace tachyon::okx {

int32_t okx_crc32(std::string_view text) noexcept {
  const uLong c = crc32(0L, reinterpret_cast<const Bytef*>(text.data()), static_cast<uInt>(text.size()));
  return static_cast<int32_t>(static_cast<uint32_t>(c));
}

char* write_canonical(char* p, Decimal d) noexcept {
  uint64_t m = d.mantissa < 0 ? 0 - static_cast<uint64_t>(d.mantissa) : static_cast<uint64_t>(d.mantissa);
  int scale = d.scale;
  while (scale > 0 && m % 10 == 0) {
    m /= 10;
    --scale;
  }
  if (d.mantissa < 0 && m != 0) *p++ = '-';
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = static_cast<char>('0' + m % 10);
    m /= 10;
  } while (m != 0);
  // tmp holds the digits in reverse; pad with zeros so there is one before the point.
  while (n <= scale) tmp[n++] = '0';
  for (int i = n - 1; i >= 0; --i) {
    *p++ = tmp[i];
    if (i == scale && scale > 0) *p++ = '.';
  }
  return p;
}

std::size_t okx_checksum_text(std::span<const DecimalLevel> bids, std::span<const DecimalLevel> asks,
                              char* out) noexcept {
  char* p = out;
  const std::size_t nb = bids.size() < kChecksumDepth ? bids.size() : kChecksumDepth;
  const std::size_t na = asks.size() < kChecksumDepth ? asks.size() : kChecksumDepth;
  auto put = [&](const DecimalLevel& l) {
    if (p != out) *p++ = ':';
    p = write_canonical(p, l.price);
    *p++ = ':';
    p = write_canonical(p, l.size);
  };
  for (std::size_t i = 0; i < kChecksumDepth; ++i) {
    if (i < nb) put(bids[i]);
    if (i < na) put(asks[i]);
  }
  return static_cast<std::size_t>(p - out);
}

int32_t okx_checksum(std::span<const DecimalLevel> bids, std::span<const DecimalLevel> asks) noexcept {
  char buf[kChecksumTextMax];
  const std::size_t n = okx_checksum_text(bids, asks, buf);
  return okx_crc32(std::string_view(buf, n));
}

}  // namespace tachyon::okx
