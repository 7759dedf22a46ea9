// MetricsServer: libwebsockets context, HTTP protocol callback, collector timer and the
// loop thread. Control path; every callback runs on the loop thread.
#include "tachyon/controlplane/metrics_server.h"

#include <arpa/inet.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace tachyon::controlplane {

struct MetricsServer::Impl {
  lws_sorted_usec_list_t sul{};  // the collector timer
  MetricsServer* server = nullptr;
  lws_context* context = nullptr;
  lws_usec_t tick_us = 0;
  lws_protocols protocols[2]{};
};

namespace {

// Per-connection state; lws allocates it zeroed and frees it, so it holds only plain
// values and one owned body (deleted when the response ends or the connection closes).
struct Session {
  std::string* body;
  std::size_t sent;
};

constexpr std::size_t kChunk = 16 * 1024;

MetricsServer* server_of(lws* wsi) {
  return static_cast<MetricsServer*>(lws_context_user(lws_get_context(wsi)));
}

void emit_log(int level, const char* line) {
  // lws lines end with a newline already.
  std::fprintf(stderr, "tachyon: metrics endpoint: %s%s", level == LLL_ERR ? "error: " : "", line);
}

}  // namespace

// The HTTP protocol: routes the request, writes headers, then the body in chunks.
static int metrics_http(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len);

MetricsServer::MetricsServer(const MetricsServerOptions& options, ProbeCollector& collector)
    : collector_(collector), options_(options) {
  in_addr probe{};
  if (::inet_pton(AF_INET, options_.address.c_str(), &probe) != 1)
    throw std::runtime_error("metrics endpoint: '" + options_.address + "' is not an IPv4 address");
  // Try the address first: the error names the system's reason, and a context that
  // fails to listen is never created (libwebsockets leaks a little on that path).
  if (options_.port != 0) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw std::runtime_error(std::string("metrics endpoint: socket() failed: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(options_.port);
    sa.sin_addr = probe;
    const int rc = ::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa);
    const int err = errno;
    ::close(fd);
    if (rc != 0)
      throw std::runtime_error("metrics endpoint: cannot listen on " + options_.address + ":" +
                               std::to_string(options_.port) + ": bind failed: " + std::strerror(err));
  }
  lws_set_log_level(LLL_ERR, emit_log);
  impl_ = new Impl;
  impl_->server = this;
  impl_->protocols[0].name = "http";
  impl_->protocols[0].callback = metrics_http;
  impl_->protocols[0].per_session_data_size = sizeof(Session);
  lws_context_creation_info info;
  std::memset(&info, 0, sizeof info);
  info.port = options_.port;
  info.iface = options_.address.c_str();
  info.protocols = impl_->protocols;
  info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
  info.user = this;
  info.server_string = "tachyon";
  context_ = lws_create_context(&info);
  if (context_ == nullptr) {
    delete impl_;
    impl_ = nullptr;
    throw std::runtime_error("metrics endpoint: cannot listen on " + options_.address + ":" +
                             std::to_string(options_.port) + " (port in use, or not permitted)");
  }
  lws_vhost* vh = lws_get_vhost_by_name(context_, "default");
  const int p = vh ? lws_get_vhost_listen_port(vh) : -1;
  port_ = p > 0 ? static_cast<uint16_t>(p) : options_.port;
  thread_ = std::thread([this] { loop(); });
}

MetricsServer::~MetricsServer() { stop(); }

void MetricsServer::stop() {
  if (thread_.joinable()) {
    stopping_.store(true, std::memory_order_release);
    lws_cancel_service(context_);
    thread_.join();
  }
  if (context_) {
    lws_context_destroy(context_);
    context_ = nullptr;
  }
  delete impl_;
  impl_ = nullptr;
}

void MetricsServer::loop() {
  ::pthread_setname_np(::pthread_self(), "tachyon-metrics");
  impl_->context = context_;
  impl_->tick_us = static_cast<lws_usec_t>(options_.tick.count()) * LWS_US_PER_MS;
  struct Tick {
    static void fire(lws_sorted_usec_list_t* sul) {
      auto* impl = reinterpret_cast<Impl*>(reinterpret_cast<char*>(sul) - offsetof(Impl, sul));
      impl->server->collector().tick();
      lws_sul_schedule(impl->context, 0, &impl->sul, fire, impl->tick_us);
    }
  };
  lws_sul_schedule(context_, 0, &impl_->sul, Tick::fire, impl_->tick_us);
  while (!stopping_.load(std::memory_order_acquire))
    if (lws_service(context_, 0) < 0) break;
  lws_sul_cancel(&impl_->sul);
}

