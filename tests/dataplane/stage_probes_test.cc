// StageProbes: snapshots taken while a core thread keeps recording lose and duplicate
// nothing (the collected totals equal a reference recorded alongside), the hand-over
// protocol step by step, stage names; ThroughputTimeline buckets and folding;
// SymbolCounters.
#include "tachyon/dataplane/stage_probes.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <random>
#include <thread>

#include "tachyon/dataplane/core_probes.h"
#include "tachyon/dataplane/symbol_counters.h"
#include "tachyon/dataplane/throughput_timeline.h"

namespace tachyon::dataplane {
namespace {

void expect_equal(const LatencyHistogram& a, const LatencyHistogram& b) {
  ASSERT_EQ(a.count(), b.count());
  EXPECT_EQ(a.min(), b.min());
  EXPECT_EQ(a.max(), b.max());
  EXPECT_DOUBLE_EQ(a.mean(), b.mean());
  for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) ASSERT_EQ(a.bucket_count(i), b.bucket_count(i)) << i;
}

TEST(StageProbes, NamesRoundTrip) {
  for (std::size_t i = 0; i < kStageCount; ++i) {
    const auto s = static_cast<Stage>(i);
    EXPECT_EQ(stage_from_name(stage_name(s)), s);
  }
  EXPECT_EQ(stage_name(Stage::kWireToWire), "wire_to_wire");
  EXPECT_EQ(stage_name(Stage::kMatch), "match");
  EXPECT_FALSE(stage_from_name("nonsense").has_value());
}

TEST(StageProbes, SnapshotHandOverStepByStep) {
  StageProbes p;
  auto totals = std::make_unique<StageHistograms>();
  p.record(Stage::kAdd, 100);
  EXPECT_FALSE(p.try_collect(*totals));  // nothing asked yet
  ASSERT_TRUE(p.request_snapshot());
  EXPECT_FALSE(p.request_snapshot());    // one request at a time
  EXPECT_FALSE(p.try_collect(*totals));  // the core has not polled
  p.record(Stage::kAdd, 200);            // still the old half
  p.poll();                              // the core switches halves
  p.record(Stage::kAdd, 300);            // the new half
  ASSERT_TRUE(p.try_collect(*totals));
  EXPECT_EQ((*totals)[Stage::kAdd].count(), 2u);
  EXPECT_EQ((*totals)[Stage::kAdd].max(), 200u);
  EXPECT_EQ((*totals)[Stage::kCancel].count(), 0u);
  // The next snapshot holds only what came after the switch.
  ASSERT_TRUE(p.request_snapshot());
  p.poll();
  ASSERT_TRUE(p.try_collect(*totals));
  EXPECT_EQ((*totals)[Stage::kAdd].count(), 3u);
  EXPECT_EQ((*totals)[Stage::kAdd].max(), 300u);
  // drain() after the core stops takes whatever is left, answered or not.
  p.record(Stage::kMatch, 7);
  ASSERT_TRUE(p.request_snapshot());
  p.drain(*totals);
  EXPECT_EQ((*totals)[Stage::kMatch].count(), 1u);
  EXPECT_TRUE(p.request_snapshot());  // usable again
}

TEST(StageProbes, ConcurrentSnapshotsLoseAndDuplicateNothing) {
  StageProbes probes;
  auto reference = std::make_unique<StageHistograms>();  // written by the core thread only
  auto totals = std::make_unique<StageHistograms>();     // written by the reader thread only
  std::atomic<bool> done{false};
  std::atomic<uint64_t> snapshots{0};
  constexpr uint64_t kRecords = 3'000'000;

  std::thread core([&] {
    std::mt19937_64 rng(42);
    std::lognormal_distribution<double> dist(6.0, 1.2);
    // Keeps going past kRecords until the reader has taken a few snapshots, however
    // the threads are scheduled.
    for (uint64_t i = 0; i < kRecords || snapshots.load(std::memory_order_relaxed) < 3; ++i) {
      const auto s = static_cast<Stage>(i % kStageCount);
      const auto v = static_cast<uint64_t>(dist(rng));
      probes.record(s, v);
      (*reference)[s].record(v);
      if ((i & 31) == 31) probes.poll();  // a burst boundary every 32 records
    }
    done.store(true, std::memory_order_release);
  });
  std::thread reader([&] {
    while (!done.load(std::memory_order_acquire)) {
      probes.request_snapshot();
      if (probes.try_collect(*totals)) snapshots.fetch_add(1, std::memory_order_relaxed);
      std::this_thread::yield();
    }
  });
  core.join();
  reader.join();
  probes.drain(*totals);
  EXPECT_GE(snapshots.load(), 3u);
  for (std::size_t i = 0; i < kStageCount; ++i) expect_equal(totals->by_stage[i], reference->by_stage[i]);
}

TEST(ThroughputTimeline, CountsMessagesPerBucket) {
  ThroughputTimeline t(8);
  t.start(1'000, 100, 100'000'000);  // 100 cycles per 100 ms bucket
  t.add(1'000);
  t.add(1'099);
  t.add(1'100, 3);  // bucket 1
  t.add(1'350);     // bucket 3 (bucket 2 stays empty)
  t.finish(1'375);
  ASSERT_EQ(t.size(), 4u);
  EXPECT_EQ(t.count(0), 2u);
  EXPECT_EQ(t.count(1), 3u);
  EXPECT_EQ(t.count(2), 0u);
  EXPECT_EQ(t.count(3), 1u);
  EXPECT_EQ(t.total(), 6u);
  EXPECT_EQ(t.bucket_ns(), 100'000'000u);
  EXPECT_EQ(t.last_bucket_ns(), 75'000'000u);
}

TEST(ThroughputTimeline, FoldsPairsWhenTheBucketsRunOut) {
  ThroughputTimeline t(4);
  t.start(0, 10, 100);
  for (uint64_t tsc = 0; tsc < 40; ++tsc) t.add(tsc);  // 10 per bucket, 4 buckets
  EXPECT_EQ(t.folds(), 0u);
  t.add(45);  // bucket 4 does not fit: width doubles to 20 cycles
  EXPECT_EQ(t.folds(), 1u);
  EXPECT_EQ(t.bucket_ns(), 200u);
  ASSERT_EQ(t.size(), 3u);
  EXPECT_EQ(t.count(0), 20u);
  EXPECT_EQ(t.count(1), 20u);
  EXPECT_EQ(t.count(2), 1u);
  t.add(1'000);  // far ahead: folds until it fits (1000 / 320 -> bucket 3 of width 320)
  EXPECT_EQ(t.folds(), 5u);
  EXPECT_EQ(t.total(), 42u);
}

TEST(SymbolCounters, CountsEventsBySymbolAndKind) {
  SymbolCounters c(4);
  book::Event e{};
  e.symbol = book::SymbolId{2};
  e.kind = book::EventKind::kTrade;
  c.on_event(e);
  c.on_event(e);
  e.kind = book::EventKind::kAccepted;
  c.on_event(e);
  e.kind = book::EventKind::kRejected;  // not counted
  c.on_event(e);
  e.symbol = book::SymbolId{9};  // beyond size(): ignored
  e.kind = book::EventKind::kTrade;
  c.on_event(e);
  EXPECT_EQ(c.count(2, 1), 2u);
  EXPECT_EQ(c.count(2, 0), 1u);
  EXPECT_TRUE(c.active(2));
  EXPECT_FALSE(c.active(1));
  EXPECT_FALSE(c.named(2));
  c.set_name(2, "AAPL    ");
  EXPECT_TRUE(c.named(2));
  EXPECT_EQ(c.name(2), "AAPL");
  c.set_name(3, "LONGNAME123");
  EXPECT_EQ(c.name(3), "LONGNAME");
  EXPECT_EQ(SymbolCounters::kind_name(1), "trade");
}

TEST(CoreProbes, CountsMessagesIntoTheTimelineAndTheLiveCounter) {
  CoreProbes p(3, 16, 64);
  p.timeline().start(0, 100, 100'000'000);
  for (uint64_t i = 0; i < 250; ++i) p.count_message(i);
  EXPECT_EQ(p.messages(), 250u);
  EXPECT_EQ(p.timeline().size(), 3u);
  EXPECT_EQ(p.timeline().count(2), 50u);
  EXPECT_EQ(p.core(), 3u);
  EXPECT_EQ(p.state(), CoreProbes::State::kIdle);
}

}  // namespace
}  // namespace tachyon::dataplane
