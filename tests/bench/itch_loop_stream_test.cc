// Tests of the looped ITCH stream behind itch_bench: the sample's published facts, each
// pass's references moved to fresh orders (and nothing else changed), and what the two
// variants leave in a book replayed through the feed handler.
#include "tachyon/bench/itch_loop_stream.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "../nic/capture_test_files.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_binary_file.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::bench {
namespace {

namespace itch = dataplane::itch;

const std::string kSample = std::string(TACHYON_DATA_DIR) + "/itch/ex20101224.TEST_ITCH_50.binaryfile";

// The published facts of the sample (see ../shared/data/README.md and issue 3).
constexpr uint64_t kMessages = 12'012;
constexpr uint64_t kResting = 3'204;
constexpr uint64_t kUnknownRefs = 117;

struct Replayed {
  itch::BinaryFileReport report;
  itch::BookBuilderStats stats;
  uint32_t live = 0;
};

Replayed replay(const ItchLoopStream& s) {
  book::BookConfig cfg;
  cfg.max_orders = 1u << 16;
  cfg.max_levels = 1u << 14;
  cfg.max_symbols = 8;
  book::BookShard shard(cfg);
  book::NullSink sink;
  itch::BookBuilder<book::NullSink> b(shard, sink);
  Replayed r;
  r.report = itch::scan_binary_file(s.bytes, b);
  r.stats = b.stats();
  r.live = shard.live_orders();
  return r;
}

// Collects every order reference in stream order.
struct Refs {
  std::vector<uint64_t> refs;
  template <class M>
  void on(const M& m) noexcept {
    if constexpr (requires { m.order_ref; }) refs.push_back(m.order_ref);
    if constexpr (requires { m.original_order_ref; }) {
      refs.push_back(m.original_order_ref);
      refs.push_back(m.new_order_ref);
    }
  }
};

TEST(ItchLoopStream, SampleFacts) {
  const ItchSample s = load_itch_sample(kSample);
  EXPECT_EQ(s.record_offsets.size(), kMessages);
  EXPECT_EQ(s.resting_refs.size(), kResting);
  EXPECT_EQ(s.resting_locates.size(), kResting);
  EXPECT_EQ(s.zero_prefixes, 0u);
  EXPECT_GT(s.max_ref, 0u);
  EXPECT_THROW(load_itch_sample(kSample + ".missing"), std::runtime_error);
}

TEST(ItchLoopStream, EachPassMovesTheReferencesOnlyAndKeepsEveryOtherByte) {
  const ItchSample s = load_itch_sample(kSample);
  const ItchLoopStream st = build_itch_loop_stream(s, 2 * kMessages, ItchLoopVariant::kAccumulating);
  ASSERT_EQ(st.passes, 2u);
  ASSERT_EQ(st.bytes.size(), 2 * s.bytes.size());
  EXPECT_GT(st.ref_stride, s.max_ref);
  // Pass 0 is the sample itself.
  EXPECT_EQ(std::memcmp(st.bytes.data(), s.bytes.data(), s.bytes.size()), 0);
  Refs a, b;
  itch::scan_binary_file(std::span<const uint8_t>(st.bytes.data(), s.bytes.size()), a);
  itch::scan_binary_file(std::span<const uint8_t>(st.bytes.data() + s.bytes.size(), s.bytes.size()), b);
  ASSERT_EQ(a.refs.size(), b.refs.size());
  for (std::size_t i = 0; i < a.refs.size(); ++i) {
    // P carries its reference unchanged (non-displayed orders never reach the book).
    if (b.refs[i] != a.refs[i]) EXPECT_EQ(b.refs[i], a.refs[i] + st.ref_stride) << i;
  }
  // Only reference bytes differ between the passes.
  std::size_t differing = 0;
  for (std::size_t i = 0; i < s.bytes.size(); ++i) differing += st.bytes[i] != st.bytes[s.bytes.size() + i];
  EXPECT_GT(differing, 0u);
  EXPECT_LE(differing, 8 * a.refs.size());
}

TEST(ItchLoopStream, AccumulatingPassesKeepTheirLeftovers) {
  const ItchSample s = load_itch_sample(kSample);
  const ItchLoopStream st = build_itch_loop_stream(s, 3 * kMessages - 5, ItchLoopVariant::kAccumulating);
  EXPECT_EQ(st.passes, 3u);
  EXPECT_EQ(st.messages, 3 * kMessages);
  EXPECT_EQ(st.appended_deletes, 0u);
  EXPECT_EQ(st.resting_at_end, 3 * kResting);
  const Replayed r = replay(st);
  EXPECT_TRUE(r.report.clean());
  EXPECT_EQ(r.report.messages, 3 * kMessages);
  EXPECT_EQ(r.live, 3 * kResting);
  EXPECT_EQ(r.stats.total_unknown_refs(), 3 * kUnknownRefs);
  EXPECT_EQ(r.stats.messages['A'], 3 * 4'997u);
  for (const uint64_t c : r.stats.rejects) EXPECT_EQ(c, 0u);
}

TEST(ItchLoopStream, SteadyPassesDeleteTheirLeftovers) {
  const ItchSample s = load_itch_sample(kSample);
  const ItchLoopStream st = build_itch_loop_stream(s, 3 * (kMessages + kResting), ItchLoopVariant::kSteady);
  EXPECT_EQ(st.passes, 3u);
  EXPECT_EQ(st.messages, 3 * (kMessages + kResting));
  EXPECT_EQ(st.appended_deletes, 3 * kResting);
  EXPECT_EQ(st.resting_at_end, 0u);
  const Replayed r = replay(st);
  EXPECT_TRUE(r.report.clean());
  EXPECT_EQ(r.report.messages, st.messages);
  EXPECT_EQ(r.live, 0u);
  EXPECT_EQ(r.stats.messages['D'], 3 * (1'745u + kResting));
  EXPECT_EQ(r.stats.total_unknown_refs(), 3 * kUnknownRefs);  // the appended deletes all hit
}

// A generated feed capture is a sample too: its MoldUDP64 messages, in capture order,
// become the BinaryFILE records, and a pass leaves what the feed handler leaves.
TEST(ItchLoopStream, AFeedCaptureIsReadAsTheMessagesOfItsDatagrams) {
  nic::test::TempFile cap("loop-feed.pcap");
  CaptureConfig cfg;
  cfg.kind = CaptureKind::kFeed;
  cfg.messages = 4000;
  const CaptureInfo info = generate_capture(cfg, cap.path());
  const ItchSample s = load_itch_sample(cap.path());
  ASSERT_EQ(s.record_offsets.size(), info.messages);

  // The same messages, byte for byte, as walking the datagrams.
  std::vector<std::vector<uint8_t>> expected;
  nic::PcapReader r(cap.path());
  nic::CapturedPacket p;
  while (r.next(p) == nic::ReadStatus::kPacket) {
    nic::UdpFrame f;
    ASSERT_EQ(nic::decode_udp_frame(p.data, f), nic::FrameError::kOk);
    dataplane::mold::Packet mp;
    ASSERT_TRUE(dataplane::mold::parse(f.payload, mp).ok());
    mp.for_each([&](uint64_t, std::span<const uint8_t> m) { expected.emplace_back(m.begin(), m.end()); });
  }
  ASSERT_EQ(expected.size(), s.record_offsets.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const uint8_t* rec = &s.bytes[s.record_offsets[i]];
    ASSERT_EQ(dataplane::load_be16(rec), expected[i].size()) << "record " << i;
    ASSERT_EQ(std::memcmp(rec + 2, expected[i].data(), expected[i].size()), 0) << "record " << i;
  }

  // Looped, each pass's orders are fresh ones: two passes leave twice one pass's orders.
  const ItchLoopStream st = build_itch_loop_stream(s, 2 * info.messages, ItchLoopVariant::kAccumulating);
  const Replayed rp = replay(st);
  EXPECT_TRUE(rp.report.clean());
  EXPECT_EQ(rp.report.messages, 2 * info.messages);
  EXPECT_EQ(rp.live, 2 * s.resting_refs.size());
  EXPECT_EQ(rp.stats.total_unknown_refs(), 0u);
}

// A capture whose frames are not MoldUDP64 over UDP is refused, naming the packet.
TEST(ItchLoopStream, ACaptureOfOtherFramesIsRefusedNamingThePacket) {
  nic::test::RawPacket arp;
  arp.data.assign(60, 0);
  arp.data[12] = 0x08;
  arp.data[13] = 0x06;  // EtherType ARP
  nic::test::TempFile cap("loop-arp.pcap", nic::test::make_pcap({arp}, true, false));
  try {
    (void)load_itch_sample(cap.path());
    FAIL() << "an ARP capture was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(cap.path() + ": packet 1: "), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tachyon::bench
