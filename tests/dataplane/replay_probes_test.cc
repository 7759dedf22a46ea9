// Replay with profiling probes: every message shows once in every per-message stage,
// the per-operation stages split them by message type exactly as the summary counts
// them, the timeline adds up, book events are counted per named symbol, snapshots
// taken while the replay runs add up to the same totals, and an injected delay shows in
// the book stage.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "tachyon/bench/capture_generator.h"
#include "tachyon/dataplane/core_probes.h"
#include "tachyon/dataplane/replay.h"

namespace tachyon::dataplane {
namespace {

const std::string kData = TACHYON_DATA_DIR;

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "replay_probes_" + std::to_string(::getpid()) + "_" + name;
}

ReplayOptions small_books() {
  ReplayOptions o;
  o.book.max_orders = 1u << 18;
  o.book.max_levels = 1u << 16;
  o.book.max_symbols = 64;
  return o;
}

uint64_t count(const StageHistograms& h, Stage s) { return h[s].count(); }

void expect_every_message_in_every_stage(const StageHistograms& h, uint64_t messages) {
  for (Stage s : {Stage::kRxDecode, Stage::kDecodeBook, Stage::kBookTx, Stage::kWireToWire})
    EXPECT_EQ(count(h, s), messages) << stage_name(s);
  // Wire to wire spans the other three.
  EXPECT_GE(h[Stage::kWireToWire].max(), h[Stage::kDecodeBook].max());
  EXPECT_GE(h[Stage::kWireToWire].percentile(50), h[Stage::kBookTx].percentile(50));
}

TEST(ReplayProbes, ItchFeedStagesMatchTheMessageCounts) {
  for (const char* name : {"ex20101224.TEST_ITCH_50", "ex20101224.TEST_ITCH_50.binaryfile"}) {
    SCOPED_TRACE(name);
    CoreProbes probes(0, 64);
    ReplayOptions o = small_books();
    o.input = kData + "/itch/" + name;
    o.probes = &probes;
    const ReplaySummary s = replay(o);
    auto h = std::make_unique<StageHistograms>();
    probes.stages().drain(*h);
    ASSERT_EQ(s.messages, 12'012u);
    EXPECT_EQ(probes.messages(), s.messages);
    expect_every_message_in_every_stage(*h, s.messages);
    const auto& t = s.by_type;
    EXPECT_EQ(count(*h, Stage::kAdd), t['A'] + t['F']);
    EXPECT_EQ(count(*h, Stage::kCancel), t['D'] + t['X']);
    EXPECT_EQ(count(*h, Stage::kModify), t['U']);
    EXPECT_EQ(count(*h, Stage::kMatch), t['E'] + t['C']);
    EXPECT_EQ(probes.timeline().total(), s.messages);
    EXPECT_GE(probes.timeline().size(), 1u);
    EXPECT_EQ(probes.state(), CoreProbes::State::kStopped);
    EXPECT_GT(probes.facts().seconds, 0.0);
    EXPECT_GT(probes.facts().tsc_hz, 0u);
    // Every accepted add shows as an Accepted event of a named symbol.
    uint64_t accepted = 0;
    for (uint32_t sym = 0; sym < probes.symbols().size(); ++sym) {
      accepted += probes.symbols().count(sym, 0);
      if (probes.symbols().active(sym)) EXPECT_FALSE(probes.symbols().name(sym).empty()) << sym;
    }
    EXPECT_GT(accepted, 0u);
    EXPECT_LE(accepted, t['A'] + t['F'] + t['U']);
  }
}

TEST(ReplayProbes, MatchModeSplitsOrdersIntoAddsModifiesCancelsAndMatches) {
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kMatch;
  cfg.messages = 40'000;
  cfg.symbols = 3;
  const std::string in = temp_path("match.pcap");
  const bench::CaptureInfo info = bench::generate_capture(cfg, in);
  CoreProbes probes(0, 8);
  ReplayOptions o = small_books();
  o.input = in;
  o.mode = ReplayMode::kMatch;
  o.symbols = info.symbols;
  o.probes = &probes;

  // A reader takes snapshots while the replay runs, as the metrics endpoint does.
  auto collected = std::make_unique<StageHistograms>();
  std::atomic<bool> done{false};
  uint64_t snapshots = 0;
  std::thread reader([&] {
    while (!done.load(std::memory_order_acquire)) {
      probes.stages().request_snapshot();
      if (probes.stages().try_collect(*collected)) ++snapshots;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  });
  const ReplaySummary s = replay(o);
  done.store(true, std::memory_order_release);
  reader.join();
  probes.stages().drain(*collected);
  std::remove(in.c_str());

  ASSERT_EQ(s.messages, info.messages);
  expect_every_message_in_every_stage(*collected, s.messages);
  const auto& t = s.by_type;
  EXPECT_EQ(count(*collected, Stage::kCancel), t['X']);
  EXPECT_EQ(count(*collected, Stage::kAdd) + count(*collected, Stage::kModify) + count(*collected, Stage::kMatch),
            t['O'] + t['U']);
  EXPECT_GT(count(*collected, Stage::kMatch), 0u);
  uint64_t trades = 0;
  for (uint32_t sym = 0; sym < 3; ++sym) {
    trades += probes.symbols().count(sym, 1);
    EXPECT_EQ(probes.symbols().name(sym), info.symbols[sym]);
  }
  EXPECT_EQ(trades, s.trades);
  std::printf("%llu snapshots taken while %llu messages replayed\n", static_cast<unsigned long long>(snapshots),
              static_cast<unsigned long long>(s.messages));
}

TEST(ReplayProbes, InjectedDelayShowsInTheBookStage) {
  CoreProbes probes(0, 64);
  ReplayOptions o = small_books();
  o.input = kData + "/itch/ex20101224.TEST_ITCH_50";
  o.probes = &probes;
  o.slow_ns_per_message = 5'000;
  const ReplaySummary s = replay(o);
  auto h = std::make_unique<StageHistograms>();
  probes.stages().drain(*h);
  EXPECT_GE((*h)[Stage::kDecodeBook].min(), 5'000u);
  EXPECT_GE(s.latency->min(), 5'000u);
  EXPECT_EQ(probes.facts().slow_ns_per_message, 5'000u);
  EXPECT_GE(s.seconds, 12'012 * 5e-6);
}

}  // namespace
}  // namespace tachyon::dataplane
