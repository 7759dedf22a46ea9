// load_bench: open-loop latency under load, free of coordinated omission, and a stress
// run with 10x bursts. Owner: bench/. Two pinned threads: a load generator releases
// pre-generated BookMessages into an SpscRing at a fixed offered rate; the book core
// pops them, applies each to a BookShard (counting its events) and stamps it done.
//
// Every message has an intended send time fixed before the run (t0 + i / rate, or the
// burst schedule). Its latency is done time minus intended time, so when the core or
// the ring falls behind, the queueing delay of every waiting message is counted, as a
// real feed would inflict it; the generator never waits for the core to catch up
// before it "sends" (a full ring only delays the hand-over, and the intended time
// stays). The first 5% of each run is warm-up and not recorded.
//
// Runs: the offered rates (default 1, 5, 10, 20 M msgs/s, each for --seconds or until
// the flow runs out), then a bisection between the rates around the point where p99
// passes 1 us, then the burst stress: --burst-base M msgs/s with every --period-ms a
// --burst-ms burst at --burst-factor times that rate. After the stress run the book's
// hash must equal that of the same messages applied without load.
//
// Usage:
//   load_bench [--json] [--orders=N] [--rates=1,5,10,20] [--seconds=S] [--cpus=GEN,CORE]
//              [--ring=N] [--search-steps=N] [--burst-base=M] [--burst-factor=F]
//              [--burst-ms=MS] [--period-ms=MS] [--burst-seconds=S] [--seed=N]
// --json prints exactly one JSON object on stdout (progress goes to stderr).
#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tachyon/bench/cpu_affinity.h"
#include "tachyon/bench/flow_generator.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/cpu_relax.h"
#include "tachyon/dataplane/latency_histogram.h"
#include "tachyon/dataplane/spsc_ring.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace {

using namespace tachyon;
using dataplane::LatencyHistogram;
using dataplane::rdtsc;
using dataplane::TscClock;

constexpr double kTargetP99Ns = 1000;

struct Options {
  bool json = false;
  uint32_t orders = 2'000'000;  // about 4.1 M messages
  std::vector<double> rates{1, 5, 10, 20};  // M msgs/s
  double seconds = 0.5;
  int cpu_gen = -1, cpu_core = -1;
  std::size_t ring = std::size_t{1} << 18;
  int search_steps = 4;
  double burst_base = 2;  // M msgs/s
  double burst_factor = 10;
  double burst_ms = 5;
  double period_ms = 50;
  double burst_seconds = 1;
  uint64_t seed = bench::FlowConfig{}.seed;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "load_bench: %s\nusage: load_bench [--json] [--orders=N] [--rates=1,5,10,20] [--seconds=S] "
               "[--cpus=GEN,CORE] [--ring=N] [--search-steps=N] [--burst-base=M] [--burst-factor=F] "
               "[--burst-ms=MS] [--period-ms=MS] [--burst-seconds=S] [--seed=N]\n",
               why.c_str());
  std::exit(2);
}

double parse_double(std::string_view key, const std::string& v) {
  char* end = nullptr;
  const double x = std::strtod(v.c_str(), &end);
  if (end == v.c_str() || *end != '\0' || !(x > 0) || !std::isfinite(x))
    usage(std::string(key) + ": '" + v + "' is not a positive number");
  return x;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--json") {
      o.json = true;
      continue;
    }
    const std::size_t eq = a.find('=');
    if (eq == std::string::npos) usage("unknown option " + a);
    const std::string k = a.substr(0, eq), v = a.substr(eq + 1);
    if (k == "--orders") o.orders = static_cast<uint32_t>(parse_double(k, v));
    else if (k == "--seconds") o.seconds = parse_double(k, v);
    else if (k == "--ring") o.ring = static_cast<std::size_t>(parse_double(k, v));
    else if (k == "--search-steps") o.search_steps = static_cast<int>(std::strtol(v.c_str(), nullptr, 10));
    else if (k == "--burst-base") o.burst_base = parse_double(k, v);
    else if (k == "--burst-factor") o.burst_factor = parse_double(k, v);
    else if (k == "--burst-ms") o.burst_ms = parse_double(k, v);
    else if (k == "--period-ms") o.period_ms = parse_double(k, v);
    else if (k == "--burst-seconds") o.burst_seconds = parse_double(k, v);
    else if (k == "--seed") o.seed = std::strtoull(v.c_str(), nullptr, 0);
    else if (k == "--rates") {
      o.rates.clear();
      std::size_t p = 0;
      while (p <= v.size()) {
        const std::size_t c = v.find(',', p);
        o.rates.push_back(parse_double(k, v.substr(p, c - p)));
        if (c == std::string::npos) break;
        p = c + 1;
      }
    } else if (k == "--cpus") {
      const std::size_t c = v.find(',');
      if (c == std::string::npos) usage("--cpus wants GEN,CORE");
      o.cpu_gen = std::atoi(v.substr(0, c).c_str());
      o.cpu_core = std::atoi(v.substr(c + 1).c_str());
    } else {
      usage("unknown option " + k);
    }
  }
  if (o.burst_ms >= o.period_ms) usage("--burst-ms must be shorter than --period-ms");
  return o;
}

