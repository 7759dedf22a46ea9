// spsc_ring_bench: dataplane::SpscRing between two pinned cores. Owner: bench/.
//   throughput  a producer pushes --messages records as fast as the ring takes them and
//               the consumer pops them, one at a time (try_push/try_pop) and in batches
//               of 32 (try_push_n/try_pop_n), for 8-byte records and 64-byte book
//               events; records/s and bytes/s, median of --runs runs.
//   one-way     the producer writes its TSC into each record, paced one record every
//               --gap-ns so that the ring is empty and only the hand-over is measured;
//               the consumer's TSC on receipt minus the record's (the invariant TSC is
//               common to both cores): p50/p99/p99.9/max.
//   round trip  ping-pong over two rings; half the round trip is the one-way latency
//               without relying on cross-core TSC agreement.
// Usage: spsc_ring_bench [--json] [--messages=N] [--runs=N] [--ring=N] [--samples=N]
//                        [--gap-ns=N] [--cpus=PRODUCER,CONSUMER]
// --json prints exactly one JSON object on stdout (progress goes to stderr).
#include <algorithm>
#include <array>
#include <atomic>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <span>
#include <stdexcept>
#include <string_view>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/bench/cpu_affinity.h"
#include "tachyon/book/event.h"
#include "tachyon/dataplane/cpu_relax.h"
#include "tachyon/dataplane/latency_histogram.h"
#include "tachyon/dataplane/spsc_ring.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace {

using namespace tachyon;
using dataplane::LatencyHistogram;
using dataplane::rdtsc;
using dataplane::SpscRing;
using dataplane::TscClock;

struct Options {
  bool json = false;
  uint64_t messages = 20'000'000;
  int runs = 5;
  std::size_t ring = 4096;
  uint64_t samples = 200'000;
  uint64_t gap_ns = 1'000;
  int cpu_producer = -1, cpu_consumer = -1;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "spsc_ring_bench: %s\nusage: spsc_ring_bench [--json] [--messages=N] [--runs=N] [--ring=N] "
               "[--samples=N] [--gap-ns=N] [--cpus=PRODUCER,CONSUMER]\n",
               why.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--json") {
      o.json = true;
      continue;
    }
    const std::size_t eq = a.find('=');
    if (eq == std::string::npos) usage("unknown option " + a);
    const std::string k = a.substr(0, eq), v = a.substr(eq + 1);
    const uint64_t x = std::strtoull(v.c_str(), nullptr, 0);
    if (k == "--messages") o.messages = x;
    else if (k == "--runs") o.runs = static_cast<int>(x);
    else if (k == "--ring") o.ring = x;
    else if (k == "--samples") o.samples = x;
    else if (k == "--gap-ns") o.gap_ns = x;
    else if (k == "--cpus") {
      const std::size_t c = v.find(',');
      if (c == std::string::npos) usage("--cpus wants PRODUCER,CONSUMER");
      o.cpu_producer = std::atoi(v.substr(0, c).c_str());
      o.cpu_consumer = std::atoi(v.substr(c + 1).c_str());
    } else {
      usage("unknown option " + k);
    }
  }
  if (o.runs < 1 || o.messages < 1 || o.samples < 1) usage("--runs, --messages and --samples must be >= 1");
  return o;
}

// A record the size of a book::Event (one cache line).
struct Record64 {
  uint64_t v;
  uint64_t rest[7];
};
static_assert(sizeof(Record64) == sizeof(book::Event));

