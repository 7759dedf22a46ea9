// The `tachyon` command line (CLI11): subcommands replay, gen and report, their options,
// the progress line and exit codes. Control path, main thread.
#include "tachyon/controlplane/cli.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <string>
#include <vector>

#include "tachyon/bench/capture_generator.h"
#include "tachyon/bench/scenario.h"
#include "tachyon/controlplane/config.h"
#include "tachyon/controlplane/config_watcher.h"
#include "tachyon/controlplane/core_map.h"
#include "tachyon/controlplane/durable_replay.h"
#include "tachyon/controlplane/engine_commands.h"
#include "tachyon/controlplane/live_command.h"
#include "tachyon/controlplane/okx_command.h"
#include "tachyon/controlplane/profile_session.h"
#include "tachyon/controlplane/replay_report.h"
#include "tachyon/controlplane/report_command.h"
#include "tachyon/controlplane/run_profile.h"
#include "tachyon/dataplane/match_endpoints.h"
#include "tachyon/dataplane/feed_pipeline.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/stop_signal.h"
#include "tachyon/nic/nic_options.h"

extern "C" char** environ;  // the process environment (POSIX)

namespace tachyon::controlplane {

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

struct ReplayArgs {
  std::string file;
  std::string mode;
  std::string speed = "max";
  std::string out;
  std::string symbol;
  unsigned depth = 0;
  std::string format;
  std::string check;
  bool json = false;
  uint16_t port = 0;
  std::string group;
  std::vector<std::string> symbols;
  uint32_t max_orders = 0;  // 0: 4 M in feed mode (a whole venue), 1 M in match mode
  uint32_t max_levels = 1u << 20;
  uint32_t max_symbols = 8192;
  bool progress = true;
  // Profiling.
  std::string profile;
  std::string csv;
  int metrics_port = -1;  // -1: no endpoint
  std::string metrics_address = "127.0.0.1";
  double metrics_linger = 0;
  uint64_t slow_ns = 0;
  std::string command;
  // Configuration and durability (match mode).
  std::vector<std::string> config;  // layered in order
  std::string journal;
  std::string snapshot_dir;
  int64_t snapshot_every = -1;  // -1: from the config
  std::string fsync;
  std::string ctl;
  // NIC (docs/dataplane.md).
  std::string nic = "pcap";
  std::string eal_args;  // space-separated; empty: nic.eal_args of --config, else the replay default
  unsigned cores = 1;
  std::string backpressure;    // match mode on two cores; empty: rings.backpressure
  uint32_t ring_capacity = 0;  // match mode on two cores; 0: rings.capacity
};

struct GenArgs {
  std::string mode = "match";
  std::string out;
  uint64_t messages = 1'000'000;
  uint32_t symbols = 4;
  uint64_t seed = 1;
  std::string scenario = "normal";
};

// The embedded default: a generated match-mode capture of this size.
constexpr uint64_t kDefaultMessages = 1'000'000;
constexpr uint32_t kDefaultSymbols = 4;

double parse_speed(const std::string& s) {
  if (s == "max") return 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !(v > 0) || !std::isfinite(v))
    throw CLI::ValidationError("--speed", "'" + s + "': must be max or a positive number (1 = capture speed)");
  return v;
}

nic::Ipv4Address parse_group(const std::string& s) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 || a > 255 || b > 255 || c > 255 ||
      d > 255)
    throw CLI::ValidationError("--group", "'" + s + "': must be an IPv4 address such as 233.54.12.111");
  return nic::Ipv4Address{static_cast<uint8_t>(a), static_cast<uint8_t>(b), static_cast<uint8_t>(c),
                          static_cast<uint8_t>(d)};
}

// Draws "[ 42%] 1.2 M msgs  3.4 M msgs/s  ETA 2 s" over itself on stderr.
void draw_progress(const dataplane::ReplayProgress& p) {
  std::fprintf(stderr, "\r[%3.0f%%] %.1f M msgs  %.2f M msgs/s  ETA %.0f s   ", p.fraction * 100, p.messages / 1e6,
               p.msgs_per_s / 1e6, p.eta_s);
  std::fflush(stderr);
}

