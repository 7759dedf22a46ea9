// Test-side event helpers for book/ tests: a recording sink, expected-event builders
// written from the field table in event.h, and readable printing for failures.
// Test code only (allocates); single-threaded.
#pragma once

#include <algorithm>
#include <cstring>
#include <cstdint>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "tachyon/book/event.h"
#include "tachyon/book/message.h"
#include "tachyon/book/types.h"

namespace tachyon::book {

// gtest and rapidcheck print values through these (found by argument-dependent lookup).
inline const char* side_name(Side s) { return s == Side::kBuy ? "buy" : s == Side::kSell ? "sell" : "side?"; }

inline const char* type_name(OrderType t) {
  switch (t) {
    case OrderType::kLimit: return "limit";
    case OrderType::kIoc: return "ioc";
    case OrderType::kFok: return "fok";
    case OrderType::kMarket: return "market";
    case OrderType::kPostOnly: return "post_only";
  }
  return "type?";
}

inline const char* msg_name(MsgType t) {
  switch (t) {
    case MsgType::kAdd: return "add";
    case MsgType::kCancel: return "cancel";
    case MsgType::kReduce: return "reduce";
    case MsgType::kModify: return "modify";
    case MsgType::kInsert: return "insert";
    case MsgType::kExecute: return "execute";
    case MsgType::kReplace: return "replace";
  }
  return "msg?";
}

inline std::string describe(const Event& e) {
  std::ostringstream os;
  os << '{' << to_string(e.kind) << " seq=" << e.seq << " sym=" << e.symbol.value << " id=" << e.id.value << ' '
     << side_name(e.side) << ' ' << type_name(e.type) << " px=" << e.price.ticks << " qty=" << e.qty.value
     << " rem=" << e.remaining.value << " contra=" << e.contra << " contra_rem=" << e.contra_remaining.value
     << " reason=";
  switch (e.kind) {
    case EventKind::kRejected: os << to_string(e.reject_reason()); break;
    case EventKind::kCanceled: os << to_string(e.cancel_reason()); break;
    case EventKind::kModified:
      os << (e.modify_kind() == ModifyKind::kKeptPriority ? "kept_priority" : "lost_priority");
      break;
    default: os << int{e.reason}; break;
  }
  os << '}';
  return os.str();
}

inline void PrintTo(const Event& e, std::ostream* os) { *os << describe(e); }

inline std::string describe(const BookMessage& m) {
  std::ostringstream os;
  os << '{' << msg_name(m.type);
  if (static_cast<uint8_t>(m.type) > static_cast<uint8_t>(MsgType::kReplace)) os << '(' << int(m.type) << ')';
  os << " seq=" << m.seq << " sym=" << m.symbol.value << " id=" << m.id.value;
  if (m.type == MsgType::kReplace) os << " new_id=" << m.new_id.value;
  os << ' ' << side_name(m.side);
  if (static_cast<uint8_t>(m.side) > 1) os << '(' << int(m.side) << ')';
  os << ' ' << type_name(m.order_type);
  if (static_cast<uint8_t>(m.order_type) > 4) os << '(' << int(m.order_type) << ')';
  os << " px=" << m.price.ticks << " qty=" << m.qty.value << '}';
  return os.str();
}

inline void PrintTo(const BookMessage& m, std::ostream* os) { *os << describe(m); }
inline void showValue(const BookMessage& m, std::ostream& os) { os << describe(m); }

namespace test {

// Records every event; allocates, so for tests only.
struct EventRecorder {
  std::vector<Event> events;
  void on_event(const Event& e) noexcept { events.push_back(e); }
  void clear() noexcept { events.clear(); }
};
static_assert(EventSink<EventRecorder>);

// The same, taking events in place (InPlaceEventSink). Each slot handed out is filled
// with a junk pattern first, so a field the book forgets to write shows as a mismatch.
struct InPlaceEventRecorder {
  std::vector<Event> events;
  Event slot{};
  uint64_t in_place = 0;  // events delivered through event_slot()/commit_event()
  void on_event(const Event& e) noexcept { events.push_back(e); }
  Event* event_slot() noexcept {
    std::memset(static_cast<void*>(&slot), 0xa5, sizeof slot);
    return &slot;
  }
  void commit_event() noexcept {
    events.push_back(slot);
    ++in_place;
  }
  void clear() noexcept { events.clear(); }
};
static_assert(InPlaceEventSink<InPlaceEventRecorder>);
static_assert(!InPlaceEventSink<EventRecorder>);

// Builds an event with every field given; the kind-specific builders below fill in
// the field table of event.h.
inline Event make_event(EventKind kind, SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty,
                        Qty remaining, OrderType type, uint8_t reason, uint64_t contra = 0,
                        Qty contra_remaining = Qty{0}) {
  Event e{};
  e.seq = seq;
  e.id = id;
  e.contra = contra;
  e.price = price;
  e.qty = qty;
  e.remaining = remaining;
  e.contra_remaining = contra_remaining;
  e.symbol = sym;
  e.kind = kind;
  e.side = side;
  e.reason = reason;
  e.type = type;
  return e;
}

// Accepted: the order as entered (price 0 for market), remaining = qty.
inline Event accepted(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty,
                      OrderType type = OrderType::kLimit) {
  return make_event(EventKind::kAccepted, seq, sym, id, side, price, qty, qty, type, 0);
}

// Trade: id = taker (0 for a mirror execution), side = taker side, price = maker's
// price (or the execution price), remaining = taker's remainder, contra = maker,
// contra_remaining = maker's remainder.
inline Event trade(SeqNum seq, SymbolId sym, OrderId taker, Side taker_side, Price price, Qty qty,
                   Qty taker_remaining, OrderId maker, Qty maker_remaining) {
  return make_event(EventKind::kTrade, seq, sym, taker, taker_side, price, qty, taker_remaining, OrderType::kLimit,
                    0, maker.value, maker_remaining);
}

// Canceled: qty removed, remaining = what still rests. type is the order type for the
// remainder of a non-resting order (IOC, FOK, market), else limit.
inline Event canceled(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty, Qty remaining,
                      CancelReason why, OrderType type = OrderType::kLimit) {
  return make_event(EventKind::kCanceled, seq, sym, id, side, price, qty, remaining, type,
                    static_cast<uint8_t>(why));
}

// Modified: price/qty are the new values (remaining = new qty), contra = old price in
// ticks, contra_remaining = old qty.
inline Event modified(SeqNum seq, SymbolId sym, OrderId id, Side side, Price new_price, Qty new_qty,
                      Price old_price, Qty old_qty, ModifyKind kind) {
  return make_event(EventKind::kModified, seq, sym, id, side, new_price, new_qty, new_qty, OrderType::kLimit,
                    static_cast<uint8_t>(kind), static_cast<uint64_t>(old_price.ticks), old_qty);
}

// Rejected: the message's fields echoed, remaining 0, reason = RejectReason.
inline Event rejected(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty, OrderType type,
                      RejectReason why) {
  return make_event(EventKind::kRejected, seq, sym, id, side, price, qty, Qty{0}, type, static_cast<uint8_t>(why));
}

// Returns a multi-line listing of two event streams with the first difference marked;
// empty when they are equal.
inline std::string diff_events(const std::vector<Event>& got, const std::vector<Event>& want) {
  if (got == want) return {};
  std::ostringstream os;
  const std::size_t n = std::max(got.size(), want.size());
  std::size_t first = 0;
  while (first < got.size() && first < want.size() && got[first] == want[first]) ++first;
  os << "event streams differ at index " << first << " (got " << got.size() << ", want " << want.size() << ")\n";
  const std::size_t from = first > 3 ? first - 3 : 0;
  for (std::size_t i = from; i < n && i < first + 6; ++i) {
    os << (i == first ? "> " : "  ") << i << "\n      got:  " << (i < got.size() ? describe(got[i]) : "-")
       << "\n      want: " << (i < want.size() ? describe(want[i]) : "-") << '\n';
  }
  return os.str();
}

}  // namespace test
}  // namespace tachyon::book
