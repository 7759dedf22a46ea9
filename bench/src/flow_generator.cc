// Order-flow generation (see flow_generator.h for the model). Control path: runs
// before any measured work; reentrant.
#include "tachyon/bench/flow_generator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <stdexcept>

#include "tachyon/bench/det_math.h"
#include "tachyon/bench/mid_path.h"
#include "tachyon/bench/rng.h"
#include "tachyon/book/book_shard.h"

namespace tachyon::bench {

using book::BookMessage;
using book::MsgType;
using book::OrderType;
using book::Side;

std::string FlowConfig::validate() const {
  auto bad = [](const char* key, const std::string& v, const char* rule) {
    return std::string("flow.") + key + " = " + v + ": " + rule;
  };
  auto frac = [&](const char* key, double v) -> std::string {
    if (!(v >= 0.0 && v <= 1.0)) return bad(key, std::to_string(v), "must be in [0, 1]");
    return {};
  };
  if (orders == 0 || orders > book::kMaxSlots - 1) return bad("orders", std::to_string(orders), "must be in 1..2^31-2");
  if (start_mid_ticks < 1 || start_mid_ticks > (int64_t{1} << 40))
    return bad("start_mid_ticks", std::to_string(start_mid_ticks), "must be in 1..2^40");
  for (auto [key, v] : {std::pair{"ioc_fraction", ioc_fraction}, std::pair{"cancel_fraction", cancel_fraction},
                        std::pair{"modify_fraction", modify_fraction}, std::pair{"stale_fraction", stale_fraction}})
    if (std::string e = frac(key, v); !e.empty()) return e;
  if (!(distance_alpha > 1.0 && distance_alpha < 10.0))
    return bad("distance_alpha", std::to_string(distance_alpha), "must be in (1, 10)");
  if (!(distance_hump_ticks >= 1.0 && distance_hump_ticks <= 1e6))
    return bad("distance_hump_ticks", std::to_string(distance_hump_ticks), "must be in [1, 1e6]");
  if (max_distance_ticks < 1 || max_distance_ticks > 10'000'000)
    return bad("max_distance_ticks", std::to_string(max_distance_ticks), "must be in 1..10^7");
  if (max_qty < 1 || max_qty > 1'000'000) return bad("max_qty", std::to_string(max_qty), "must be in 1..10^6");
  if (max_qty_increase < 1 || max_qty_increase > 1'000'000)
    return bad("max_qty_increase", std::to_string(max_qty_increase), "must be in 1..10^6");
  if (!(mean_order_rate_hz >= 1.0 && mean_order_rate_hz <= 1e9))
    return bad("mean_order_rate_hz", std::to_string(mean_order_rate_hz), "must be in [1, 1e9]");
  return {};
}

namespace {

// --- order ids: an invertible 64-bit mix, so ids look arbitrary (neither dense nor
// ordered, like a venue's) yet map back to the order's index in O(1).
constexpr uint64_t kMixA = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kMixB = 0x94d049bb133111ebull;
constexpr uint64_t mul_inverse(uint64_t a) {
  uint64_t x = a;  // Newton's iteration: correct bits double each step, from 3
  for (int i = 0; i < 6; ++i) x *= 2 - a * x;
  return x;
}
constexpr uint64_t mix(uint64_t x) {
  x ^= x >> 32;
  x *= kMixA;
  x ^= x >> 29;
  x *= kMixB;
  x ^= x >> 32;
  return x;
}
constexpr uint64_t unmix(uint64_t x) {
  x ^= x >> 32;
  x *= mul_inverse(kMixB);
  x ^= (x >> 29) ^ (x >> 58);
  x *= mul_inverse(kMixA);
  x ^= x >> 32;
  return x;
}
static_assert(unmix(mix(0x0123'4567'89ab'cdefull)) == 0x0123'4567'89ab'cdefull);
static_assert(mul_inverse(kMixA) * kMixA == 1);

double exponential(Xoshiro256& rng, double mean) { return -mean * det_log(rng.unit_open0()); }

uint64_t to_ns(double ns) { return static_cast<uint64_t>(std::llround(ns)); }

// Distances 1..max with weight d^2 / (1 + (d/c)^(2+alpha)), sampled by binary search in
// a 63-bit fixed-point cumulative table. The continuous density peaks at
// c (2/alpha)^(1/(2+alpha)), so c is chosen to put the peak at the hump.
class DistanceTable {
 public:
  explicit DistanceTable(const FlowConfig& cfg) : cum_(cfg.max_distance_ticks) {
    const double a = cfg.distance_alpha;
    const double c = cfg.distance_hump_ticks / det_pow(2.0 / a, 1.0 / (2.0 + a));
    std::vector<double> w(cum_.size());
    double total = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const double d = static_cast<double>(i + 1);
      w[i] = d * d / (1.0 + det_pow(d / c, 2.0 + a));
      total += w[i];
    }
    double run = 0;
    for (std::size_t i = 0; i < w.size(); ++i) {
      run += w[i];
      cum_[i] = static_cast<uint64_t>(run / total * 0x1.0p63);
    }
    cum_.back() = uint64_t{1} << 63;
  }
  uint32_t sample(Xoshiro256& rng) const {
    const uint64_t u = rng.next() >> 1;
    return static_cast<uint32_t>(std::upper_bound(cum_.begin(), cum_.end(), u) - cum_.begin()) + 1;
  }

 private:
  std::vector<uint64_t> cum_;
};

// Bursty arrivals: a two-state Markov-modulated Poisson process. Bursts run at 10x the
// calm rate and take 10% of the time (mean 5 ms bursts between 45 ms calm spells).
class BurstyClock {
 public:
  explicit BurstyClock(double mean_rate_hz, Xoshiro256& rng)
      : calm_rate_per_ns_(mean_rate_hz / (0.9 + 0.1 * kBurstFactor) / 1e9),
        state_end_(exponential(rng, kCalmMeanNs)) {}
  // Returns the next decision time in ns since the start.
  double next(Xoshiro256& rng) {
    for (;;) {
      const double rate = burst_ ? calm_rate_per_ns_ * kBurstFactor : calm_rate_per_ns_;
      const double dt = exponential(rng, 1.0 / rate);
      if (t_ + dt <= state_end_) return t_ += dt;
      t_ = state_end_;  // memoryless: restart the draw in the new state
      burst_ = !burst_;
      state_end_ = t_ + exponential(rng, burst_ ? kBurstMeanNs : kCalmMeanNs);
    }
  }

 private:
  static constexpr double kBurstFactor = 10.0;
  static constexpr double kCalmMeanNs = 45e6;
  static constexpr double kBurstMeanNs = 5e6;
  double calm_rate_per_ns_;
  double t_ = 0;
  bool burst_ = false;
  double state_end_;
};

// Network and client latency between decision and arrival: mostly tens of
// microseconds, a quarter of the orders a few milliseconds (slow or queued clients).
double latency_ns(Xoshiro256& rng) { return rng.chance(0.75) ? exponential(rng, 20e3) : exponential(rng, 3e6); }

// Resting lifetime: fleeting quotes, short-lived quotes and patient orders.
double lifetime_ns(Xoshiro256& rng) {
  const double u = rng.unit();
  if (u < 0.50) return exponential(rng, 1e6);
  if (u < 0.85) return exponential(rng, 50e6);
  return exponential(rng, 2e9);
}

// Answers "the first index >= from where the path is <= x (or >= x)" in O(log n) with
// min and max segment trees: when the mid first reaches a resting order's price.
class FirstPassage {
 public:
  explicit FirstPassage(const std::vector<double>& path) : n_(path.size()) {
    while (size_ < n_) size_ <<= 1;
    min_.assign(2 * size_, std::numeric_limits<double>::infinity());
    max_.assign(2 * size_, -std::numeric_limits<double>::infinity());
    for (std::size_t i = 0; i < n_; ++i) min_[size_ + i] = max_[size_ + i] = path[i];
    for (std::size_t i = size_ - 1; i >= 1; --i) {
      min_[i] = std::min(min_[2 * i], min_[2 * i + 1]);
      max_[i] = std::max(max_[2 * i], max_[2 * i + 1]);
    }
  }
  std::size_t at_or_below(std::size_t from, double x) const {
    return find(from, [&](std::size_t node) { return min_[node] <= x; });
  }
  std::size_t at_or_above(std::size_t from, double x) const {
    return find(from, [&](std::size_t node) { return max_[node] >= x; });
  }
  std::size_t size() const { return n_; }

 private:
  // Returns the first leaf >= from whose subtree test hits, or n_.
  template <class Hit>
  std::size_t find(std::size_t from, Hit hit) const {
    if (from >= n_) return n_;
    std::size_t i = from + size_;
    if (!hit(i)) {
      for (;;) {  // climb to the next subtree to the right that hits
        while (i & 1) {
          if (i == 1) return n_;
          i >>= 1;
        }
        ++i;
        if (hit(i)) break;
      }
      while (i < size_) i = hit(2 * i) ? 2 * i : 2 * i + 1;  // descend to its first hit
    }
    return i - size_;
  }

  std::size_t n_;
  std::size_t size_ = 1;
  std::vector<double> min_;
  std::vector<double> max_;
};

constexpr uint64_t kNever = UINT64_MAX;

struct OrderPlan {
  uint64_t decided;     // decision time, ns
  uint64_t arrival;     // arrival time, ns
  uint64_t cancel_at;   // the owner's planned cancel, kNever for a kept order
  int64_t price;        // last price the flow gave it (also for stale messages)
  int64_t qty;          // last quantity the flow gave it
  uint32_t epoch;       // bumped when its exit is rescheduled; older exits are void
  Side side;
  bool ioc;
  bool kept;            // resting and never to be cancelled by plan
  bool filled;          // fully executed
};

enum class Action : uint8_t { kExit, kModify, kStale };

struct Pending {
  uint64_t time;
  uint64_t order;  // insertion counter: ties keep scheduling order
  uint32_t k;
  uint32_t epoch;
  Action action;
};
struct Later {
  bool operator()(const Pending& a, const Pending& b) const noexcept {
    return a.time != b.time ? a.time > b.time : a.order > b.order;
  }
};

// Watches the replay's trades to learn which orders filled completely.
struct FillWatch {
  std::vector<OrderPlan>* plan;
  uint64_t salt;
  uint64_t filled = 0;
  uint64_t kept_resting = 0;

  void on_event(const book::Event& e) noexcept {
    if (e.kind != book::EventKind::kTrade) return;
    if (e.contra_remaining.value == 0) mark(e.contra);
    if (e.remaining.value == 0) mark(e.id.value);
  }
  void mark(uint64_t id) noexcept {
    OrderPlan& p = (*plan)[unmix(id) ^ salt];
    if (p.filled) return;
    p.filled = true;
    ++filled;
    if (p.kept) {
      p.kept = false;
      --kept_resting;
    }
  }
};

}  // namespace

Flow generate_flow(const FlowConfig& cfg) {
  if (std::string err = cfg.validate(); !err.empty()) throw std::invalid_argument(err);
  const uint32_t n = cfg.orders;
  // Independent streams, so the parts of the model do not perturb each other.
  uint64_t seeder = cfg.seed;
  const uint64_t path_seed = splitmix64(seeder);
  Xoshiro256 order_rng(splitmix64(seeder));  // side, type, quantity, distance
  Xoshiro256 time_rng(splitmix64(seeder));   // decision times and latencies
  Xoshiro256 life_rng(splitmix64(seeder));   // lifetimes and modifies
  Xoshiro256 fade_rng(splitmix64(seeder));   // reaction times of quote fading
  Xoshiro256 stale_rng(splitmix64(seeder));  // deliberate stale messages
  const uint64_t salt = splitmix64(seeder) | (uint64_t{1} << 63);  // k ^ salt != 0, so no id is 0
  auto id_of = [salt](uint32_t k) { return book::OrderId{mix(k ^ salt)}; };

  Flow flow;
  flow.config = cfg;
  const std::vector<double> path = make_mid_path(cfg.scenario, n, static_cast<double>(cfg.start_mid_ticks), path_seed);
  flow.mid_start = path.front();
  const auto [lo, hi] = std::minmax_element(path.begin(), path.end());
  flow.mid_min = *lo;
  flow.mid_max = *hi;
  const FirstPassage passage(path);

  // --- decisions, in decision order ---------------------------------------------
  std::vector<OrderPlan> plan(n);
  std::vector<uint64_t> decided(n);  // non-decreasing
  const DistanceTable distances(cfg);
  flow.distance_histogram.assign(std::size_t{cfg.max_distance_ticks} + 1, 0);
  BurstyClock clock(cfg.mean_order_rate_hz, time_rng);
  for (uint32_t k = 0; k < n; ++k) {
    OrderPlan& p = plan[k];
    p.side = order_rng.below(2) == 0 ? Side::kBuy : Side::kSell;
    p.ioc = order_rng.chance(cfg.ioc_fraction);
    p.qty = order_rng.between(1, cfg.max_qty);
    const uint32_t d = distances.sample(order_rng);
    ++flow.distance_histogram[d];
    const double mid = path[k];
    p.price = p.side == Side::kBuy ? static_cast<int64_t>(std::ceil(mid)) - d : static_cast<int64_t>(std::floor(mid)) + d;
    p.price = std::max<int64_t>(p.price, 1);
    const double t = clock.next(time_rng);
    decided[k] = p.decided = cfg.start_ns + to_ns(t);
    p.arrival = cfg.start_ns + to_ns(t + latency_ns(time_rng));
  }
  std::vector<uint32_t> by_arrival(n);
  std::iota(by_arrival.begin(), by_arrival.end(), 0u);
  std::sort(by_arrival.begin(), by_arrival.end(), [&](uint32_t a, uint32_t b) {
    return plan[a].arrival != plan[b].arrival ? plan[a].arrival < plan[b].arrival : a < b;
  });
  // The index of the market's mid at time t: the latest decision made by then.
  auto now_index = [&](uint64_t t) -> std::size_t {
    const auto it = std::upper_bound(decided.begin(), decided.end(), t);
    return it == decided.begin() ? 0 : static_cast<std::size_t>(it - decided.begin()) - 1;
  };

  // --- replay in arrival order through a book, adding follow-ups ------------------
  book::BookConfig bc;
  bc.max_orders = n + 1;
  bc.max_levels = 1u << 18;
  bc.max_symbols = cfg.symbol.value + 1;  // the messages name cfg.symbol
  book::BookShard shard(bc);
  FillWatch watch{&plan, salt};
  std::priority_queue<Pending, std::vector<Pending>, Later> pending;
  uint64_t scheduled = 0;
  auto schedule = [&](uint64_t t, uint32_t k, Action a) {
    pending.push(Pending{t, scheduled++, k, plan[k].epoch, a});
  };
  // Schedules a resting order's exit: its planned cancel, or earlier, a fade once the
  // market's mid reaches its price (owners pull quotes the market moves through, after
  // a reaction time). Voids any exit scheduled before.
  auto plan_exit = [&](uint32_t k, uint64_t now) {
    OrderPlan& p = plan[k];
    const std::size_t from = now_index(now);
    const double px = static_cast<double>(p.price);
    const std::size_t j = p.side == Side::kBuy ? passage.at_or_below(from, px + 0.5)
                                               : passage.at_or_above(from, px - 0.5);
    uint64_t exit = p.cancel_at;
    if (j < n) exit = std::min(exit, std::max(now, decided[j]) + to_ns(latency_ns(fade_rng)));
    ++p.epoch;
    if (exit != kNever) schedule(exit, k, Action::kExit);
  };

  flow.messages.reserve(static_cast<std::size_t>(n) * 21 / 10 + 16);
  flow.arrival_ns.reserve(flow.messages.capacity());
  auto emit = [&](MsgType type, uint32_t k, int64_t price, int64_t qty, uint64_t t) {
    const OrderPlan& p = plan[k];
    BookMessage m;
    m.seq = flow.messages.size() + 1;
    m.id = id_of(k);
    m.price = book::Price{price};
    m.qty = book::Qty{qty};
    m.symbol = cfg.symbol;
    m.type = type;
    m.side = p.side;
    m.order_type = p.ioc ? OrderType::kIoc : OrderType::kLimit;
    flow.messages.push_back(m);
    flow.arrival_ns.push_back(t);
    shard.apply(m, watch);
    flow.peak_live_orders = std::max(flow.peak_live_orders, shard.live_orders());
  };

  uint64_t arrived = 0;
  uint64_t planned_mods = 0;
  uint64_t failed_mods = 0;
  uint64_t lifecycle = 0;  // cancels + modifies sent
  uint64_t stale = 0;      // of which targeted an order already gone
  uint64_t stale_pending = 0;
  // True when one more stale message keeps stale / lifecycle within the target.
  auto stale_allowed = [&] {
    return static_cast<double>(stale + stale_pending + 1) <=
           cfg.stale_fraction * static_cast<double>(lifecycle + stale_pending + 1);
  };
  auto send_stale = [&](uint32_t k, uint64_t t, bool as_modify) {
    const OrderPlan& p = plan[k];
    if (as_modify) emit(MsgType::kModify, k, p.price, p.qty, t);
    else emit(MsgType::kCancel, k, p.price, 0, t);
    ++lifecycle;
    ++stale;
  };

  std::size_t next_add = 0;
  while (next_add < n || !pending.empty()) {
    const bool take_add =
        next_add < n && (pending.empty() || plan[by_arrival[next_add]].arrival <= pending.top().time);
    if (take_add) {
      const uint32_t k = by_arrival[next_add++];
      OrderPlan& p = plan[k];
      emit(MsgType::kAdd, k, p.price, p.qty, p.arrival);
      ++arrived;
      if (p.ioc) continue;  // an IOC never rests, so nothing follows it
      const double life = lifetime_ns(life_rng);
      const double modify_at = life * (0.1 + 0.8 * life_rng.unit());
      p.cancel_at = p.arrival + to_ns(life);
      if (shard.find(id_of(k)) == book::kNil) {
        // Filled on arrival; the owner's cancel may already be on its way.
        schedule(p.cancel_at, k, Action::kExit);
        continue;
      }
      if (static_cast<double>(watch.filled + watch.kept_resting + 1) <=
          (1.0 - cfg.cancel_fraction) * static_cast<double>(arrived)) {
        p.kept = true;
        p.cancel_at = kNever;
        ++watch.kept_resting;
      }
      plan_exit(k, p.arrival);
      if (static_cast<double>(planned_mods - failed_mods + 1) <= cfg.modify_fraction * static_cast<double>(arrived)) {
        schedule(p.arrival + to_ns(modify_at), k, Action::kModify);
        ++planned_mods;
      }
      continue;
    }

    const Pending job = pending.top();
    pending.pop();
    OrderPlan& p = plan[job.k];
    const uint32_t slot = shard.find(id_of(job.k));
    switch (job.action) {
      case Action::kExit:
        if (job.epoch != p.epoch) break;  // rescheduled since
        if (slot != book::kNil) {
          emit(MsgType::kCancel, job.k, p.price, 0, job.time);
          ++lifecycle;
          if (p.kept) {
            p.kept = false;
            --watch.kept_resting;
          }
          if (stale_allowed()) {
            // A client resending a cancel, or acting on an order it already cancelled.
            ++stale_pending;
            schedule(job.time + to_ns(exponential(stale_rng, 50e3)), job.k, Action::kStale);
          }
        } else if (stale_allowed()) {
          send_stale(job.k, job.time, false);  // cancel racing a fill
        }
        break;
      case Action::kModify:
        if (slot != book::kNil) {
          const book::Order& o = shard.order(slot);
          int64_t price = shard.level(o.level).price.ticks;
          int64_t qty = o.qty.value;
          const bool reprice = life_rng.chance(0.5);
          if (reprice) {
            const bool toward_mid = life_rng.chance(0.5);
            price += (p.side == Side::kBuy) == toward_mid ? 1 : -1;
            price = std::max<int64_t>(price, 1);
          } else {
            qty += life_rng.between(1, cfg.max_qty_increase);
          }
          p.price = price;
          p.qty = qty;
          emit(MsgType::kModify, job.k, price, qty, job.time);
          ++lifecycle;
          if (reprice && shard.find(id_of(job.k)) != book::kNil) plan_exit(job.k, job.time);
        } else {
          ++failed_mods;
          if (stale_allowed()) send_stale(job.k, job.time, true);  // modify racing a fill
        }
        break;
      case Action::kStale:
        --stale_pending;
        send_stale(job.k, job.time, stale_rng.chance(0.5));
        break;
    }
  }
  return flow;
}

}  // namespace tachyon::bench
