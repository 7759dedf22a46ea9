// Test helper for the feed pipeline tests: small books, a generated feed capture with
// its single-core replay (the reference every multi-core run must equal), and the
// check that a pipeline run built the same books. Test code; not thread-safe.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/bench/capture_generator.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/feed_pipeline.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/shard_pipeline.h"

namespace tachyon::dataplane::testing {

// Room for the generated captures' orders, levels and symbols.
inline book::BookConfig small_books() {
  book::BookConfig b;
  b.max_orders = 1 << 16;
  b.max_levels = 1 << 12;
  b.max_symbols = 16;
  return b;
}

// A generated 4-symbol feed capture in /tmp, removed with the object, and its
// single-core replay.
struct FeedCapture {
  std::string path;
  bench::CaptureInfo info;
  ReplaySummary single;
  FeedCapture(const std::string& stem, uint64_t messages, uint64_t seed) {
    path = "/tmp/tachyon-" + stem + "-" + std::to_string(::getpid()) + "-" + std::to_string(seed) + ".pcap";
    bench::CaptureConfig cfg;
    cfg.kind = bench::CaptureKind::kFeed;
    cfg.messages = messages;
    cfg.symbols = 4;
    cfg.seed = seed;
    info = bench::generate_capture(cfg, path);
    ReplayOptions o;
    o.mode = ReplayMode::kFeed;
    o.input = path;
    o.book = small_books();
    single = replay(o);
  }
  ~FeedCapture() { std::remove(path.c_str()); }
  FeedCapture(const FeedCapture&) = delete;
  FeedCapture& operator=(const FeedCapture&) = delete;
};

// The pipeline run r built the books the single-core replay did, from the same
// packets, and lost nothing to backpressure.
inline void expect_same_books(const FeedPipelineResult& r, const ReplaySummary& single) {
  EXPECT_EQ(r.book_hash, single.book_hash);
  EXPECT_EQ(r.messages(), single.messages);
  EXPECT_EQ(r.live_orders, single.live_orders);
  EXPECT_EQ(r.trades, single.trades);
  EXPECT_EQ(r.symbols, single.symbols);
  EXPECT_EQ(r.books, single.books);
  for (int t = 0; t < 256; ++t) EXPECT_EQ(r.by_type[t], single.by_type[t]) << "type " << char(t);
  EXPECT_EQ(r.unknown_refs, single.unknown_refs);
  EXPECT_EQ(r.report.decoded.packets, single.packets);
  EXPECT_EQ(r.report.lost_to_backpressure(), 0u);
}

// A pipeline handler that holds its shard core until *gate is set, to fill the ring
// behind it; takes records and (packet hand-off) message bytes.
struct GatedHandler {
  std::atomic<bool>* gate;
  uint64_t handled = 0;
  void on_message(const MessageRecord&, OutputSink&) noexcept { hold(); }
  void on_bytes(std::span<const uint8_t>, uint64_t, uint8_t, OutputSink&) noexcept { hold(); }
  void on_burst_end(OutputSink&) noexcept {}
  void hold() noexcept {
    while (!gate->load(std::memory_order_acquire)) cpu_relax();
    ++handled;
  }
};

// A router that sends every message to shard 0.
struct AllToShard0 {
  uint32_t route(std::span<const uint8_t>, Lane& lane) noexcept {
    lane = Lane::kNormal;
    return 0;
  }
  uint32_t owner(std::span<const uint8_t>) const noexcept { return 0; }
};

// One shard core held while the dispatch core reads the whole of port's input through
// rings sized by o (to fill them), then released; what came of it.
struct GatedRun {
  PipelineReport report;
  uint64_t handled = 0;     // messages the held handler saw
  bool packet_handoff = false;
};
inline GatedRun run_gated(nic::NicPort& port, PipelineOptions o) {
  std::atomic<bool> gate{false};
  std::vector<std::unique_ptr<GatedHandler>> hs;
  hs.push_back(std::make_unique<GatedHandler>(GatedHandler{&gate}));
  o.shards = 1;
  o.idle_yield_after = 64;
  ShardPipeline<AllToShard0, GatedHandler> p(port, AllToShard0{}, std::move(hs), o);
  GatedRun g;
  g.packet_handoff = p.packet_handoff();
  p.start();
  while (!port.at_end()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  gate = true;
  g.report = p.wait();
  g.handled = p.handler(0).handled;
  return g;
}

}  // namespace tachyon::dataplane::testing