int run_replay(const ReplayArgs& a) {
  dataplane::ReplayOptions opt;
  opt.speed = parse_speed(a.speed);
  opt.out_path = a.out;
  opt.check_path = a.check;
  opt.filter.dst_port = a.port;
  if (!a.group.empty()) opt.filter.dst_address = parse_group(a.group);
  opt.book.max_orders = a.max_orders ? a.max_orders : 1u << 22;
  opt.book.max_levels = a.max_levels;
  opt.book.max_symbols = a.max_symbols;
  opt.symbols = a.symbols;
  opt.nic = a.nic == "dpdk" ? nic::NicBackendKind::kDpdk : a.nic == "auto" ? nic::NicBackendKind::kAuto
                                                                            : nic::NicBackendKind::kPcap;
  for (std::size_t pos = 0; pos < a.eal_args.size();) {
    const std::size_t end = std::min(a.eal_args.find(' ', pos), a.eal_args.size());
    if (end > pos) opt.eal_args.push_back(a.eal_args.substr(pos, end - pos));
    pos = end + 1;
  }

  // Configuration files supply book capacities, risk limits, symbols, the feed filter,
  // the journal and the core map; explicit options win over them.
  std::optional<Config> cfg;
  if (!a.config.empty()) {
    ConfigResult r = load_config(a.config, env_overrides(environ));
    if (!r.config) {
      for (const ConfigError& e : r.errors) std::fprintf(stderr, "tachyon: %s\n", e.to_string().c_str());
      throw CLI::ValidationError("--config",
                                 describe_paths(a.config) + ": " + std::to_string(r.errors.size()) + " error(s)");
    }
    cfg = std::move(r.config);
    // The core map: the replay core (or the dispatch and shard cores of --cores) on
    // cores.dataplane, the control plane's threads on cores.control, the books on
    // cores.numa_node. Checked against this machine first.
    const CoreMap cores = check_core_map(cfg->cores);
    for (const std::string& n : cores.notes) std::fprintf(stderr, "%s\n", n.c_str());
    if (!cores.empty()) std::fprintf(stderr, "cores: %s\n", cores.describe().c_str());
    if (const std::string where = place_control_thread(cores); !where.empty())
      std::fprintf(stderr, "%s\n", where.c_str());
    opt.cpus = cores.dataplane;
    opt.memory_node = cores.memory_node;
    opt.packet_handoff = cfg->rings.packet_handoff;
    if (!opt.cpus.empty() && a.cores > opt.cpus.size())
      throw CLI::ValidationError("--cores", std::to_string(a.cores) + " needs " + std::to_string(a.cores) +
                                                " data-plane CPUs (1 dispatch + " + std::to_string(a.cores - 1) +
                                                " shard, or in match mode the matching and the gateway core), "
                                                "but cores.dataplane lists " +
                                                std::to_string(opt.cpus.size()) + " (" +
                                                format_cpu_list(opt.cpus) + ")");
    opt.book = cfg->book;
    opt.risk = cfg->risk;
    opt.breaker = breaker_limits(cfg->breaker);
    if (opt.symbols.empty()) opt.symbols = cfg->match.symbols;
    if (a.port == 0) opt.filter.dst_port = cfg->feed.port;
    if (a.group.empty() && !cfg->feed.group.empty()) opt.filter.dst_address = parse_group(cfg->feed.group);
    if (opt.eal_args.empty()) opt.eal_args = cfg->nic.eal_args;
  }
  DurableOptions dur;
  dur.journal_path = !a.journal.empty() ? a.journal : cfg ? cfg->journal.path : "";
  dur.snapshot_dir = a.snapshot_dir;
  dur.fsync = cfg ? cfg->journal.fsync : FsyncPolicy::kIntervalMs;
  dur.interval_ms = cfg ? cfg->journal.interval_ms : 10;
  if (!a.fsync.empty())
    dur.fsync = a.fsync == "none" ? FsyncPolicy::kNone : a.fsync == "every_batch" ? FsyncPolicy::kEveryBatch : FsyncPolicy::kIntervalMs;
  if (a.snapshot_every >= 0) dur.snapshot_every = static_cast<uint64_t>(a.snapshot_every);
  dur.control_socket = a.ctl;
  dur.config_hash = cfg ? cfg->hash : 0;
  dur.stop = &dataplane::stop_flag();  // SIGINT/SIGTERM once installed, and ctl stop
  if (cfg) {
    dur.config_paths = a.config;
    dur.config = &*cfg;
    dur.config_overrides = env_overrides(environ);
  }

  std::string generated;
  if (a.file.empty()) {
    // The embedded default: generate a match capture, replay it, remove it.
    const std::string dir = std::filesystem::temp_directory_path().string();
    generated = dir + "/tachyon-default-" + std::to_string(::getpid()) + ".pcap";
    bench::CaptureConfig cfg;
    cfg.kind = bench::CaptureKind::kMatch;
    cfg.messages = kDefaultMessages;
    cfg.symbols = kDefaultSymbols;
    const bench::CaptureInfo info = bench::generate_capture(cfg, generated);
    if (!a.json)
      std::printf("no capture given: replaying the embedded default, a generated match-mode capture\n"
                  "(OUCH 4.2 in MoldUDP64, %s messages, %u symbols, %u clients, seed %llu; "
                  "`tachyon gen` writes it to a file)\n\n",
                  with_commas(info.messages).c_str(), cfg.symbols, cfg.clients,
                  static_cast<unsigned long long>(cfg.seed));
    opt.input = generated;
    opt.mode = dataplane::ReplayMode::kMatch;
    if (opt.symbols.empty()) opt.symbols = info.symbols;
  } else {
    opt.input = a.file;
    opt.mode = dataplane::ReplayMode::kFeed;
  }
  if (a.mode == "match") opt.mode = dataplane::ReplayMode::kMatch;
  if (a.mode == "feed") opt.mode = dataplane::ReplayMode::kFeed;
  // Matching sizes its order tables from max_orders too; one venue's whole feed needs
  // more resting orders than one matching shard.
  if (a.max_orders == 0 && !cfg && opt.mode == dataplane::ReplayMode::kMatch) opt.book.max_orders = 1u << 20;
  if (!a.out.empty() && opt.mode != dataplane::ReplayMode::kMatch)
    throw CLI::ValidationError("--out", "writes match-mode replies and market data; use it with --mode match");

  const bool lobster_rows = a.format == "lobster";
  if (lobster_rows) {
    opt.lobster_out = stdout;
    opt.lobster_symbol = a.symbol;
    opt.depth = a.depth ? a.depth : 10;
  } else if (a.depth) {
    opt.depth = a.depth;
  }
  if (!a.check.empty()) opt.depth = a.depth ? a.depth : 10;
  if (a.progress && !a.json && !lobster_rows && ::isatty(STDERR_FILENO)) opt.on_progress = draw_progress;

  struct Cleanup {
    std::string path;
    ~Cleanup() {
      if (!path.empty()) std::remove(path.c_str());
    }
  } cleanup{generated};

  opt.slow_ns_per_message = a.slow_ns;
  const bool profiled = !a.profile.empty() || !a.csv.empty() || a.metrics_port >= 0;
  ProfileSessionOptions po;
  po.profile_path = a.profile;
  po.csv_dir = a.csv;
  po.metrics = a.metrics_port >= 0;
  po.metrics_port = static_cast<uint16_t>(std::max(a.metrics_port, 0));
  po.metrics_address = a.metrics_address;
  po.metrics_linger_s = a.metrics_linger;
  po.command = a.command;
  if (!generated.empty()) po.input_label = "(embedded default capture)";
  const bool durable = !dur.journal_path.empty() || !dur.control_socket.empty();
  if (durable && opt.mode != dataplane::ReplayMode::kMatch)
    throw CLI::ValidationError("--journal", "journals, snapshots and --ctl are for match mode (--mode match)");
  if (durable && dur.journal_path.empty())
    throw CLI::ValidationError("--ctl", "needs --journal FILE (commands are journaled)");
  const bool ring_options = !a.backpressure.empty() || a.ring_capacity != 0;
  if (opt.mode == dataplane::ReplayMode::kMatch && a.cores > 1) {
    // A gateway core and the matching core, joined by the input ring.
    if (a.cores != 2)
      throw CLI::ValidationError("--cores", "match mode runs on 1 core or on 2 (a gateway core and the matching "
                                            "core); one book shard matches every symbol");
    dataplane::ReplayOptions::MatchCores& mc = opt.match_cores;
    mc.split = true;
    if (cfg) {
      mc.capacity = cfg->rings.capacity;
      mc.policy = *dataplane::backpressure_from_string(to_string(cfg->rings.policy));
    }
    if (a.ring_capacity) mc.capacity = a.ring_capacity;
    if (!a.backpressure.empty()) mc.policy = *dataplane::backpressure_from_string(a.backpressure);
    if (mc.policy == dataplane::BackpressurePolicy::kDrop)
      throw CLI::ValidationError("--backpressure", "drop would leave orders unanswered in match mode; use reject "
                                                   "(answer OUCH Rejected, engine busy) or block");
  } else if (ring_options) {
    throw CLI::ValidationError(a.backpressure.empty() ? "--ring-capacity" : "--backpressure",
                               "sets the input ring of match mode on two cores (--mode match --cores 2)");
  }
  if (a.cores > 1 && opt.mode != dataplane::ReplayMode::kMatch) {
    // 1 dispatch core + (cores - 1) shard cores; the summary carries the same counts
    // and book_hash as one core; the pipeline's own report goes to stderr.
    if (durable || profiled || lobster_rows || !a.check.empty())
      throw CLI::ValidationError("--cores", "does not combine with --journal, --ctl, --profile, --csv, "
                                            "--metrics-port, --format or --check");
    dataplane::FeedPipelineResult pr;
    dataplane::ReplaySummary s = dataplane::replay_feed_on_cores(opt, a.cores - 1, &pr);
    for (const std::string& n : s.nic_notes) std::fprintf(stderr, "%s\n", n.c_str());
    std::fprintf(stderr, "%sshard map: %s\n", pr.report.describe().c_str(), pr.shard_map.c_str());
    if (a.json) {
      std::printf("%s\n", format_summary_json(s).c_str());
    } else {
      std::printf("%s", format_summary_text(s).c_str());
      std::printf("\n(%s books on %u shard cores: print one with replay --symbol NAME, without --cores)\n",
                  with_commas(s.books).c_str(), a.cores - 1);
    }
    return 0;
  }
  DurableReport report;
  dataplane::ReplaySummary s;
  if (durable) {
    // SIGINT/SIGTERM: stop reading, snapshot, flush the journal, exit 0.
    dataplane::install_stop_signals();
    if (cfg) ConfigWatcher::block_sighup();  // SIGHUP reloads the configuration
    if (profiled) dur.profile = &po;
    s = run_durable_match(opt, dur, report);
  } else {
    if (opt.mode == dataplane::ReplayMode::kMatch) {
      // SIGINT/SIGTERM: stop reading, apply and answer what was read, print the summary,
      // exit 0.
      opt.durability.stop = &dataplane::install_stop_signals();
    }
    s = profiled ? replay_profiled(opt, po) : dataplane::replay(opt);
  }
  if (opt.on_progress) std::fprintf(stderr, "\r%60s\r", "");
  for (const std::string& p : s.placement) std::fprintf(stderr, "%s\n", p.c_str());
  // How the input was opened through a NIC (never on stdout: the report stream is the
  // same whichever backend read the capture).
  if (opt.nic != nic::NicBackendKind::kPcap)
    for (const std::string& n : s.nic_notes) std::fprintf(stderr, "%s\n", n.c_str());
  if (!generated.empty()) s.input = "(embedded default capture)";
  if (a.json) {
    std::string json = format_summary_json(s);
    if (durable) json.insert(json.size() - 1, ",\"durable\":" + format_durable_json(report));
    std::printf("%s\n", json.c_str());
    return 0;
  }
  if (lobster_rows) return 0;
  std::printf("%s", format_summary_text(s).c_str());
  if (durable) std::printf("%s", format_durable_report(report, dur.journal_path).c_str());
  if (!a.symbol.empty()) {
    std::printf("\n%s", format_book(s, a.symbol, a.depth ? a.depth : 10).c_str());
  } else if (s.books > 0 && s.books <= 8) {
    for (const std::string& name : s.names)
      if (!name.empty()) std::printf("\n%s", format_book(s, name, a.depth ? a.depth : 5).c_str());
  } else if (s.books > 8) {
    std::printf("\n(%s books: print one with --symbol NAME --depth N)\n", with_commas(s.books).c_str());
  }
  return 0;
}

