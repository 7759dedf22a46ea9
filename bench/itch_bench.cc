// itch_bench: ITCH 5.0 BinaryFILE into L3 books (decode plus book update), in memory, on
// one pinned core. Owner: bench/. Single-threaded.
//
// The stream loops the Nasdaq BX sample (../shared/data/itch) with remapped order
// references (see bench/itch_loop_stream.h) to at least --messages messages, in two
// variants:
//   accumulating  each pass's ~3.2k leftover orders stay: the book grows to millions of
//                 resting orders (2.7 M at 10 M messages), whose index and records lie
//                 far beyond the caches, as over a trading day. The headline.
//   steady        each pass's leftovers are deleted by appended D messages: the book
//                 holds at most one pass's orders (its index, sized for the same
//                 capacity, is still spread over 64 MB).
// Both run on the same book configuration (capacity for the accumulating stream).
//
// A run times one itch::scan_binary_file() over the whole buffer into an
// itch::BookBuilder<NullSink> on a fresh BookShard (TSC clock, rdtscp around the scan
// and the final flush), once per apply mode: "batched" (book operations go through
// BookShard::apply_batch, which prefetches; the headline) and "immediate" (each
// message applied before the next is decoded). Each run starts with a decode-only pass
// over the same buffer (a handler that touches the decoded fields the book would use,
// no book), so book/decode compares figures measured seconds apart on a noisy machine.
// One untimed warm-up run first, then --runs runs; the report gives medians, min and
// max, and the involuntary context switches during each pass.
//
// Usage:
//   itch_bench [--json] [--messages=N] [--runs=N] [--warmup=N]
//              [--variant=accumulating|steady|both] [--apply=batched|immediate|both]
//              [--cpu=N] [--file=PATH] [--max-orders=N] [--index-start-buckets=N] [--no-huge-pages]
//   --file is an ITCH BinaryFILE (default: the NASDAQ sample in ../shared/data/itch) or
//              a pcap/pcapng capture of MoldUDP64 ITCH datagrams, whose messages are
//              looped the same way (e.g. `tachyon gen --mode feed -o feed.pcap`).
//   --index-start-buckets sets BookConfig::order_index_start_buckets (0: the order
//              index at full size from the start, never rehashed).
//   itch_bench --only=book|decode --runs=1 --warmup=0 ...   one kind of pass, for
//              valgrind --tool=callgrind --toggle-collect='*scan_stream*'
//              (instructions per message; build with -DTACHYON_MARCH=x86-64-v3)
// --json prints exactly one JSON object on stdout (progress goes to stderr).
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/bench/bench_cli.h"
#include "tachyon/bench/cpu_affinity.h"
#include "tachyon/bench/itch_loop_stream.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/huge_page_resource.h"
#include "tachyon/dataplane/itch_binary_file.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace {

using namespace tachyon;
namespace itch = dataplane::itch;
using bench::ItchLoopVariant;
using dataplane::rdtscp;
using dataplane::TscClock;

constexpr double kTargetNsPerMsg = 20;  // >= 50 M msgs/s

// --- options -----------------------------------------------------------------------

struct Options {
  bool json = false;
  uint64_t messages = 10'000'000;
  int runs = 5;
  int warmup = 1;
  std::vector<ItchLoopVariant> variants{ItchLoopVariant::kAccumulating, ItchLoopVariant::kSteady};
  int cpu = -1;
  std::string file = std::string(TACHYON_DATA_DIR) + "/itch/ex20101224.TEST_ITCH_50.binaryfile";
  uint32_t max_orders = 0;  // 0: enough for the accumulating stream
  uint32_t index_start_buckets = book::BookConfig{}.order_index_start_buckets;  // 0: full size
  bool huge_pages = true;
  std::vector<itch::ApplyMode> modes{itch::ApplyMode::kBatched, itch::ApplyMode::kImmediate};
  bool do_book = true;
  bool do_decode = true;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "itch_bench: %s\nusage: itch_bench [--json] [--messages=N] [--runs=N] [--warmup=N] "
               "[--variant=accumulating|steady|both] [--cpu=N] [--file=PATH] [--max-orders=N] [--index-start-buckets=N] [--no-huge-pages] "
               "[--apply=batched|immediate|both] [--only=book|decode]\n",
               why.c_str());
  std::exit(2);
}

