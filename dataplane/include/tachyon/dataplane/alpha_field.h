// Fixed-width ASCII wire fields (stock symbols, order tokens, firms, sessions): left
// justified and padded on the right with spaces, as ITCH, OUCH and MoldUDP64 define them.
// Plain values; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace tachyon::dataplane {

template <std::size_t N>
struct Alpha {
  std::array<char, N> chars{};

  // Returns an Alpha holding s padded with spaces; s is truncated to N characters.
  static constexpr Alpha from(std::string_view s) noexcept {
    Alpha a;
    for (std::size_t i = 0; i < N; ++i) a.chars[i] = i < s.size() ? s[i] : ' ';
    return a;
  }
  // Returns the text without its right padding (spaces only; other bytes are kept).
  constexpr std::string_view trimmed() const noexcept {
    std::size_t n = N;
    while (n > 0 && chars[n - 1] == ' ') --n;
    return std::string_view(chars.data(), n);
  }
  // Returns all N bytes, padding included.
  constexpr std::string_view raw() const noexcept { return std::string_view(chars.data(), N); }

  friend constexpr bool operator==(const Alpha&, const Alpha&) = default;
};

using Stock = Alpha<8>;  // ITCH/OUCH stock symbol
using Mpid = Alpha<4>;   // market participant id / OUCH firm

}  // namespace tachyon::dataplane
