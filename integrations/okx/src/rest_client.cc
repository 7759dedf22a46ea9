// OKX REST client (see rest_client.h): admission, signing, retries, typed parsing.
// Control-plane thread.
#include "tachyon/okx/rest_client.h"

#include <openssl/crypto.h>
#include <simdjson.h>

#include <cctype>
#include <charconv>
#include <cstdio>
#include <chrono>
#include <random>
#include <stdexcept>
#include <thread>

#include "tachyon/okx/redaction.h"

namespace tachyon::okx {

namespace dom = simdjson::dom;

namespace {

int64_t mono_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
int64_t mono_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string_view str_of(dom::element e, const char* key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return {};
  return v;
}

int int_of(std::string_view s) {
  int v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

int64_t int64_of(std::string_view s) {
  int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// Reads an integer field given as a string ("0") or a number.
int code_of(dom::element e, const char* key) {
  dom::element v;
  if (e[key].get(v)) return 0;
  std::string_view s;
  if (!v.get_string().get(s)) return int_of(s);
  int64_t i = 0;
  if (!v.get_int64().get(i)) return static_cast<int>(i);
  return 0;
}

std::optional<Decimal> dec_of(dom::element e, const char* key) {
  const std::string_view s = str_of(e, key);
  if (s.empty()) return std::nullopt;
  return Decimal::parse(s);
}

book::Side side_of(std::string_view s) { return s == "sell" ? book::Side::kSell : book::Side::kBuy; }

Error parse_error(const std::string& ctx, const std::string& what) {
  return Error{ErrorKind::kParse, 0, 0, what, ctx, false};
}

// Parses body with p and finds its data[] array (valid while p is); false when the body
// is not JSON or has no data array.
bool data_of(dom::parser& p, const std::string& body, dom::array& data) {
  dom::element doc;
  return !p.parse(body).get(doc) && !doc["data"].get_array().get(data);
}

std::string query(std::initializer_list<std::pair<const char*, std::string_view>> kv) {
  std::string q;
  for (const auto& [k, v] : kv) {
    if (v.empty()) continue;
    q += q.empty() ? '?' : '&';
    q += k;
    q += '=';
    for (const char c : v) {  // OKX ids are [A-Za-z0-9-_]; escape anything else
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') {
        q += c;
      } else {
        char b[4];
        std::snprintf(b, sizeof b, "%%%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
        q += b;
      }
    }
  }
  return q;
}

}  // namespace

std::string format_log_line(const RestLogRecord& r) {
  std::string s = "okx rest " + r.method + " " + r.target + " attempt " + std::to_string(r.attempt) + " -> ";
  s += r.http_status ? "HTTP " + std::to_string(r.http_status) : std::string("no answer");
  if (r.okx_code) s += " code " + std::to_string(r.okx_code);
  s += " in " + std::to_string(r.latency_us) + " us";
  if (!r.error.empty()) s += " error: " + r.error;
  if (!r.request_body.empty()) s += " req=" + r.request_body;
  if (!r.response_body.empty()) s += " resp=" + r.response_body;
  return s;
}

struct OkxRestClient::Reply {
  int http_status = 0;
  std::string body;
};

OkxRestClient::OkxRestClient(const OkxConfig& cfg, RestLogger logger)
    : cfg_(cfg), signer_(cfg.credentials, cfg.demo), logger_(std::move(logger)) {
  const auto url = Url::parse(cfg.rest_url);
  if (!url) throw std::runtime_error("okx: rest_url '" + cfg.rest_url + "' is not an http(s) URL");
  HttpsClientOptions o;
  o.ca_file = cfg.ca_file;
  o.connect_timeout_ms = cfg.connect_timeout_ms;
  o.request_timeout_ms = cfg.request_timeout_ms;
  http_ = std::make_unique<HttpsClient>(*url, o);
}

OkxRestClient::~OkxRestClient() = default;

Result<OkxRestClient::Reply> OkxRestClient::send_once(Endpoint ep, const std::string& target,
                                                      const std::string& body, bool sign, int attempt) {
  const EndpointInfo& info = endpoint_info(ep);
  HttpRequest req;
  req.method = info.method;
  req.target = target;
  req.body = body;
  req.headers = sign ? signer_.rest_headers(clock_.now_ms(), info.method, target, body) : signer_.public_headers();
  const std::string ctx = std::string(info.method) + " " + target;

  const int64_t t0 = mono_us();
  Result<HttpResponse> r = http_->send(req);
  for (Header& h : req.headers) OPENSSL_cleanse(h.value.data(), h.value.size());  // signed headers
  ++stats_.requests;
  RestLogRecord log;
  log.method = info.method;
  log.target = target;
  log.attempt = attempt;
  log.latency_us = mono_us() - t0;
  log.request_body = redact_json(body);
  auto emit = [&] {
    if (logger_) logger_(log);
  };
  if (!r) {
    log.error = r.error().describe();
    emit();
    return std::move(r).error();
  }
  HttpResponse& resp = *r;
  log.http_status = resp.status;
  log.response_body = redact_json(resp.body);

  auto fail = [&](Error e) {
    e.context = ctx;
    e.http_status = resp.status;
    log.okx_code = e.okx_code;
    log.error = e.describe();
    emit();
    return e;
  };
  dom::parser parser;
  dom::element doc;
  const bool json_ok = !parser.parse(resp.body).get(doc) && doc.is_object();
  if (resp.status == 429) {
    const int code = json_ok ? code_of(doc, "code") : 0;
    return fail(Error{ErrorKind::kRateLimited, code ? code : 50011, 0,
                      json_ok ? std::string(str_of(doc, "msg")) : "Too Many Requests", "", false});
  }
  if (!json_ok) {
    if (resp.status < 200 || resp.status >= 300)
      return fail(Error{ErrorKind::kHttp, 0, 0, "non-JSON answer: " + redact_json(resp.body, 200), "", false});
    return fail(parse_error(ctx, "answer is not a JSON object: " + redact_json(resp.body, 200)));
  }
  const int code = code_of(doc, "code");
  if (code != 0) {
    // Order endpoints answer code 1 (all failed) or 2 (some failed) with the real
    // reason in each item's sCode. Batches return items to the caller; single orders
    // fail with the item's code.
    dom::array data;
    const bool has_items = !doc["data"].get_array().get(data) && data.size() > 0;
    if (has_items && (code == 1 || code == 2)) {
      if (info.per_order) {
        log.okx_code = code;
        emit();
        return Reply{resp.status, std::move(resp.body)};
      }
      dom::element first = data.at(0);
      const int s_code = code_of(first, "sCode");
      if (s_code != 0)
        return fail(Error{classify_okx_code(s_code), s_code, 0, std::string(str_of(first, "sMsg")), "", false});
    }
    return fail(Error{classify_okx_code(code), code, 0, std::string(str_of(doc, "msg")), "", code == 50004});
  }
  if (resp.status < 200 || resp.status >= 300)
    return fail(Error{ErrorKind::kHttp, 0, 0, "HTTP status with code 0", "", false});
  emit();
  return Reply{resp.status, std::move(resp.body)};
}

Result<OkxRestClient::Reply> OkxRestClient::call(Endpoint ep, const std::string& target, const std::string& body,
                                                 int cost, bool sign) {
  if (sign && !cfg_.credentials.complete())
    return Error{ErrorKind::kAuth, 0, 0, "no API credentials (set OKX_API_KEY, OKX_SECRET_KEY, OKX_PASSPHRASE)",
                 std::string(endpoint_info(ep).method) + " " + target, false};
  if (sign && !clock_.calibrated()) {
    if (Status s = calibrate_clock(); !s) return std::move(s).error();
  }
  std::mt19937_64 rng(static_cast<uint64_t>(mono_us()));
  bool recalibrated = false;
  int rate_limited = 0;
  for (int attempt = 1;; ++attempt) {
    const int64_t now = mono_ms();
    const Admission a = limiter_.admit(ep, cost, now, cfg_.rate_limit_max_wait_ms);
    if (!a.admitted) {
      ++stats_.locally_refused;
      return Error{ErrorKind::kLocalRateLimit, 0, 0, a.refusal, std::string(endpoint_info(ep).method) + " " + target,
                   false};
    }
    if (a.at_ms > now) {
      stats_.queued_ms_total += static_cast<uint64_t>(a.at_ms - now);
      std::this_thread::sleep_for(std::chrono::milliseconds(a.at_ms - now));
    }
    Result<Reply> r = send_once(ep, target, body, sign, attempt);
    if (r) return r;
    const Error& e = r.error();
    if (e.kind == ErrorKind::kRateLimited) {
      ++stats_.rate_limited;
      if (rate_limited >= cfg_.rate_limit_retries) return r;
      // Exponential backoff with jitter: base * 2^n * [1, 1.25).
      const int64_t base = static_cast<int64_t>(cfg_.rate_limit_backoff_ms) << rate_limited;
      const int64_t wait = base + static_cast<int64_t>(rng() % static_cast<uint64_t>(base / 4 + 1));
      stats_.backoff_ms_total += static_cast<uint64_t>(wait);
      ++rate_limited;
      std::this_thread::sleep_for(std::chrono::milliseconds(wait));
      continue;
    }
    if (e.kind == ErrorKind::kTimestampExpired && sign && !recalibrated) {
      ++stats_.recalibrations;
      recalibrated = true;
      if (Status s = calibrate_clock(); !s) return r;
      continue;
    }
    return r;
  }
}

Result<int64_t> OkxRestClient::server_time() {
  Result<Reply> r = call(Endpoint::kServerTime, "/api/v5/public/time", "", 1, false);
  if (!r) return std::move(r).error();
  dom::parser p;
  dom::element doc;
  if (p.parse(r->body).get(doc)) return parse_error("GET /api/v5/public/time", "bad JSON");
  dom::array data;
  if (doc["data"].get_array().get(data) || data.size() == 0)
    return parse_error("GET /api/v5/public/time", "no data[0].ts");
  const std::string_view ts = str_of(data.at(0), "ts");
  if (ts.empty()) return parse_error("GET /api/v5/public/time", "no data[0].ts");
  return int64_of(ts);
}

Status OkxRestClient::calibrate_clock() {
  const int64_t sent = clock_.local_ms();
  Result<int64_t> t = server_time();
  if (!t) return std::move(t).error();
  clock_.calibrate(sent, *t, clock_.local_ms());
  return Ok{};
}

Result<std::vector<Instrument>> OkxRestClient::instruments(std::string_view inst_type, std::string_view inst_id) {
  const std::string target = "/api/v5/public/instruments" + query({{"instType", inst_type}, {"instId", inst_id}});
  Result<Reply> r = call(Endpoint::kInstruments, target, "", 1, false);
  if (!r) return std::move(r).error();
  dom::parser p;
  dom::array data;
  if (!data_of(p, r->body, data)) return parse_error("GET " + target, "no data");
  std::vector<Instrument> out;
  for (dom::element e : data) {
    auto i = Instrument::make(str_of(e, "instId"), str_of(e, "tickSz"), str_of(e, "lotSz"), str_of(e, "instType"));
    if (!i) return parse_error("GET " + target, "instrument '" + std::string(str_of(e, "instId")) + "' has a bad tickSz/lotSz");
    if (auto m = dec_of(e, "minSz")) i->min_size = *m;
    i->state = std::string(str_of(e, "state"));
    out.push_back(std::move(*i));
  }
  return out;
}

Result<BookSnapshot> OkxRestClient::order_book(std::string_view inst_id, int depth) {
  const std::string sz = std::to_string(depth);
  const std::string target = "/api/v5/market/books" + query({{"instId", inst_id}, {"sz", sz}});
  Result<Reply> r = call(Endpoint::kOrderBook, target, "", 1, false);
  if (!r) return std::move(r).error();
  dom::parser p;
  dom::array data;
  if (!data_of(p, r->body, data) || data.size() == 0)
    return parse_error("GET " + target, "no data[0]");
  BookSnapshot s;
  s.inst_id = std::string(inst_id);
  dom::element d = data.at(0);
  s.ts_ms = int64_of(str_of(d, "ts"));
  for (int side = 0; side < 2; ++side) {
    dom::array levels;
    if (d[side == 0 ? "bids" : "asks"].get_array().get(levels)) return parse_error("GET " + target, "no bids/asks");
    for (dom::element lv : levels) {
      std::string_view px, q;
      if (lv.at(0).get_string().get(px) || lv.at(1).get_string().get(q)) return parse_error("GET " + target, "bad level");
      const auto dp = Decimal::parse(px);
      const auto dq = Decimal::parse(q);
      if (!dp || !dq) return parse_error("GET " + target, "level '" + std::string(px) + "' is not an exact decimal");
      (side == 0 ? s.bids : s.asks).push_back({*dp, *dq});
    }
  }
  return s;
}

Result<AccountBalance> OkxRestClient::balance(std::string_view ccy) {
  const std::string target = "/api/v5/account/balance" + query({{"ccy", ccy}});
  Result<Reply> r = call(Endpoint::kBalance, target, "", 1, true);
  if (!r) return std::move(r).error();
  dom::parser p;
  dom::array data;
  if (!data_of(p, r->body, data) || data.size() == 0)
    return parse_error("GET " + target, "no data[0]");
  AccountBalance b;
  dom::element d = data.at(0);
  b.total_eq = std::string(str_of(d, "totalEq"));
  b.u_time_ms = int64_of(str_of(d, "uTime"));
  dom::array details;
  if (!d["details"].get_array().get(details)) {
    for (dom::element e : details)
      b.details.push_back({std::string(str_of(e, "ccy")), std::string(str_of(e, "eq")),
                           std::string(str_of(e, "cashBal")), std::string(str_of(e, "availBal")),
                           std::string(str_of(e, "frozenBal"))});
  }
  return b;
}

Result<std::vector<Position>> OkxRestClient::positions(std::string_view inst_type, std::string_view inst_id) {
  const std::string target = "/api/v5/account/positions" + query({{"instType", inst_type}, {"instId", inst_id}});
  Result<Reply> r = call(Endpoint::kPositions, target, "", 1, true);
  if (!r) return std::move(r).error();
  dom::parser p;
  dom::array data;
  if (!data_of(p, r->body, data)) return parse_error("GET " + target, "no data");
  std::vector<Position> out;
  for (dom::element e : data)
    out.push_back({std::string(str_of(e, "instId")), std::string(str_of(e, "instType")),
                   std::string(str_of(e, "mgnMode")), std::string(str_of(e, "posSide")), std::string(str_of(e, "pos")),
                   std::string(str_of(e, "avgPx")), std::string(str_of(e, "upl")), std::string(str_of(e, "lever"))});
  return out;
}

std::string OkxRestClient::next_cl_ord_id() {
  // [a-zA-Z0-9]{1,32}, unique per client run: "tx" + local ms + a counter.
  return "tx" + std::to_string(clock_.local_ms()) + "n" + std::to_string(++cl_ord_seq_);
}

namespace {
bool fate_unknown(const Error& e) {
  return e.kind == ErrorKind::kFateUnknown ||
         ((e.kind == ErrorKind::kTimeout || e.kind == ErrorKind::kTransport) && e.maybe_executed);
}

// Parses data[] items of an order endpoint into per-item results.
Result<std::vector<Result<OrderAck>>> parse_acks(const std::string& body, const std::string& ctx) {
  dom::parser p;
  dom::array data;
  if (!data_of(p, body, data)) return parse_error(ctx, "no data");
  std::vector<Result<OrderAck>> out;
  for (dom::element e : data) {
    const int s_code = code_of(e, "sCode");
    if (s_code != 0) {
      out.emplace_back(Error{classify_okx_code(s_code), s_code, 0, std::string(str_of(e, "sMsg")),
                             ctx + " clOrdId " + std::string(str_of(e, "clOrdId")), s_code == 50004});
    } else {
      out.emplace_back(OrderAck{std::string(str_of(e, "ordId")), std::string(str_of(e, "clOrdId")), "", false});
    }
  }
  return out;
}

// The one data[] item of a single-order endpoint's reply.
Result<OrderAck> parse_one_ack(const std::string& body, const std::string& ctx) {
  auto acks = parse_acks(body, ctx);
  if (!acks) return std::move(acks).error();
  if (acks->size() != 1) return parse_error(ctx, "expected one item in data");
  return std::move((*acks)[0]);
}

// A batch endpoint's body: the requests' JSON objects in one array.
template <class Request>
std::string json_array(const std::vector<Request>& reqs) {
  std::string body = "[";
  for (const Request& q : reqs) {
    if (body.size() > 1) body += ',';
    body += q.to_json();
  }
  body += ']';
  return body;
}
}  // namespace

Result<OrderAck> OkxRestClient::place_order(OrderRequest req) {
  if (req.cl_ord_id.empty()) req.cl_ord_id = next_cl_ord_id();
  const std::string body = req.to_json();
  Result<Reply> r = call(Endpoint::kPlaceOrder, "/api/v5/trade/order", body, 1, true);
  if (!r) {
    if (fate_unknown(r.error())) return resolve_unknown_fate(req, r.error());
    return std::move(r).error();
  }
  Result<OrderAck> a = parse_one_ack(r->body, "POST /api/v5/trade/order");
  if (!a && fate_unknown(a.error())) return resolve_unknown_fate(req, a.error());
  return a;
}

Result<OrderAck> OkxRestClient::resolve_unknown_fate(OrderRequest& req, const Error& first) {
  ++stats_.fate_queries;
  Result<OrderInfo> q = get_order(req.inst_id, "", req.cl_ord_id);
  if (q) {
    ++stats_.fate_recovered;
    return OrderAck{q->ord_id, q->cl_ord_id, q->state, true};
  }
  if (q.error().kind != ErrorKind::kOrderNotFound)
    return Error{ErrorKind::kFateUnknown, first.okx_code, first.http_status,
                 "order clOrdId " + req.cl_ord_id + " may exist: " + first.describe() +
                     "; re-query failed: " + q.error().describe(),
                 "POST /api/v5/trade/order", true};
  // Not there: it never reached the book, so sending it again cannot duplicate it.
  ++stats_.fate_resent;
  Result<Reply> r = call(Endpoint::kPlaceOrder, "/api/v5/trade/order", req.to_json(), 1, true);
  if (!r) {
    Error e = std::move(r).error();
    if (fate_unknown(e)) e.kind = ErrorKind::kFateUnknown;
    return e;
  }
  return parse_one_ack(r->body, "POST /api/v5/trade/order");
}

Result<std::vector<Result<OrderAck>>> OkxRestClient::batch(Endpoint ep, const std::string& body, std::size_t n) {
  const EndpointInfo& info = endpoint_info(ep);
  const std::string ctx = std::string(info.method) + " " + info.path;
  if (n == 0 || n > kMaxBatchOrders)
    return Error{ErrorKind::kInvalidArgument, 0, 0,
                 std::to_string(n) + " orders: a batch holds 1 to " + std::to_string(kMaxBatchOrders), ctx, false};
  Result<Reply> r = call(ep, info.path, body, static_cast<int>(n), true);
  if (!r) return std::move(r).error();
  return parse_acks(r->body, ctx);
}

Result<std::vector<Result<OrderAck>>> OkxRestClient::place_orders(std::vector<OrderRequest> reqs) {
  for (OrderRequest& q : reqs)
    if (q.cl_ord_id.empty()) q.cl_ord_id = next_cl_ord_id();
  auto r = batch(Endpoint::kBatchOrders, json_array(reqs), reqs.size());
  if (!r && fate_unknown(r.error())) {
    // The whole batch's fate is unknown: resolve each order by its clOrdId.
    std::vector<Result<OrderAck>> out;
    for (OrderRequest& q : reqs) out.push_back(resolve_unknown_fate(q, r.error()));
    return out;
  }
  if (r) {
    for (std::size_t i = 0; i < r->size() && i < reqs.size(); ++i)
      if (!(*r)[i] && fate_unknown((*r)[i].error())) (*r)[i] = resolve_unknown_fate(reqs[i], (*r)[i].error());
  }
  return r;
}

Result<OrderAck> OkxRestClient::cancel_order(const CancelRequest& req) {
  Result<Reply> r = call(Endpoint::kCancelOrder, "/api/v5/trade/cancel-order", req.to_json(), 1, true);
  if (!r) return std::move(r).error();
  return parse_one_ack(r->body, "POST /api/v5/trade/cancel-order");
}

Result<std::vector<Result<OrderAck>>> OkxRestClient::cancel_orders(const std::vector<CancelRequest>& reqs) {
  return batch(Endpoint::kBatchCancel, json_array(reqs), reqs.size());
}

Result<OrderAck> OkxRestClient::amend_order(const AmendRequest& req) {
  Result<Reply> r = call(Endpoint::kAmendOrder, "/api/v5/trade/amend-order", req.to_json(), 1, true);
  if (!r) return std::move(r).error();
  return parse_one_ack(r->body, "POST /api/v5/trade/amend-order");
}

Result<std::vector<Result<OrderAck>>> OkxRestClient::amend_orders(const std::vector<AmendRequest>& reqs) {
  return batch(Endpoint::kBatchAmend, json_array(reqs), reqs.size());
}

Result<OrderInfo> OkxRestClient::get_order(std::string_view inst_id, std::string_view ord_id,
                                           std::string_view cl_ord_id) {
  const std::string target = "/api/v5/trade/order" +
                             query({{"instId", inst_id}, {"ordId", ord_id}, {"clOrdId", ord_id.empty() ? cl_ord_id : ""}});
  Result<Reply> r = call(Endpoint::kGetOrder, target, "", 1, true);
  if (!r) return std::move(r).error();
  dom::parser p;
  dom::array data;
  if (!data_of(p, r->body, data)) return parse_error("GET " + target, "no data");
  if (data.size() == 0)
    return Error{ErrorKind::kOrderNotFound, 51603, r->http_status, "Order does not exist", "GET " + target, false};
  dom::element e = data.at(0);
  OrderInfo o;
  o.inst_id = std::string(str_of(e, "instId"));
  o.ord_id = std::string(str_of(e, "ordId"));
  o.cl_ord_id = std::string(str_of(e, "clOrdId"));
  o.side = side_of(str_of(e, "side"));
  o.ord_type = std::string(str_of(e, "ordType"));
  o.state = std::string(str_of(e, "state"));
  o.px = dec_of(e, "px");
  o.sz = dec_of(e, "sz").value_or(Decimal{});
  o.acc_fill_sz = dec_of(e, "accFillSz").value_or(Decimal{});
  o.avg_px = dec_of(e, "avgPx");
  o.c_time_ms = int64_of(str_of(e, "cTime"));
  o.u_time_ms = int64_of(str_of(e, "uTime"));
  return o;
}

}  // namespace tachyon::okx
