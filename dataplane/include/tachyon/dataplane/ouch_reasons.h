// OUCH 4.2 reason and indicator codes, and how the book's reasons map onto them (match
// mode reports book outcomes as OUCH Canceled/Rejected messages). Pure; thread-safe.
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
