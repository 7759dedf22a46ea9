// Capture replay end to end (dataplane::replay): the demonstrations of the replay
// issue. Real ITCH and LOBSTER samples, generated captures replayed through matching
// and back through the feed handler, determinism, and damaged input.
#include "tachyon/dataplane/replay.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tachyon/bench/capture_generator.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_encoder.h"
#include "tachyon/dataplane/match_endpoints.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/nic/pcap_writer.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::dataplane {
namespace {

const std::string kData = TACHYON_DATA_DIR;

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "replay_test_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<char> slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<char>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

ReplayOptions small_books(ReplayOptions o = {}) {
  o.book.max_orders = 1u << 18;
  o.book.max_levels = 1u << 16;
  o.book.max_symbols = 64;
  return o;
}

// Every resting order of every book has a positive quantity.
void expect_positive_quantities(const ReplaySummary& s) {
  ASSERT_TRUE(s.shard);
  for (uint32_t sym = 0; sym < s.shard->symbols(); ++sym)
    for (const book::Side side : {book::Side::kBuy, book::Side::kSell})
      s.shard->book(book::SymbolId{sym}).for_each_order(side, [&](book::Price, const book::Order& o) {
        ASSERT_GT(o.qty.value, 0);
      });
}

// Demonstration 1: the ITCH sample, with zero length prefixes and with real ones.
// Two logs joined (the two-core match mode's gateway and matching cores): the first's
// texts, then the second's while there is room, and both counts.
TEST(ProblemLog, MergeKeepsTheFirstTextsInOrderAndEveryCount) {
  ProblemLog a, b;
  a.add("a0");
  a.add("a1");
  for (int i = 0; i < 6; ++i) b.add("b" + std::to_string(i));
  a.merge(std::move(b));
  EXPECT_EQ(a.count, 8u);
  EXPECT_EQ(a.first[0], "a0");
  EXPECT_EQ(a.first[1], "a1");
  EXPECT_EQ(a.first[2], "b0");
  EXPECT_EQ(a.first[3], "b1");
  ProblemLog empty;
  a.merge(std::move(empty));
  EXPECT_EQ(a.count, 8u);
}

TEST(Replay, ItchSampleParsesCompletelyWithItsPublishedCounts) {
  uint64_t hashes[2];
  int i = 0;
  for (const char* name : {"ex20101224.TEST_ITCH_50", "ex20101224.TEST_ITCH_50.binaryfile"}) {
    ReplayOptions o = small_books();
    o.input = kData + "/itch/" + name;
    const ReplaySummary s = replay(o);
    EXPECT_EQ(s.format, InputFormat::kItchBinaryFile);
    EXPECT_EQ(s.messages, 12'012u);
    const std::pair<char, uint64_t> counts[] = {{'P', 5000}, {'A', 4997}, {'D', 1745}, {'E', 198}, {'X', 45},
                                                {'U', 12},   {'S', 6},    {'R', 3},    {'H', 3},   {'F', 3}};
    for (const auto& [type, n] : counts) EXPECT_EQ(s.by_type[static_cast<uint8_t>(type)], n) << type;
    // Thinned out of a full day: events on orders the sample never added.
    EXPECT_EQ(s.unknown_refs_by_type['D'], 94u);
    EXPECT_EQ(s.unknown_refs_by_type['E'], 18u);
    EXPECT_EQ(s.unknown_refs_by_type['X'], 3u);
    EXPECT_EQ(s.unknown_refs_by_type['U'], 2u);
    EXPECT_EQ(s.unknown_refs, 117u);
    EXPECT_EQ(s.live_orders, 3'204u);
    EXPECT_EQ(s.malformed.count, 0u);
    EXPECT_EQ(s.symbols, 3u);
    EXPECT_EQ(s.recovered_lengths, i == 0 ? 12'012u : 0u);
    expect_positive_quantities(s);
    hashes[i++] = s.book_hash;
  }
  EXPECT_EQ(hashes[0], hashes[1]);
}

// Demonstration 2: LOBSTER's AAPL sample checked against its own orderbook file.
//
// Rows that cannot match: the 10-level message file leaves out every event beyond the
// 10th level, and the book held orders from before 09:30 that the file never
// submitted. When a level the files never described moves into the top 10 (the levels
// above it traded or were cancelled away), the book cannot know its size, so that row
// differs; it is counted and the top levels are re-learned from it.
TEST(Replay, LobsterSampleMatchesItsOrderbookFile) {
  ReplayOptions o = small_books();
  const std::string base = kData + "/lobster/AAPL_2012-06-21_34200000_57600000_";
  o.input = base + "message_10.csv";
  o.check_path = base + "orderbook_10.csv";
  o.depth = 10;
  const ReplaySummary s = replay(o);
  EXPECT_EQ(s.format, InputFormat::kLobsterCsv);
  EXPECT_EQ(s.rows_compared, s.messages);
  EXPECT_EQ(s.rows_compared, 999u);
  EXPECT_GE(s.rows_matched, 900u);
  EXPECT_EQ(s.rows_matched + s.rows_relearned, s.rows_compared);
  EXPECT_EQ(s.malformed.count, 0u);
  expect_positive_quantities(s);
}

// Demonstrations 3 and 4: a generated match capture replayed with --out gives market
// data that rebuilds the same books in feed mode; everything is byte-for-byte
// repeatable.
TEST(Replay, MatchOutputRebuildsTheSameBooksAndIsDeterministic) {
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kMatch;
  cfg.messages = 40'000;
  cfg.symbols = 3;
  cfg.seed = 7;
  const std::string in = temp_path("match.pcap");
  const bench::CaptureInfo info = bench::generate_capture(cfg, in);
  ASSERT_GT(info.messages, 10'000u);

  ReplaySummary match[2];
  std::vector<char> outs[2];
  for (int run = 0; run < 2; ++run) {
    ReplayOptions o = small_books();
    o.mode = ReplayMode::kMatch;
    o.input = in;
    o.symbols = info.symbols;
    o.out_path = temp_path("out" + std::to_string(run) + ".pcap");
    match[run] = replay(o);
    outs[run] = slurp(o.out_path);
  }
  EXPECT_EQ(match[0].messages, info.messages);
  EXPECT_GT(match[0].trades, 0u);
  EXPECT_GT(match[0].live_orders, 0u);
  EXPECT_EQ(match[0].malformed.count, 0u);
  EXPECT_EQ(match[0].accepted, match[0].by_type['O'] - match[0].rejected);
  EXPECT_EQ(match[0].book_hash, match[1].book_hash);
  EXPECT_EQ(match[0].shard_hash, match[1].shard_hash);
  ASSERT_FALSE(outs[0].empty());
  EXPECT_TRUE(outs[0] == outs[1]) << "--out files differ between runs";

  ReplayOptions f = small_books();
  f.mode = ReplayMode::kFeed;
  f.input = temp_path("out0.pcap");
  f.filter.dst_port = kMarketDataPort;
  const ReplaySummary feed = replay(f);
  EXPECT_EQ(feed.malformed.count, 0u);
  EXPECT_EQ(feed.gaps.events, 0u);
  EXPECT_EQ(feed.unknown_refs, 0u);
  EXPECT_EQ(feed.live_orders, match[0].live_orders);
  EXPECT_EQ(feed.books, match[0].books);
  EXPECT_EQ(feed.book_hash, match[0].book_hash);
  EXPECT_EQ(feed.trades, match[0].trades);
  EXPECT_GT(feed.filtered, 0u);  // the OUCH replies in the same file

  // The generator itself is deterministic too.
  const std::string again = temp_path("match_again.pcap");
  bench::generate_capture(cfg, again);
  EXPECT_TRUE(slurp(in) == slurp(again));
  for (const std::string& p : {in, again, temp_path("out0.pcap"), temp_path("out1.pcap")}) std::remove(p.c_str());
}

TEST(Replay, GeneratedFeedCaptureReplaysCleanly) {
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kFeed;
  cfg.messages = 20'000;
  cfg.symbols = 5;
  const std::string in = temp_path("feed.pcap");
  const bench::CaptureInfo info = bench::generate_capture(cfg, in);
  ReplayOptions o = small_books();
  o.input = in;
  const ReplaySummary s = replay(o);
  EXPECT_EQ(s.messages, info.messages);
  EXPECT_EQ(s.packets, info.packets);
  EXPECT_LT(s.packets, s.messages);  // several messages per datagram
  EXPECT_EQ(s.symbols, 5u);
  EXPECT_EQ(s.malformed.count, 0u);
  EXPECT_EQ(s.unknown_refs, 0u);
  EXPECT_EQ(s.gaps.events, 0u);
  EXPECT_GT(s.by_type['A'], 0u);
  EXPECT_GT(s.by_type['E'], 0u);
  EXPECT_GT(s.by_type['U'], 0u);
  std::remove(in.c_str());
}

// Builds damaged and out-of-sequence packets for demonstration 5.
class BadCapture {
 public:
  explicit BadCapture(const std::string& path) : path_(path) {
    flow_.dst_port = kMarketDataPort;
    writer_ = std::make_unique<nic::PcapWriter>(path, flow_);
  }
  // A MoldUDP64 datagram of session S with the given first sequence and messages.
  void mold(uint64_t seq, const std::vector<std::vector<uint8_t>>& msgs) {
    std::vector<uint8_t> d(mold::kHeaderSize);
    mold::write_header(d.data(), mold::Header{mold::Session::from("SESSION001"), seq,
                                              static_cast<uint16_t>(msgs.size())});
    for (const auto& m : msgs) {
      d.push_back(static_cast<uint8_t>(m.size() >> 8));
      d.push_back(static_cast<uint8_t>(m.size()));
      d.insert(d.end(), m.begin(), m.end());
    }
    datagram(d);
  }
  void datagram(const std::vector<uint8_t>& payload) {
    ASSERT_EQ(writer_->write_datagram(ts_ += 1000, payload), nic::WriteStatus::kOk);
  }
  void frame(const std::vector<uint8_t>& bytes) {
    ASSERT_EQ(writer_->write_frame(ts_ += 1000, bytes), nic::WriteStatus::kOk);
  }
  // A valid Ethernet/IPv4/UDP frame around payload, for corrupting.
  std::vector<uint8_t> udp_frame(const std::vector<uint8_t>& payload) {
    nic::UdpFrameBuilder b(flow_);
    std::vector<uint8_t> f(b.frame_size(payload.size()));
    b.build(f, payload, 1);
    return f;
  }
  void close() { writer_->close(); }

 private:
  std::string path_;
  nic::UdpFlow flow_;
  std::unique_ptr<nic::PcapWriter> writer_;
  uint64_t ts_ = 1'700'000'000'000'000'000ull;
};

std::vector<uint8_t> add_order(uint64_t ref, uint32_t shares, int64_t price) {
  itch::AddOrder a;
  a.header.stock_locate = 1;
  a.order_ref = ref;
  a.side = 'B';
  a.shares = shares;
  a.stock = Stock::from("TEST");
  a.price = book::Price{price};
  std::vector<uint8_t> out(itch::AddOrder::kLength);
  EXPECT_EQ(itch::encode(a, out), out.size());
  return out;
}

// Demonstration 5: every kind of damage is counted, located and skipped.
TEST(Replay, DamagedCaptureIsCountedLocatedAndNeverFatal) {
  const std::string path = temp_path("bad.pcap");
  {
    BadCapture c(path);
    c.mold(1, {add_order(1, 100, 10'000), add_order(2, 100, 10'100)});  // packet 1: good
    c.frame({0x01, 0x02, 0x03});                                       // 2: truncated Ethernet
    std::vector<uint8_t> arp = c.udp_frame({1, 2, 3});
    arp[12] = 0x08;
    arp[13] = 0x06;                                                    // 3: not IPv4 (ARP)
    c.frame(arp);
    std::vector<uint8_t> tcp = c.udp_frame({1, 2, 3});
    tcp[14 + 9] = 6;                                                   // 4: IPv4 but TCP
    c.frame(tcp);
    std::vector<uint8_t> len = c.udp_frame(std::vector<uint8_t>(40, 0));
    len[14 + 2] = 0x05;                                                // 5: IP total length past the frame
    c.frame(len);
    std::vector<uint8_t> block(mold::kHeaderSize);
    mold::write_header(block.data(), mold::Header{mold::Session::from("SESSION001"), 3, 1});
    block.push_back(0);
    block.push_back(36);                                               // 6: block runs past the datagram
    c.datagram(block);
    std::vector<uint8_t> unknown = add_order(3, 100, 10'000);
    unknown[0] = 'z';                                                  // 7: unknown ITCH type
    std::vector<uint8_t> short_add = add_order(4, 100, 10'000);
    short_add.resize(20);                                              //    and a wrong length
    c.mold(3, {unknown, short_add});
    c.mold(9, {add_order(9, 100, 9'900)});                             // 8: gap 5..8
    c.mold(9, {add_order(9, 100, 9'900)});                             // 9: duplicate
    c.close();
  }
  ReplayOptions o = small_books();
  o.input = path;
  const ReplaySummary s = replay(o);
  EXPECT_EQ(s.packets, 9u);
  // Frames 2-5, datagram 6, and the two messages of packet 7.
  EXPECT_EQ(s.malformed.count, 7u);
  EXPECT_NE(s.malformed.first[0].find("packet 2 (offset "), std::string::npos) << s.malformed.first[0];
  EXPECT_NE(s.malformed.first[0].find("TruncatedEthernet"), std::string::npos) << s.malformed.first[0];
  EXPECT_NE(s.malformed.first[1].find("NotIpv4"), std::string::npos) << s.malformed.first[1];
  EXPECT_NE(s.malformed.first[2].find("NotUdp"), std::string::npos) << s.malformed.first[2];
  EXPECT_NE(s.malformed.first[3].find("TruncatedIpPacket"), std::string::npos) << s.malformed.first[3];
  EXPECT_EQ(s.gaps.events, 1u);
  EXPECT_EQ(s.gaps.first.first, 5u);
  EXPECT_EQ(s.gaps.first.last, 8u);
  EXPECT_EQ(s.duplicates.events, 1u);
  EXPECT_EQ(s.messages, 5u);  // 2 good adds, 2 damaged messages, the add after the gap
  EXPECT_EQ(s.live_orders, 3u);
  std::remove(path.c_str());
}

TEST(Replay, CorruptCaptureHeaderFailsWithFileAndOffset) {
  const std::string path = temp_path("corrupt.pcap");
  {
    std::ofstream out(path, std::ios::binary);
    // Version 9.4 where the format says 2.4.
    const unsigned char header[24] = {0xd4, 0xc3, 0xb2, 0xa1, 0x09, 0x00, 0x04, 0x00, 0,    0,    0, 0,
                                      0,    0,    0,    0,    0xff, 0xff, 0x00, 0x00, 0x01, 0x00, 0, 0};
    out.write(reinterpret_cast<const char*>(header), sizeof header);
    out.write("garbage", 7);
  }
  ReplayOptions o = small_books();
  o.input = path;
  try {
    replay(o);
    ADD_FAILURE() << "a corrupt header must fail the replay";
  } catch (const ReplayError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path), std::string::npos) << m;
    EXPECT_NE(m.find("offset 4"), std::string::npos) << m;
    EXPECT_NE(m.find("version"), std::string::npos) << m;
  }
  std::remove(path.c_str());
}

TEST(Replay, UnrecognisedAndMissingFilesFailWithOneLine) {
  const std::string path = temp_path("text.txt");
  {
    std::ofstream out(path);
    out << "hello, this is not market data\n";
  }
  ReplayOptions o = small_books();
  o.input = path;
  try {
    replay(o);
    ADD_FAILURE() << "an unrecognised file must fail";
  } catch (const ReplayError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(path + ": offset 0: unrecognised format"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  o.input = temp_path("does-not-exist.pcap");
  EXPECT_THROW(replay(o), ReplayError);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tachyon::dataplane
