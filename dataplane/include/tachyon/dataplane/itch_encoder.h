// ITCH 5.0 encoder: writes any message struct of itch_messages.h in its exact wire layout
// (match mode publishes ITCH of the appliance's own book). Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "tachyon/dataplane/itch_messages.h"
#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane::itch {

// One of the ITCH 5.0 message structs.
template <class M>
concept Message = wire::OneOf<M, AllMessages>;

// Writes m at the start of out. Returns M::kLength, or 0 when out is shorter than that,
// a Price(4) is outside 0..2^32-1 or a timestamp does not fit 48 bits (out then holds
// partial bytes and must not be sent). Hot path; no allocation.
template <Message M>
inline std::size_t encode(const M& m, std::span<uint8_t> out) noexcept {
  return wire::encode_message(m, out.data(), out.size());
}

}  // namespace tachyon::dataplane::itch