uint64_t parse_u64(std::string_view key, const std::string& v) { return bench::parse_u64(key, v, usage); }

Options parse(int argc, char** argv) {
  Options o;
  bench::for_each_option(argc, argv, {"--json", "--no-huge-pages"}, usage, [&](const std::string& a, const std::string& v) {
    if (a == "--json") o.json = true;
    else if (a == "--no-huge-pages") o.huge_pages = false;
    else if (a == "--messages") o.messages = parse_u64(a, v);
    else if (a == "--runs") o.runs = static_cast<int>(parse_u64(a, v));
    else if (a == "--warmup") o.warmup = static_cast<int>(parse_u64(a, v));
    else if (a == "--cpu") o.cpu = static_cast<int>(parse_u64(a, v));
    else if (a == "--file") o.file = v;
    else if (a == "--max-orders") o.max_orders = static_cast<uint32_t>(parse_u64(a, v));
    else if (a == "--index-start-buckets") o.index_start_buckets = static_cast<uint32_t>(parse_u64(a, v));
    else if (a == "--variant") {
      if (v == "accumulating") o.variants = {ItchLoopVariant::kAccumulating};
      else if (v == "steady") o.variants = {ItchLoopVariant::kSteady};
      else if (v == "both") o.variants = {ItchLoopVariant::kAccumulating, ItchLoopVariant::kSteady};
      else usage("unknown variant '" + v + "'");
    } else if (a == "--apply") {
      if (v == "batched") o.modes = {itch::ApplyMode::kBatched};
      else if (v == "immediate") o.modes = {itch::ApplyMode::kImmediate};
      else if (v == "both") o.modes = {itch::ApplyMode::kBatched, itch::ApplyMode::kImmediate};
      else usage("--apply wants batched, immediate or both");
    } else if (a == "--only") {
      if (v == "book") o.do_decode = false;
      else if (v == "decode") o.do_book = false;
      else usage("--only wants book or decode");
    } else {
      usage("unknown option " + a);
    }
  });
  if (o.runs < 1 || o.messages < 1) usage("--runs and --messages must be >= 1");
  return o;
}

// --- process facts -----------------------------------------------------------------

// --- the decode-only baseline ------------------------------------------------------

// Touches the decoded fields the feed handler reads, and nothing else: what decoding
// costs without a book behind it.
struct DecodeOnly {
  std::array<uint64_t, 256> messages{};
  uint64_t sum = 0;

  template <class M>
  void on(const M& m) noexcept {
    ++messages[static_cast<uint8_t>(M::kType)];
    touch(m);
  }

 private:
  template <class M>
  void touch(const M&) noexcept {}
  void touch(const itch::StockDirectory& m) noexcept { sum += m.header.stock_locate + m.stock.chars[0]; }
  template <class Add>
  void add(const Add& m) noexcept {
    sum += m.header.stock_locate + m.stock.chars[0] + m.order_ref + static_cast<uint8_t>(m.side) + m.shares +
           static_cast<uint64_t>(m.price.ticks);
  }
  void touch(const itch::AddOrder& m) noexcept { add(m); }
  void touch(const itch::AddOrderMpid& m) noexcept { add(m); }
  void touch(const itch::OrderExecuted& m) noexcept { sum += m.order_ref + m.executed_shares; }
  void touch(const itch::OrderExecutedWithPrice& m) noexcept {
    sum += m.order_ref + m.executed_shares + static_cast<uint64_t>(m.execution_price.ticks);
  }
  void touch(const itch::OrderCancel& m) noexcept { sum += m.order_ref + m.canceled_shares; }
  void touch(const itch::OrderDelete& m) noexcept { sum += m.order_ref; }
  void touch(const itch::OrderReplace& m) noexcept {
    sum += m.original_order_ref + m.new_order_ref + m.shares + static_cast<uint64_t>(m.price.ticks);
  }
};

