// Exact decimal numbers for OKX prices and sizes: a Decimal is mantissa * 10^-scale,
// parsed from and printed to the venue's strings without floating point. Units
// converts a string to an integer count of a step (tick or lot) and back.
// Plain values; thread-safe. parse/to_units are on the market-data hot path.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tachyon::okx {

inline constexpr int kMaxDecimalScale = 18;

// 128-bit intermediate for exact products of two int64 values.
__extension__ typedef __int128 Int128;

// 10^i for i in [0, 18].
inline constexpr int64_t kPow10[kMaxDecimalScale + 1] = {1,
                                                          10,
                                                          100,
                                                          1'000,
                                                          10'000,
                                                          100'000,
                                                          1'000'000,
                                                          10'000'000,
                                                          100'000'000,
                                                          1'000'000'000,
                                                          10'000'000'000,
                                                          100'000'000'000,
                                                          1'000'000'000'000,
                                                          10'000'000'000'000,
                                                          100'000'000'000'000,
                                                          1'000'000'000'000'000,
                                                          10'000'000'000'000'000,
                                                          100'000'000'000'000'000,
                                                          1'000'000'000'000'000'000};

struct Decimal {
  int64_t mantissa = 0;
  uint8_t scale = 0;  // digits after the point

  // Parses "-12.3400" style text (optional '-', digits, optional '.' and digits; no
  // exponent, no '+', at most 18 significant digits after leading zeros and at most
  // 18 decimals). Keeps the scale as written. O(length), no allocation.
  static constexpr std::optional<Decimal> parse(std::string_view s) noexcept {
    std::size_t i = 0;
    const bool neg = !s.empty() && s[0] == '-';
    if (neg) ++i;
    uint64_t m = 0;
    int digits = 0;  // significant digits accumulated
    int int_digits = 0, scale = 0;
    bool dot = false;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      if (c == '.') {
        if (dot || int_digits == 0) return std::nullopt;
        dot = true;
        continue;
      }
      if (c < '0' || c > '9') return std::nullopt;
      if (dot) {
        if (++scale > kMaxDecimalScale) return std::nullopt;
      } else {
        ++int_digits;
      }
      if (m == 0 && c == '0') continue;  // leading zeros are free
      if (++digits > 18) return std::nullopt;
      m = m * 10 + static_cast<uint64_t>(c - '0');
    }
    if (int_digits == 0 || (dot && scale == 0)) return std::nullopt;
    const int64_t v = static_cast<int64_t>(m);
    return Decimal{neg ? -v : v, static_cast<uint8_t>(scale)};
  }

  // Prints the value with exactly scale decimals ("0.10" for {10, 2}).
  std::string to_string() const;
  // Prints the shortest exact form: trailing zeros and a bare '.' removed ("0.1").
  std::string to_canonical_string() const;

  // Returns true when both denote the same number (scales may differ).
  friend constexpr bool same_value(Decimal a, Decimal b) noexcept {
    const int s = a.scale > b.scale ? a.scale : b.scale;
    return static_cast<Int128>(a.mantissa) * kPow10[s - a.scale] ==
           static_cast<Int128>(b.mantissa) * kPow10[s - b.scale];
  }
  friend constexpr bool operator==(Decimal, Decimal) = default;
};

// A step size (tickSz, lotSz) and the conversion between text and whole steps.
class Units {
 public:
  constexpr Units() = default;
  // Precondition: step.mantissa > 0.
  constexpr explicit Units(Decimal step) noexcept : step_(step) {}
  static std::optional<Units> parse(std::string_view step_text) noexcept {
    const auto d = Decimal::parse(step_text);
    if (!d || d->mantissa <= 0) return std::nullopt;
    return Units(*d);
  }

  constexpr Decimal step() const noexcept { return step_; }

  // Converts text to a whole number of steps. False when the text is not a number, is
  // not an exact multiple of the step, or overflows int64. Hot path, no allocation.
  constexpr bool to_units(std::string_view text, int64_t& out) const noexcept {
    const auto d = Decimal::parse(text);
    return d && to_units(*d, out);
  }
  constexpr bool to_units(Decimal d, int64_t& out) const noexcept {
    // Both at the larger scale, then an exact integer division.
    const int s = d.scale > step_.scale ? d.scale : step_.scale;
    const Int128 v = static_cast<Int128>(d.mantissa) * kPow10[s - d.scale];
    const Int128 u = static_cast<Int128>(step_.mantissa) * kPow10[s - step_.scale];
    if (v % u != 0) return false;
    const Int128 q = v / u;
    if (q > INT64_MAX || q < INT64_MIN) return false;
    out = static_cast<int64_t>(q);
    return true;
  }

  // Converts a number of steps back to an exact Decimal at the step's scale; nullopt
  // on overflow.
  constexpr std::optional<Decimal> to_decimal(int64_t units) const noexcept {
    const Int128 m = static_cast<Int128>(units) * step_.mantissa;
    if (m > INT64_MAX || m < INT64_MIN) return std::nullopt;
    return Decimal{static_cast<int64_t>(m), step_.scale};
  }

 private:
  Decimal step_{1, 0};
};

}  // namespace tachyon::okx
