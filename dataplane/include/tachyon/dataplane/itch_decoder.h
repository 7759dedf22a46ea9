// Zero-copy ITCH 5.0 decoder: reads one framed message in place and hands a typed struct
// to a handler given as a template parameter (no virtual call per message). Runs on the
// core that owns the buffer; stateless and thread-safe.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

#include "tachyon/dataplane/itch_messages.h"
#include "tachyon/dataplane/message_dispatch.h"
#include "tachyon/dataplane/wire_layout.h"

namespace tachyon::dataplane::itch {

// Decodes one message of exactly n bytes (as framed by MoldUDP64 or BinaryFILE) and
// dispatches it to h. Never reads outside [p, p + n). Hot path.
template <class H>
inline DecodeStatus decode(const uint8_t* p, std::size_t n, H& h) noexcept {
  if (n == 0) [[unlikely]]
    return DecodeStatus::kEmpty;
  switch (p[0]) {
    case AddOrder::kType: return dispatch_as<AddOrder>(p, n, h);
    case OrderDelete::kType: return dispatch_as<OrderDelete>(p, n, h);
    case OrderReplace::kType: return dispatch_as<OrderReplace>(p, n, h);
    case OrderExecuted::kType: return dispatch_as<OrderExecuted>(p, n, h);
    case OrderCancel::kType: return dispatch_as<OrderCancel>(p, n, h);
    case OrderExecutedWithPrice::kType: return dispatch_as<OrderExecutedWithPrice>(p, n, h);
    case AddOrderMpid::kType: return dispatch_as<AddOrderMpid>(p, n, h);
    case Trade::kType: return dispatch_as<Trade>(p, n, h);
    case CrossTrade::kType: return dispatch_as<CrossTrade>(p, n, h);
    case BrokenTrade::kType: return dispatch_as<BrokenTrade>(p, n, h);
    case Noii::kType: return dispatch_as<Noii>(p, n, h);
    case SystemEvent::kType: return dispatch_as<SystemEvent>(p, n, h);
    case StockDirectory::kType: return dispatch_as<StockDirectory>(p, n, h);
    case StockTradingAction::kType: return dispatch_as<StockTradingAction>(p, n, h);
    case RegShoRestriction::kType: return dispatch_as<RegShoRestriction>(p, n, h);
    case MarketParticipantPosition::kType: return dispatch_as<MarketParticipantPosition>(p, n, h);
    case MwcbDeclineLevel::kType: return dispatch_as<MwcbDeclineLevel>(p, n, h);
    case MwcbStatus::kType: return dispatch_as<MwcbStatus>(p, n, h);
    case IpoQuotingPeriodUpdate::kType: return dispatch_as<IpoQuotingPeriodUpdate>(p, n, h);
    case LuldAuctionCollar::kType: return dispatch_as<LuldAuctionCollar>(p, n, h);
    case OperationalHalt::kType: return dispatch_as<OperationalHalt>(p, n, h);
    case RetailPriceImprovement::kType: return dispatch_as<RetailPriceImprovement>(p, n, h);
    case DirectListingCapitalRaise::kType: return dispatch_as<DirectListingCapitalRaise>(p, n, h);
    default: return DecodeStatus::kUnknownType;
  }
}

template <class H>
inline DecodeStatus decode(std::span<const uint8_t> msg, H& h) noexcept {
  return decode(msg.data(), msg.size(), h);
}

// A handler that takes framed messages whole: h.on_message(p, n) handles what
// decode(p, n, h) would and returns what it would (BookBuilder, which stages the common
// types with no switch on the type byte).
template <class H>
concept RawHandler = requires(H& h, const uint8_t* p, std::size_t n) {
  { h.on_message(p, n) } noexcept -> std::same_as<DecodeStatus>;
};

// Passes one framed message of n bytes to h: whole when h takes it so, else through
// decode(). Hot path.
template <class H>
inline DecodeStatus deliver(const uint8_t* p, std::size_t n, H& h) noexcept {
  if constexpr (RawHandler<H>) {
    return h.on_message(p, n);
  } else {
    return decode(p, n, h);
  }
}

// Decodes msg as a message of type M into out, without dispatch. Returns kUnknownType
// when msg holds another type. Hot path.
template <class M>
inline DecodeStatus decode_message(std::span<const uint8_t> msg, M& out) noexcept {
  return decode_one(msg.data(), msg.size(), out);
}

}  // namespace tachyon::dataplane::itch