// --- runs --------------------------------------------------------------------------

struct Pass {
  double ns = 0;      // TSC wall time
  double cpu_ns = 0;  // thread CPU time
  uint64_t preempted = 0;
};

struct BookPass : Pass {
  uint64_t live_orders = 0;
  uint64_t unknown_refs = 0;
  uint64_t rejects = 0;
  uint64_t hash = 0;
};

const char* to_string(itch::ApplyMode m) noexcept {
  return m == itch::ApplyMode::kBatched ? "batched" : "immediate";
}

// Scans the whole stream into h (then flushes a batching h): the timed region. Kept
// out of line so that a profile can collect exactly this
// (valgrind --toggle-collect='*scan_stream*').
template <class H>
[[gnu::noinline]] itch::BinaryFileReport scan_stream(const bench::ItchLoopStream& s, H& h) noexcept {
  const itch::BinaryFileReport r = itch::scan_binary_file(s.bytes, h);
  if constexpr (requires { h.flush(); }) h.flush();
  return r;
}

book::BookConfig book_config(const Options& o, const bench::ItchLoopStream& s, const bench::ItchSample& sample) {
  book::BookConfig cfg;
  // Room for everything the accumulating stream leaves plus one pass in flight.
  const uint64_t need = s.resting_at_end + sample.record_offsets.size();
  cfg.max_orders = o.max_orders ? o.max_orders : static_cast<uint32_t>(std::bit_ceil(std::max<uint64_t>(need, 1u << 22)));
  cfg.max_levels = 1u << 16;
  cfg.max_symbols = 64;
  cfg.order_index_start_buckets = o.index_start_buckets;
  return cfg;
}

Pass run_decode(const bench::ItchLoopStream& s, const TscClock& clock, uint64_t& checksum) {
  DecodeOnly h;
  const uint64_t pre = bench::thread_preemptions();
  const uint64_t c0 = bench::thread_cpu_ns();
  const uint64_t t0 = rdtscp();
  const itch::BinaryFileReport r = scan_stream(s, h);
  const uint64_t t1 = rdtscp();
  Pass p;
  p.cpu_ns = static_cast<double>(bench::thread_cpu_ns() - c0);
  p.ns = static_cast<double>(clock.to_ns(t1 - t0));
  p.preempted = bench::thread_preemptions() - pre;
  if (r.messages != s.messages || !r.clean())
    throw std::runtime_error("decode-only pass: " + std::to_string(r.messages) + " messages of " +
                             std::to_string(s.messages) + ": " + itch::describe(r));
  checksum = h.sum;
  return p;
}

BookPass run_book(const bench::ItchLoopStream& s, const book::BookConfig& cfg, std::pmr::memory_resource* mr,
                  itch::ApplyMode mode, const TscClock& clock) {
  book::BookShard shard(cfg, mr);  // allocated and touched before timing
  book::NullSink sink;
  itch::BookBuilder<book::NullSink> builder(shard, sink, mode);
  const uint64_t pre = bench::thread_preemptions();
  const uint64_t c0 = bench::thread_cpu_ns();
  const uint64_t t0 = rdtscp();
  const itch::BinaryFileReport r = scan_stream(s, builder);
  const uint64_t t1 = rdtscp();
  BookPass p;
  p.cpu_ns = static_cast<double>(bench::thread_cpu_ns() - c0);
  p.ns = static_cast<double>(clock.to_ns(t1 - t0));
  p.preempted = bench::thread_preemptions() - pre;
  if (r.messages != s.messages || !r.clean())
    throw std::runtime_error("book pass: " + std::to_string(r.messages) + " messages of " +
                             std::to_string(s.messages) + ": " + itch::describe(r));
  const itch::BookBuilderStats& st = builder.stats();
  p.live_orders = shard.live_orders();
  p.unknown_refs = st.total_unknown_refs();
  for (const uint64_t c : st.rejects) p.rejects += c;
  p.rejects += st.bad_side + st.unmapped_symbol + st.decode_errors;
  p.hash = shard.hash();
  if (p.live_orders != s.resting_at_end)
    throw std::runtime_error("book pass: " + std::to_string(p.live_orders) + " orders rest at the end, expected " +
                             std::to_string(s.resting_at_end));
  if (p.rejects != 0) throw std::runtime_error("book pass: " + std::to_string(p.rejects) + " book rejects");
  return p;
}