int run_gen(const GenArgs& a) {
  bench::CaptureConfig cfg;
  cfg.kind = a.mode == "feed" ? bench::CaptureKind::kFeed : bench::CaptureKind::kMatch;
  cfg.messages = a.messages;
  cfg.symbols = a.symbols;
  cfg.seed = a.seed;
  const auto sc = bench::parse_scenario(a.scenario);
  if (!sc) throw CLI::ValidationError("--scenario", "'" + a.scenario + "': must be static, normal, swing-25, swing-40 or flash-crash");
  cfg.scenario = *sc;
  const std::string out = a.out.empty() ? "tachyon-" + a.mode + ".pcap" : a.out;
  const bench::CaptureInfo info = bench::generate_capture(cfg, out);
  std::string syms;
  for (const std::string& s : info.symbols) syms += (syms.empty() ? "" : ",") + s;
  std::printf("wrote %s: %s packets, %s %s messages, symbols %s, %.3f s of capture time\n", out.c_str(),
              with_commas(info.packets).c_str(), with_commas(info.messages).c_str(),
              cfg.kind == bench::CaptureKind::kFeed ? "ITCH 5.0" : "OUCH 4.2", syms.c_str(),
              static_cast<double>(info.last_ns - info.first_ns) / 1e9);
  if (cfg.kind == bench::CaptureKind::kMatch)
    std::printf("replay it with: tachyon replay --mode match --symbols %s %s\n", syms.c_str(), out.c_str());
  else
    std::printf("replay it with: tachyon replay --mode feed %s\n", out.c_str());
  return 0;
}

}  // namespace