// Moves o.messages records of type T from a producer to this thread's consumer and
// returns records per second. Batched: 32 at a time through try_push_n/try_pop_n.
template <class T>
double throughput_run(const Options& o, const TscClock& clock, bool batched) {
  auto ring = std::make_unique<SpscRing<T>>(o.ring);
  std::atomic<bool> go{false};
  std::thread producer([&] {
    bench::pin_this_thread(o.cpu_producer, "producer");
    while (!go.load(std::memory_order_acquire)) dataplane::cpu_relax();
    std::array<T, 32> batch{};
    uint64_t sent = 0;
    while (sent < o.messages) {
      if (batched) {
        const std::size_t want = static_cast<std::size_t>(std::min<uint64_t>(32, o.messages - sent));
        for (std::size_t i = 0; i < want; ++i) {
          const uint64_t v = sent + i;
          std::memcpy(&batch[i], &v, sizeof v);
        }
        sent += ring->try_push_n(std::span<const T>(batch.data(), want));
      } else {
        T v{};
        std::memcpy(&v, &sent, sizeof sent);
        if (ring->try_push(v)) ++sent;
      }
    }
  });
  bench::pin_this_thread(o.cpu_consumer, "consumer");
  uint64_t received = 0, check = 0;
  std::array<T, 32> batch{};
  go.store(true, std::memory_order_release);
  const uint64_t t0 = rdtsc();
  while (received < o.messages) {
    if (batched) {
      const std::size_t n = ring->try_pop_n(batch);
      for (std::size_t i = 0; i < n; ++i) {
        uint64_t v;
        std::memcpy(&v, &batch[i], sizeof v);
        check += v;
      }
      received += n;
    } else {
      T v;
      if (ring->try_pop(v)) {
        uint64_t x;
        std::memcpy(&x, &v, sizeof x);
        check += x;
        ++received;
      }
    }
  }
  const uint64_t t1 = rdtsc();
  producer.join();
  if (check != o.messages * (o.messages - 1) / 2) throw std::runtime_error("records lost or reordered");
  return static_cast<double>(o.messages) * 1e9 / static_cast<double>(clock.to_ns(t1 - t0));
}

template <class T>
double median_throughput(const Options& o, const TscClock& clock, bool batched, const char* what) {
  std::vector<double> r;
  throughput_run<T>(o, clock, batched);  // warm-up
  for (int i = 0; i < o.runs; ++i) r.push_back(throughput_run<T>(o, clock, batched));
  std::sort(r.begin(), r.end());
  const double m = r[r.size() / 2];
  std::fprintf(stderr, "[ring] %-28s %8.2f M records/s (median of %d)\n", what, m / 1e6, o.runs);
  return m;
}

// One-way latency: paced records carrying the producer's TSC.
std::unique_ptr<LatencyHistogram> one_way(const Options& o, const TscClock& clock) {
  auto ring = std::make_unique<SpscRing<uint64_t>>(o.ring);
  auto h = std::make_unique<LatencyHistogram>();
  const uint64_t gap = clock.to_cycles(o.gap_ns);
  std::atomic<bool> go{false};
  std::thread producer([&] {
    bench::pin_this_thread(o.cpu_producer, "producer");
    while (!go.load(std::memory_order_acquire)) dataplane::cpu_relax();
    uint64_t next = rdtsc();
    for (uint64_t i = 0; i < o.samples; ++i) {
      while (rdtsc() < next) dataplane::cpu_relax();
      while (!ring->try_push(rdtsc())) dataplane::cpu_relax();
      next += gap;
    }
  });
  bench::pin_this_thread(o.cpu_consumer, "consumer");
  go.store(true, std::memory_order_release);
  for (uint64_t i = 0; i < o.samples;) {
    uint64_t sent;
    if (!ring->try_pop(sent)) continue;
    const uint64_t now = rdtsc();
    h->record(now > sent ? clock.to_ns(now - sent) : 0);
    ++i;
  }
  producer.join();
  return h;
}

// Round trip over two rings; records half of each round trip.
std::unique_ptr<LatencyHistogram> round_trip(const Options& o, const TscClock& clock) {
  auto ping = std::make_unique<SpscRing<uint64_t>>(o.ring);
  auto pong = std::make_unique<SpscRing<uint64_t>>(o.ring);
  auto h = std::make_unique<LatencyHistogram>();
  std::thread echo([&] {
    bench::pin_this_thread(o.cpu_consumer, "echo");
    for (uint64_t i = 0; i < o.samples;) {
      uint64_t v;
      if (!ping->try_pop(v)) continue;
      while (!pong->try_push(v)) dataplane::cpu_relax();
      ++i;
    }
  });
  bench::pin_this_thread(o.cpu_producer, "pinger");
  for (uint64_t i = 0; i < o.samples; ++i) {
    const uint64_t t0 = rdtsc();
    while (!ping->try_push(t0)) dataplane::cpu_relax();
    uint64_t back;
    while (!pong->try_pop(back)) {
    }
    h->record(clock.to_ns(rdtsc() - t0) / 2);
  }
  echo.join();
  return h;
}