struct Stats {
  double median = 0, min = 0, max = 0;
};

Stats stats_of(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  s.median = v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  s.min = v.front();
  s.max = v.back();
  return s;
}

// One kind of timed pass over a variant's stream: decode-only, or the book in one mode.
struct PassSeries {
  std::vector<double> ns_per_msg;      // TSC wall time
  std::vector<double> cpu_ns_per_msg;  // thread CPU time
  std::vector<uint64_t> preempted;
  Stats stats, cpu_stats;
  void add(const Pass& p, uint64_t messages) {
    ns_per_msg.push_back(p.ns / static_cast<double>(messages));
    cpu_ns_per_msg.push_back(p.cpu_ns / static_cast<double>(messages));
    preempted.push_back(p.preempted);
  }
  uint64_t total_preempted() const {
    uint64_t n = 0;
    for (const uint64_t p : preempted) n += p;
    return n;
  }
};

struct ModeResult {
  itch::ApplyMode mode{};
  PassSeries series;
  BookPass last;
  double over_decode = 0;  // median book ns / median decode-only ns
};

struct VariantResult {
  ItchLoopVariant variant{};
  uint64_t messages = 0, passes = 0, appended_deletes = 0, stream_bytes = 0;
  book::BookConfig cfg;
  std::size_t book_bytes = 0;
  uint64_t decode_checksum = 0;
  PassSeries decode;
  std::vector<ModeResult> modes;
  bool hash_stable = true;  // every book pass (both modes) left the same books
};

VariantResult bench_variant(ItchLoopVariant v, const bench::ItchSample& sample, const Options& o,
                            const TscClock& clock, std::pmr::memory_resource* mr) {
  VariantResult res;
  res.variant = v;
  std::fprintf(stderr, "[%s] building the stream...\n", bench::to_string(v));
  const bench::ItchLoopStream s = bench::build_itch_loop_stream(sample, o.messages, v);
  res.messages = s.messages;
  res.passes = s.passes;
  res.appended_deletes = s.appended_deletes;
  res.stream_bytes = s.bytes.size();
  res.cfg = book_config(o, s, sample);
  std::fprintf(stderr, "[%s] %" PRIu64 " messages (%" PRIu64 " passes, %.1f MB), book of %u orders\n",
               bench::to_string(v), s.messages, s.passes, static_cast<double>(s.bytes.size()) / 1e6,
               res.cfg.max_orders);
  if (o.do_book)
    for (const itch::ApplyMode m : o.modes) res.modes.push_back(ModeResult{m, {}, {}, 0});
  bool have_hash = false;
  uint64_t first_hash = 0;
  for (int i = 0; i < o.warmup + o.runs; ++i) {
    const bool timed = i >= o.warmup;
    std::string line;
    char buf[96];
    if (o.do_decode) {
      const Pass d = run_decode(s, clock, res.decode_checksum);
      if (timed) res.decode.add(d, s.messages);
      std::snprintf(buf, sizeof buf, " decode-only %.2f", d.ns / static_cast<double>(s.messages));
      line += buf;
    }
    for (ModeResult& mr_ : res.modes) {
      const BookPass b = run_book(s, res.cfg, mr, mr_.mode, clock);
      if (!have_hash) first_hash = b.hash;
      have_hash = true;
      res.hash_stable = res.hash_stable && b.hash == first_hash;
      mr_.last = b;
      if (timed) mr_.series.add(b, s.messages);
      std::snprintf(buf, sizeof buf, " book(%s) %.2f", to_string(mr_.mode), b.ns / static_cast<double>(s.messages));
      line += buf;
    }
    std::fprintf(stderr, "[%s] %s %d, ns/msg:%s\n", bench::to_string(v), timed ? "run" : "warm-up",
                 timed ? i - o.warmup + 1 : i + 1, line.c_str());
  }
  {
    const book::BookShard probe(res.cfg, mr);
    res.book_bytes = probe.memory_bytes();
  }
  res.decode.stats = stats_of(res.decode.ns_per_msg);
  res.decode.cpu_stats = stats_of(res.decode.cpu_ns_per_msg);
  for (ModeResult& m : res.modes) {
    m.series.stats = stats_of(m.series.ns_per_msg);
    m.series.cpu_stats = stats_of(m.series.cpu_ns_per_msg);
    m.over_decode = res.decode.stats.median > 0 ? m.series.stats.median / res.decode.stats.median : 0;
  }
  return res;
}

