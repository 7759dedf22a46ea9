// Typed WebSocket channel pushes (see channel_data.h). Control-plane thread.
#include "tachyon/okx/channel_data.h"

#include <simdjson.h>

#include <charconv>

namespace tachyon::okx {

namespace dom = simdjson::dom;

namespace {

std::string_view str_of(dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return {};
  return v;
}
int64_t int64_of(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}
std::optional<Decimal> dec_of(dom::element e, const char* key) {
  const std::string_view s = str_of(e, key);
  if (s.empty()) return std::nullopt;
  return Decimal::parse(s);
}

// Parses the push and calls f(element) for each item of data.
template <class T, class F>
Result<std::vector<T>> each_item(const char* data, std::size_t len, const char* what, F&& f) {
  dom::parser p;
  dom::element doc;
  dom::array items;
  if (p.parse(data, len, false).get(doc) || doc["data"].get_array().get(items))
    return Error{ErrorKind::kParse, 0, 0, "push without a data array", what, false};
  std::vector<T> out;
  for (dom::element e : items) {
    auto r = f(e);
    if (!r) return std::move(r).error();
    out.push_back(std::move(*r));
  }
  return out;
}

}  // namespace

Result<std::vector<Trade>> parse_trades(const char* data, std::size_t len) {
  return each_item<Trade>(data, len, "trades", [](dom::element e) -> Result<Trade> {
    Trade t;
    t.inst_id = std::string(str_of(e, "instId"));
    t.trade_id = std::string(str_of(e, "tradeId"));
    const auto px = dec_of(e, "px");
    const auto sz = dec_of(e, "sz");
    if (!px || !sz) return Error{ErrorKind::kParse, 0, 0, "trade without exact px/sz", "trades", false};
    t.px = *px;
    t.sz = *sz;
    t.side = str_of(e, "side") == "sell" ? book::Side::kSell : book::Side::kBuy;
    t.ts_ms = int64_of(str_of(e, "ts"));
    return t;
  });
}

Result<std::vector<OrderInfo>> parse_orders(const char* data, std::size_t len) {
  return each_item<OrderInfo>(data, len, "orders", [](dom::element e) -> Result<OrderInfo> {
    OrderInfo o;
    o.inst_id = std::string(str_of(e, "instId"));
    o.ord_id = std::string(str_of(e, "ordId"));
    o.cl_ord_id = std::string(str_of(e, "clOrdId"));
    o.side = str_of(e, "side") == "sell" ? book::Side::kSell : book::Side::kBuy;
    o.ord_type = std::string(str_of(e, "ordType"));
    o.state = std::string(str_of(e, "state"));
    o.px = dec_of(e, "px");
    o.sz = dec_of(e, "sz").value_or(Decimal{});
    o.acc_fill_sz = dec_of(e, "accFillSz").value_or(Decimal{});
    o.avg_px = dec_of(e, "avgPx");
    o.c_time_ms = int64_of(str_of(e, "cTime"));
    o.u_time_ms = int64_of(str_of(e, "uTime"));
    if (o.ord_id.empty()) return Error{ErrorKind::kParse, 0, 0, "order push without ordId", "orders", false};
    return o;
  });
}

Result<std::vector<Position>> parse_positions(const char* data, std::size_t len) {
  return each_item<Position>(data, len, "positions", [](dom::element e) -> Result<Position> {
    return Position{std::string(str_of(e, "instId")), std::string(str_of(e, "instType")),
                    std::string(str_of(e, "mgnMode")), std::string(str_of(e, "posSide")),
                    std::string(str_of(e, "pos")), std::string(str_of(e, "avgPx")),
                    std::string(str_of(e, "upl")), std::string(str_of(e, "lever"))};
  });
}

Result<std::vector<AccountBalance>> parse_account(const char* data, std::size_t len) {
  return each_item<AccountBalance>(data, len, "account", [](dom::element e) -> Result<AccountBalance> {
    AccountBalance b;
    b.total_eq = std::string(str_of(e, "totalEq"));
    b.u_time_ms = int64_of(str_of(e, "uTime"));
    dom::array details;
    if (!e["details"].get_array().get(details))
      for (dom::element d : details)
        b.details.push_back({std::string(str_of(d, "ccy")), std::string(str_of(d, "eq")),
                             std::string(str_of(d, "cashBal")), std::string(str_of(d, "availBal")),
                             std::string(str_of(d, "frozenBal"))});
    return b;
  });
}

}  // namespace tachyon::okx
