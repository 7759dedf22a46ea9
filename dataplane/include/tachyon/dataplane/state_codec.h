// Binary state encoding for snapshots: a writer that appends trivially copyable values
// to a byte vector and a bounds-checked reader. Control path (snapshots are taken
// between messages); not thread-safe.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace tachyon::dataplane {

class StateWriter {
 public:
  template <class T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const uint8_t*>(&v);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  void put_string(const std::string& s) {
    put(static_cast<uint32_t>(s.size()));
    bytes_.insert(bytes_.end(), s.begin(), s.end());
  }
  // Section marks catch a reader and writer that disagree on the layout.
  void mark(uint32_t tag) { put(tag); }
  std::vector<uint8_t>& bytes() noexcept { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

class StateReader {
 public:
  explicit StateReader(std::span<const uint8_t> data) noexcept : data_(data) {}

  // Reads one value. Throws std::runtime_error when the data ends first.
  template <class T>
  T get() {
    static_assert(std::is_trivially_copyable_v<T>);
    need(sizeof(T));
    T v;
    std::memcpy(&v, data_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return v;
  }
  std::string get_string() {
    const auto n = get<uint32_t>();
    need(n);
    std::string s(reinterpret_cast<const char*>(data_.data() + pos_), n);
    pos_ += n;
    return s;
  }
  void expect_mark(uint32_t tag) {
    if (get<uint32_t>() != tag) throw std::runtime_error("snapshot: section " + std::to_string(tag) + " out of place at byte " + std::to_string(pos_ - 4));
  }
  std::size_t position() const noexcept { return pos_; }
  bool done() const noexcept { return pos_ == data_.size(); }

 private:
  void need(std::size_t n) const {
    if (data_.size() - pos_ < n)
      throw std::runtime_error("snapshot: truncated at byte " + std::to_string(pos_) + " (need " + std::to_string(n) + ")");
  }
  std::span<const uint8_t> data_;
  std::size_t pos_ = 0;
};

}  // namespace tachyon::dataplane
