// OUCH 4.2 reason and indicator codes, and how the book's, the risk gate's and the
// operator's reasons map onto them (match mode reports outcomes as OUCH Canceled/Rejected
// messages). Pure; thread-safe.
//
// book::RejectReason -> OUCH Rejected reason:
//   kPriceOutOfRange     'X' Invalid Price
//   kQtyOutOfRange       'Z' Shares exceeds configured safety threshold (the closest
//                            OUCH code for any shares value the book refuses, 0 included)
//   kUnknownSymbol       'S' Invalid Stock
//   kPostOnlyWouldCross  'D' Invalid Display Type (the post-only display 'P' cannot be
//                            accepted against the current book)
//   kNotResting, kDuplicateOrderId, kPoolExhausted, kInvalidMessage, kNone
//                        'O' Other (OUCH has no code for unknown or duplicate tokens or
//                            for capacity)
// RiskReason (pre-trade risk, per session) -> OUCH Rejected reason, the most specific
// code OUCH 4.2 has for each:
//   kMaxOrderQty         'Z' Shares exceeds configured safety threshold (one order's size)
//   kMaxNotional         'n' Exceeded dollar value limit (one order's price x shares)
//   kPriceCollar         'X' Invalid Price (too far from the reference price)
//   kMaxPosition, kMaxGrossPosition, kMaxNetPosition
//                        'm' Exceeded shares limit (a position limit: shares held and
//                            resting, beyond the one order)
//   kKillSwitch          'a' Reject All enabled (the session refuses every new order)
//   kMaxOpenOrders, kRateLimited, kNone
//                        'O' Other (OUCH 4.2 has no code for an order count or a rate)
// Engine state (the operator's commands and the circuit breaker):
//   paused               'C' Exchange closed (to new orders; cancels still pass)
//   symbol halted        'H' Halted
//   kill switch (ctl)    'a' Reject All enabled
//   engine busy          'O' Other (two-core match mode, reject policy: the matching
//                            core's input ring was full; OUCH 4.2 has no busy code)
// book::CancelReason -> OUCH Canceled reason:
//   kUser                'U' User requested cancel
//   kIocRemainder, kMarketRemainder, kFokUnfillable
//                        'I' Immediate or Cancel order (the unfilled rest of an order
//                            that may not rest)
//   kReplaced            'U' User requested cancel (the client's own replace; OUCH
//                            normally reports a replace with a Replaced message)
#pragma once

#include <cstdint>

#include "tachyon/book/event.h"
#include "tachyon/book/types.h"
#include "tachyon/dataplane/risk_gate.h"

namespace tachyon::dataplane::ouch {

// Canceled message reasons.
enum class CancelCode : char {
  kUserRequested = 'U',
  kImmediateOrCancel = 'I',
  kTimeout = 'T',
  kSupervisory = 'S',
  kRegulatoryRestriction = 'D',
  kSelfMatchPrevention = 'Q',
  kSystemCancel = 'Z',
  kCrossCanceled = 'C',
  kMarketCollars = 'K',
  kHalted = 'H',
  kOpenProtection = 'X',
  kClosed = 'E',
};

// Rejected message reasons.
enum class RejectCode : char {
  kTestMode = 'T',
  kHalted = 'H',
  kSharesAboveThreshold = 'Z',
  kInvalidStock = 'S',
  kInvalidDisplayType = 'D',
  kClosed = 'C',
  kFirmNotAuthorized = 'L',
  kOutsidePermittedTimes = 'M',
  kNotAllowedInCross = 'R',
  kInvalidPrice = 'X',
  kInvalidMinimumQuantity = 'N',
  kOther = 'O',
  kInvalidMidpointPostOnlyPrice = 'W',
  kRejectAllEnabled = 'a',        // the kill switch: every new order is refused
  kEasyToBorrowReject = 'b',
  kRestrictedSymbolList = 'c',
  kIsoRestriction = 'd',
  kOddLotRestriction = 'e',
  kMidPointRestriction = 'f',
  kPreMarketRestriction = 'g',
  kPostMarketRestriction = 'h',
  kShortSaleRestriction = 'i',
  kOnOpenRestriction = 'j',
  kOnCloseRestriction = 'k',
  kTwoSidedQuoteReject = 'l',
  kExceededSharesLimit = 'm',     // a shares limit beyond the one order (positions)
  kExceededDollarValueLimit = 'n',
};

// Maps a book reject reason to the OUCH Rejected reason (table above).
constexpr RejectCode to_reject_code(book::RejectReason r) noexcept {
  switch (r) {
    case book::RejectReason::kPriceOutOfRange: return RejectCode::kInvalidPrice;
    case book::RejectReason::kQtyOutOfRange: return RejectCode::kSharesAboveThreshold;
    case book::RejectReason::kUnknownSymbol: return RejectCode::kInvalidStock;
    case book::RejectReason::kPostOnlyWouldCross: return RejectCode::kInvalidDisplayType;
    case book::RejectReason::kNone:
    case book::RejectReason::kNotResting:
    case book::RejectReason::kDuplicateOrderId:
    case book::RejectReason::kPoolExhausted:
    case book::RejectReason::kInvalidMessage: return RejectCode::kOther;
  }
  return RejectCode::kOther;
}

// Maps a risk gate refusal to the OUCH Rejected reason (table above).
constexpr RejectCode to_reject_code(RiskReason r) noexcept {
  switch (r) {
    case RiskReason::kMaxOrderQty: return RejectCode::kSharesAboveThreshold;
    case RiskReason::kMaxNotional: return RejectCode::kExceededDollarValueLimit;
    case RiskReason::kPriceCollar: return RejectCode::kInvalidPrice;
    case RiskReason::kMaxPosition:
    case RiskReason::kMaxGrossPosition:
    case RiskReason::kMaxNetPosition: return RejectCode::kExceededSharesLimit;
    case RiskReason::kKillSwitch: return RejectCode::kRejectAllEnabled;
    case RiskReason::kNone:
    case RiskReason::kMaxOpenOrders:
    case RiskReason::kRateLimited: return RejectCode::kOther;
  }
  return RejectCode::kOther;
}

// Maps a book cancel reason to the OUCH Canceled reason (table above).
constexpr CancelCode to_cancel_code(book::CancelReason r) noexcept {
  switch (r) {
    case book::CancelReason::kUser: return CancelCode::kUserRequested;
    case book::CancelReason::kIocRemainder:
    case book::CancelReason::kMarketRemainder:
    case book::CancelReason::kFokUnfillable: return CancelCode::kImmediateOrCancel;
    case book::CancelReason::kReplaced: return CancelCode::kUserRequested;
  }
  return CancelCode::kUserRequested;
}

// Maps an OUCH buy/sell indicator to a book side: B buys; S, T (short) and E (short
// exempt) sell. False for any other byte.
constexpr bool to_book_side(char c, book::Side& out) noexcept {
  switch (c) {
    case 'B': out = book::Side::kBuy; return true;
    case 'S':
    case 'T':
    case 'E': out = book::Side::kSell; return true;
    default: return false;
  }
}

constexpr char to_side_code(book::Side s) noexcept { return s == book::Side::kBuy ? 'B' : 'S'; }

// Maps time in force and display to a book order type: time in force 0 is immediate or
// cancel; display 'P' (post-only) rests only; anything else is a resting limit order.
constexpr book::OrderType to_book_order_type(uint32_t time_in_force, char display) noexcept {
  if (time_in_force == 0) return book::OrderType::kIoc;
  if (display == 'P') return book::OrderType::kPostOnly;
  return book::OrderType::kLimit;
}

}  // namespace tachyon::dataplane::ouch
