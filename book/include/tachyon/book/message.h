// Inbound book messages for the batch entry point: one POD per operation.
// Plain data; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

#include "tachyon/book/types.h"

namespace tachyon::book {

enum class MsgType : uint8_t {
  kAdd = 0,      // new order, matched by price-time priority
  kCancel = 1,   // cancel the whole remainder
  kReduce = 2,   // cancel qty shares, keep priority
  kModify = 3,   // set price and remaining qty (see OrderBook docs for priority rules)
  kInsert = 4,   // mirror add: rest without matching (feed mode: the venue already matched)
  kExecute = 5,  // mirror execution of qty shares of a resting order
  kReplace = 6,  // mirror replace: cancel id, insert new_id at price/qty
};

struct BookMessage {
  SeqNum seq = 0;
  OrderId id{};
  OrderId new_id{};  // kReplace only
  Price price{};
  Qty qty{};
  SymbolId symbol{};
  MsgType type = MsgType::kAdd;
  Side side = Side::kBuy;
  OrderType order_type = OrderType::kLimit;
  uint8_t pad_ = 0;
};
static_assert(sizeof(BookMessage) == 48);

}  // namespace tachyon::book
