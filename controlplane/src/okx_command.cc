// `tachyon okx book|time|config`: live OKX order books with their health (and on
// /metrics), the server clock, and the effective (redacted) configuration. Control
// path, main thread (the metrics endpoint, when asked for, runs its own thread).
#include "tachyon/controlplane/okx_command.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/controlplane/metrics_server.h"
#include "tachyon/controlplane/okx_book_metrics.h"
#include "tachyon/controlplane/probe_collector.h"
#include "tachyon/dataplane/stop_signal.h"
#include "tachyon/okx/market_data.h"
#include "tachyon/okx/okx_config.h"
#include "tachyon/okx/rest_client.h"
#include "tachyon/okx/signer.h"

namespace tachyon::controlplane {

namespace okx = tachyon::okx;

struct OkxCommands::State {
  CLI::App* okx = nullptr;
  CLI::App* book = nullptr;
  CLI::App* time = nullptr;
  CLI::App* config = nullptr;
  // shared
  std::string config_file;
  bool demo = false;
  std::string rest_url;
  std::string ca_file;
  bool verbose = false;
  // book
  std::vector<std::string> inst_ids;
  std::string url;
  std::string channel = "books";
  std::string tick;
  std::string lot;
  unsigned depth = 10;
  uint64_t updates = 0;
  double seconds = 0;
  double every = 1.0;
  int metrics_port = -1;  // -1: no endpoint
  std::string metrics_address = "127.0.0.1";
};

namespace {

okx::OkxConfig load_config(const std::string& file, bool demo, const std::string& rest,
                           const std::string& ca) {
  // A file that holds keys must be 0600 or stricter (load_okx_config_file refuses it).
  auto c = file.empty() ? okx::load_okx_config("", okx::process_environment())
                        : okx::load_okx_config_file(file, okx::process_environment());
  if (!c) throw std::invalid_argument(c.error().describe());
  okx::OkxConfig cfg = std::move(*c);
  if (demo) cfg.use_environment(true);
  if (!rest.empty()) cfg.rest_url = rest;
  if (!ca.empty()) cfg.ca_file = ca;
  if (std::string e = cfg.validate(); !e.empty()) throw std::invalid_argument(e);
  return cfg;
}

// Logs every REST request with its latency (bodies redacted, headers never) on stderr.
okx::RestLogger rest_logger(bool verbose) {
  if (!verbose) return {};
  return [](const okx::RestLogRecord& r) { std::fprintf(stderr, "%s\n", okx::format_log_line(r).c_str()); };
}

std::string price_text(const okx::Instrument& i, int64_t ticks) {
  const auto d = i.tick.to_decimal(ticks);
  return d ? d->to_string() : "?";
}
std::string size_text(const okx::Instrument& i, int64_t lots) {
  const auto d = i.lot.to_decimal(lots);
  return d ? d->to_canonical_string() : "?";
}

std::string render_book(const okx::BookSync& b, unsigned depth) {
  std::array<book::DepthLevel, 64> bids{}, asks{};
  const std::size_t n = std::min<std::size_t>(depth, bids.size());
  const std::size_t nb = b.book().depth(book::Side::kBuy, std::span(bids.data(), n));
  const std::size_t na = b.book().depth(book::Side::kSell, std::span(asks.data(), n));
  const okx::Instrument& in = b.instrument();
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%18s %14s | %-14s %-18s\n", "bid size", "bid", "ask", "ask size");
  out += line;
  for (std::size_t i = 0; i < std::max(nb, na); ++i) {
    std::snprintf(line, sizeof line, "%18s %14s | %-14s %-18s\n", i < nb ? size_text(in, bids[i].qty.value).c_str() : "",
                  i < nb ? price_text(in, bids[i].price.ticks).c_str() : "",
                  i < na ? price_text(in, asks[i].price.ticks).c_str() : "",
                  i < na ? size_text(in, asks[i].qty.value).c_str() : "");
    out += line;
  }
  if (nb == 0 && na == 0) out += "(empty)\n";
  return out;
}

int run_book(OkxCommands::State& a) {
  okx::OkxConfig cfg = load_config(a.config_file, a.demo, a.rest_url, a.ca_file);
  if (!a.url.empty()) cfg.ws_public_url = a.url;
  const okx::Channel ch = okx::channel_from_name(a.channel);
  if (!okx::is_book_channel(ch)) throw CLI::ValidationError("--channel", "'" + a.channel + "' is not a book channel");

  // Each instrument's tick and lot: given (one instrument), or asked from the REST API.
  std::vector<okx::Instrument> insts;
  if (!a.tick.empty() || !a.lot.empty()) {
    if (a.tick.empty() || a.lot.empty()) throw CLI::ValidationError("--tick/--lot", "give both or neither");
    if (a.inst_ids.size() != 1)
      throw CLI::ValidationError("--tick/--lot", "are one instrument's steps: give one INST, or neither to ask the "
                                                 "REST API for each");
    auto i = okx::Instrument::make(a.inst_ids[0], a.tick, a.lot);
    if (!i) throw CLI::ValidationError("--tick/--lot", "must be positive decimals such as 0.1 and 0.00000001");
    insts.push_back(*i);
  } else {
    if (a.rest_url.empty() && !a.url.empty()) {
      // A venue (or the test fake) serving REST on the WebSocket's host and port.
      const auto u = okx::Url::parse(a.url);
      if (u) cfg.rest_url = std::string(u->tls() ? "https://" : "http://") + u->host_header();
    }
    okx::OkxRestClient rest(cfg, rest_logger(a.verbose));
    for (const std::string& id : a.inst_ids) {
      auto list = rest.instruments("SPOT", id);
      if (!list) throw std::runtime_error(list.error().describe() + " (or give --tick and --lot)");
      if (list->empty()) throw std::runtime_error("okx: instrument " + id + " not found at " + cfg.rest_url);
      insts.push_back(list->front());
    }
  }

  okx::OkxMarketData md(cfg, insts, ch);
  const bool tty = ::isatty(STDOUT_FILENO) != 0;
  uint64_t applied = 0;
  md.on_book = [&](const okx::BookSync&, okx::SyncResult r) {
    if (r == okx::SyncResult::kUpdate || r == okx::SyncResult::kSnapshot || r == okx::SyncResult::kReset) ++applied;
  };
  for (const okx::Instrument& inst : insts)
    std::printf("okx book %s on %s (%s, tick %s, lot %s, %s)\n", inst.inst_id.c_str(), cfg.ws_public_url.c_str(),
                a.channel.c_str(), inst.tick.step().to_string().c_str(), inst.lot.step().to_string().c_str(),
                cfg.demo ? "demo" : "production");
  std::fflush(stdout);

  // /metrics: the books as this thread last rendered them (every loop turn below).
  OkxBookMetrics book_metrics;
  book_metrics.publish(md);
  ProbeCollector collector({});
  std::unique_ptr<MetricsServer> metrics;
  if (a.metrics_port >= 0) {
    MetricsServerOptions mo;
    mo.address = a.metrics_address;
    mo.port = static_cast<uint16_t>(a.metrics_port);
    mo.extra_metrics = [&book_metrics] { return book_metrics.text(); };
    metrics = std::make_unique<MetricsServer>(mo, collector);
    std::fprintf(stderr, "metrics: http://%s:%u/metrics\n", mo.address.c_str(), static_cast<unsigned>(metrics->port()));
  }
  const std::atomic<bool>& stop = dataplane::install_stop_signals();

  md.start();
  const auto t0 = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  auto done = [&] {
    return stop.load() || (a.updates > 0 && applied >= a.updates) || (a.seconds > 0 && elapsed() >= a.seconds);
  };
  auto show = [&](bool final_view) {
    std::string s;
    if (tty && !final_view) s += "\x1b[H\x1b[2J";
    for (const okx::Instrument& inst : insts) {
      const okx::BookSync& b = *md.book(inst.inst_id);
      char head[200];
      std::snprintf(head, sizeof head, "\n%s %s  state %s  seqId %lld  %llu updates applied  %.1f s\n",
                    inst.inst_id.c_str(), a.channel.c_str(), okx::to_string(b.health().state),
                    static_cast<long long>(b.health().seq_id), static_cast<unsigned long long>(applied), elapsed());
      s += head;
      s += render_book(b, a.depth);
    }
    s += "health: " + md.format_health();
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
  };
  double next_show = a.every;
  while (!done()) {
    md.run_for(50, done);
    book_metrics.publish(md);
    if (a.every > 0 && elapsed() >= next_show) {
      show(false);
      next_show += a.every;
    }
  }
  show(true);
  md.stop();
  if (metrics) metrics->stop();
  dataplane::uninstall_stop_signals();
  for (const okx::Instrument& inst : insts)
    if (md.book(inst.inst_id)->health().state != okx::BookState::kLive) return 1;
  return 0;
}

}  // namespace

OkxCommands::OkxCommands(CLI::App& app) : s_(std::make_unique<State>()) {
  State& a = *s_;
  a.okx = app.add_subcommand("okx", "OKX v5 connectivity: live order book and health, server time, settings.\n"
                                    "Credentials come from OKX_API_KEY, OKX_SECRET_KEY, OKX_PASSPHRASE (never printed);\n"
                                    "OKX_SANDBOX=1 selects demo trading.");
  a.okx->require_subcommand(1);

  a.book = a.okx->add_subcommand("book", "Mirror instruments' order books over the WebSocket and show them with their\n"
                                         "health; --metrics-port also serves each book's state, seqId, gaps, resyncs,\n"
                                         "stale events, checksum failures and best bid/ask on /metrics. Exit 0 when\n"
                                         "every book is live at the end; SIGINT/SIGTERM end it.");
  a.book->add_option("INST", a.inst_ids, "Instrument ids, e.g. BTC-USDT ETH-USDT")->required();
  a.book->add_option("--url", a.url, "WebSocket URL (default: okx.ws_public_url, production or demo)");
  a.book->add_option("--channel", a.channel, "books (400 levels, checked sequence), books5 or bbo-tbt")
      ->check(CLI::IsMember({"books", "books5", "bbo-tbt", "books-l2-tbt", "books50-l2-tbt"}))
      ->capture_default_str();
  a.book->add_option("--tick", a.tick, "Price step (tickSz); default: asked from the REST API");
  a.book->add_option("--lot", a.lot, "Size step (lotSz); default: asked from the REST API");
  a.book->add_option("--depth", a.depth, "Levels shown per side")->check(CLI::Range(1u, 64u))->capture_default_str();
  a.book->add_option("--updates", a.updates, "Exit after this many applied pushes (0: no limit)");
  a.book->add_option("--seconds", a.seconds, "Exit after this many seconds (0: no limit)");
  a.book->add_option("--every", a.every, "Redraw the book every this many seconds (0: only at exit)")
      ->capture_default_str();
  a.book->add_option("--metrics-port", a.metrics_port, "Serve Prometheus /metrics (the books and the connection) "
                                                       "on this port (0: any free port, printed on stderr)")
      ->check(CLI::Range(0, 65535));
  a.book->add_option("--metrics-address", a.metrics_address, "Address the metrics endpoint binds")
      ->capture_default_str();

  a.time = a.okx->add_subcommand("time", "Print OKX server time and this host's clock offset.");
  a.config = a.okx->add_subcommand("config", "Print the effective OKX settings (secrets redacted).");
  for (CLI::App* sub : {a.book, a.time, a.config}) {
    sub->add_option("--config", a.config_file, "TOML file with an [okx] section");
    sub->add_flag("--demo", a.demo, "Demo trading (x-simulated-trading: 1, demo WebSocket hosts)");
    sub->add_option("--rest-url", a.rest_url, "REST base URL (default: okx.rest_url)");
    sub->add_option("--ca-file", a.ca_file, "Extra trusted CA certificate (PEM), e.g. a test server's");
    sub->add_flag("-v,--verbose", a.verbose, "Log each REST request and its latency on stderr (bodies redacted)");
  }
}

OkxCommands::~OkxCommands() = default;

bool OkxCommands::parsed() const { return s_->okx->parsed(); }

int OkxCommands::run() {
  State& a = *s_;
  if (a.book->parsed()) return run_book(a);
  okx::OkxConfig cfg = load_config(a.config_file, a.demo, a.rest_url, a.ca_file);
  if (a.config->parsed()) {
    std::printf("%s", cfg.describe().c_str());
    return 0;
  }
  okx::OkxRestClient rest(cfg, rest_logger(a.verbose));
  if (auto s = rest.calibrate_clock(); !s) throw std::runtime_error(s.error().describe());
  const int64_t server = rest.clock().now_ms();
  std::printf("server time %s (%lld ms), local clock offset %+lld ms, round trip %lld ms\n",
              okx::format_iso8601_ms(server).c_str(), static_cast<long long>(server),
              static_cast<long long>(rest.clock().offset_ms()), static_cast<long long>(rest.clock().last_rtt_ms()));
  return 0;
}

}  // namespace tachyon::controlplane