static int metrics_http(lws* wsi, lws_callback_reasons reason, void* user, void* in, std::size_t len) {
  auto* s = static_cast<Session*>(user);
  switch (reason) {
    case LWS_CALLBACK_HTTP: {
      MetricsServer* server = server_of(wsi);
      const std::string path(static_cast<const char*>(in), strnlen(static_cast<const char*>(in), len + 1));
      ProbeCollector& c = server->collector();
      int status = HTTP_STATUS_OK;
      const char* type = "text/plain; charset=utf-8";
      delete s->body;
      s->sent = 0;
      server->count_request();
      const bool post = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0;
      if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) <= 0 && !post) {
        // Answer at once and close: the request body is never read.
        lws_return_http_status(wsi, HTTP_STATUS_METHOD_NOT_ALLOWED, "GET /metrics, GET /healthz, POST /control/...");
        return -1;
      }
      const MetricsServerOptions& opt = server->options();
      if (post) {
        if (path.rfind("/control/", 0) == 0 && opt.control) {
          // /control/halt/MSFT -> "halt MSFT"
          std::string line = path.substr(9);
          for (char& ch : line)
            if (ch == '/') ch = ' ';
          const std::string reply = opt.control(line);
          const bool ok = reply.rfind("ok", 0) == 0 || reply.rfind("{", 0) == 0;
          status = ok ? HTTP_STATUS_OK : HTTP_STATUS_BAD_REQUEST;
          s->body = new std::string(reply + "\n");
        } else if (path == "/metrics" || path == "/healthz") {
          status = HTTP_STATUS_METHOD_NOT_ALLOWED;
          s->body = new std::string(path + " is read with GET\n");
        } else {
          status = HTTP_STATUS_NOT_FOUND;
          s->body = new std::string(opt.control ? "not found: POST /control/VERB[/ARG]\n"
                                                : "no control handler: start with --ctl\n");
        }
      } else if (path == "/metrics") {
        type = "text/plain; version=0.0.4; charset=utf-8";
        s->body = new std::string(c.prometheus_text() + (opt.extra_metrics ? opt.extra_metrics() : std::string()));
      } else if (path == "/healthz") {
        type = "application/json";
        std::string health = c.health_json();
        if (const std::string more = opt.extra_health ? opt.extra_health() : std::string(); !more.empty())
          health.insert(health.size() - 1, "," + more);  // before the object's closing brace
        s->body = new std::string(health + "\n");
      } else {
        status = HTTP_STATUS_NOT_FOUND;
        s->body = new std::string("not found: try /metrics or /healthz\n");
      }
      uint8_t buf[LWS_PRE + 512];
      uint8_t* start = &buf[LWS_PRE];
      uint8_t* p = start;
      uint8_t* end = &buf[sizeof buf - 1];
      if (lws_add_http_common_headers(wsi, static_cast<unsigned>(status), type, s->body->size(), &p, end) ||
          lws_finalize_write_http_header(wsi, start, &p, end))
        return 1;
      lws_callback_on_writable(wsi);
      return 0;
    }
    case LWS_CALLBACK_HTTP_WRITEABLE: {
      if (s->body == nullptr) break;
      const std::size_t n = std::min(kChunk, s->body->size() - s->sent);
      const bool last = s->sent + n == s->body->size();
      std::vector<uint8_t> out(LWS_PRE + n);
      std::memcpy(out.data() + LWS_PRE, s->body->data() + s->sent, n);
      if (lws_write(wsi, out.data() + LWS_PRE, n, last ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) != static_cast<int>(n))
        return 1;
      s->sent += n;
      if (!last) {
        lws_callback_on_writable(wsi);
        return 0;
      }
      delete s->body;
      s->body = nullptr;
      if (lws_http_transaction_completed(wsi)) return -1;
      return 0;
    }
    case LWS_CALLBACK_CLOSED_HTTP:
    case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
      if (s) {
        delete s->body;
        s->body = nullptr;
      }
      break;
    default:
      break;
  }
  return lws_callback_http_dummy(wsi, reason, user, in, len);
}

}  // namespace tachyon::controlplane
