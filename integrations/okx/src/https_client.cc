// Blocking HTTP/1.1 over OpenSSL with keep-alive and per-request deadlines (see
// https_client.h). The socket is non-blocking; every wait is a poll() bounded by the
// request's deadline. Control-plane thread.
#include "tachyon/okx/https_client.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace tachyon::okx {

namespace {

int64_t mono_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string ssl_error_text() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return std::strerror(errno);
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = static_cast<char>(a[i] >= 'A' && a[i] <= 'Z' ? a[i] + 32 : a[i]);
    const char y = static_cast<char>(b[i] >= 'A' && b[i] <= 'Z' ? b[i] + 32 : b[i]);
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return h.value;
  return "";
}

struct HttpsClient::Conn {
  int fd = -1;
  SSL* ssl = nullptr;
  std::string rx;  // bytes read past the previous response (kept-alive connection)

  ~Conn() {
    if (ssl != nullptr) {
      SSL_shutdown(ssl);  // best effort close_notify; the socket is non-blocking
      SSL_free(ssl);
    }
    if (fd >= 0) ::close(fd);
  }

  // Waits until fd is readable/writable or the deadline passes.
  static bool wait(int fd, short events, int64_t deadline_ms) {
    for (;;) {
      const int64_t left = deadline_ms - mono_ms();
      if (left <= 0) return false;
      pollfd p{fd, events, 0};
      const int r = ::poll(&p, 1, static_cast<int>(left));
      if (r > 0) return true;
      if (r == 0) return false;
      if (errno != EINTR) return false;
    }
  }

  // Writes all of data. Returns "" or an error text; sets timed_out.
  std::string write_all(const char* data, std::size_t n, int64_t deadline_ms, bool& timed_out) {
    std::size_t off = 0;
    while (off < n) {
      if (ssl != nullptr) {
        const int w = SSL_write(ssl, data + off, static_cast<int>(n - off));
        if (w > 0) {
          off += static_cast<std::size_t>(w);
          continue;
        }
        const int e = SSL_get_error(ssl, w);
        const short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (ev == 0) return "SSL_write failed: " + ssl_error_text();
        if (!wait(fd, ev, deadline_ms)) return timed_out = true, "write timed out";
      } else {
        const ssize_t w = ::send(fd, data + off, n - off, MSG_NOSIGNAL);
        if (w > 0) {
          off += static_cast<std::size_t>(w);
          continue;
        }
        if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
          if (!wait(fd, POLLOUT, deadline_ms)) return timed_out = true, "write timed out";
          continue;
        }
        return std::string("send failed: ") + std::strerror(errno);
      }
    }
    return "";
  }

  // Reads some bytes into rx. Returns >0 bytes, 0 on orderly close, -1 on error (why).
  long read_some(int64_t deadline_ms, std::string& why, bool& timed_out) {
    char buf[16384];
    for (;;) {
      if (ssl != nullptr) {
        const int r = SSL_read(ssl, buf, sizeof buf);
        if (r > 0) {
          rx.append(buf, static_cast<std::size_t>(r));
          return r;
        }
        const int e = SSL_get_error(ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN) return 0;
        if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) return 0;  // EOF without close_notify
        const short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
        if (ev == 0) {
          why = "SSL_read failed: " + ssl_error_text();
          return -1;
        }
        if (!wait(fd, ev, deadline_ms)) {
          timed_out = true;
          why = "read timed out";
          return -1;
        }
      } else {
        const ssize_t r = ::recv(fd, buf, sizeof buf, 0);
        if (r > 0) {
          rx.append(buf, static_cast<std::size_t>(r));
          return r;
        }
        if (r == 0) return 0;
        if (errno == EAGAIN || errno == EINTR) {
          if (!wait(fd, POLLIN, deadline_ms)) {
            timed_out = true;
            why = "read timed out";
            return -1;
          }
          continue;
        }
        why = std::string("recv failed: ") + std::strerror(errno);
        return -1;
      }
    }
  }
};

HttpsClient::HttpsClient(Url base, HttpsClientOptions opt) : base_(std::move(base)), opt_(std::move(opt)) {
  if (!base_.tls()) return;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) throw std::runtime_error("okx: SSL_CTX_new failed: " + ssl_error_text());
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_default_verify_paths(ctx);
  if (!opt_.ca_file.empty() && SSL_CTX_load_verify_locations(ctx, opt_.ca_file.c_str(), nullptr) != 1) {
    const std::string why = ssl_error_text();
    SSL_CTX_free(ctx);
    throw std::runtime_error("okx: SSL_CTX_load_verify_locations(" + opt_.ca_file + ") failed: " + why);
  }
  ssl_ctx_ = ctx;
}