int run(int argc, char** argv) {
  Options o = parse(argc, argv);
  bench::pick_two_cpus(o.cpu_producer, o.cpu_consumer);
  if (o.cpu_producer == o.cpu_consumer)
    std::fprintf(stderr, "warning: producer and consumer share cpu %d; figures will be poor\n", o.cpu_producer);
  const TscClock clock = TscClock::calibrate();
  std::fprintf(stderr, "[ring] config: producer cpu %d, consumer cpu %d (pinned), ring %zu slots, %" PRIu64
               " records x %d runs, %" PRIu64 " latency samples every %" PRIu64 " ns\n",
               o.cpu_producer, o.cpu_consumer, o.ring, o.messages, o.runs, o.samples, o.gap_ns);
  const double t8 = median_throughput<uint64_t>(o, clock, false, "8-byte, one at a time");
  const double t8b = median_throughput<uint64_t>(o, clock, true, "8-byte, batches of 32");
  const double t64 = median_throughput<Record64>(o, clock, false, "64-byte event, one at a time");
  const double t64b = median_throughput<Record64>(o, clock, true, "64-byte event, batches of 32");
  const auto ow = one_way(o, clock);
  const auto rt = round_trip(o, clock);
  if (o.json) {
    std::printf("{\"bench\":\"spsc_ring_bench\",\"config\":{\"cpu_producer\":%d,\"cpu_consumer\":%d,\"pinned\":true,"
                "\"ring_slots\":%zu,\"records\":%" PRIu64 ",\"runs\":%d,\"latency_samples\":%" PRIu64
                ",\"gap_ns\":%" PRIu64 ",\"tsc_hz\":%" PRIu64 "},\"throughput_records_per_s\":{\"u64\":%.0f,"
                "\"u64_batch32\":%.0f,\"event64\":%.0f,\"event64_batch32\":%.0f},",
                o.cpu_producer, o.cpu_consumer, o.ring, o.messages, o.runs, o.samples, o.gap_ns, clock.hz(), t8, t8b,
                t64, t64b);
    for (const auto& [name, h] : {std::pair{"one_way_ns", ow.get()}, std::pair{"half_round_trip_ns", rt.get()}})
      std::printf("\"%s\":{\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p999\":%" PRIu64 ",\"max\":%" PRIu64 "}%s", name,
                  h->percentile(50), h->percentile(99), h->percentile(99.9), h->max(),
                  std::string_view(name) == "one_way_ns" ? "," : "}\n");
  } else {
    std::printf("spsc_ring_bench: producer cpu %d, consumer cpu %d (pinned), ring %zu slots, %" PRIu64
                " records per run, median of %d runs\n\n",
                o.cpu_producer, o.cpu_consumer, o.ring, o.messages, o.runs);
    std::printf("throughput (M records/s): 8-byte %.2f, 8-byte batched %.2f, 64-byte %.2f, 64-byte batched %.2f\n", t8 / 1e6,
                t8b / 1e6, t64 / 1e6, t64b / 1e6);
    std::printf("one-way latency (%" PRIu64 " samples, one every %" PRIu64 " ns): p50 %" PRIu64 " ns  p99 %" PRIu64
                " ns  p99.9 %" PRIu64 " ns  max %" PRIu64 " ns\n",
                o.samples, o.gap_ns, ow->percentile(50), ow->percentile(99), ow->percentile(99.9), ow->max());
    std::printf("half round trip: p50 %" PRIu64 " ns  p99 %" PRIu64 " ns  p99.9 %" PRIu64 " ns  max %" PRIu64 " ns\n",
                rt->percentile(50), rt->percentile(99), rt->percentile(99.9), rt->max());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "spsc_ring_bench: %s\n", e.what());
    return 1;
  }
}
