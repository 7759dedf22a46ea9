// Counts heap allocations while the codecs run their hot paths (ITCH decode and the feed
// handler over the whole sample file, MoldUDP64 parse/packetize/track, OUCH decode and
// encode, LOBSTER parse and write) and asserts there are none.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "../support/counting_new.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_binary_file.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/itch_encoder.h"
#include "tachyon/dataplane/lobster.h"
#include "tachyon/dataplane/lobster_orderbook.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/moldudp64_sequence.h"
#include "tachyon/dataplane/ouch_codec.h"

namespace tachyon::dataplane {
namespace {

std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

using test_support::allocations_in;

TEST(CodecAllocations, TheCounterSeesAllocations) {
  std::string s;
  EXPECT_GT(allocations_in([&] { s.assign(1000, 'x'); }), 0u);
  EXPECT_EQ(s.size(), 1000u);
  // An over-aligned type goes through the aligned operator new, which is counted too.
  struct alignas(128) Wide {
    char bytes[128];
  };
  std::unique_ptr<Wide> w;
  EXPECT_EQ(allocations_in([&] { w = std::make_unique<Wide>(); }), 1u);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(w.get()) % alignof(Wide), 0u);
}

TEST(CodecAllocations, ItchFeedHandlerOverTheSampleFile) {
  const std::vector<uint8_t> data = read_file(std::string(TACHYON_DATA_DIR) + "/itch/ex20101224.TEST_ITCH_50");
  book::BookConfig cfg;
  cfg.max_orders = 1u << 14;
  cfg.max_levels = 1u << 12;
  cfg.max_symbols = 8;
  book::BookShard shard(cfg);
  book::NullSink sink;
  itch::BookBuilder<book::NullSink> builder(shard, sink);
  itch::BinaryFileReport rep;
  EXPECT_EQ(allocations_in([&] { rep = itch::scan_binary_file(data, builder); }), 0u);
  EXPECT_EQ(rep.messages, 12'012u);
  EXPECT_EQ(shard.live_orders(), 3204u);
}

TEST(CodecAllocations, MoldUdp64AndOuch) {
  std::vector<uint8_t> buf(2048);
  mold::SequenceTracker tracker;
  uint64_t messages = 0;
  const uint64_t n = allocations_in([&] {
    mold::Packetizer pk(buf, mold::Session::from("TACHYON001"), 1);
    ouch::Accepted a{};
    a.token = ouch::Token::from("T1");
    for (int i = 0; i < 1000; ++i) {
      a.shares = static_cast<uint32_t>(i);
      uint8_t* p = pk.reserve(ouch::Accepted::kLength);
      if (p == nullptr) {
        const auto dg = pk.flush();
        mold::Packet pkt;
        if (!mold::parse(dg, pkt).ok()) continue;
        const mold::Delivery d = tracker.on_packet(pkt.header);
        struct H {
          uint64_t* n;
          void on(const ouch::Accepted&) noexcept { ++*n; }
        } h{&messages};
        pkt.for_each([&](uint64_t, std::span<const uint8_t> m) { ouch::decode_outbound(m, h); });
        (void)d;
        p = pk.reserve(ouch::Accepted::kLength);
      }
      ouch::encode(a, std::span<uint8_t>(p, ouch::Accepted::kLength));
    }
  });
  EXPECT_EQ(n, 0u);
  EXPECT_GT(messages, 900u);
  EXPECT_EQ(tracker.gaps().events, 0u);
}

TEST(CodecAllocations, LobsterRows) {
  const std::vector<uint8_t> raw = read_file(std::string(TACHYON_DATA_DIR) +
                                             "/lobster/AAPL_2012-06-21_34200000_57600000_orderbook_10.csv");
  const std::string_view text(reinterpret_cast<const char*>(raw.data()), raw.size());
  std::array<lobster::Level, 10> asks, bids;
  std::array<char, 512> out;
  uint32_t rows = 0;
  const uint64_t n = allocations_in([&] {
    lobster::LineReader lines(text);
    std::string_view row;
    while (lines.next(row)) {
      if (lobster::parse_orderbook(row, lines.line_number(), asks, bids)) break;
      if (lobster::format_orderbook(asks, bids, out) == row.size()) ++rows;
    }
  });
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(rows, 999u);
}

}  // namespace
}  // namespace tachyon::dataplane