int run_cli(int argc, char** argv) {
  CLI::App app{"tachyon: kernel-bypass order-book appliance (feed handler and matching engine)"};
  app.require_subcommand(1);

  ReplayArgs ra;
  CLI::App* replay = app.add_subcommand(
      "replay",
      "Replay a capture through the appliance and print the books, reports and latency summary.\n"
      "FILE is pcap/pcapng (ITCH or OUCH in MoldUDP64), ITCH 5.0 BinaryFILE or LOBSTER CSV;\n"
      "without FILE, a generated match-mode capture (the embedded default) is replayed.");
  replay->add_option("FILE", ra.file, "Capture to replay (format detected from its content)");
  replay->add_option("--mode", ra.mode, "feed (build mirror books from market data) or match (match order entry); "
                                        "default: feed for a FILE, match for the embedded default")
      ->check(CLI::IsMember({"feed", "match"}));
  replay->add_option("--speed", ra.speed, "max (default), or N times capture speed (1 = real time)");
  replay->add_option("--out", ra.out, "Match mode: write OUCH replies and ITCH market data to this pcap");
  replay->add_option("--symbol", ra.symbol, "Print this symbol's book at the end (or its LOBSTER rows)");
  replay->add_option("--depth", ra.depth, "Levels to print (default 10; 5 per book when printing all)")
      ->check(CLI::Range(1u, 256u));
  replay->add_option("--format", ra.format, "lobster: print --symbol's book after every event as LOBSTER orderbook rows")
      ->check(CLI::IsMember({"lobster"}));
  replay->add_option("--check", ra.check, "LOBSTER input: compare with this orderbook CSV after every event");
  replay->add_flag("--json", ra.json, "Print the summary as one JSON object on stdout");
  replay->add_option("--port", ra.port, "Take only datagrams to this UDP destination port");
  replay->add_option("--group", ra.group, "Take only datagrams to this destination (multicast group) address");
  replay->add_option("--symbols", ra.symbols, "Match mode: the tradable stocks, in SymbolId order "
                                              "(default: learned from the orders)")
      ->delimiter(',');
  replay->add_option("--max-orders", ra.max_orders, "Resting-order capacity of the books "
                                                    "(default 4194304 in feed mode, 1048576 in match mode)");
  replay->add_option("--max-levels", ra.max_levels, "Price-level capacity of the books")->capture_default_str();
  replay->add_option("--max-symbols", ra.max_symbols, "Book capacity (symbols)")->capture_default_str();
  replay->add_flag("!--no-progress", ra.progress, "Never draw the progress line");
  replay->add_option("--profile", ra.profile, "Profile the replay and write the full measurement here (JSON; "
                                              "view it with tachyon report)");
  replay->add_option("--csv", ra.csv, "Profile the replay and write the measurement as CSV files into this directory");
  replay->add_option("--metrics-port", ra.metrics_port, "Serve Prometheus /metrics and /healthz on this port "
                                                        "during the replay (0: any free port)")
      ->check(CLI::Range(0, 65535));
  replay->add_option("--metrics-address", ra.metrics_address, "Address the metrics endpoint binds")->capture_default_str();
  replay->add_option("--metrics-linger", ra.metrics_linger, "Keep serving metrics this many seconds after the "
                                                            "replay (Ctrl-C ends it)")
      ->check(CLI::Range(0.0, 86400.0));
  replay->add_option("--config", ra.config, "TOML configuration (book, risk, match symbols, feed filter, journal, "
                                            "cores); repeat it to layer files in order, e.g. --config tachyon.toml "
                                            "--config cores.toml (tuning/plan's core map); TACHYON_SECTION__KEY "
                                            "variables override them")
      ->allow_extra_args(false);
  replay->add_option("--journal", ra.journal, "Match mode: journal every input and output here and recover from it "
                                              "if it exists (acknowledgements leave only once journaled)");
  replay->add_option("--snapshot-dir", ra.snapshot_dir, "Where snapshots go (default: JOURNAL.snapshots)");
  replay->add_option("--snapshot-every", ra.snapshot_every, "Inputs between snapshots (0: only at the end)");
  replay->add_option("--fsync", ra.fsync, "Journal fsync policy: none, interval_ms or every_batch")
      ->check(CLI::IsMember({"none", "interval_ms", "every_batch"}));
  replay->add_option("--ctl", ra.ctl, "Serve the control socket here (tachyon ctl --socket PATH pause|resume|...)");
  replay->add_option("--nic", ra.nic, "Where the capture's packets come from: pcap (libpcap, default), dpdk (DPDK "
                                      "net_pcap vdev; --out through its tx_pcap; exit 2 when DPDK cannot start) or "
                                      "auto (DPDK, else libpcap, saying why)")
      ->check(CLI::IsMember({"pcap", "dpdk", "auto"}))
      ->capture_default_str();
  replay->add_option("--eal-args", ra.eal_args, "DPDK EAL arguments, space-separated (default: nic.eal_args of "
                                               "--config, else --no-huge --no-pci --no-shconf --no-telemetry -m 512 "
                                               "-l CPU --vdev=net_pcap0,rx_pcap=FILE[,tx_pcap=OUT])");
  replay->add_option("--cores", ra.cores, "Feed mode: run 1 dispatch core + N-1 shard cores (symbols sharded over "
                                          "them). Match mode: 2 runs a gateway core and the matching core, joined "
                                          "by an input ring. 1 (default): the single-core replay loop")
      ->check(CLI::Range(1u, 255u))
      ->capture_default_str();
  replay->add_option("--backpressure", ra.backpressure,
                     "Match mode on 2 cores: what a full input ring does to a new order or replace: reject (OUCH "
                     "Rejected 'O', engine busy) or block (default: rings.backpressure of --config, else block); "
                     "cancels always wait")
      ->check(CLI::IsMember({"reject", "block", "drop"}));
  replay->add_option("--ring-capacity", ra.ring_capacity,
                     "Match mode on 2 cores: input ring records, a power of two (default: rings.capacity, 4096)")
      ->check(CLI::Range(2u, 1u << 30));
  replay->add_option("--slow-ns", ra.slow_ns, "Spin this many ns in every message (to test the regression check)")
      ->group("");

  ReportCommand rc;
  CLI::App* report = app.add_subcommand(
      "report",
      "Write one HTML page with plots from a profile (tachyon replay --profile run.json), or compare two profiles\n"
      "of the same capture from the same machine: exit 3 when p99 latency, throughput or bytes per order is\n"
      "worse than the threshold.");
  report->add_option("PROFILE", rc.profile, "Profile to render");
  report->add_option("-o,--output", rc.output, "HTML file (default: PROFILE with .html)");
  report->add_option("--load-bench", rc.load_bench, "Add the open-loop latency curve from bench/load_bench --json output");
  report->add_option("--compare", rc.compare, "BASE NEW: compare two profiles instead")->expected(2);
  report->add_option("--threshold", rc.threshold_pct, "Regression threshold in percent")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();

  GenArgs ga;
  CLI::App* gen = app.add_subcommand("gen", "Write a deterministic synthetic capture (pcap, ns timestamps).");
  gen->add_option("--mode", ga.mode, "feed: ITCH 5.0 market data; match: OUCH 4.2 order entry")
      ->check(CLI::IsMember({"feed", "match"}))
      ->capture_default_str();
  gen->add_option("-o,--output", ga.out, "Output file (default tachyon-MODE.pcap)");
  gen->add_option("--messages", ga.messages, "Order-entry messages of the underlying flow")->capture_default_str();
  gen->add_option("--symbols", ga.symbols, "Number of symbols")->capture_default_str();
  gen->add_option("--seed", ga.seed, "Seed: the same seed gives the same bytes")->capture_default_str();
  gen->add_option("--scenario", ga.scenario, "static, normal, swing-25, swing-40 or flash-crash")
      ->capture_default_str();

  LiveArgs la;
  CLI::App* live = app.add_subcommand(
      "run",
      "Run the live appliance in feed mode: the NIC of the config (nic.backend dpdk, socket or auto), the shard\n"
      "pipeline on cores.dataplane, /metrics on metrics.listen:port, until SIGINT or SIGTERM; then drain, print the\n"
      "final stats and exit 0. An explicit nic.backend = dpdk that cannot start exits 2.");
  live->add_option("--config", la.config, "TOML configuration (nic, cores, rings, feed, book, metrics); repeat it "
                                          "to layer files in order, e.g. --config tachyon.toml --config cores.toml "
                                          "(tuning/plan's core map)")
      ->required()
      ->allow_extra_args(false);
  live->add_option("--metrics-port", la.metrics_port, "Serve /metrics here instead of metrics.port (0: any free port)");
  live->add_flag("--json", la.json, "Print the final stats as one JSON object on stdout");

  OkxCommands okx(app);
  EngineCommands engine(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : kExitUsage;
  }
  for (int i = 0; i < argc; ++i) ra.command += (i ? " " : "") + std::string(argv[i]);
  try {
    if (replay->parsed()) return run_replay(ra);
    if (gen->parsed()) return run_gen(ga);
    if (live->parsed()) return run_live(la);
    if (report->parsed()) return run_report_command(rc);
    if (okx.parsed()) return okx.run();
    if (engine.parsed()) return engine.run();
  } catch (const CLI::ValidationError& e) {
    std::fprintf(stderr, "tachyon: %s\n", e.what());
    return kExitUsage;
  } catch (const dataplane::ReplayError& e) {
    std::fprintf(stderr, "tachyon: %s\n", e.what());
    return kExitFailure;
  } catch (const nic::NicStartupError& e) {
    std::fprintf(stderr, "tachyon: %s\n", e.what());
    return e.exit_code();
  } catch (const ProfileError& e) {
    std::fprintf(stderr, "tachyon: %s\n", e.what());
    return kExitFailure;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "tachyon: %s\n", e.what());
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tachyon: %s\n", e.what());
    return kExitFailure;
  }
  return 0;
}

}  // namespace tachyon::controlplane