// --- output ------------------------------------------------------------------------

struct Setup {
  std::string command;
  int cpus_online = 0;
  int cpus_allowed = 0;
  int cpu = -1;
  bool pinned = false;
  bool huge_pages = false;
  uint64_t tsc_hz = 0;
  uint64_t sample_messages = 0;
  uint64_t sample_resting = 0;
  uint64_t sample_zero_prefixes = 0;
};

double msgs_per_s(double ns_per_msg) { return ns_per_msg > 0 ? 1e9 / ns_per_msg : 0; }

// The headline: the accumulating stream (else the first), in the first --apply mode.
const ModeResult* headline(const std::vector<VariantResult>& res, const VariantResult** variant) {
  const VariantResult* v = nullptr;
  for (const VariantResult& r : res)
    if (r.variant == ItchLoopVariant::kAccumulating && !r.modes.empty()) v = &r;
  if (v == nullptr)
    for (const VariantResult& r : res)
      if (!r.modes.empty()) v = &r;
  *variant = v;
  return v ? &v->modes.front() : nullptr;
}

void print_series(const char* name, const PassSeries& p) {
  std::printf("\"%s\":{\"ns_per_msg\":%.3f,\"msgs_per_s\":%.0f,\"min_ns_per_msg\":%.3f,\"max_ns_per_msg\":%.3f,"
              "\"runs_ns_per_msg\":[",
              name, p.stats.median, msgs_per_s(p.stats.median), p.stats.min, p.stats.max);
  for (std::size_t i = 0; i < p.ns_per_msg.size(); ++i) std::printf("%s%.3f", i ? "," : "", p.ns_per_msg[i]);
  std::printf("],\"cpu_ns_per_msg\":%.3f,\"runs_cpu_ns_per_msg\":[", p.cpu_stats.median);
  for (std::size_t i = 0; i < p.cpu_ns_per_msg.size(); ++i)
    std::printf("%s%.3f", i ? "," : "", p.cpu_ns_per_msg[i]);
  std::printf("],\"runs_preemptions\":[");
  for (std::size_t i = 0; i < p.preempted.size(); ++i) std::printf("%s%" PRIu64, i ? "," : "", p.preempted[i]);
  std::printf("]}");
}

