// Length-checked dispatch of one fixed-layout message to a handler template parameter
// (compile-time dispatch, no virtual call), shared by the ITCH and OUCH decoders.
// Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>

#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane {

enum class DecodeStatus : uint8_t {
  kOk = 0,
  kEmpty = 1,        // no bytes at all
  kUnknownType = 2,  // the first byte names no message of the protocol (or direction)
  kBadLength = 3,    // the framed length differs from the type's fixed length
};

const char* to_string(DecodeStatus s) noexcept;

// A handler takes the message types it cares about through h.on(const M&) noexcept;
// messages of other types are validated and skipped.
template <class H, class M>
concept Handles = requires(H& h, const M& m) { h.on(m); };

// Checks that n is M's length, decodes the message at p and passes it to h if h takes
// M. Precondition: p[0] == M::kType and p holds n readable bytes. Hot path.
template <class M, class H>
inline DecodeStatus dispatch_as(const uint8_t* p, std::size_t n, H& h) noexcept {
  if (n != M::kLength) [[unlikely]]
    return DecodeStatus::kBadLength;
  if constexpr (Handles<H, M>) {
    static_assert(noexcept(h.on(std::declval<const M&>())), "message handlers must be noexcept");
    M m;
    wire::decode_body(p, m);
    h.on(m);
  }
  return DecodeStatus::kOk;
}

// Decodes msg (n bytes) as an M into out without dispatch; kUnknownType when it holds
// another type. Hot path.
template <class M>
inline DecodeStatus decode_one(const uint8_t* p, std::size_t n, M& out) noexcept {
  if (n == 0) return DecodeStatus::kEmpty;
  if (p[0] != static_cast<uint8_t>(M::kType)) return DecodeStatus::kUnknownType;
  if (n != M::kLength) return DecodeStatus::kBadLength;
  wire::decode_body(p, out);
  return DecodeStatus::kOk;
}

}  // namespace tachyon::dataplane
