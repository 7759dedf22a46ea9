// tachyon-jitter: measures how often and how long each CPU is taken away from a busy
// thread. One thread per listed CPU, pinned to it, reads the TSC back to back for S
// seconds; every gap between consecutive reads goes into a LatencyHistogram, and gaps
// above a threshold count as hiccups (interrupts, timer ticks, SMIs, preemption, a busy
// SMT sibling, host steal on a VM). The TSC is calibrated against CLOCK_MONOTONIC_RAW.
// Owner: tuning/. Each measuring thread owns its own result; main joins before reading.
//
// Usage: tachyon-jitter [--cores LIST] [--seconds S] [--threshold-ns N] [--json]
//   --cores LIST      CPUs to measure, e.g. 2-5,8 (default: every CPU this process may use)
//   --seconds S       seconds of spinning, all CPUs at once (default 5)
//   --threshold-ns N  a gap above N ns is a hiccup (default 1000)
//   --json            print one JSON object instead of the table (input of tuning/plan --jitter)
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tachyon/dataplane/latency_histogram.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace {

using tachyon::dataplane::LatencyHistogram;
using tachyon::dataplane::TscClock;

struct Options {
  std::vector<int> cpus;
  double seconds = 5.0;
  uint64_t threshold_ns = 1000;
  bool json = false;
};

// One CPU's measurement, written only by its measuring thread until join.
struct CoreResult {
  int cpu = -1;
  uint64_t samples = 0;
  uint64_t hiccups = 0;
  uint64_t lost_ns = 0;  // sum of the hiccup gaps
  LatencyHistogram hist;
  std::string error;
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr,
               "tachyon-jitter: %s\n"
               "usage: tachyon-jitter [--cores LIST] [--seconds S] [--threshold-ns N] [--json]\n",
               msg.c_str());
  std::exit(2);
}

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0)
    throw std::runtime_error(std::string("sched_getaffinity: ") + std::strerror(errno));
  std::vector<int> out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.push_back(c);
  return out;
}

std::string format_cpus(const std::vector<int>& cpus) {
  std::string out;
  for (std::size_t i = 0; i < cpus.size();) {
    std::size_t j = i;
    while (j + 1 < cpus.size() && cpus[j + 1] == cpus[j] + 1) ++j;
    if (!out.empty()) out += ',';
    out += std::to_string(cpus[i]);
    if (j > i) out += '-' + std::to_string(cpus[j]);
    i = j + 1;
  }
  return out;
}

// Parses a kernel-style CPU list ("0-3,8"); sorted, without duplicates.
std::vector<int> parse_cpus(std::string_view text) {
  std::vector<int> out;
  auto number = [&](std::string_view s) {
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string_view::npos)
      usage_error("--cores " + std::string(text) + ": bad CPU number '" + std::string(s) + "'");
    return std::atoi(std::string(s).c_str());
  };
  while (!text.empty()) {
    const auto comma = text.find(',');
    const std::string_view part = text.substr(0, comma);
    const auto dash = part.find('-');
    const int lo = number(part.substr(0, dash));
    const int hi = dash == std::string_view::npos ? lo : number(part.substr(dash + 1));
    if (hi < lo) usage_error("--cores: descending range '" + std::string(part) + "'");
    for (int c = lo; c <= hi; ++c) out.push_back(c);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  if (out.empty()) usage_error("--cores: empty CPU list");
  return out;
}

Options parse_args(int argc, char** argv) {
  Options o;
  bool cores_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&]() -> std::string_view {
      if (const auto eq = a.find('='); eq != std::string_view::npos) return a.substr(eq + 1);
      if (i + 1 >= argc) usage_error(std::string(a) + " needs a value");
      return argv[++i];
    };
    const std::string_view key = a.substr(0, a.find('='));
    if (key == "--cores") {
      o.cpus = parse_cpus(value());
      cores_given = true;
    } else if (key == "--seconds") {
      const std::string v(value());
      char* end = nullptr;
      o.seconds = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end != '\0' || !(o.seconds > 0.0) || o.seconds > 3600.0)
        usage_error("--seconds " + v + ": expected a number in (0, 3600]");
    } else if (key == "--threshold-ns") {
      const std::string v(value());
      char* end = nullptr;
      o.threshold_ns = std::strtoull(v.c_str(), &end, 10);
      if (end == v.c_str() || *end != '\0' || o.threshold_ns == 0)
        usage_error("--threshold-ns " + v + ": expected a positive integer");
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--help" || a == "-h") {
      std::printf("usage: tachyon-jitter [--cores LIST] [--seconds S] [--threshold-ns N] [--json]\n");
      std::exit(0);
    } else {
      usage_error("unknown argument '" + std::string(a) + "'");
    }
  }
  const std::vector<int> allowed = allowed_cpus();
  if (!cores_given) {
    o.cpus = allowed;
  } else {
    for (int c : o.cpus)
      if (!std::binary_search(allowed.begin(), allowed.end(), c))
        usage_error("--cores: CPU " + std::to_string(c) + " is not among this process's allowed CPUs (" +
                    format_cpus(allowed) + ")");
  }
  return o;
}

