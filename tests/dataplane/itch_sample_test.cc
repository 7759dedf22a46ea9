// The ITCH feed handler on real data: the Nasdaq BX sample in ../shared/data/itch, once
// with all-zero BinaryFILE prefixes (lengths recovered from the type) and once with real
// prefixes. Counts, unknown references, resting orders and the final book must agree
// with the published facts about the file and between the two framings.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_binary_file.h"
#include "tachyon/dataplane/itch_book_builder.h"

namespace tachyon::dataplane::itch {
namespace {

const std::string kDir = std::string(TACHYON_DATA_DIR) + "/itch/";

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

struct Replay {
  BinaryFileReport report;
  BookBuilderStats stats;
  uint32_t resting = 0;
  uint64_t hash = 0;
  uint32_t symbols = 0;
  std::vector<std::string> names;
};

// Counts the sink's events so the test can tie them to the book changes.
struct CountingSink {
  uint64_t accepted = 0, trades = 0, canceled = 0;
  void on_event(const book::Event& e) noexcept {
    accepted += e.kind == book::EventKind::kAccepted;
    trades += e.kind == book::EventKind::kTrade;
    canceled += e.kind == book::EventKind::kCanceled;
  }
};

Replay replay(const std::string& file, ApplyMode mode = ApplyMode::kImmediate) {
  const std::vector<uint8_t> data = read_file(kDir + file);
  EXPECT_EQ(data.size(), 465048u);
  book::BookConfig cfg;
  cfg.max_orders = 1u << 14;
  cfg.max_levels = 1u << 12;
  cfg.max_symbols = 8;
  book::BookShard shard(cfg);
  CountingSink sink;
  BookBuilder<CountingSink> builder(shard, sink, mode);
  Replay r;
  r.report = scan_binary_file(data, builder);
  builder.flush();
  r.stats = builder.stats();
  r.resting = shard.live_orders();
  r.hash = shard.hash();
  r.symbols = builder.symbols_mapped();
  for (uint32_t s = 0; s < r.symbols; ++s) r.names.emplace_back(builder.name(book::SymbolId{s}).trimmed());
  // Adds that rested, minus orders that left, is what rests now (replaces keep the count).
  EXPECT_EQ(sink.accepted - r.stats.messages['U'] + r.stats.unknown_refs['U'], 5000u);
  return r;
}

void expect_published_facts(const Replay& r) {
  EXPECT_TRUE(r.report.clean()) << describe(r.report);
  EXPECT_EQ(r.report.messages, 12'012u);
  EXPECT_EQ(r.report.bytes, 465048u);
  const auto& m = r.stats.messages;
  EXPECT_EQ(r.stats.total_messages(), 12'012u);
  EXPECT_EQ(m['P'], 5000u);
  EXPECT_EQ(m['A'], 4997u);
  EXPECT_EQ(m['D'], 1745u);
  EXPECT_EQ(m['E'], 198u);
  EXPECT_EQ(m['X'], 45u);
  EXPECT_EQ(m['U'], 12u);
  EXPECT_EQ(m['S'], 6u);
  EXPECT_EQ(m['R'], 3u);
  EXPECT_EQ(m['H'], 3u);
  EXPECT_EQ(m['F'], 3u);
  const auto& u = r.stats.unknown_refs;
  EXPECT_EQ(u['D'], 94u);
  EXPECT_EQ(u['E'], 18u);
  EXPECT_EQ(u['X'], 3u);
  EXPECT_EQ(u['U'], 2u);
  EXPECT_EQ(r.stats.total_unknown_refs(), 117u);
  for (const uint64_t c : r.stats.rejects) EXPECT_EQ(c, 0u);
  EXPECT_EQ(r.stats.overfills, 0u);
  EXPECT_EQ(r.stats.bad_side, 0u);
  EXPECT_EQ(r.stats.unmapped_symbol, 0u);
  EXPECT_EQ(r.resting, 3204u);
  EXPECT_EQ(r.symbols, 3u);
  EXPECT_EQ(r.names, (std::vector<std::string>{"ALC", "BOB", "CHAR"}));
}

TEST(ItchSample, ZeroPrefixFileIsRecoveredFromMessageTypes) {
  const Replay r = replay("ex20101224.TEST_ITCH_50");
  expect_published_facts(r);
  EXPECT_EQ(r.report.recovered_lengths, 12'012u);
  EXPECT_EQ(r.report.first_recovery_offset, 0u);
}

TEST(ItchSample, BinaryFileWithPrefixesNeedsNoRecovery) {
  const Replay r = replay("ex20101224.TEST_ITCH_50.binaryfile");
  expect_published_facts(r);
  EXPECT_EQ(r.report.recovered_lengths, 0u);
}

TEST(ItchSample, BothFramingsBuildTheSameBook) {
  const Replay a = replay("ex20101224.TEST_ITCH_50");
  const Replay b = replay("ex20101224.TEST_ITCH_50.binaryfile");
  EXPECT_EQ(a.hash, b.hash);
  EXPECT_NE(a.hash, book::BookShard(book::BookConfig{}).hash());  // not an empty book
}

TEST(ItchSample, BatchedApplyBuildsTheSameBookAndCounts) {
  for (const char* file : {"ex20101224.TEST_ITCH_50", "ex20101224.TEST_ITCH_50.binaryfile"}) {
    const Replay batched = replay(file, ApplyMode::kBatched);
    expect_published_facts(batched);
    EXPECT_EQ(batched.hash, replay(file).hash) << file;
  }
}

}  // namespace
}  // namespace tachyon::dataplane::itch
