// replay_bench: end-to-end feed replay of a generated ITCH-in-MoldUDP64 pcap capture
// through dataplane::replay() (libpcap read, Ethernet/IPv4/UDP, MoldUDP64 sequencing,
// ITCH decode, L3 books, per-message latency stamps), against a pass that only reads
// the capture (nic::PcapReader::rx_burst over every packet, summing every byte), timed
// in the same run. Owner: bench/. Single-threaded, pinned to one CPU.
//
// The capture (bench::generate_capture, CaptureKind::kFeed) is written once to a
// temporary file and reused by later runs with the same --messages/--symbols/--seed
// (delete it, or pass --regenerate, to start over). Each run reads the file once
// without timing it (page cache), then times the read-only pass and the replay; the
// report gives medians over --runs runs, both the replay loop's own msgs/s (from its
// summary) and the wall time of the whole replay() call (book allocation, clock
// calibration and the final book digest included), and the replay's own latency
// percentiles from its last run.
//
// Usage:
//   replay_bench [--json] [--messages=N] [--symbols=K] [--seed=S] [--runs=N] [--cpu=N]
//                [--capture=PATH] [--regenerate]
// --json prints exactly one JSON object on stdout (progress goes to stderr).

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/bench/bench_cli.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/bench/cpu_affinity.h"
#include "tachyon/dataplane/latency_histogram.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/tsc_clock.h"
#include "tachyon/nic/pcap_reader.h"

namespace {

using namespace tachyon;
using dataplane::rdtscp;
using dataplane::TscClock;

struct Options {
  bool json = false;
  uint64_t messages = 10'000'000;
  uint32_t symbols = 4;  // tachyon gen's default
  uint64_t seed = 1;
  int runs = 3;
  int cpu = -1;
  std::string capture;  // empty: a name in the temporary directory built from the above
  bool regenerate = false;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "replay_bench: %s\nusage: replay_bench [--json] [--messages=N] [--symbols=K] [--seed=S] [--runs=N] "
               "[--cpu=N] [--capture=PATH] [--regenerate]\n",
               why.c_str());
  std::exit(2);
}

uint64_t parse_u64(std::string_view key, const std::string& v) { return bench::parse_u64(key, v, usage); }

Options parse(int argc, char** argv) {
  Options o;
  bench::for_each_option(argc, argv, {"--json", "--regenerate"}, usage, [&](const std::string& a, const std::string& v) {
    if (a == "--json") o.json = true;
    else if (a == "--regenerate") o.regenerate = true;
    else if (a == "--messages") o.messages = parse_u64(a, v);
    else if (a == "--symbols") o.symbols = static_cast<uint32_t>(parse_u64(a, v));
    else if (a == "--seed") o.seed = parse_u64(a, v);
    else if (a == "--runs") o.runs = static_cast<int>(parse_u64(a, v));
    else if (a == "--cpu") o.cpu = static_cast<int>(parse_u64(a, v));
    else if (a == "--capture") o.capture = v;
    else usage("unknown option " + a);
  });
  if (o.runs < 1 || o.messages < 1 || o.symbols < 1) usage("--runs, --messages and --symbols must be >= 1");
  return o;
}

// The CPU time this thread has used, in seconds (see bench::thread_cpu_ns).
double thread_cpu_s() { return static_cast<double>(bench::thread_cpu_ns()) * 1e-9; }

// Pins the calling thread to cpu, or to the last CPU it may use when cpu < 0; returns
// the CPU, or -1 when none is known.
int pin_to(int cpu) {
  if (cpu < 0) {
    const std::vector<int> cpus = bench::allowed_cpus();
    if (cpus.empty()) return -1;
    cpu = cpus.back();
  }
  bench::pin_this_thread(cpu, "replay_bench");
  return cpu;
}

// --- the capture -------------------------------------------------------------------

struct Capture {
  std::string path;
  bool reused = false;
  double generate_s = 0;
  uint64_t file_bytes = 0;
  bench::CaptureInfo info;  // when generated in this process
};