void print_json(const Options& o, const Setup& su, const std::vector<VariantResult>& res) {
  std::printf("{\"bench\":\"itch_bench\",\"command\":\"%s\",\"cpus_online\":%d,\"cpus_allowed\":%d,\"cpu\":%d,"
              "\"pinned\":%s,\"tsc_hz\":%" PRIu64 ",\"huge_pages\":%s,\"runs\":%d,\"warmup_runs\":%d,"
              "\"sample\":{\"file\":\"%s\",\"messages\":%" PRIu64 ",\"resting_per_pass\":%" PRIu64
              ",\"zero_prefixes\":%" PRIu64 "},\"variants\":[",
              su.command.c_str(), su.cpus_online, su.cpus_allowed, su.cpu, su.pinned ? "true" : "false", su.tsc_hz,
              su.huge_pages ? "true" : "false", o.runs, o.warmup, o.file.c_str(), su.sample_messages,
              su.sample_resting, su.sample_zero_prefixes);
  for (std::size_t i = 0; i < res.size(); ++i) {
    const VariantResult& r = res[i];
    const BookPass last = r.modes.empty() ? BookPass{} : r.modes.front().last;
    std::printf("%s{\"name\":\"%s\",\"messages\":%" PRIu64 ",\"passes\":%" PRIu64 ",\"appended_deletes\":%" PRIu64
                ",\"stream_bytes\":%" PRIu64 ",\"book\":{\"max_orders\":%u,\"max_levels\":%u,\"max_symbols\":%u,"
                "\"preallocated_bytes\":%zu},\"resting_at_end\":%" PRIu64 ",\"unknown_refs\":%" PRIu64
                ",\"deterministic\":%s,",
                i ? "," : "", bench::to_string(r.variant), r.messages, r.passes, r.appended_deletes, r.stream_bytes,
                r.cfg.max_orders, r.cfg.max_levels, r.cfg.max_symbols, r.book_bytes, last.live_orders,
                last.unknown_refs, r.hash_stable ? "true" : "false");
    print_series("decode_only_pass", r.decode);
    std::printf(",\"book_passes\":[");
    for (std::size_t k = 0; k < r.modes.size(); ++k) {
      std::printf("%s{\"apply\":\"%s\",", k ? "," : "", to_string(r.modes[k].mode));
      print_series("pass", r.modes[k].series);
      std::printf(",\"book_over_decode\":%.3f}", r.modes[k].over_decode);
    }
    std::printf("]}");
  }
  const VariantResult* hv = nullptr;
  const ModeResult* h = headline(res, &hv);
  const double ns = h ? h->series.stats.median : 0;
  std::printf("],\"headline\":{\"variant\":\"%s\",\"apply\":\"%s\",\"ns_per_msg\":%.3f,\"msgs_per_s\":%.0f},"
              "\"target\":{\"ns_per_msg\":%.1f,\"msgs_per_s\":%.0f},\"target_met\":%s}\n",
              hv ? bench::to_string(hv->variant) : "", h ? to_string(h->mode) : "", ns, msgs_per_s(ns),
              kTargetNsPerMsg, msgs_per_s(kTargetNsPerMsg), ns > 0 && ns <= kTargetNsPerMsg ? "true" : "false");
}

