// OUCH 4.2 codec: decodes inbound (client) and outbound (venue) messages in place and
// dispatches typed structs to a handler template parameter; encodes any OUCH struct in
// its exact wire layout. 'U' means Replace Order inbound and Replaced outbound, so each
// direction has its own decoder. Stateless; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>

#include "tachyon/dataplane/message_dispatch.h"
#include "tachyon/dataplane/ouch_messages.h"
#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane::ouch {

using InboundMessages = std::tuple<EnterOrder, ReplaceOrder, CancelOrder>;
using OutboundMessages = std::tuple<SystemEvent, Accepted, Replaced, Canceled, Executed, BrokenTrade, Rejected>;

// One of the OUCH 4.2 message structs.
template <class M>
concept Message = wire::OneOf<M, InboundMessages> || wire::OneOf<M, OutboundMessages>;

// Decodes one client-to-venue message of exactly n bytes and dispatches it to h.
// Never reads outside [p, p + n). Hot path.
template <class H>
inline DecodeStatus decode_inbound(const uint8_t* p, std::size_t n, H& h) noexcept {
  if (n == 0) [[unlikely]]
    return DecodeStatus::kEmpty;
  switch (p[0]) {
    case EnterOrder::kType: return dispatch_as<EnterOrder>(p, n, h);
    case ReplaceOrder::kType: return dispatch_as<ReplaceOrder>(p, n, h);
    case CancelOrder::kType: return dispatch_as<CancelOrder>(p, n, h);
    default: return DecodeStatus::kUnknownType;
  }
}

// Decodes one venue-to-client message of exactly n bytes and dispatches it to h.
// Never reads outside [p, p + n). Hot path.
template <class H>
inline DecodeStatus decode_outbound(const uint8_t* p, std::size_t n, H& h) noexcept {
  if (n == 0) [[unlikely]]
    return DecodeStatus::kEmpty;
  switch (p[0]) {
    case SystemEvent::kType: return dispatch_as<SystemEvent>(p, n, h);
    case Accepted::kType: return dispatch_as<Accepted>(p, n, h);
    case Replaced::kType: return dispatch_as<Replaced>(p, n, h);
    case Canceled::kType: return dispatch_as<Canceled>(p, n, h);
    case Executed::kType: return dispatch_as<Executed>(p, n, h);
    case BrokenTrade::kType: return dispatch_as<BrokenTrade>(p, n, h);
    case Rejected::kType: return dispatch_as<Rejected>(p, n, h);
    default: return DecodeStatus::kUnknownType;
  }
}

template <class H>
inline DecodeStatus decode_inbound(std::span<const uint8_t> msg, H& h) noexcept {
  return decode_inbound(msg.data(), msg.size(), h);
}
template <class H>
inline DecodeStatus decode_outbound(std::span<const uint8_t> msg, H& h) noexcept {
  return decode_outbound(msg.data(), msg.size(), h);
}

// Decodes msg as an M into out without dispatch. Hot path.
template <Message M>
inline DecodeStatus decode_message(std::span<const uint8_t> msg, M& out) noexcept {
  return decode_one(msg.data(), msg.size(), out);
}

// Writes m at the start of out. Returns M::kLength, or 0 when out is too short or a
// price is outside 0..2^32-1 (out then holds partial bytes). Hot path; no allocation.
template <Message M>
inline std::size_t encode(const M& m, std::span<uint8_t> out) noexcept {
  return wire::encode_message(m, out.data(), out.size());
}

}  // namespace tachyon::dataplane::ouch