// Counts the core's events; the checksum makes the work observable.
struct CountingSink {
  uint64_t events = 0;
  void on_event(const book::Event& e) noexcept { events += 1 + (e.qty.value & 1); }
};

book::BookConfig book_config() {
  book::BookConfig c;
  c.max_orders = 1u << 20;
  c.max_levels = 1u << 16;
  return c;
}

struct RunResult {
  std::string label;
  double offered = 0;    // msgs/s
  double achieved = 0;   // messages / (last done - t0)
  uint64_t messages = 0, measured = 0;
  uint64_t p50 = 0, p99 = 0, p999 = 0, max = 0;
  uint64_t ring_full = 0;  // times the generator found the ring full
  uint64_t max_queue = 0;  // most messages waiting in the ring (sampled)
  uint64_t hash = 0;
  // Burst runs: latencies of messages intended inside a burst, in the burst's length
  // right after it, and the rest.
  std::unique_ptr<LatencyHistogram> all = std::make_unique<LatencyHistogram>();
  std::unique_ptr<LatencyHistogram> in_burst, after_burst, calm;
};

// Runs one open-loop run over the first offsets.size() messages; offsets[i] is message
// i's intended send time in cycles after t0. phase(i) classifies message i for burst
// runs (0 calm, 1 in a burst, 2 just after one; -1 when not a burst run).
template <class Phase>
RunResult open_loop(const bench::Flow& flow, const std::vector<uint64_t>& offsets, const Options& o,
                    const TscClock& clock, Phase phase) {
  const std::size_t n = offsets.size();
  const std::size_t warm = n / 20;
  auto ring = std::make_unique<dataplane::SpscRing<uint32_t>>(o.ring);
  auto shard = std::make_unique<book::BookShard>(book_config());
  RunResult r;
  r.messages = n;
  const bool bursts = phase(0) >= 0;
  if (bursts) {
    r.in_burst = std::make_unique<LatencyHistogram>();
    r.after_burst = std::make_unique<LatencyHistogram>();
    r.calm = std::make_unique<LatencyHistogram>();
  }
  std::atomic<uint64_t> t0_shared{0};
  std::atomic<bool> consumer_ready{false};
  uint64_t last_done = 0;
  CountingSink sink;

  std::thread core([&] {
    bench::pin_this_thread(o.cpu_core, "book core");
    consumer_ready.store(true, std::memory_order_release);
    uint64_t t0 = 0;
    std::size_t done = 0;
    while (done < n) {
      const std::span<const uint32_t> s = ring->peek(64);
      if (s.empty()) {
        dataplane::cpu_relax();
        continue;
      }
      if (t0 == 0) t0 = t0_shared.load(std::memory_order_acquire);
      // The generator sends messages in order, so a span of indices is a contiguous run
      // of the flow: apply it as one burst (the batch path prefetches ahead), stamping
      // each message as it completes.
      const std::span<const book::BookMessage> burst(flow.messages.data() + s.front(), s.size());
      shard->apply_batch(burst, sink, [&](std::size_t k) noexcept {
        const std::size_t idx = s.front() + k;
        const uint64_t t = rdtsc();
        if (idx >= warm) {
          const uint64_t intended = t0 + offsets[idx];
          const uint64_t ns = t > intended ? clock.to_ns(t - intended) : 0;
          r.all->record(ns);
          if (bursts) {
            const int ph = phase(idx);
            (ph == 1 ? *r.in_burst : ph == 2 ? *r.after_burst : *r.calm).record(ns);
          }
        }
        last_done = t;
      });
      done += s.size();
      ring->release(s.size());
      if ((done & 1023) < s.size()) r.max_queue = std::max<uint64_t>(r.max_queue, ring->size_approx());
    }
  });

  bench::pin_this_thread(o.cpu_gen, "load generator");
  while (!consumer_ready.load(std::memory_order_acquire)) dataplane::cpu_relax();
  const uint64_t t0 = rdtsc() + clock.to_cycles(200'000);  // start 200 us from now
  t0_shared.store(t0, std::memory_order_release);
  // On a full ring the generator backs off for 1 us before it looks again: retrying at
  // once would read the consumer's index line on every attempt and slow the very core
  // it waits for (the intended send times stay fixed, so the wait is still counted).
  const uint64_t backoff = clock.to_cycles(1'000);
  std::size_t i = 0;
  while (i < n) {
    const uint64_t now = rdtsc();
    std::size_t staged = 0;
    bool full = false;
    while (i < n && t0 + offsets[i] <= now && staged < 256) {
      if (!ring->try_stage(static_cast<uint32_t>(i))) {
        ++r.ring_full;
        full = true;
        break;
      }
      ++i;
      ++staged;
    }
    if (staged) ring->publish();
    if (full)
      for (const uint64_t until = rdtsc() + backoff; rdtsc() < until;) dataplane::cpu_relax();
  }
  core.join();
  r.hash = shard->hash();
  r.measured = r.all->count();
  r.achieved = static_cast<double>(n) * 1e9 / static_cast<double>(std::max<uint64_t>(1, clock.to_ns(last_done - t0)));
  r.p50 = r.all->percentile(50);
  r.p99 = r.all->percentile(99);
  r.p999 = r.all->percentile(99.9);
  r.max = r.all->max();
  return r;
}

std::vector<uint64_t> constant_rate(std::size_t n, double rate, const TscClock& clock) {
  std::vector<uint64_t> off(n);
  const double cycles_per_msg = static_cast<double>(clock.hz()) / rate;
  for (std::size_t i = 0; i < n; ++i) off[i] = static_cast<uint64_t>(static_cast<double>(i) * cycles_per_msg);
  return off;
}

RunResult run_rate(const bench::Flow& flow, double rate, const Options& o, const TscClock& clock) {
  const std::size_t n = std::min<std::size_t>(flow.messages.size(), static_cast<std::size_t>(rate * o.seconds));
  RunResult r = open_loop(flow, constant_rate(n, rate, clock), o, clock, [](std::size_t) { return -1; });
  r.offered = rate;
  std::fprintf(stderr, "[load] offered %6.2f M msgs/s: %8zu messages, achieved %6.2f M/s, p50 %6" PRIu64
               " ns  p99 %8" PRIu64 " ns  p99.9 %8" PRIu64 " ns  max %9" PRIu64 " ns  ring full %" PRIu64 "\n",
               rate / 1e6, n, r.achieved / 1e6, r.p50, r.p99, r.p999, r.max, r.ring_full);
  return r;
}

// The burst schedule: base rate, and a burst at factor x base for the last burst_ms of
// every period. Returns offsets and each message's phase.
void burst_schedule(std::size_t max_n, const Options& o, const TscClock& clock, std::vector<uint64_t>& off,
                    std::vector<int8_t>& phase) {
  const double base = o.burst_base * 1e6, burst = base * o.burst_factor;
  const double period_s = o.period_ms / 1e3, burst_s = o.burst_ms / 1e3, calm_s = period_s - burst_s;
  double t = 0;
  while (off.size() < max_n && t < o.burst_seconds) {
    const double within = std::fmod(t, period_s);
    const bool in_burst = within >= calm_s;
    const bool after = within < burst_s && t >= period_s;  // the burst's length right after one
    off.push_back(static_cast<uint64_t>(t * static_cast<double>(clock.hz())));
    phase.push_back(in_burst ? 1 : after ? 2 : 0);
    t += 1.0 / (in_burst ? burst : base);
  }
}

uint64_t reference_hash(const bench::Flow& flow, std::size_t n) {
  auto shard = std::make_unique<book::BookShard>(book_config());
  CountingSink sink;
  for (std::size_t i = 0; i < n; ++i) shard->apply(flow.messages[i], sink);
  return shard->hash();
}

void print_hist(const char* name, const LatencyHistogram& h, bool last) {
  std::printf("\"%s\":{\"count\":%" PRIu64 ",\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%" PRIu64
              "}%s",
              name, h.count(), h.percentile(50), h.percentile(99), h.percentile(99.9), h.max(), last ? "" : ",");
}

int run(int argc, char** argv) {
  Options o = parse(argc, argv);
  bench::pick_two_cpus(o.cpu_gen, o.cpu_core);
  const bool pinned_apart = o.cpu_gen != o.cpu_core;
  if (!pinned_apart) std::fprintf(stderr, "warning: generator and core share cpu %d; figures will be poor\n", o.cpu_gen);
  const TscClock clock = TscClock::calibrate();
  std::fprintf(stderr, "[load] generating the flow (%u orders)...\n", o.orders);
  bench::FlowConfig fc;
  fc.orders = o.orders;
  fc.seed = o.seed;
  const bench::Flow flow = bench::generate_flow(fc);
  std::fprintf(stderr,
               "[load] config: %zu messages (normal scenario), generator cpu %d, core cpu %d (pinned), ring %zu, "
               "%.2f s per rate, TSC %.6f GHz\n",
               flow.messages.size(), o.cpu_gen, o.cpu_core, o.ring, o.seconds, static_cast<double>(clock.hz()) / 1e9);

  std::vector<RunResult> rates;
  for (const double m : o.rates) rates.push_back(run_rate(flow, m * 1e6, o, clock));

  // Where p99 passes 1 us: bisect (geometrically) between the last rate under it and
  // the first one over it.
  std::vector<RunResult> search;
  double below = 0, above = 0;
  uint64_t below_p99 = 0, above_p99 = 0;
  for (const RunResult& r : rates) {
    if (r.p99 <= kTargetP99Ns && (above == 0 || r.offered < above) && r.offered > below) {
      below = r.offered;
      below_p99 = r.p99;
    }
    if (r.p99 > kTargetP99Ns && (above == 0 || r.offered < above)) {
      above = r.offered;
      above_p99 = r.p99;
    }
  }
  if (below > 0 && above > below) {
    for (int s = 0; s < o.search_steps; ++s) {
      const double mid = std::sqrt(below * above);
      search.push_back(run_rate(flow, mid, o, clock));
      if (search.back().p99 <= kTargetP99Ns) {
        below = mid;
        below_p99 = search.back().p99;
      } else {
        above = mid;
        above_p99 = search.back().p99;
      }
    }
  }
  double estimate = 0;
  std::string crossing;
  if (below > 0 && above > 0) {
    // Interpolate log(rate) linearly in log(p99) between the bracket's ends.
    const double a = std::log(static_cast<double>(std::max<uint64_t>(below_p99, 1)));
    const double b = std::log(static_cast<double>(std::max<uint64_t>(above_p99, 1)));
    const double f = b > a ? (std::log(kTargetP99Ns) - a) / (b - a) : 0.5;
    estimate = std::exp(std::log(below) + std::clamp(f, 0.0, 1.0) * (std::log(above) - std::log(below)));
    crossing = "between";
  } else if (above > 0) {
    crossing = "below_lowest_rate";
  } else {
    crossing = "above_highest_rate";
  }

  // Burst stress.
  std::vector<uint64_t> off;
  std::vector<int8_t> phase;
  burst_schedule(flow.messages.size(), o, clock, off, phase);
  std::fprintf(stderr, "[load] burst stress: %.2f M msgs/s with %.0f ms at %.0fx every %.0f ms, %zu messages\n",
               o.burst_base, o.burst_ms, o.burst_factor, o.period_ms, off.size());
  RunResult burst = open_loop(flow, off, o, clock, [&](std::size_t i) { return static_cast<int>(phase[i]); });
  burst.offered = static_cast<double>(off.size()) / o.burst_seconds;
  const uint64_t expect_hash = reference_hash(flow, off.size());
  const bool hash_ok = expect_hash == burst.hash;
  std::fprintf(stderr, "[load] burst: p99 %" PRIu64 " ns in bursts, %" PRIu64 " ns right after, %" PRIu64
               " ns calm; max queue %" PRIu64 "; book hash %s the unloaded replay\n",
               burst.in_burst->percentile(99), burst.after_burst->percentile(99), burst.calm->percentile(99),
               burst.max_queue, hash_ok ? "equals" : "DIFFERS FROM");

  if (o.json) {
    std::printf("{\"bench\":\"load_bench\",\"config\":{\"messages_in_flow\":%zu,\"orders\":%u,\"cpu_generator\":%d,"
                "\"cpu_core\":%d,\"pinned\":true,\"separate_cpus\":%s,\"ring\":%zu,\"seconds_per_rate\":%.3f,"
                "\"warmup_fraction\":0.05,\"tsc_hz\":%" PRIu64 "},\"rates\":[",
                flow.messages.size(), o.orders, o.cpu_gen, o.cpu_core, pinned_apart ? "true" : "false", o.ring,
                o.seconds, clock.hz());
    auto rate_json = [](const RunResult& r, bool first) {
      std::printf("%s{\"offered_msgs_per_s\":%.0f,\"achieved_msgs_per_s\":%.0f,\"messages\":%" PRIu64
                  ",\"measured\":%" PRIu64 ",\"p50_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"p999_ns\":%" PRIu64
                  ",\"max_ns\":%" PRIu64 ",\"ring_full\":%" PRIu64 ",\"max_queue\":%" PRIu64 "}",
                  first ? "" : ",", r.offered, r.achieved, r.messages, r.measured, r.p50, r.p99, r.p999, r.max,
                  r.ring_full, r.max_queue);
    };
    for (std::size_t i = 0; i < rates.size(); ++i) rate_json(rates[i], i == 0);
    std::printf("],\"search\":[");
    for (std::size_t i = 0; i < search.size(); ++i) rate_json(search[i], i == 0);
    std::printf("],\"p99_passes_1us\":{\"where\":\"%s\",\"last_rate_under\":%.0f,\"first_rate_over\":%.0f,"
                "\"estimate_msgs_per_s\":%.0f},",
                crossing.c_str(), below, above, estimate);
    std::printf("\"burst\":{\"base_msgs_per_s\":%.0f,\"factor\":%.1f,\"burst_ms\":%.1f,\"period_ms\":%.1f,"
                "\"messages\":%" PRIu64 ",\"achieved_msgs_per_s\":%.0f,\"ring_full\":%" PRIu64 ",\"max_queue\":%" PRIu64
                ",\"hash_matches_unloaded\":%s,",
                o.burst_base * 1e6, o.burst_factor, o.burst_ms, o.period_ms, burst.messages, burst.achieved,
                burst.ring_full, burst.max_queue, hash_ok ? "true" : "false");
    print_hist("all", *burst.all, false);
    print_hist("in_burst", *burst.in_burst, false);
    print_hist("after_burst", *burst.after_burst, false);
    print_hist("calm", *burst.calm, true);
    std::printf("}}\n");
  } else {
    std::printf("load_bench: open-loop latency (from each message's intended send time), generator cpu %d, core "
                "cpu %d, both pinned; %zu messages in the flow; TSC %.6f GHz\n\n",
                o.cpu_gen, o.cpu_core, flow.messages.size(), static_cast<double>(clock.hz()) / 1e9);
    std::printf("%14s %14s %10s %9s %10s %10s %11s %10s\n", "offered M/s", "achieved M/s", "messages", "p50 ns",
                "p99 ns", "p99.9 ns", "max ns", "ring full");
    std::vector<const RunResult*> all;
    for (const RunResult& r : rates) all.push_back(&r);
    for (const RunResult& r : search) all.push_back(&r);
    std::sort(all.begin(), all.end(), [](auto* a, auto* b) { return a->offered < b->offered; });
    for (const RunResult* r : all)
      std::printf("%14.2f %14.2f %10" PRIu64 " %9" PRIu64 " %10" PRIu64 " %10" PRIu64 " %11" PRIu64 " %10" PRIu64 "\n",
                  r->offered / 1e6, r->achieved / 1e6, r->messages, r->p50, r->p99, r->p999, r->max, r->ring_full);
    if (crossing == "between")
      std::printf("\np99 passes 1 us at about %.2f M msgs/s (under at %.2f, over at %.2f)\n", estimate / 1e6,
                  below / 1e6, above / 1e6);
    else if (crossing == "below_lowest_rate")
      std::printf("\np99 is over 1 us already at the lowest offered rate\n");
    else
      std::printf("\np99 stays under 1 us up to the highest offered rate\n");
    std::printf("\nburst stress (%.2f M msgs/s, %.0f ms at %.0fx every %.0f ms): p99 %" PRIu64 " ns in bursts, %" PRIu64
                " ns right after, %" PRIu64 " ns calm; max %" PRIu64 " ns; max queue %" PRIu64
                " messages; book hash %s\n",
                o.burst_base, o.burst_ms, o.burst_factor, o.period_ms, burst.in_burst->percentile(99),
                burst.after_burst->percentile(99), burst.calm->percentile(99), burst.max, burst.max_queue,
                hash_ok ? "equals the unloaded replay" : "DIFFERS from the unloaded replay");
  }
  return hash_ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "load_bench: %s\n", e.what());
    return 1;
  }
}
