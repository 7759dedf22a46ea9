// Tests of the libpcap capture reader over files written byte by byte from the pcap
// and pcapng layouts: every magic and byte order, nanosecond timestamps, snaplen
// cuts, bursts, and clear errors for corrupt headers and truncated packets.
#include "tachyon/nic/pcap_reader.h"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "capture_test_files.h"
#include "golden_frames.h"
#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::nic {
namespace {

using Bytes = std::vector<uint8_t>;
using test::RawPacket;
using test::TempFile;

constexpr uint64_t kT0 = 1'700'000'000'123'456'789;  // 2023-11-14, odd ns digits

std::vector<RawPacket> three_packets() {
  Bytes filler(60);
  for (std::size_t i = 0; i < filler.size(); ++i) filler[i] = static_cast<uint8_t>(i * 7);
  return {{test::kGoldenMulticastFrame, kT0, 0},
          {test::kGoldenVlanFrame, kT0 + 1'000'000'001, 0},
          {filler, kT0 + 2'000'000'999, 0}};
}

Bytes data_of(const CapturedPacket& p) { return Bytes(p.data.begin(), p.data.end()); }

// Reads every packet, checking after each that the reader did not fail.
std::vector<std::pair<Bytes, CapturedPacket>> read_all(PcapReader& r) {
  std::vector<std::pair<Bytes, CapturedPacket>> out;
  CapturedPacket p;
  while (r.next(p) == ReadStatus::kPacket) out.emplace_back(data_of(p), p);
  EXPECT_TRUE(r.at_end()) << r.error();
  return out;
}

std::string open_error(const std::string& path) {
  try {
    PcapReader r(path);
  } catch (const CaptureError& e) {
    return e.what();
  }
  return "opened";
}

bool contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST(PcapReader, ReadsClassicPcapInEveryMagicAndByteOrder) {
  const auto packets = three_packets();
  for (bool nano : {false, true}) {
    for (bool big : {false, true}) {
      SCOPED_TRACE(std::string(nano ? "ns " : "us ") + (big ? "big-endian" : "little-endian"));
      TempFile f("variant.pcap", test::make_pcap(packets, nano, big));
      PcapReader r(f.path());
      EXPECT_EQ(r.link_type(), kDltEthernet);
      EXPECT_STREQ(r.link_type_name(), "EN10MB");
      EXPECT_EQ(r.snap_len(), 65535u);
      EXPECT_EQ(r.sniff().format, CaptureFormat::kPcap);
      EXPECT_EQ(r.sniff().big_endian, big);
      EXPECT_EQ(r.sniff().precision,
                nano ? TimestampPrecision::kNanosecond : TimestampPrecision::kMicrosecond);
      const auto got = read_all(r);
      ASSERT_EQ(got.size(), packets.size());
      for (std::size_t i = 0; i < packets.size(); ++i) {
        EXPECT_EQ(got[i].first, packets[i].data) << i;
        // A microsecond file keeps whole microseconds, scaled to ns.
        const uint64_t want_ts = nano ? packets[i].timestamp_ns : packets[i].timestamp_ns / 1000 * 1000;
        EXPECT_EQ(got[i].second.timestamp_ns, want_ts) << i;
        EXPECT_EQ(got[i].second.original_length, packets[i].data.size()) << i;
        EXPECT_EQ(got[i].second.captured_length(), packets[i].data.size()) << i;
      }
      EXPECT_EQ(r.packets_read(), 3u);
    }
  }
}

TEST(PcapReader, EndIsSticky) {
  TempFile f("sticky.pcap", test::make_pcap(three_packets(), true, false));
  PcapReader r(f.path());
  CapturedPacket p;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(r.next(p), ReadStatus::kEnd);
  EXPECT_EQ(r.next(p), ReadStatus::kEnd);
  EXPECT_TRUE(r.at_end());
  EXPECT_FALSE(r.failed());
  EXPECT_EQ(r.error(), "");
}

TEST(PcapReader, ClassicSecondsAreUnsigned) {
  // The seconds field is unsigned 32-bit: 3,000,000,000 s is in 2065, not 1904.
  const uint64_t t = 3'000'000'000'000'000'123;
  const uint64_t last = 4'294'967'295'999'999'999;  // the largest the format holds
  for (bool big : {false, true}) {
    TempFile f("y2038.pcap", test::make_pcap({{Bytes(60, 1), t, 0}, {Bytes(60, 2), last, 0}}, true, big));
    PcapReader r(f.path());
    CapturedPacket p;
    ASSERT_EQ(r.next(p), ReadStatus::kPacket);
    EXPECT_EQ(p.timestamp_ns, t);
    ASSERT_EQ(r.next(p), ReadStatus::kPacket);
    EXPECT_EQ(p.timestamp_ns, last);
  }
}

TEST(PcapReader, EmptyCaptureEndsAtOnce) {
  TempFile f("empty.pcap", test::make_pcap({}, true, false));
  PcapReader r(f.path());
  CapturedPacket p;
  EXPECT_EQ(r.next(p), ReadStatus::kEnd);
  std::array<CapturedPacket, 4> burst;
  EXPECT_EQ(r.rx_burst(burst), 0u);
}

TEST(PcapReader, SnapLengthCutKeepsOriginalLength) {
  Bytes cut(test::kGoldenMulticastFrame.begin(), test::kGoldenMulticastFrame.begin() + 34);
  TempFile f("snap.pcap", test::make_pcap({{cut, kT0, 50}}, true, false, 1, 34));
  PcapReader r(f.path());
  CapturedPacket p;
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(p.captured_length(), 34u);
  EXPECT_EQ(p.original_length, 50u);
  UdpFrame frame;
  EXPECT_EQ(decode_udp_frame(p.data, frame), FrameError::kTruncatedIpPacket);
}

TEST(PcapReader, ReadsPcapngWithEachResolutionAndByteOrder) {
  const auto packets = three_packets();
  struct Res {
    std::optional<uint8_t> tsresol;
    uint64_t unit_ns;  // timestamps keep whole units of this size
  };
  for (const Res& res : {Res{std::nullopt, 1000}, Res{9, 1}, Res{3, 1'000'000}}) {
    for (bool big : {false, true}) {
      SCOPED_TRACE("tsresol " + std::to_string(res.unit_ns) + (big ? " big" : " little"));
      TempFile f("variant.pcapng", test::make_pcapng(packets, big, res.tsresol));
      PcapReader r(f.path());
      EXPECT_EQ(r.sniff().format, CaptureFormat::kPcapng);
      EXPECT_EQ(r.sniff().big_endian, big);
      EXPECT_EQ(r.link_type(), kDltEthernet);
      const auto got = read_all(r);
      ASSERT_EQ(got.size(), packets.size());
      for (std::size_t i = 0; i < packets.size(); ++i) {
        EXPECT_EQ(got[i].first, packets[i].data) << i;
        EXPECT_EQ(got[i].second.timestamp_ns, packets[i].timestamp_ns / res.unit_ns * res.unit_ns) << i;
        EXPECT_EQ(got[i].second.original_length, packets[i].data.size()) << i;
      }
    }
  }
}

TEST(PcapReader, PcapngOriginalLengthBeyondCaptured) {
  Bytes cut(test::kGoldenVlanFrame.begin(), test::kGoldenVlanFrame.begin() + 21);  // odd: padded
  TempFile f("orig.pcapng", test::make_pcapng({{cut, kT0, 49}, {test::kGoldenVlanFrame, kT0, 0}},
                                               false, 9));
  PcapReader r(f.path());
  const auto got = read_all(r);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, cut);
  EXPECT_EQ(got[0].second.original_length, 49u);
  EXPECT_EQ(got[1].first, test::kGoldenVlanFrame);
}

TEST(PcapReader, ReportsOtherLinkTypes) {
  const Bytes ip(test::kGoldenMulticastFrame.begin() + 14, test::kGoldenMulticastFrame.end());
  TempFile f("raw.pcap", test::make_pcap({{ip, kT0, 0}}, true, false, 101));  // LINKTYPE_RAW
  PcapReader r(f.path());
  EXPECT_NE(r.link_type(), kDltEthernet);
  EXPECT_STREQ(r.link_type_name(), "RAW");
  CapturedPacket p;
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  UdpFrame frame;
  EXPECT_EQ(decode_ipv4_udp(p.data, frame), FrameError::kOk);
  EXPECT_EQ(frame.dst_port, 26400);
}

// --- errors -------------------------------------------------------------------------

TEST(PcapReaderErrors, MissingFile) {
  const std::string msg = open_error("/nonexistent/dir/feed.pcap");
  EXPECT_TRUE(contains(msg, "'/nonexistent/dir/feed.pcap'")) << msg;
  EXPECT_TRUE(contains(msg, "No such file or directory")) << msg;
}

TEST(PcapReaderErrors, CorruptMagicNamesFileLibpcapAndOffset) {
  Bytes file = test::make_pcap(three_packets(), true, false);
  file[0] = 0x00;
  TempFile f("badmagic.pcap", file);
  const std::string msg = open_error(f.path());
  EXPECT_TRUE(contains(msg, f.path())) << msg;
  EXPECT_TRUE(contains(msg, "pcap_fopen_offline_with_tstamp_precision failed")) << msg;
  EXPECT_TRUE(contains(msg, "unknown file format")) << msg;  // libpcap's words
  EXPECT_TRUE(contains(msg, "byte offset 0")) << msg;
}

TEST(PcapReaderErrors, CorruptVersionNamesOffsetFour) {
  Bytes file = test::make_pcap(three_packets(), false, false);
  file[4] = 9;  // version 9.4
  TempFile f("badversion.pcap", file);
  const std::string msg = open_error(f.path());
  EXPECT_TRUE(contains(msg, f.path())) << msg;
  EXPECT_TRUE(contains(msg, "byte offset 4")) << msg;
  EXPECT_TRUE(contains(msg, "9.4")) << msg;
}

TEST(PcapReaderErrors, TruncatedGlobalHeader) {
  Bytes file = test::make_pcap({}, true, false);
  file.resize(13);
  TempFile f("shorthdr.pcap", file);
  const std::string msg = open_error(f.path());
  EXPECT_TRUE(contains(msg, f.path())) << msg;
  EXPECT_TRUE(contains(msg, "truncated")) << msg;
  EXPECT_TRUE(contains(msg, "byte offset 13")) << msg;
}

TEST(PcapReaderErrors, EmptyFile) {
  TempFile f("zero.pcap", Bytes{});
  const std::string msg = open_error(f.path());
  EXPECT_TRUE(contains(msg, f.path())) << msg;
  EXPECT_TRUE(contains(msg, "only 0 bytes")) << msg;
}

TEST(PcapReaderErrors, CorruptPcapngSectionHeader) {
  Bytes file = test::make_pcapng(three_packets(), false, 9);
  file[8] = 0x00;  // byte-order magic
  TempFile f("badbom.pcapng", file);
  const std::string msg = open_error(f.path());
  EXPECT_TRUE(contains(msg, f.path())) << msg;
  EXPECT_TRUE(contains(msg, "byte offset 8")) << msg;
}

TEST(PcapReaderErrors, TruncatedLastPacketDataFailsAfterTheGoodOnes) {
  const auto packets = three_packets();
  Bytes file = test::make_pcap(packets, true, false);
  file.resize(file.size() - 5);
  TempFile f("cutdata.pcap", file);
  PcapReader r(f.path());
  CapturedPacket p;
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(data_of(p), packets[0].data);
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(data_of(p), packets[1].data);
  EXPECT_EQ(r.next(p), ReadStatus::kError);
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.next(p), ReadStatus::kError);  // sticky
  const std::string msg(r.error());
  const std::size_t third_record = 24 + 16 + packets[0].data.size() + 16 + packets[1].data.size();
  EXPECT_TRUE(contains(msg, f.path())) << msg;
  EXPECT_TRUE(contains(msg, "packet 3 ")) << msg;
  EXPECT_TRUE(contains(msg, "byte offset " + std::to_string(third_record))) << msg;
  EXPECT_TRUE(contains(msg, "truncated dump file")) << msg;  // libpcap's words
  EXPECT_EQ(r.packets_read(), 2u);
}

TEST(PcapReaderErrors, TruncatedLastRecordHeader) {
  const auto packets = three_packets();
  Bytes file = test::make_pcap(packets, true, true);
  file.resize(file.size() - packets[2].data.size() - 6);  // 10 of 16 header bytes left
  TempFile f("cuthdr.pcap", file);
  PcapReader r(f.path());
  CapturedPacket p;
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(r.next(p), ReadStatus::kError);
  EXPECT_TRUE(contains(r.error(), "packet 3 ")) << r.error();
  EXPECT_TRUE(contains(r.error(), "truncated")) << r.error();
}

TEST(PcapReaderErrors, TruncatedPcapngBlock) {
  Bytes file = test::make_pcapng(three_packets(), false, 9);
  file.resize(file.size() - 7);
  TempFile f("cut.pcapng", file);
  PcapReader r(f.path());
  CapturedPacket p;
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(r.next(p), ReadStatus::kError);
  EXPECT_TRUE(contains(r.error(), f.path())) << r.error();
  EXPECT_TRUE(contains(r.error(), "packet 3 ")) << r.error();
  EXPECT_TRUE(contains(r.error(), "truncated")) << r.error();
}

// --- bursts ---------------------------------------------------------------------------

std::vector<RawPacket> numbered_packets(std::size_t n) {
  std::vector<RawPacket> out;
  for (std::size_t i = 0; i < n; ++i) {
    Bytes d(60 + (i * 37) % 200);
    for (std::size_t j = 0; j < d.size(); ++j) d[j] = static_cast<uint8_t>(i + j);
    out.push_back({std::move(d), kT0 + i * 1000 + i, 0});
  }
  return out;
}

// Drains r by bursts of burst_size; checks every view of a burst only once the burst
// call has returned, so each must stay valid alongside the others.
void drain_by_bursts(PcapReader& r, const std::vector<RawPacket>& want, std::size_t burst_size,
                     std::vector<std::size_t>* counts) {
  std::vector<CapturedPacket> burst(burst_size);
  std::size_t next = 0;
  while (std::size_t n = r.rx_burst(burst)) {
    counts->push_back(n);
    for (std::size_t i = 0; i < n; ++i, ++next) {
      ASSERT_LT(next, want.size());
      EXPECT_EQ(data_of(burst[i]), want[next].data) << next;
      EXPECT_EQ(burst[i].timestamp_ns, want[next].timestamp_ns) << next;
    }
  }
  EXPECT_EQ(next, want.size());
}

TEST(PcapReaderBurst, BurstsOf32KeepEveryViewValid) {
  const auto packets = numbered_packets(100);
  TempFile f("burst.pcap", test::make_pcap(packets, true, false));
  PcapReader r(f.path());
  std::vector<std::size_t> counts;
  drain_by_bursts(r, packets, 32, &counts);
  EXPECT_EQ(counts, (std::vector<std::size_t>{32, 32, 32, 4}));
  EXPECT_TRUE(r.at_end());
}

TEST(PcapReaderBurst, SmallArenaShortensBurstsButLosesNothing) {
  const auto packets = numbered_packets(50);  // 60..259 bytes each
  TempFile f("arena.pcapng", test::make_pcapng(packets, false, 9));
  PcapReaderOptions opt;
  opt.burst_arena_bytes = 300;
  PcapReader r(f.path(), opt);
  std::vector<std::size_t> counts;
  drain_by_bursts(r, packets, 32, &counts);
  EXPECT_GT(counts.size(), 2u);
  for (std::size_t c : counts) EXPECT_LE(c, 5u);  // at most 4 copied + 1 in place
  EXPECT_TRUE(r.at_end());
}

TEST(PcapReaderBurst, ZeroArenaStillDeliversOnePacketPerBurst) {
  const auto packets = numbered_packets(5);
  TempFile f("noarena.pcap", test::make_pcap(packets, true, false));
  PcapReaderOptions opt;
  opt.burst_arena_bytes = 0;
  PcapReader r(f.path(), opt);
  std::vector<std::size_t> counts;
  drain_by_bursts(r, packets, 8, &counts);
  EXPECT_EQ(counts, (std::vector<std::size_t>{1, 1, 1, 1, 1}));
}

TEST(PcapReaderBurst, BurstStopsAtAnErrorWithThePacketsBeforeIt) {
  const auto packets = numbered_packets(10);
  Bytes file = test::make_pcap(packets, true, false);
  file.resize(file.size() - 3);
  TempFile f("bursterr.pcap", file);
  PcapReader r(f.path());
  std::array<CapturedPacket, 32> burst;
  ASSERT_EQ(r.rx_burst(burst), 9u);
  for (std::size_t i = 0; i < 9; ++i) EXPECT_EQ(data_of(burst[i]), packets[i].data);
  EXPECT_TRUE(r.failed());
  EXPECT_TRUE(contains(r.error(), "packet 10 ")) << r.error();
  EXPECT_EQ(r.rx_burst(burst), 0u);
}

TEST(PcapReader, MovedReaderContinues) {
  const auto packets = three_packets();
  TempFile f("move.pcap", test::make_pcap(packets, true, false));
  PcapReader a(f.path());
  CapturedPacket p;
  ASSERT_EQ(a.next(p), ReadStatus::kPacket);
  PcapReader b(std::move(a));
  ASSERT_EQ(b.next(p), ReadStatus::kPacket);
  EXPECT_EQ(data_of(p), packets[1].data);
  EXPECT_EQ(b.path(), f.path());
}

}  // namespace
}  // namespace tachyon::nic
