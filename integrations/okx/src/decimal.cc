// Decimal printing. Control path (the checksum uses write_canonical instead).
#include "tachyon/okx/decimal.h"

#include "tachyon/okx/book_checksum.h"

namespace tachyon::okx {

std::string Decimal::to_string() const {
  const bool neg = mantissa < 0;
  uint64_t m = neg ? 0 - static_cast<uint64_t>(mantissa) : static_cast<uint64_t>(mantissa);
  std::string digits = std::to_string(m);
  if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  if (scale > 0) digits.insert(digits.size() - scale, 1, '.');
  return neg ? "-" + digits : digits;
}

std::string Decimal::to_canonical_string() const {
  char buf[48];
  char* end = write_canonical(buf, *this);
  return std::string(buf, end);
}

}  // namespace tachyon::okx
