// libFuzzer target for the LOBSTER CSV codecs: every input line is parsed as a message
// row and as an orderbook row of 1..4 levels; rows that parse must survive writing and
// parsing again, and errors must name the line and a column inside the row's width.
// Single-threaded. Replayed by tests/dataplane/codec_fuzz_regression_test.cc.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "tachyon/dataplane/lobster.h"
#include "tachyon/dataplane/lobster_orderbook.h"

#ifndef TACHYON_FUZZ_CHECK
#define TACHYON_FUZZ_CHECK(cond)   \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)
#endif

namespace tachyon::fuzz {

namespace lobster = dataplane::lobster;

inline int lobster_one_input(const uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const uint32_t levels = 1 + data[0] % 4;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  lobster::LineReader lines(text);
  std::string_view row;
  uint32_t expect_line = 0;
  while (lines.next(row)) {
    ++expect_line;
    TACHYON_FUZZ_CHECK(lines.line_number() == expect_line);
    TACHYON_FUZZ_CHECK(row.find('\n') == std::string_view::npos);

    lobster::Message m;
    const lobster::Error e = lobster::parse_message(row, expect_line, m);
    if (e) {
      TACHYON_FUZZ_CHECK(e.line == expect_line);
      TACHYON_FUZZ_CHECK(e.column >= 1 && e.column <= 7);
      TACHYON_FUZZ_CHECK(!lobster::describe(e).empty());
    } else {
      std::array<char, 128> out;
      const std::size_t n = lobster::format_message(m, out);
      TACHYON_FUZZ_CHECK(n > 0);
      lobster::Message back;
      TACHYON_FUZZ_CHECK(!lobster::parse_message(std::string_view(out.data(), n), 1, back));
      TACHYON_FUZZ_CHECK(back == m);
    }

    std::array<lobster::Level, 4> asks, bids;
    const std::span<lobster::Level> a(asks.data(), levels), b(bids.data(), levels);
    const lobster::Error eb = lobster::parse_orderbook(row, expect_line, a, b);
    if (eb) {
      TACHYON_FUZZ_CHECK(eb.line == expect_line);
      TACHYON_FUZZ_CHECK(eb.column >= 1 && eb.column <= 4 * levels + 1);
      TACHYON_FUZZ_CHECK(!lobster::describe(eb, "orderbook").empty());
    } else {
      std::array<char, 4 * 4 * 21> out;
      const std::size_t n = lobster::format_orderbook(a, b, out);
      TACHYON_FUZZ_CHECK(n > 0);
      std::array<lobster::Level, 4> asks2, bids2;
      const std::span<lobster::Level> a2(asks2.data(), levels), b2(bids2.data(), levels);
      TACHYON_FUZZ_CHECK(!lobster::parse_orderbook(std::string_view(out.data(), n), 1, a2, b2));
      for (uint32_t i = 0; i < levels; ++i) {
        TACHYON_FUZZ_CHECK(a[i] == a2[i] && b[i] == b2[i]);
      }
    }
  }
  return 0;
}

}  // namespace tachyon::fuzz

#ifndef TACHYON_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return tachyon::fuzz::lobster_one_input(data, size);
}
#endif