Capture prepare_capture(const Options& o, const TscClock& clock) {
  Capture c;
  c.path = o.capture.empty() ? (std::filesystem::temp_directory_path() /
                                ("tachyon-replay-bench-feed-" + std::to_string(o.messages) + "m-" +
                                 std::to_string(o.symbols) + "s-seed" + std::to_string(o.seed) + ".pcap"))
                                   .string()
                             : o.capture;
  std::error_code ec;
  if (!o.regenerate && std::filesystem::file_size(c.path, ec) > 24 && !ec) {
    c.reused = true;
    std::fprintf(stderr, "reusing %s\n", c.path.c_str());
  } else {
    bench::CaptureConfig cfg;
    cfg.kind = bench::CaptureKind::kFeed;
    cfg.messages = o.messages;
    cfg.symbols = o.symbols;
    cfg.seed = o.seed;
    std::fprintf(stderr, "generating %s (%" PRIu64 " messages, %u symbols)...\n", c.path.c_str(), o.messages,
                 o.symbols);
    // Written under a temporary name, so that an interrupted run leaves nothing to reuse.
    const std::string tmp = c.path + ".part";
    const uint64_t t0 = rdtscp();
    c.info = bench::generate_capture(cfg, tmp);
    c.generate_s = static_cast<double>(clock.to_ns(rdtscp() - t0)) / 1e9;
    std::filesystem::rename(tmp, c.path);
  }
  c.file_bytes = std::filesystem::file_size(c.path);
  return c;
}

// Reads the whole file once, untimed, so every run finds it in the page cache.
void warm_page_cache(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buf(1 << 20);
  while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
  }
}

// --- the passes --------------------------------------------------------------------

struct ReadPass {
  double s = 0;
  double cpu_s = 0;
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t checksum = 0;
  uint64_t preempted = 0;
};

// The baseline: libpcap reads every packet in bursts of 32 (as the replay loop does)
// and every byte of each is summed, 8 at a time.
ReadPass read_only(const std::string& path, const TscClock& clock) {
  ReadPass r;
  const uint64_t pre = bench::thread_preemptions();
  const double c0 = thread_cpu_s();
  const uint64_t t0 = rdtscp();
  nic::PcapReader reader(path);
  std::array<nic::CapturedPacket, 32> burst;
  uint64_t sum = 0;
  while (const std::size_t n = reader.rx_burst(burst)) {
    for (std::size_t i = 0; i < n; ++i) {
      const std::span<const uint8_t> d = burst[i].data;
      std::size_t k = 0;
      for (; k + 8 <= d.size(); k += 8) {
        uint64_t w;
        std::memcpy(&w, d.data() + k, 8);
        sum += w;
      }
      for (; k < d.size(); ++k) sum += d[k];
      r.bytes += d.size();
    }
    r.packets += n;
  }
  const uint64_t t1 = rdtscp();
  r.cpu_s = thread_cpu_s() - c0;
  if (reader.failed()) throw std::runtime_error(std::string(reader.error()));
  r.s = static_cast<double>(clock.to_ns(t1 - t0)) / 1e9;
  r.checksum = sum;
  r.preempted = bench::thread_preemptions() - pre;
  return r;
}

struct ReplayPass {
  double wall_s = 0;  // the whole replay() call
  double cpu_s = 0;   // this thread's CPU time during the call
  uint64_t preempted = 0;
  dataplane::ReplaySummary sum;
};

