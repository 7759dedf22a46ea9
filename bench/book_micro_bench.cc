// book_micro_bench: Google Benchmark micro-benchmarks of single BookShard operations
// (add, cancel, match, modify) on a realistic resting book. Owner: bench/.
// Single-threaded; the book comes from the static-scenario generator with nothing
// cancelled (20,000 resting orders at power-law distances around a 10,000-tick mid),
// and every operation goes through BookShard::apply like the data plane's. Work that
// restores the book (refilling makers, cancelling added orders) runs with the timer
// paused once per 65,536 operations. BM_OrderIndexGrowth times the insert that grows
// the order-id index.
//
// Usage: book_micro_bench [Google Benchmark flags, e.g. --benchmark_repetitions=5
//        --benchmark_report_aggregates_only=true]. Pin it with taskset -c N.
// The end-to-end two-core benchmark over generated scenarios is book_bench.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <vector>

#include "tachyon/bench/gbench_main.h"
#include "tachyon/bench/flow_generator.h"
#include "tachyon/bench/rng.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/book/order_index.h"

namespace {

using namespace tachyon;
using book::BookMessage;
using book::BookShard;
using book::MsgType;
using book::OrderId;
using book::OrderType;
using book::Price;
using book::Qty;
using book::Side;

constexpr std::size_t kChunk = 65'536;

struct CountSink {
  uint64_t n = 0;
  void on_event(const book::Event&) noexcept { ++n; }
};

// Adds only, all resting: a static flow with nothing cancelled, modified or IOC.
std::vector<BookMessage> resting_adds(uint32_t orders, uint64_t seed) {
  bench::FlowConfig fc;
  fc.scenario = bench::Scenario::kStatic;
  fc.orders = orders;
  fc.seed = seed;
  fc.cancel_fraction = 0;
  fc.modify_fraction = 0;
  fc.ioc_fraction = 0;
  fc.stale_fraction = 0;
  return bench::generate_flow(fc).messages;
}

// A fresh shard holding the 20,000-order background book.
std::unique_ptr<BookShard> background_book(CountSink& sink) {
  book::BookConfig cfg;
  cfg.max_orders = 1u << 18;
  cfg.max_levels = 1u << 14;
  auto shard = std::make_unique<BookShard>(cfg);
  static const std::vector<BookMessage> background = resting_adds(20'000, 1);
  shard->apply_batch(background, sink);
  return shard;
}

BookMessage cancel_of(const BookMessage& add) {
  BookMessage m = add;
  m.type = MsgType::kCancel;
  return m;
}

// A new passive limit order joining the book.
void BM_AddPassive(benchmark::State& state) {
  CountSink sink;
  auto shard = background_book(sink);
  const std::vector<BookMessage> adds = resting_adds(kChunk, 2);
  std::size_t i = 0;
  for (auto _ : state) {
    if (i == adds.size()) {
      state.PauseTiming();
      for (const BookMessage& a : adds) shard->apply(cancel_of(a), sink);
      i = 0;
      state.ResumeTiming();
    }
    shard->apply(adds[i++], sink);
  }
  benchmark::DoNotOptimize(sink.n);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AddPassive);

// Cancelling a resting order, in random order across the book.
void BM_CancelResting(benchmark::State& state) {
  CountSink sink;
  auto shard = background_book(sink);
  const std::vector<BookMessage> adds = resting_adds(kChunk, 3);
  std::vector<BookMessage> cancels;
  for (const BookMessage& a : adds) cancels.push_back(cancel_of(a));
  bench::Xoshiro256 rng(4);
  for (std::size_t k = cancels.size(); k > 1; --k) std::swap(cancels[k - 1], cancels[rng.below(k)]);
  std::size_t i = cancels.size();
  for (auto _ : state) {
    if (i == cancels.size()) {
      state.PauseTiming();
      for (const BookMessage& a : adds) shard->apply(a, sink);
      i = 0;
      state.ResumeTiming();
    }
    shard->apply(cancels[i++], sink);
  }
  benchmark::DoNotOptimize(sink.n);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CancelResting);

// An IOC buy taking range(0) one-lot makers at the best ask (one level, FIFO).
void BM_MatchIoc(benchmark::State& state) {
  const auto fills = static_cast<int64_t>(state.range(0));
  CountSink sink;
  auto shard = background_book(sink);  // best bid 9,999, best ask 10,001
  std::vector<BookMessage> makers(kChunk);
  for (std::size_t k = 0; k < makers.size(); ++k) {
    BookMessage& m = makers[k];
    m.type = MsgType::kAdd;
    m.id = OrderId{(uint64_t{1} << 62) + k};
    m.side = Side::kSell;
    m.price = Price{10'000};
    m.qty = Qty{1};
  }
  BookMessage taker;
  taker.type = MsgType::kAdd;
  taker.side = Side::kBuy;
  taker.order_type = OrderType::kIoc;
  taker.price = Price{10'000};
  taker.qty = Qty{fills};
  uint64_t next_id = uint64_t{1} << 61;
  int64_t left = 0;
  for (auto _ : state) {
    if (left < fills) {
      state.PauseTiming();
      if (left > 0) {
        taker.id = OrderId{next_id++};
        taker.qty = Qty{left};
        shard->apply(taker, sink);  // sweep the remainder
        taker.qty = Qty{fills};
      }
      for (const BookMessage& m : makers) shard->apply(m, sink);
      left = static_cast<int64_t>(makers.size());
      state.ResumeTiming();
    }
    taker.id = OrderId{next_id++};
    shard->apply(taker, sink);
    left -= fills;
  }
  benchmark::DoNotOptimize(sink.n);
  state.SetItemsProcessed(state.iterations());
  state.counters["trades_per_op"] = static_cast<double>(fills);
}
BENCHMARK(BM_MatchIoc)->Arg(1)->Arg(10);

// A one-tick reprice of a resting order (loses priority), alternately away from and
// back toward the mid, across random orders of the book.
void BM_ModifyReprice(benchmark::State& state) {
  CountSink sink;
  auto shard = background_book(sink);
  const std::vector<BookMessage> adds = resting_adds(kChunk, 5);
  for (const BookMessage& a : adds) shard->apply(a, sink);
  std::vector<BookMessage> away;
  std::vector<BookMessage> back;
  for (const BookMessage& a : adds) {
    BookMessage m = a;
    m.type = MsgType::kModify;
    m.price = a.side == Side::kBuy ? a.price - 1 : a.price + 1;
    away.push_back(m);
    m.price = a.price;
    back.push_back(m);
  }
  bench::Xoshiro256 rng(6);
  for (std::size_t k = away.size(); k > 1; --k) {
    const std::size_t j = rng.below(k);
    std::swap(away[k - 1], away[j]);
    std::swap(back[k - 1], back[j]);
  }
  std::size_t i = 0;
  bool out = true;
  for (auto _ : state) {
    shard->apply(out ? away[i] : back[i], sink);
    if (++i == away.size()) {
      i = 0;
      out = !out;
    }
  }
  benchmark::DoNotOptimize(sink.n);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ModifyReprice);

// A quantity increase of a resting order (same price, loses priority).
void BM_ModifyQtyUp(benchmark::State& state) {
  CountSink sink;
  auto shard = background_book(sink);
  const std::vector<BookMessage> adds = resting_adds(kChunk, 7);
  for (const BookMessage& a : adds) shard->apply(a, sink);
  std::vector<BookMessage> mods;
  for (const BookMessage& a : adds) {
    BookMessage m = a;
    m.type = MsgType::kModify;
    mods.push_back(m);
  }
  std::size_t i = 0;
  for (auto _ : state) {
    BookMessage& m = mods[i];
    m.qty = m.qty + Qty{1};  // quantities grow by one lot per pass
    shard->apply(m, sink);
    if (++i == mods.size()) i = 0;
  }
  benchmark::DoNotOptimize(sink.n);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ModifyQtyUp);

// The order index's growth: the one insert that rehashes every live id on the core
// (book::OrderIndex). Arg 0: the last doubling, 128 k -> 256 k buckets with 32,768
// live ids; arg 1: the jump from 256 k buckets to the whole table of a 4 M-order shard
// (the feed-mode default, 64 MiB) with 65,536 live ids; arg 2: the same jump with one
// id in 97 live (sparse, as a shard that sees some of a venue's symbols). Ids are
// otherwise consecutive from an arbitrary start, as a venue numbers them. Consecutive
// ids are grouped by eight at the jump, which recomputes every tag and sorts; sparse
// ones stay on their own (see book::OrderIndex). Each iteration times that one insert;
// the table is rebuilt with the timer paused.
void BM_OrderIndexGrowth(benchmark::State& state) {
  const bool jump = state.range(0) >= 1;
  const uint64_t stride = state.range(0) == 2 ? 97 : 1;
  const uint32_t capacity = jump ? 1u << 22 : 1u << 18;
  const std::size_t start = jump ? book::OrderIndex::kDoublingLimit : book::OrderIndex::kDoublingLimit / 2;
  const auto live = static_cast<uint32_t>(start / 4);  // the most the table holds before growing
  book::OrderPool pool(capacity, std::pmr::new_delete_resource());
  const uint64_t first = 0x5eed'0000'0000ull;
  for (uint32_t s = 0; s <= live; ++s) pool[s].id = OrderId{first + s * stride};
  std::unique_ptr<book::OrderIndex> index;
  for (auto _ : state) {
    state.PauseTiming();
    index.reset();
    index = std::make_unique<book::OrderIndex>(capacity, 7, pool, std::pmr::new_delete_resource(), start);
    for (uint32_t s = 0; s < live; ++s) index->insert(pool[s].id, s);
    state.ResumeTiming();
    index->insert(pool[live].id, live);
  }
  if (index->growths() != 1 || index->find(pool[0].id) != 0) state.SkipWithError("the insert did not grow the index");
  state.counters["live_ids"] = live;
  state.counters["buckets_after"] = static_cast<double>(index->buckets());
  state.counters["grouped"] = index->grouped() ? 1 : 0;
}
BENCHMARK(BM_OrderIndexGrowth)->Arg(0)->Arg(1)->Arg(2)->Iterations(20)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) { return tachyon::bench::run_pinned_gbench(argc, argv); }
