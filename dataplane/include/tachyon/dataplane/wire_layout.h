// Fixed-layout binary messages described once, field by field, in wire order: decode,
// encode and length all come from that one description. Used by the ITCH and OUCH codecs.
// Pure functions; thread-safe.
//
// A message type M describes itself with
//   static constexpr char kType;            // first byte on the wire
//   static constexpr std::size_t kLength;   // total bytes, type byte included
//   template <class Self, class F> static constexpr void fields(Self& m, F&& f);
// where fields() calls f(field) for every field after the type byte, in wire order.
// The wire width of a field follows from its C++ type:
//   char, uint8_t: 1   uint16_t: 2   uint32_t: 4   uint64_t: 8   Alpha<N>: N
//   book::Price: 4 (Price(4): unsigned, 4 implied decimals; encoding rejects values
//   outside 0..2^32-1)   a nested struct with its own fields(): the sum of its fields
// and f(field, kU48) marks a uint64_t that travels as a 6-byte integer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <tuple>
#include <type_traits>

#include "tachyon/book/types.h"
#include "tachyon/dataplane/alpha_field.h"
#include "tachyon/dataplane/big_endian.h"

namespace tachyon::dataplane::wire {

// True when M is one of the types of the std::tuple List (a protocol's message set).
template <class M, class List>
struct InList;
template <class M, class... Ts>
struct InList<M, std::tuple<Ts...>> : std::bool_constant<(std::is_same_v<M, Ts> || ...)> {};
template <class M, class List>
concept OneOf = InList<M, List>::value;

// Marks a uint64_t field carried as 6 bytes (ITCH timestamps).
struct U48 {};
inline constexpr U48 kU48{};

template <class T>
concept Composite = requires(T& t) { T::fields(t, [](auto&...) {}); };

template <class T>
struct Width;
template <>
struct Width<char> : std::integral_constant<std::size_t, 1> {};
template <>
struct Width<uint8_t> : std::integral_constant<std::size_t, 1> {};
template <>
struct Width<uint16_t> : std::integral_constant<std::size_t, 2> {};
template <>
struct Width<uint32_t> : std::integral_constant<std::size_t, 4> {};
template <>
struct Width<uint64_t> : std::integral_constant<std::size_t, 8> {};
template <>
struct Width<book::Price> : std::integral_constant<std::size_t, 4> {};
template <std::size_t N>
struct Width<Alpha<N>> : std::integral_constant<std::size_t, N> {};

// Sums field widths (compile time). With a target, also notes the offset (from the
// first field) at which the field at that address starts (see field_offset()).
struct Sizer {
  std::size_t n = 0;
  const void* target = nullptr;
  std::size_t found = SIZE_MAX;
  template <class T>
  constexpr void operator()(const T& v) noexcept {
    note(&v);
    if constexpr (Composite<T>) {
      T::fields(v, *this);
    } else {
      n += Width<T>::value;
    }
  }
  constexpr void operator()(const uint64_t& v, U48) noexcept {
    note(&v);
    n += 6;
  }
  // A composite field and its first member share an address: the first seen counts.
  constexpr void note(const void* field) noexcept {
    if (field == target && found == SIZE_MAX) found = n;
  }
};

// Reads fields from p onward. Precondition: the bytes exist (checked by the caller).
struct Reader {
  const uint8_t* p;
  template <class T>
  void operator()(T& v) noexcept {
    if constexpr (Composite<T>) {
      T::fields(v, *this);
    } else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, uint8_t>) {
      v = static_cast<T>(*p++);
    } else if constexpr (std::is_same_v<T, uint16_t>) {
      v = load_be16(p);
      p += 2;
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      v = load_be32(p);
      p += 4;
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      v = load_be64(p);
      p += 8;
    } else if constexpr (std::is_same_v<T, book::Price>) {
      v = book::Price{static_cast<int64_t>(load_be32(p))};
      p += 4;
    } else {
      std::memcpy(v.chars.data(), p, Width<T>::value);
      p += Width<T>::value;
    }
  }
  void operator()(uint64_t& v, U48) noexcept {
    v = load_be48(p);
    p += 6;
  }
};

// Writes fields from p onward; ok turns false when a value does not fit its width.
// Precondition: the bytes exist (checked by the caller).
struct Writer {
  uint8_t* p;
  bool ok = true;
  template <class T>
  void operator()(const T& v) noexcept {
    if constexpr (Composite<T>) {
      T::fields(v, *this);
    } else if constexpr (std::is_same_v<T, char> || std::is_same_v<T, uint8_t>) {
      *p++ = static_cast<uint8_t>(v);
    } else if constexpr (std::is_same_v<T, uint16_t>) {
      store_be16(p, v);
      p += 2;
    } else if constexpr (std::is_same_v<T, uint32_t>) {
      store_be32(p, v);
      p += 4;
    } else if constexpr (std::is_same_v<T, uint64_t>) {
      store_be64(p, v);
      p += 8;
    } else if constexpr (std::is_same_v<T, book::Price>) {
      ok &= v.ticks >= 0 && v.ticks <= int64_t{UINT32_MAX};
      store_be32(p, static_cast<uint32_t>(v.ticks));
      p += 4;
    } else {
      std::memcpy(p, v.chars.data(), Width<T>::value);
      p += Width<T>::value;
    }
  }
  void operator()(const uint64_t& v, U48) noexcept {
    ok &= v < (uint64_t{1} << 48);
    store_be48(p, v);
    p += 6;
  }
};

// Returns the wire length of M computed from its fields (type byte included).
template <class M>
constexpr std::size_t computed_length() noexcept {
  const M m{};
  Sizer s;
  M::fields(m, s);
  return 1 + s.n;
}

// Returns the wire offset (from the type byte) of M's field member: for code that reads
// one field in place without decoding the message. A member fields() does not list is
// a compile error.
template <class M, class T>
consteval std::size_t field_offset(T M::*member) {
  const M m{};
  Sizer s{.target = &(m.*member)};
  M::fields(m, s);
  if (s.found == SIZE_MAX) throw "field_offset: the member is not a wire field";
  return 1 + s.found;
}

// Decodes M from msg. Precondition: msg holds M::kLength bytes starting with M::kType.
// Hot path.
template <class M>
void decode_body(const uint8_t* msg, M& m) noexcept {
  static_assert(computed_length<M>() == M::kLength, "field list disagrees with kLength");
  Reader r{msg + 1};
  M::fields(m, r);
}

// Encodes m into out (capacity bytes). Returns M::kLength, or 0 when out is too small
// or a field value does not fit its wire width (out may then hold partial bytes).
// Hot path.
template <class M>
std::size_t encode_message(const M& m, uint8_t* out, std::size_t capacity) noexcept {
  static_assert(computed_length<M>() == M::kLength, "field list disagrees with kLength");
  if (capacity < M::kLength) return 0;
  out[0] = static_cast<uint8_t>(M::kType);
  Writer w{out + 1};
  M::fields(m, w);
  return w.ok ? M::kLength : 0;
}

}  // namespace tachyon::dataplane::wire
