// JSON bodies of the typed OKX requests. Control path.
#include "tachyon/okx/rest_types.h"

#include "tachyon/okx/json_text.h"

namespace tachyon::okx {

std::string OrderRequest::to_json() const {
  std::string b = "{";
  append_json_field(b, "instId", inst_id);
  append_json_field(b, "tdMode", td_mode);
  append_json_field(b, "side", side == book::Side::kBuy ? "buy" : "sell");
  append_json_field(b, "ordType", ord_type);
  if (px) append_json_field(b, "px", px->to_string());
  append_json_field(b, "sz", sz.to_string());
  if (!cl_ord_id.empty()) append_json_field(b, "clOrdId", cl_ord_id);
  if (!pos_side.empty()) append_json_field(b, "posSide", pos_side);
  if (reduce_only) b += ",\"reduceOnly\":true";
  b += '}';
  return b;
}

std::string CancelRequest::to_json() const {
  std::string b = "{";
  append_json_field(b, "instId", inst_id);
  if (!ord_id.empty()) append_json_field(b, "ordId", ord_id);
  if (!cl_ord_id.empty()) append_json_field(b, "clOrdId", cl_ord_id);
  b += '}';
  return b;
}

std::string AmendRequest::to_json() const {
  std::string b = "{";
  append_json_field(b, "instId", inst_id);
  if (!ord_id.empty()) append_json_field(b, "ordId", ord_id);
  if (!cl_ord_id.empty()) append_json_field(b, "clOrdId", cl_ord_id);
  if (new_sz) append_json_field(b, "newSz", new_sz->to_string());
  if (new_px) append_json_field(b, "newPx", new_px->to_string());
  if (!req_id.empty()) append_json_field(b, "reqId", req_id);
  if (cxl_on_fail) b += ",\"cxlOnFail\":true";
  b += '}';
  return b;
}

}  // namespace tachyon::okx