ReplayPass replay_once(const std::string& path, const TscClock& clock) {
  dataplane::ReplayOptions opt;
  opt.mode = dataplane::ReplayMode::kFeed;
  opt.input = path;
  opt.speed = 0;
  // tachyon replay's default book capacities.
  opt.book.max_orders = 1u << 22;
  opt.book.max_levels = 1u << 20;
  opt.book.max_symbols = 8192;
  ReplayPass p;
  const uint64_t pre = bench::thread_preemptions();
  const double c0 = thread_cpu_s();
  const uint64_t t0 = rdtscp();
  p.sum = dataplane::replay(opt);
  const uint64_t t1 = rdtscp();
  p.cpu_s = thread_cpu_s() - c0;
  p.wall_s = static_cast<double>(clock.to_ns(t1 - t0)) / 1e9;
  p.preempted = bench::thread_preemptions() - pre;
  if (p.sum.malformed.count != 0 || p.sum.gaps.events != 0)
    throw std::runtime_error(path + ": the replay found " + std::to_string(p.sum.malformed.count) +
                             " malformed packets and gaps in a generated capture");
  return p;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

int run(int argc, char** argv) {
  const Options o = parse(argc, argv);
  std::string command = "replay_bench";
  for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];
  const int cpu = pin_to(o.cpu);
  const TscClock clock = TscClock::calibrate();
  const Capture cap = prepare_capture(o, clock);

  std::vector<double> read_s, loop_s, wall_s, ratio, read_cpu_s, call_cpu_s, cpu_ratio;
  std::vector<uint64_t> read_pre, replay_pre;
  ReadPass last_read;
  ReplayPass last;
  uint64_t first_hash = 0;
  bool deterministic = true;
  for (int i = 0; i < o.runs; ++i) {
    warm_page_cache(cap.path);
    last_read = read_only(cap.path, clock);
    last = replay_once(cap.path, clock);
    if (i == 0) first_hash = last.sum.book_hash;
    deterministic = deterministic && last.sum.book_hash == first_hash;
    if (last.sum.packets != last_read.packets)
      throw std::runtime_error("the replay read " + std::to_string(last.sum.packets) + " packets, the reader " +
                               std::to_string(last_read.packets));
    read_s.push_back(last_read.s);
    loop_s.push_back(last.sum.seconds);
    wall_s.push_back(last.wall_s);
    ratio.push_back(last.sum.seconds / last_read.s);
    read_cpu_s.push_back(last_read.cpu_s);
    call_cpu_s.push_back(last.cpu_s);
    cpu_ratio.push_back(last.cpu_s / last_read.cpu_s);
    read_pre.push_back(last_read.preempted);
    replay_pre.push_back(last.preempted);
    std::fprintf(stderr, "run %d: read-only %.3f s; replay loop %.3f s (%.2f M msgs/s), replay() %.3f s; %.2fx\n",
                 i + 1, last_read.s, last.sum.seconds, last.sum.msgs_per_s / 1e6, last.wall_s, ratio.back());
  }
  const dataplane::ReplaySummary& s = last.sum;
  const double msgs = static_cast<double>(s.messages);
  const double pkts = static_cast<double>(s.packets);
  const double med_read = median(read_s), med_loop = median(loop_s), med_wall = median(wall_s);
  const double med_ratio = median(ratio);
  const double med_read_cpu = median(read_cpu_s), med_call_cpu = median(call_cpu_s);
  const double med_cpu_ratio = median(cpu_ratio);
  const dataplane::LatencyHistogram& lat = *s.latency;

  if (o.json) {
    std::printf("{\"bench\":\"replay_bench\",\"command\":\"%s\",\"cpu\":%d,\"pinned\":%s,\"tsc_hz\":%" PRIu64
                ",\"runs\":%d,\"capture\":{\"path\":\"%s\",\"reused\":%s,\"generate_s\":%.3f,\"bytes\":%" PRIu64
                ",\"symbols\":%u,\"seed\":%" PRIu64 ",\"gen_messages\":%" PRIu64 "},",
                command.c_str(), cpu, cpu >= 0 ? "true" : "false", clock.hz(), o.runs, cap.path.c_str(),
                cap.reused ? "true" : "false", cap.generate_s, cap.file_bytes, o.symbols, o.seed, o.messages);
    std::printf("\"messages\":%" PRIu64 ",\"packets\":%" PRIu64 ",\"live_orders\":%" PRIu64
                ",\"unknown_refs\":%" PRIu64 ",\"book_hash\":\"%016" PRIx64 "\",\"deterministic\":%s,",
                s.messages, s.packets, s.live_orders, s.unknown_refs, s.book_hash, deterministic ? "true" : "false");
    std::printf("\"replay\":{\"loop_s\":%.4f,\"msgs_per_s\":%.0f,\"packets_per_s\":%.0f,\"ns_per_msg\":%.2f,"
                "\"call_s\":%.4f,\"call_msgs_per_s\":%.0f,\"call_cpu_s\":%.4f,\"call_cpu_msgs_per_s\":%.0f,"
                "\"runs_loop_s\":[",
                med_loop, msgs / med_loop, pkts / med_loop, med_loop * 1e9 / msgs, med_wall, msgs / med_wall,
                med_call_cpu, msgs / med_call_cpu);
    for (std::size_t i = 0; i < loop_s.size(); ++i) std::printf("%s%.4f", i ? "," : "", loop_s[i]);
    std::printf("],\"runs_preemptions\":[");
    for (std::size_t i = 0; i < replay_pre.size(); ++i) std::printf("%s%" PRIu64, i ? "," : "", replay_pre[i]);
    std::printf("],\"latency_ns\":{\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%" PRIu64
                ",\"mean\":%.1f}},",
                lat.percentile(50), lat.percentile(99), lat.percentile(99.9), lat.max(), lat.mean());
    std::printf("\"read_only\":{\"s\":%.4f,\"packets_per_s\":%.0f,\"msgs_per_s\":%.0f,\"cpu_s\":%.4f,"
                "\"bytes\":%" PRIu64 ",\"runs_s\":[",
                med_read, pkts / med_read, msgs / med_read, med_read_cpu, last_read.bytes);
    for (std::size_t i = 0; i < read_s.size(); ++i) std::printf("%s%.4f", i ? "," : "", read_s[i]);
    std::printf("],\"runs_preemptions\":[");
    for (std::size_t i = 0; i < read_pre.size(); ++i) std::printf("%s%" PRIu64, i ? "," : "", read_pre[i]);
    std::printf("]},\"replay_over_read_only\":%.3f,\"replay_call_over_read_only_cpu\":%.3f}\n", med_ratio,
                med_cpu_ratio);
    return 0;
  }
  std::printf("replay_bench: dataplane::replay() of a generated feed capture (ITCH 5.0 in MoldUDP64 over "
              "Ethernet/IPv4/UDP, libpcap), one thread\n");
  std::printf("cpu: %s %d; TSC %.6f GHz; median of %d runs\n", cpu >= 0 ? "pinned to" : "not pinned", cpu,
              static_cast<double>(clock.hz()) / 1e9, o.runs);
  char origin[64];
  if (cap.reused) std::snprintf(origin, sizeof origin, "reused");
  else std::snprintf(origin, sizeof origin, "generated in %.1f s", cap.generate_s);
  std::printf("capture: %s (%s; %.1f MB; tachyon gen --mode feed --messages %" PRIu64 " --symbols %u --seed %" PRIu64
              ")\n",
              cap.path.c_str(), origin, static_cast<double>(cap.file_bytes) / 1e6, o.messages, o.symbols, o.seed);
  std::printf("content: %" PRIu64 " messages in %" PRIu64 " packets (%.2f per packet); %" PRIu64
              " live orders and %" PRIu64 " unknown refs at the end; book_hash %016" PRIx64 "%s\n\n",
              s.messages, s.packets, msgs / pkts, s.live_orders, s.unknown_refs, s.book_hash,
              deterministic ? "" : " (DIFFERS BETWEEN RUNS)");
  std::printf("%-34s %9s %12s %12s %9s\n", "pass", "seconds", "M msgs/s", "M packets/s", "ns/msg");
  std::printf("%-34s %9.3f %12.2f %12.2f %9.2f\n", "read only (PcapReader::rx_burst)", med_read, msgs / med_read / 1e6,
              pkts / med_read / 1e6, med_read * 1e9 / msgs);
  std::printf("%-34s %9.3f %12.2f %12.2f %9.2f\n", "replay loop (summary)", med_loop, msgs / med_loop / 1e6,
              pkts / med_loop / 1e6, med_loop * 1e9 / msgs);
  std::printf("%-34s %9.3f %12.2f %12.2f %9.2f\n", "replay() call (setup and digest too)", med_wall,
              msgs / med_wall / 1e6, pkts / med_wall / 1e6, med_wall * 1e9 / msgs);
  std::printf("%-34s %9.3f %12.2f %12.2f %9.2f\n", "read only, thread CPU time", med_read_cpu,
              msgs / med_read_cpu / 1e6, pkts / med_read_cpu / 1e6, med_read_cpu * 1e9 / msgs);
  std::printf("%-34s %9.3f %12.2f %12.2f %9.2f\n", "replay() call, thread CPU time", med_call_cpu,
              msgs / med_call_cpu / 1e6, pkts / med_call_cpu / 1e6, med_call_cpu * 1e9 / msgs);
  std::printf("\nreplay loop / read only: %.2fx wall time (median of the per-run ratios); replay() call / read "
              "only in thread CPU time: %.2fx\n",
              med_ratio, med_cpu_ratio);
  std::printf("replay latency per message (last run): p50 %" PRIu64 " ns, p99 %" PRIu64 " ns, p99.9 %" PRIu64
              " ns, max %" PRIu64 " ns, mean %.1f ns\n",
              lat.percentile(50), lat.percentile(99), lat.percentile(99.9), lat.max(), lat.mean());
  uint64_t pre = 0;
  for (const uint64_t p : replay_pre) pre += p;
  std::printf("involuntary context switches during the replays: %" PRIu64 "\n", pre);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "replay_bench: %s\n", e.what());
    return 1;
  }
}
