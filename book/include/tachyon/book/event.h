// Fixed-size POD events that every book operation emits, and the EventSink concept.
// Plain data; an Event is one cache line so it moves through rings as a unit.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "tachyon/book/cache_line.h"
#include "tachyon/book/types.h"

namespace tachyon::book {

enum class EventKind : uint8_t {
  kAccepted = 0,  // a new order passed validation (before any trade it causes)
  kTrade = 1,     // a fill between a taker (aggressor) and a resting maker
  kCanceled = 2,  // quantity left the book without trading
  kModified = 3,  // a resting order changed price and/or quantity
  kRejected = 4,  // the message had no effect; reason says why
};

enum class RejectReason : uint8_t {
  kNone = 0,
  kNotResting = 1,          // cancel/modify/execute of an unknown, filled or cancelled order
  kDuplicateOrderId = 2,    // add with an id that is live in the shard
  kQtyOutOfRange = 3,       // qty <= 0, above max_qty, or (execute) above the remainder
  kPriceOutOfRange = 4,     // price outside [min_price, max_price]
  kPostOnlyWouldCross = 5,  // a post-only order (or its reprice) would take liquidity
  kPoolExhausted = 6,       // no free order slot, price level or ladder space
  kUnknownSymbol = 7,       // symbol id beyond the shard's configured symbols
  kInvalidMessage = 8,      // unknown message or order type
};

enum class CancelReason : uint8_t {
  kUser = 0,             // cancel, reduce, or modify to quantity 0
  kIocRemainder = 1,     // unfilled part of an IOC order
  kMarketRemainder = 2,  // unfilled part of a market order
  kFokUnfillable = 3,    // a FOK order that could not fill completely
  kReplaced = 4,         // mirror replace: the old order of a replace
};

enum class ModifyKind : uint8_t {
  kKeptPriority = 0,  // same price, quantity decreased (or unchanged)
  kLostPriority = 1,  // price change or quantity increase: moved to the back
};

// One event. Field meanings by kind:
//   Accepted : id, side, type, price (0 for market), qty = order qty, remaining = qty
//   Trade    : id = taker (0 for a mirror execution), contra = maker, side = taker side,
//              price = maker's price, qty = fill, remaining = taker's remainder,
//              contra_remaining = maker's remainder; seq = the taker's message
//   Canceled : id, side, price, qty = quantity removed, remaining = what still rests,
//              reason = CancelReason
//   Modified : id, side, price = new price, qty = new qty, contra_remaining = old qty,
//              contra = old price in ticks, reason = ModifyKind
//   Rejected : id, reason = RejectReason; other fields echo the message
struct Event {
  SeqNum seq;
  OrderId id;
  uint64_t contra;
  Price price;
  Qty qty;
  Qty remaining;
  Qty contra_remaining;
  SymbolId symbol;
  EventKind kind;
  Side side;
  uint8_t reason;
  OrderType type;

  constexpr RejectReason reject_reason() const noexcept { return static_cast<RejectReason>(reason); }
  constexpr CancelReason cancel_reason() const noexcept { return static_cast<CancelReason>(reason); }
  constexpr ModifyKind modify_kind() const noexcept { return static_cast<ModifyKind>(reason); }

  friend constexpr bool operator==(const Event&, const Event&) = default;
};
static_assert(sizeof(Event) == kCacheLine);
static_assert(std::is_trivially_copyable_v<Event>);
static_assert(offsetof(Event, symbol) == 56);

// A sink receives every event of every operation, in order, synchronously.
template <class S>
concept EventSink = requires(S& s, const Event& e) {
  { s.on_event(e) } noexcept;
};

// A sink that can also take events in place: event_slot() returns storage for the next
// event (waiting for room if it has to), and commit_event() hands over what was written
// there. The book writes such a sink's events field by field straight into that
// storage, instead of assembling each in a temporary that on_event() then copies (a
// 64-byte reload of freshly written small fields, which the core cannot forward from
// its store buffer). Both paths deliver the same events in the same order.
template <class S>
concept InPlaceEventSink = EventSink<S> && requires(S& s) {
  { s.event_slot() } noexcept -> std::same_as<Event*>;
  { s.commit_event() } noexcept;
};

// A sink that discards events; for callers that only want the book state.
struct NullSink {
  void on_event(const Event&) noexcept {}
};

const char* to_string(EventKind k) noexcept;
const char* to_string(RejectReason r) noexcept;
const char* to_string(CancelReason r) noexcept;

}  // namespace tachyon::book
