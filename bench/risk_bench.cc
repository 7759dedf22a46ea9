// risk_bench: what the pre-trade risk checks add per order on the matching core.
// Runs RiskGate::check_new over a pre-generated stream of orders (4 symbols, prices
// around a moving reference, some fills feeding positions) on one pinned core, and
// reports ns per check: the median of per-batch averages (batches of 64 checks, so the
// TSC reads cost under 1% of the batch) and the p99 of those averages, beside an
// empty-loop baseline measured in the same run. Target: <= 20 ns added per order (p50).
// Usage: risk_bench [--orders=N] [--json]
#include <sched.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tachyon/dataplane/risk_gate.h"
#include "tachyon/dataplane/tsc_clock.h"

namespace {

using namespace tachyon;

struct Order {
  book::SymbolId sym;
  book::Side side;
  book::Price price;
  book::Qty qty;
};

uint64_t splitmix(uint64_t& s) {
  uint64_t z = (s += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
double pct(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(p * static_cast<double>(v.size() - 1))];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t n = 4'000'000;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "--orders=", 9) == 0) n = std::stoull(argv[i] + 9);
    else if (std::strcmp(argv[i], "--json") == 0) json = true;
    else {
      std::fprintf(stderr, "usage: risk_bench [--orders=N] [--json]\n");
      return 2;
    }
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(1, &set);
  const bool pinned = sched_setaffinity(0, sizeof set, &set) == 0;
  const dataplane::TscClock clock = dataplane::TscClock::calibrate();

  uint64_t seed = 42;
  std::vector<Order> orders(n);
  for (Order& o : orders) {
    o.sym = book::SymbolId{static_cast<uint32_t>(splitmix(seed) % 4)};
    o.side = splitmix(seed) % 2 ? book::Side::kBuy : book::Side::kSell;
    o.price = book::Price{1'000'000 + static_cast<int64_t>(splitmix(seed) % 20'000) - 10'000};
    o.qty = book::Qty{1 + static_cast<int64_t>(splitmix(seed) % 100)};
  }
  dataplane::RiskLimits limits;  // defaults: every check runs, none refuses
  dataplane::RiskGate gate(&limits, 4);
  for (uint32_t s = 0; s < 4; ++s) gate.set_reference(book::SymbolId{s}, book::Price{1'000'000});

  constexpr std::size_t kBatch = 64;
  std::vector<double> with, without;
  uint64_t passed = 0, sink = 0;
  uint64_t now = 1'000'000'000'000;  // capture time only moves forward, across passes too
  for (int pass = 0; pass < 3; ++pass) {  // pass 0 warms up
    with.clear();
    without.clear();
    for (std::size_t b = 0; b + kBatch <= n; b += kBatch) {
      uint64_t t0 = dataplane::rdtsc();
      for (std::size_t i = b; i < b + kBatch; ++i) {
        const Order& o = orders[i];
        now += 1'000;  // 1 M orders/s of capture time: the rate limit never bites
        passed += gate.check_new(o.sym, o.side, o.price, o.qty, false, now) == dataplane::RiskReason::kNone;
      }
      uint64_t t1 = dataplane::rdtsc();
      with.push_back(static_cast<double>(clock.to_ns(t1 - t0)) / kBatch);
      // Baseline: the same loop reading the same orders, without the checks.
      t0 = dataplane::rdtsc();
      for (std::size_t i = b; i < b + kBatch; ++i) {
        const Order& o = orders[i];
        now += 1'000;
        sink += static_cast<uint64_t>(o.price.ticks + o.qty.value) ^ o.sym.value;
        asm volatile("" : "+r"(sink));
      }
      t1 = dataplane::rdtsc();
      without.push_back(static_cast<double>(clock.to_ns(t1 - t0)) / kBatch);
      if ((b / kBatch) % 8 == 0) gate.on_fill(orders[b].sym, orders[b].side, orders[b].price, book::Qty{1});
    }
  }
  const double p50 = median(with), p99 = pct(with, 0.99), base = median(without);
  if (json) {
    std::printf("{\"orders\":%zu,\"batch\":%zu,\"timed_passes\":2,\"cpu\":1,\"pinned\":%s,"
                "\"ns_per_check_p50\":%.2f,\"ns_per_check_p99\":%.2f,\"baseline_ns_p50\":%.2f,"
                "\"added_ns_p50\":%.2f,\"target_added_ns_p50\":20,\"passed\":%llu}\n",
                n, kBatch, pinned ? "true" : "false", p50, p99, base, p50 - base,
                static_cast<unsigned long long>(passed));
  } else {
    std::printf("risk_bench: %zu orders x 2 timed passes, batches of %zu, core 1 %s, TSC %.3f GHz\n", n, kBatch,
                pinned ? "pinned" : "NOT pinned", static_cast<double>(clock.hz()) / 1e9);
    std::printf("  check_new: %.2f ns per order (p50 of batch averages), p99 %.2f ns\n", p50, p99);
    std::printf("  baseline loop: %.2f ns per order; added by the checks: %.2f ns (target <= 20)\n", base, p50 - base);
    std::printf("  (%llu of %zu checks passed; refused:", static_cast<unsigned long long>(passed), 3 * (n / kBatch) * kBatch);
    for (int r = 1; r <= static_cast<int>(dataplane::RiskReason::kRateLimited); ++r)
      if (gate.rejects(static_cast<dataplane::RiskReason>(r)))
        std::printf(" %s %llu", dataplane::to_string(static_cast<dataplane::RiskReason>(r)),
                    static_cast<unsigned long long>(gate.rejects(static_cast<dataplane::RiskReason>(r))));
    std::printf(")\n");
  }
  return 0;
}
