// The NASDAQ TotalView-ITCH 5.0 message set: every message type, the length of each on
// the wire, and the side mapping. All integers are big-endian on the wire; timestamps are
// nanoseconds since midnight. Plain data; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>

#include "tachyon/book/types.h"
#include "tachyon/dataplane/itch_admin_messages.h"
#include "tachyon/dataplane/itch_order_messages.h"

namespace tachyon::dataplane::itch {

// Every ITCH 5.0 message type, for code that iterates over them all.
using AllMessages =
    std::tuple<SystemEvent, StockDirectory, StockTradingAction, RegShoRestriction, MarketParticipantPosition,
               MwcbDeclineLevel, MwcbStatus, IpoQuotingPeriodUpdate, LuldAuctionCollar, OperationalHalt, AddOrder,
               AddOrderMpid, OrderExecuted, OrderExecutedWithPrice, OrderCancel, OrderDelete, OrderReplace, Trade,
               CrossTrade, BrokenTrade, Noii, RetailPriceImprovement, DirectListingCapitalRaise>;
inline constexpr std::size_t kMessageTypeCount = std::tuple_size_v<AllMessages>;

// Returns the wire length of a message of this type byte, or 0 for an unknown type.
// O(1), hot path (BinaryFILE length recovery).
constexpr std::size_t message_length(uint8_t type) noexcept {
  switch (type) {
    case SystemEvent::kType: return SystemEvent::kLength;
    case StockDirectory::kType: return StockDirectory::kLength;
    case StockTradingAction::kType: return StockTradingAction::kLength;
    case RegShoRestriction::kType: return RegShoRestriction::kLength;
    case MarketParticipantPosition::kType: return MarketParticipantPosition::kLength;
    case MwcbDeclineLevel::kType: return MwcbDeclineLevel::kLength;
    case MwcbStatus::kType: return MwcbStatus::kLength;
    case IpoQuotingPeriodUpdate::kType: return IpoQuotingPeriodUpdate::kLength;
    case LuldAuctionCollar::kType: return LuldAuctionCollar::kLength;
    case OperationalHalt::kType: return OperationalHalt::kLength;
    case AddOrder::kType: return AddOrder::kLength;
    case AddOrderMpid::kType: return AddOrderMpid::kLength;
    case OrderExecuted::kType: return OrderExecuted::kLength;
    case OrderExecutedWithPrice::kType: return OrderExecutedWithPrice::kLength;
    case OrderCancel::kType: return OrderCancel::kLength;
    case OrderDelete::kType: return OrderDelete::kLength;
    case OrderReplace::kType: return OrderReplace::kLength;
    case Trade::kType: return Trade::kLength;
    case CrossTrade::kType: return CrossTrade::kLength;
    case BrokenTrade::kType: return BrokenTrade::kLength;
    case Noii::kType: return Noii::kLength;
    case RetailPriceImprovement::kType: return RetailPriceImprovement::kLength;
    case DirectListingCapitalRaise::kType: return DirectListingCapitalRaise::kLength;
    default: return 0;
  }
}

// Maps an ITCH buy/sell indicator to a book side; false for any other byte.
constexpr bool to_side(char c, book::Side& out) noexcept {
  if (c == 'B') {
    out = book::Side::kBuy;
    return true;
  }
  if (c == 'S') {
    out = book::Side::kSell;
    return true;
  }
  return false;
}

}  // namespace tachyon::dataplane::itch
