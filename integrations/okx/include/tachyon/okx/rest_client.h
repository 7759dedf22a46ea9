// The OKX v5 REST client: signed requests over a kept-alive TLS connection, local rate
// limits, typed answers and errors. 50011/HTTP 429 answers are retried after an
// exponential backoff; 50102 recalibrates the server clock and retries once; an order
// whose fate is unknown (timeout, lost connection, 50004) is re-queried by clOrdId
// before any retry. Every request is logged with its latency, bodies redacted.
// Owned by one thread (the control-plane thread); not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/okx/error.h"
#include "tachyon/okx/https_client.h"
#include "tachyon/okx/instrument.h"
#include "tachyon/okx/okx_config.h"
#include "tachyon/okx/rate_limiter.h"
#include "tachyon/okx/rest_types.h"
#include "tachyon/okx/server_clock.h"
#include "tachyon/okx/signer.h"

namespace tachyon::okx {

inline constexpr std::size_t kMaxBatchOrders = 20;

// One request/response as logged. Bodies are redacted; headers are never logged.
struct RestLogRecord {
  std::string method;
  std::string target;
  int attempt = 1;
  int http_status = 0;   // 0: no answer
  int okx_code = 0;
  int64_t latency_us = 0;
  std::string request_body;   // redacted
  std::string response_body;  // redacted
  std::string error;          // "" on success
};
using RestLogger = std::function<void(const RestLogRecord&)>;

// Formats a record as one log line.
std::string format_log_line(const RestLogRecord& r);

struct RestStats {
  uint64_t requests = 0;            // HTTP requests sent
  uint64_t rate_limited = 0;        // 50011 / 429 answers
  uint64_t backoff_ms_total = 0;    // time slept after them
  uint64_t locally_refused = 0;     // refused by the rate limiter
  uint64_t queued_ms_total = 0;     // time queued by the rate limiter
  uint64_t recalibrations = 0;      // clock recalibrations after 50102
  uint64_t fate_queries = 0;        // re-queries by clOrdId of orders of unknown fate
  uint64_t fate_recovered = 0;      // ... that found the order
  uint64_t fate_resent = 0;         // ... that found nothing and sent it again
};

class OkxRestClient {
 public:
  // Throws std::runtime_error when the configuration cannot be used (bad URL, bad CA).
  explicit OkxRestClient(const OkxConfig& cfg, RestLogger logger = {});
  ~OkxRestClient();

  // --- public -----------------------------------------------------------------------
  // Returns the server's Unix milliseconds (GET /api/v5/public/time).
  Result<int64_t> server_time();
  // Measures the offset between local and server clocks.
  Status calibrate_clock();
  Result<std::vector<Instrument>> instruments(std::string_view inst_type, std::string_view inst_id = "");
  Result<BookSnapshot> order_book(std::string_view inst_id, int depth = 400);

  // --- private (signed) ----------------------------------------------------------------
  Result<AccountBalance> balance(std::string_view ccy = "");
  Result<std::vector<Position>> positions(std::string_view inst_type = "", std::string_view inst_id = "");
  // Places one order. Assigns a clOrdId when empty.
  Result<OrderAck> place_order(OrderRequest req);
  // Places up to 20 orders; the outer error is for the request as a whole, each item
  // carries its own sCode outcome.
  Result<std::vector<Result<OrderAck>>> place_orders(std::vector<OrderRequest> reqs);
  Result<OrderAck> cancel_order(const CancelRequest& req);
  Result<std::vector<Result<OrderAck>>> cancel_orders(const std::vector<CancelRequest>& reqs);
  Result<OrderAck> amend_order(const AmendRequest& req);
  Result<std::vector<Result<OrderAck>>> amend_orders(const std::vector<AmendRequest>& reqs);
  // Looks an order up by ordId or, when ord_id is empty, by clOrdId.
  Result<OrderInfo> get_order(std::string_view inst_id, std::string_view ord_id, std::string_view cl_ord_id);

  ServerClock& clock() noexcept { return clock_; }
  RateLimiter& limiter() noexcept { return limiter_; }
  const RestStats& stats() const noexcept { return stats_; }
  const HttpsClient& http() const noexcept { return *http_; }

 private:
  struct Reply;
  // Sends one request with admission, signing, logging and the retry rules above.
  Result<Reply> call(Endpoint ep, const std::string& target, const std::string& body, int cost, bool sign);
  Result<Reply> send_once(Endpoint ep, const std::string& target, const std::string& body, bool sign, int attempt);
  Result<std::vector<Result<OrderAck>>> batch(Endpoint ep, const std::string& body, std::size_t n);
  Result<OrderAck> resolve_unknown_fate(OrderRequest& req, const Error& first);
  std::string next_cl_ord_id();

  OkxConfig cfg_;
  RequestSigner signer_;
  std::unique_ptr<HttpsClient> http_;
  RateLimiter limiter_;
  ServerClock clock_;
  RestLogger logger_;
  RestStats stats_;
  uint64_t cl_ord_seq_ = 0;
};

}  // namespace tachyon::okx
