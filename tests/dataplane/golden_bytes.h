// Test helper: builds a message byte by byte from a protocol spec's field table
// (offset, length, value), checking that the fields tile the message exactly, so golden
// arrays are written from the spec independently of the codec's own field lists.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tachyon::dataplane::testing {

class Golden {
 public:
  explicit Golden(std::size_t length) : bytes_(length, 0xEE), written_(length, 0) {}

  // Writes an unsigned big-endian integer of len bytes at offset.
  Golden& num(std::size_t offset, std::size_t len, uint64_t v) {
    mark(offset, len);
    for (std::size_t i = 0; i < len; ++i) bytes_[offset + i] = static_cast<uint8_t>(v >> (8 * (len - 1 - i)));
    if (len < 8) {
      EXPECT_EQ(v >> (8 * len), 0u) << "value too wide for field at offset " << offset;
    }
    return *this;
  }
  // Writes one ASCII character at offset.
  Golden& chr(std::size_t offset, char c) { return num(offset, 1, static_cast<uint8_t>(c)); }
  // Writes text at offset, right padded with spaces to len bytes.
  Golden& alpha(std::size_t offset, std::size_t len, std::string_view text) {
    mark(offset, len);
    for (std::size_t i = 0; i < len; ++i) bytes_[offset + i] = static_cast<uint8_t>(i < text.size() ? text[i] : ' ');
    return *this;
  }
  // Returns the message; fails the test if some byte was never written.
  const std::vector<uint8_t>& bytes() const {
    for (std::size_t i = 0; i < written_.size(); ++i) EXPECT_EQ(written_[i], 1) << "byte " << i << " not written";
    return bytes_;
  }
  std::span<const uint8_t> span() const { return bytes(); }

 private:
  void mark(std::size_t offset, std::size_t len) {
    ASSERT_LE(offset + len, bytes_.size()) << "field at offset " << offset << " runs past the message";
    for (std::size_t i = 0; i < len; ++i) {
      EXPECT_EQ(written_[offset + i], 0) << "byte " << offset + i << " written twice";
      written_[offset + i] = 1;
    }
  }

  std::vector<uint8_t> bytes_;
  std::vector<uint8_t> written_;
};

// Parses a hex string ("00 0c 53 ...", spaces ignored) into bytes.
inline std::vector<uint8_t> hex(std::string_view s) {
  std::vector<uint8_t> out;
  int hi = -1;
  for (const char c : s) {
    int v;
    if (c >= '0' && c <= '9') v = c - '0';
    else if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    else continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

}  // namespace tachyon::dataplane::testing
