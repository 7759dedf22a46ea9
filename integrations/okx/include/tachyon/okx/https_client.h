// A small blocking HTTP/1.1 client over OpenSSL with keep-alive, for the OKX REST API:
// one persistent connection, a deadline per request (connect, TLS handshake, write and
// read all count), Content-Length and chunked bodies. It knows nothing about OKX.
// Owned by one thread (the control-plane thread); not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/okx/error.h"
#include "tachyon/okx/signer.h"
#include "tachyon/okx/url.h"

namespace tachyon::okx {

struct HttpRequest {
  std::string method;  // "GET", "POST"
  std::string target;  // path with query: "/api/v5/account/balance?ccy=BTC"
  std::vector<Header> headers;
  std::string body;
};

struct HttpResponse {
  int status = 0;
  std::vector<Header> headers;
  std::string body;
  // Returns the first header named name (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

struct HttpsClientOptions {
  std::string ca_file;  // extra trusted CA in PEM; empty: the system store only
  int connect_timeout_ms = 5'000;
  int request_timeout_ms = 10'000;
  std::size_t max_body_bytes = 64u << 20;
};

class HttpsClient {
 public:
  // base gives scheme, host and port; its path is ignored. Throws std::runtime_error
  // when the TLS context cannot be set up (bad ca_file).
  HttpsClient(Url base, HttpsClientOptions opt);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // Sends one request on the kept-alive connection (opening it if needed) and waits
  // for the whole answer. Errors: kTimeout or kTransport; maybe_executed is set when
  // any byte of the request was written before the failure.
  Result<HttpResponse> send(const HttpRequest& req);

  // Closes the connection (the next send reconnects).
  void close() noexcept;

  uint64_t connections_opened() const noexcept { return connections_; }
  const Url& base() const noexcept { return base_; }

 private:
  struct Conn;
  Status connect(int64_t deadline_ms);
  bool connection_alive() noexcept;

  Url base_;
  HttpsClientOptions opt_;
  void* ssl_ctx_ = nullptr;  // SSL_CTX*
  std::unique_ptr<Conn> conn_;
  uint64_t connections_ = 0;
};

}  // namespace tachyon::okx
