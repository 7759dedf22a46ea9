// Typed requests and answers of the OKX v5 REST endpoints this client uses: orders
// (place, cancel, amend, their batch forms, query), account balance, positions,
// instruments, order-book snapshot. Prices and sizes are exact Decimals; account
// figures keep the venue's exact text. Plain values; thread-safe to read.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tachyon/book/types.h"
#include "tachyon/okx/book_checksum.h"
#include "tachyon/okx/decimal.h"

namespace tachyon::okx {

struct OrderRequest {
  std::string inst_id;
  std::string td_mode = "cash";  // cash, cross, isolated
  book::Side side = book::Side::kBuy;
  std::string ord_type = "limit";  // limit, market, post_only, fok, ioc
  std::optional<Decimal> px;       // required except for market orders
  Decimal sz{};
  std::string cl_ord_id;  // assigned by the client when empty (needed to re-query)
  std::string pos_side;   // long/short in hedge mode, else empty
  bool reduce_only = false;

  // Returns the JSON body: instId, tdMode, side, ordType, px, sz, clOrdId, then the
  // optional fields, in that order.
  std::string to_json() const;
};

// One order's acknowledgement (sCode 0), from the answer or from a re-query.
struct OrderAck {
  std::string ord_id;
  std::string cl_ord_id;
  std::string state;       // only when recovered by a re-query: live, filled, ...
  bool recovered = false;  // the first answer was lost; the order was found by clOrdId
};

struct CancelRequest {
  std::string inst_id;
  std::string ord_id;     // one of ord_id / cl_ord_id
  std::string cl_ord_id;
  std::string to_json() const;
};

struct AmendRequest {
  std::string inst_id;
  std::string ord_id;  // one of ord_id / cl_ord_id
  std::string cl_ord_id;
  std::optional<Decimal> new_px;
  std::optional<Decimal> new_sz;
  std::string req_id;
  bool cxl_on_fail = false;
  std::string to_json() const;
};

struct OrderInfo {
  std::string inst_id;
  std::string ord_id;
  std::string cl_ord_id;
  book::Side side = book::Side::kBuy;
  std::string ord_type;
  std::string state;  // live, partially_filled, filled, canceled, mmp_canceled
  std::optional<Decimal> px;
  Decimal sz{};
  Decimal acc_fill_sz{};
  std::optional<Decimal> avg_px;
  int64_t c_time_ms = 0;
  int64_t u_time_ms = 0;
};

struct BalanceDetail {
  std::string ccy;
  std::string eq;  // exact text: account figures can carry more digits than a Decimal
  std::string cash_bal;
  std::string avail_bal;
  std::string frozen_bal;
};

struct AccountBalance {
  std::string total_eq;
  int64_t u_time_ms = 0;
  std::vector<BalanceDetail> details;
};

struct Position {
  std::string inst_id;
  std::string inst_type;
  std::string mgn_mode;
  std::string pos_side;
  std::string pos;
  std::string avg_px;
  std::string upl;
  std::string lever;
};

struct BookSnapshot {
  std::string inst_id;
  std::vector<DecimalLevel> bids;  // best first
  std::vector<DecimalLevel> asks;
  int64_t ts_ms = 0;
};

}  // namespace tachyon::okx