void print_table(const Options& o, const Setup& su, const std::vector<VariantResult>& res) {
  std::printf("itch_bench: ITCH 5.0 BinaryFILE -> itch::scan_binary_file -> itch::BookBuilder -> BookShard, in "
              "memory, one thread\n");
  std::printf("cpus: %d online, %d allowed; %s cpu %d; TSC %.6f GHz; book pools %s\n", su.cpus_online,
              su.cpus_allowed, su.pinned ? "pinned to" : "NOT pinned, on", su.cpu,
              static_cast<double>(su.tsc_hz) / 1e9, su.huge_pages ? "on transparent huge pages" : "on the heap");
  std::printf("sample: %s (%" PRIu64 " messages, %" PRIu64 " left resting per pass, %" PRIu64
              " zero length prefixes)\n",
              o.file.c_str(), su.sample_messages, su.sample_resting, su.sample_zero_prefixes);
  std::printf("median of %d runs after %d warm-up; each run: a decode-only pass, then a book pass per apply mode, "
              "each on a fresh shard\nns/msg: TSC wall time; cpu ns: this thread's CPU time (what the pass cost "
              "without the time other processes held the CPU); preempt: involuntary context switches\n\n",
              o.runs, o.warmup);
  std::printf("%-13s %-16s %10s %9s %8s %9s %11s %8s %8s %7s\n", "variant", "pass", "messages", "resting", "ns/msg",
              "M msg/s", "min-max", "/decode", "cpu ns", "preempt");
  for (const VariantResult& r : res) {
    if (!r.decode.ns_per_msg.empty())
      std::printf("%-13s %-16s %10" PRIu64 " %9s %8.2f %9.2f %5.1f-%-5.1f %8s %8.2f %7" PRIu64 "\n",
                  bench::to_string(r.variant), "decode-only", r.messages, "-", r.decode.stats.median,
                  msgs_per_s(r.decode.stats.median) / 1e6, r.decode.stats.min, r.decode.stats.max, "1.00",
                  r.decode.cpu_stats.median, r.decode.total_preempted());
    for (const ModeResult& m : r.modes) {
      const std::string pass = std::string("book, ") + to_string(m.mode);
      std::printf("%-13s %-16s %10" PRIu64 " %9" PRIu64 " %8.2f %9.2f %5.1f-%-5.1f %8.2f %8.2f %7" PRIu64 "%s\n",
                  bench::to_string(r.variant), pass.c_str(), r.messages, m.last.live_orders, m.series.stats.median,
                  msgs_per_s(m.series.stats.median) / 1e6, m.series.stats.min, m.series.stats.max, m.over_decode,
                  m.series.cpu_stats.median, m.series.total_preempted(),
                  r.hash_stable ? "" : "  (BOOKS DIFFER BETWEEN RUNS)");
    }
  }
  std::printf("\n");
  for (const VariantResult& r : res)
    std::printf("%-13s %" PRIu64 " passes, stream %.1f MB, %" PRIu64 " appended deletes, %" PRIu64
                " unknown refs; book: max_orders %u, max_levels %u, max_symbols %u, %.1f MB preallocated\n",
                bench::to_string(r.variant), r.passes, static_cast<double>(r.stream_bytes) / 1e6, r.appended_deletes,
                r.modes.empty() ? 0 : r.modes.front().last.unknown_refs, r.cfg.max_orders, r.cfg.max_levels,
                r.cfg.max_symbols, static_cast<double>(r.book_bytes) / 1e6);
  const VariantResult* hv = nullptr;
  if (const ModeResult* h = headline(res, &hv)) {
    const double ns = h->series.stats.median;
    std::printf("\nheadline (%s, %s): %.2f ns/msg = %.1f M msgs/s (target <= %.0f ns/msg, >= %.0f M msgs/s): %s\n",
                bench::to_string(hv->variant), to_string(h->mode), ns, msgs_per_s(ns) / 1e6, kTargetNsPerMsg,
                msgs_per_s(kTargetNsPerMsg) / 1e6, ns <= kTargetNsPerMsg ? "met" : "MISSED");
  }
}

int run(int argc, char** argv) {
  const Options o = parse(argc, argv);
  Setup su;
  su.command = "itch_bench";
  for (int i = 1; i < argc; ++i) su.command += std::string(" ") + argv[i];
  const std::vector<int> cpus = bench::allowed_cpus();
  su.cpus_online = static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
  su.cpus_allowed = static_cast<int>(cpus.size());
  su.cpu = o.cpu >= 0 ? o.cpu : (cpus.empty() ? -1 : cpus.back());
  if (su.cpu >= 0) {
    bench::pin_this_thread(su.cpu, "itch_bench");
    su.pinned = true;
  }
  if (!dataplane::invariant_tsc()) std::fprintf(stderr, "warning: CPUID does not report an invariant TSC\n");
  const TscClock clock = TscClock::calibrate();
  su.tsc_hz = clock.hz();
  su.huge_pages = o.huge_pages;

  const bench::ItchSample sample = bench::load_itch_sample(o.file);
  su.sample_messages = sample.record_offsets.size();
  su.sample_resting = sample.resting_refs.size();
  su.sample_zero_prefixes = sample.zero_prefixes;

  dataplane::HugePageResource huge;
  std::pmr::memory_resource* mr = o.huge_pages ? static_cast<std::pmr::memory_resource*>(&huge)
                                               : std::pmr::new_delete_resource();
  std::vector<VariantResult> res;
  for (const ItchLoopVariant v : o.variants) res.push_back(bench_variant(v, sample, o, clock, mr));
  if (o.json) print_json(o, su, res);
  else print_table(o, su, res);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "itch_bench: %s\n", e.what());
    return 1;
  }
}