HttpsClient::~HttpsClient() {
  conn_.reset();
  if (ssl_ctx_ != nullptr) SSL_CTX_free(static_cast<SSL_CTX*>(ssl_ctx_));
}

void HttpsClient::close() noexcept { conn_.reset(); }

bool HttpsClient::connection_alive() noexcept {
  if (!conn_) return false;
  if (!conn_->rx.empty()) return false;  // unsolicited bytes: the peer is confused
  pollfd p{conn_->fd, POLLIN, 0};
  const int r = ::poll(&p, 1, 0);
  if (r == 0) return true;  // quiet: still open
  // Readable on an idle connection means EOF, a reset or a TLS alert: reconnect.
  return false;
}

Status HttpsClient::connect(int64_t deadline_ms) {
  conn_.reset();
  const std::string where = base_.host + ":" + std::to_string(base_.port);
  auto fail = [&](ErrorKind k, std::string m) { return Error{k, 0, 0, "connect " + where + ": " + m, "", false}; };
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(base_.port);
  if (const int rc = ::getaddrinfo(base_.host.c_str(), port.c_str(), &hints, &res); rc != 0)
    return fail(ErrorKind::kTransport, std::string("getaddrinfo: ") + gai_strerror(rc));
  auto c = std::make_unique<Conn>();
  std::string last = "no address";
  bool timed_out = false;
  for (addrinfo* ai = res; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last = std::string("socket: ") + std::strerror(errno);
      continue;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc < 0 && errno == EINPROGRESS) {
      const int64_t dl = std::min(deadline_ms, mono_ms() + opt_.connect_timeout_ms);
      if (Conn::wait(fd, POLLOUT, dl)) {
        int err = 0;
        socklen_t len = sizeof err;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        rc = err == 0 ? 0 : -1;
        errno = err;
      } else {
        timed_out = true;
        errno = ETIMEDOUT;
      }
    }
    if (rc == 0) {
      c->fd = fd;
      break;
    }
    last = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(res);
  if (c->fd < 0) return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, last);

  if (ssl_ctx_ != nullptr) {
    c->ssl = SSL_new(static_cast<SSL_CTX*>(ssl_ctx_));
    if (c->ssl == nullptr) return fail(ErrorKind::kTransport, "SSL_new: " + ssl_error_text());
    SSL_set_fd(c->ssl, c->fd);
    in6_addr a6;
    in_addr a4;
    const bool ip = ::inet_pton(AF_INET, base_.host.c_str(), &a4) == 1 || ::inet_pton(AF_INET6, base_.host.c_str(), &a6) == 1;
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(c->ssl), base_.host.c_str());
    } else {
      SSL_set_tlsext_host_name(c->ssl, base_.host.c_str());
      SSL_set1_host(c->ssl, base_.host.c_str());
    }
    for (;;) {
      const int r = SSL_connect(c->ssl);
      if (r == 1) break;
      const int e = SSL_get_error(c->ssl, r);
      const short ev = e == SSL_ERROR_WANT_READ ? POLLIN : e == SSL_ERROR_WANT_WRITE ? POLLOUT : 0;
      if (ev == 0) {
        std::string why = ssl_error_text();
        const long v = SSL_get_verify_result(c->ssl);
        if (v != X509_V_OK) why += std::string(" (certificate: ") + X509_verify_cert_error_string(v) + ")";
        return fail(ErrorKind::kTransport, "TLS handshake: " + why);
      }
      if (!Conn::wait(c->fd, ev, deadline_ms)) return fail(ErrorKind::kTimeout, "TLS handshake timed out");
    }
  }
  conn_ = std::move(c);
  ++connections_;
  return Ok{};
}