// Spins on r.cpu until end_cycles after the start signal, recording every TSC gap.
void measure(CoreResult& r, const TscClock& clock, uint64_t duration_cycles, uint64_t threshold_cycles,
             std::atomic<int>& ready, const std::atomic<bool>& go) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(r.cpu, &set);
  if (const int rc = pthread_setaffinity_np(pthread_self(), sizeof(set), &set); rc != 0) {
    r.error = "pthread_setaffinity_np(cpu " + std::to_string(r.cpu) + "): " + std::strerror(rc);
    ready.fetch_add(1);
    return;
  }
  ready.fetch_add(1);
  while (!go.load(std::memory_order_acquire)) {
  }
  uint64_t prev = tachyon::dataplane::rdtsc();
  const uint64_t end = prev + duration_cycles;
  uint64_t samples = 0, hiccups = 0, lost_cycles = 0;
  while (prev < end) {
    const uint64_t now = tachyon::dataplane::rdtsc();
    const uint64_t gap = now > prev ? now - prev : 0;
    r.hist.record(clock.to_ns(gap));
    if (gap > threshold_cycles) {
      ++hiccups;
      lost_cycles += gap;
    }
    ++samples;
    prev = now;
  }
  r.samples = samples;
  r.hiccups = hiccups;
  r.lost_ns = clock.to_ns(lost_cycles);
}

int run(const Options& o) {
  const TscClock clock = TscClock::calibrate(std::chrono::milliseconds(200));
  const bool invariant = tachyon::dataplane::invariant_tsc();
  const auto duration_cycles = static_cast<uint64_t>(o.seconds * static_cast<double>(clock.hz()));
  const uint64_t threshold_cycles = clock.to_cycles(o.threshold_ns);

  std::vector<std::unique_ptr<CoreResult>> results;
  for (int c : o.cpus) {
    results.push_back(std::make_unique<CoreResult>());
    results.back()->cpu = c;
  }
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  threads.reserve(results.size());
  for (auto& r : results)
    threads.emplace_back(measure, std::ref(*r), std::cref(clock), duration_cycles, threshold_cycles,
                         std::ref(ready), std::cref(go));
  while (ready.load() < static_cast<int>(threads.size())) std::this_thread::yield();
  go.store(true, std::memory_order_release);
  for (auto& t : threads) t.join();

  int status = 0;
  for (const auto& r : results) {
    if (!r->error.empty()) {
      std::fprintf(stderr, "tachyon-jitter: %s\n", r->error.c_str());
      status = 1;
    }
  }
  if (o.json) {
    std::printf("{\"tool\":\"tachyon-jitter\",\"seconds\":%.3f,\"threshold_ns\":%" PRIu64 ",\"tsc_hz\":%" PRIu64
                ",\"invariant_tsc\":%s,\"cores\":[",
                o.seconds, o.threshold_ns, clock.hz(), invariant ? "true" : "false");
    bool first = true;
    for (const auto& r : results) {
      if (!r->error.empty()) continue;
      const auto& h = r->hist;
      std::printf("%s{\"cpu\":%d,\"samples\":%" PRIu64 ",\"hiccups\":%" PRIu64 ",\"lost_ns\":%" PRIu64
                  ",\"p50_ns\":%" PRIu64 ",\"p99_ns\":%" PRIu64 ",\"p999_ns\":%" PRIu64 ",\"max_ns\":%" PRIu64 "}",
                  first ? "" : ",", r->cpu, r->samples, r->hiccups, r->lost_ns, h.percentile(50.0),
                  h.percentile(99.0), h.percentile(99.9), h.max());
      first = false;
    }
    std::printf("]}\n");
  } else {
    std::printf("tachyon-jitter: %zu CPUs (%s), %.2f s each, hiccup threshold %" PRIu64 " ns, TSC %.3f MHz%s\n",
                results.size(), format_cpus(o.cpus).c_str(), o.seconds, o.threshold_ns,
                static_cast<double>(clock.hz()) / 1e6, invariant ? " (invariant)" : " (not reported invariant)");
    std::printf("%5s %12s %9s %10s %8s %8s %9s %10s\n", "cpu", "samples", "hiccups", "lost_us", "p50_ns",
                "p99_ns", "p99.9_ns", "max_ns");
    for (const auto& r : results) {
      if (!r->error.empty()) continue;
      const auto& h = r->hist;
      std::printf("%5d %12" PRIu64 " %9" PRIu64 " %10.1f %8" PRIu64 " %8" PRIu64 " %9" PRIu64 " %10" PRIu64 "\n",
                  r->cpu, r->samples, r->hiccups, static_cast<double>(r->lost_ns) / 1e3, h.percentile(50.0),
                  h.percentile(99.0), h.percentile(99.9), h.max());
    }
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse_args(argc, argv));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tachyon-jitter: %s\n", e.what());
    return 1;
  }
}