Result<HttpResponse> HttpsClient::send(const HttpRequest& req) {
  const int64_t deadline = mono_ms() + opt_.request_timeout_ms;
  const std::string ctx = req.method + " " + req.target;
  if (!connection_alive()) {
    if (Status s = connect(deadline); !s) {
      Error e = std::move(s).error();
      e.context = ctx;
      return e;
    }
  }
  std::string head;
  head.reserve(256 + req.body.size());
  head += req.method + " " + req.target + " HTTP/1.1\r\nHost: " + base_.host_header() +
          "\r\nUser-Agent: tachyon-okx/0.1\r\nAccept: application/json\r\nConnection: keep-alive\r\n";
  for (const Header& h : req.headers) head += h.name + ": " + h.value + "\r\n";
  if (!req.body.empty() || req.method == "POST") {
    head += "Content-Type: application/json\r\nContent-Length: " + std::to_string(req.body.size()) + "\r\n";
  }
  head += "\r\n";
  head += req.body;

  auto fail = [&](ErrorKind k, std::string m, bool sent) {
    conn_.reset();
    return Error{k, 0, 0, std::move(m), ctx, sent};
  };
  bool timed_out = false;
  if (std::string w = conn_->write_all(head.data(), head.size(), deadline, timed_out); !w.empty())
    return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, w, true);
  OPENSSL_cleanse(head.data(), head.size());  // it held the signed headers

  // Status line and headers.
  std::string& rx = conn_->rx;
  std::size_t hdr_end;
  std::string why;
  while ((hdr_end = rx.find("\r\n\r\n")) == std::string::npos) {
    if (rx.size() > (1u << 20)) return fail(ErrorKind::kTransport, "response headers larger than 1 MiB", true);
    const long r = conn_->read_some(deadline, why, timed_out);
    if (r == 0) return fail(ErrorKind::kTransport, "connection closed before the response", true);
    if (r < 0) return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, why, true);
  }
  HttpResponse resp;
  {
    const std::string_view head_view(rx.data(), hdr_end);
    const auto eol = head_view.find("\r\n");
    const std::string_view status_line = head_view.substr(0, eol);
    if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12)
      return fail(ErrorKind::kTransport, "bad status line '" + std::string(status_line) + "'", true);
    resp.status = std::atoi(std::string(status_line.substr(9, 3)).c_str());
    std::size_t pos = eol == std::string_view::npos ? head_view.size() : eol + 2;
    while (pos < head_view.size()) {
      auto next = head_view.find("\r\n", pos);
      if (next == std::string_view::npos) next = head_view.size();
      const std::string_view line = head_view.substr(pos, next - pos);
      const auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        std::string_view v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
        resp.headers.push_back({std::string(line.substr(0, colon)), std::string(v)});
      }
      pos = next + 2;
    }
  }
  rx.erase(0, hdr_end + 4);

  const std::string te = resp.header("Transfer-Encoding");
  const std::string cl = resp.header("Content-Length");
  bool close_after = iequals(resp.header("Connection"), "close");
  if (te.find("chunked") != std::string::npos) {
    // chunk-size CRLF data CRLF ... 0 CRLF [trailers] CRLF
    for (;;) {
      std::size_t eol;
      while ((eol = rx.find("\r\n")) == std::string::npos) {
        const long r = conn_->read_some(deadline, why, timed_out);
        if (r <= 0) return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, r == 0 ? "closed inside a chunked body" : why, true);
      }
      const std::size_t size = std::strtoul(rx.substr(0, eol).c_str(), nullptr, 16);
      rx.erase(0, eol + 2);
      if (size == 0) {
        // Skip trailers up to the empty line.
        while ((eol = rx.find("\r\n")) != 0) {
          if (eol != std::string::npos) {
            rx.erase(0, eol + 2);
            continue;
          }
          const long r = conn_->read_some(deadline, why, timed_out);
          if (r <= 0) return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, r == 0 ? "closed inside chunk trailers" : why, true);
        }
        rx.erase(0, 2);
        break;
      }
      if (resp.body.size() + size > opt_.max_body_bytes) return fail(ErrorKind::kTransport, "response body too large", true);
      while (rx.size() < size + 2) {
        const long r = conn_->read_some(deadline, why, timed_out);
        if (r <= 0) return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, r == 0 ? "closed inside a chunk" : why, true);
      }
      resp.body.append(rx, 0, size);
      rx.erase(0, size + 2);
    }
  } else if (!cl.empty()) {
    const std::size_t n = std::strtoull(cl.c_str(), nullptr, 10);
    if (n > opt_.max_body_bytes) return fail(ErrorKind::kTransport, "response body too large", true);
    while (rx.size() < n) {
      const long r = conn_->read_some(deadline, why, timed_out);
      if (r <= 0) return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, r == 0 ? "closed inside the body" : why, true);
    }
    resp.body.assign(rx, 0, n);
    rx.erase(0, n);
  } else {
    // No length: the body runs to the end of the connection.
    for (;;) {
      const long r = conn_->read_some(deadline, why, timed_out);
      if (r == 0) break;
      if (r < 0) return fail(timed_out ? ErrorKind::kTimeout : ErrorKind::kTransport, why, true);
      if (rx.size() > opt_.max_body_bytes) return fail(ErrorKind::kTransport, "response body too large", true);
    }
    resp.body = std::move(rx);
    rx.clear();
    close_after = true;
  }
  if (close_after) conn_.reset();
  return resp;
}

}  // namespace tachyon::okx
