// Tests of capture-file content sniffing: each pcap magic and byte order, pcapng in
// both byte orders, and the offset and text of each header problem.
#include "tachyon/nic/capture_sniff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture_test_files.h"
#include "tachyon/nic/capture_error.h"

namespace tachyon::nic {
namespace {

using Bytes = std::vector<uint8_t>;

TEST(CaptureSniff, ClassicPcapMagicsAndByteOrders) {
  struct Case {
    Bytes magic;
    TimestampPrecision precision;
    bool big;
  };
  const Case cases[] = {
      {{0xd4, 0xc3, 0xb2, 0xa1}, TimestampPrecision::kMicrosecond, false},
      {{0xa1, 0xb2, 0xc3, 0xd4}, TimestampPrecision::kMicrosecond, true},
      {{0x4d, 0x3c, 0xb2, 0xa1}, TimestampPrecision::kNanosecond, false},
      {{0xa1, 0xb2, 0x3c, 0x4d}, TimestampPrecision::kNanosecond, true},
  };
  for (const Case& c : cases) {
    const bool nano = c.precision == TimestampPrecision::kNanosecond;
    const Bytes file = test::make_pcap({}, nano, c.big, 1, 65535);
    ASSERT_TRUE(std::equal(c.magic.begin(), c.magic.end(), file.begin()));
    const CaptureSniff s = sniff_capture(file);
    EXPECT_TRUE(s.ok()) << s.problem;
    EXPECT_EQ(s.format, CaptureFormat::kPcap);
    EXPECT_EQ(s.precision, c.precision);
    EXPECT_EQ(s.big_endian, c.big);
    EXPECT_EQ(s.version_major, 2);
    EXPECT_EQ(s.version_minor, 4);
    EXPECT_EQ(s.snap_len, 65535u);
    EXPECT_EQ(s.link_type, 1u);
  }
}

TEST(CaptureSniff, PcapngBothByteOrders) {
  for (bool big : {false, true}) {
    const CaptureSniff s = sniff_capture(test::make_pcapng({}, big, std::nullopt));
    EXPECT_TRUE(s.ok()) << s.problem;
    EXPECT_EQ(s.format, CaptureFormat::kPcapng);
    EXPECT_EQ(s.big_endian, big);
    EXPECT_EQ(s.version_major, 1);
    EXPECT_EQ(s.precision, TimestampPrecision::kUnspecified);
  }
}

TEST(CaptureSniff, UnknownMagicNamesItAtOffsetZero) {
  const Bytes itch_like = {0x00, 0x0c, 'S', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  const CaptureSniff s = sniff_capture(itch_like);
  EXPECT_EQ(s.format, CaptureFormat::kUnknown);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.problem_offset, 0u);
  EXPECT_NE(s.problem.find("0x000c5300"), std::string::npos) << s.problem;
}

TEST(CaptureSniff, RealItchFileIsUnknown) {
  const CaptureSniff s =
      sniff_capture_file(std::string(TACHYON_DATA_DIR) + "/itch/ex20101224.TEST_ITCH_50.binaryfile");
  EXPECT_EQ(s.format, CaptureFormat::kUnknown);
  EXPECT_EQ(s.problem_offset, 0u);
}

TEST(CaptureSniff, TooShortForAMagic) {
  const CaptureSniff s = sniff_capture(Bytes{0xd4, 0xc3});
  EXPECT_EQ(s.format, CaptureFormat::kUnknown);
  EXPECT_EQ(s.problem_offset, 2u);
  EXPECT_NE(s.problem.find("only 2 bytes"), std::string::npos) << s.problem;
}

TEST(CaptureSniff, TruncatedPcapHeaderKeepsFormat) {
  Bytes file = test::make_pcap({}, false, false);
  file.resize(10);
  const CaptureSniff s = sniff_capture(file);
  EXPECT_EQ(s.format, CaptureFormat::kPcap);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.problem_offset, 10u);
  EXPECT_NE(s.problem.find("10 of 24 bytes"), std::string::npos) << s.problem;
}

TEST(CaptureSniff, BadPcapVersionAtOffsetFour) {
  Bytes file = test::make_pcap({}, true, false);
  file[4] = 3;  // version 3.4
  const CaptureSniff s = sniff_capture(file);
  EXPECT_EQ(s.format, CaptureFormat::kPcap);
  EXPECT_EQ(s.problem_offset, 4u);
  EXPECT_NE(s.problem.find("3.4"), std::string::npos) << s.problem;
}

TEST(CaptureSniff, PcapngProblems) {
  Bytes bom = test::make_pcapng({}, false, std::nullopt);
  bom[8] = 0x00;
  CaptureSniff s = sniff_capture(bom);
  EXPECT_EQ(s.format, CaptureFormat::kPcapng);
  EXPECT_EQ(s.problem_offset, 8u);
  EXPECT_NE(s.problem.find("byte-order magic"), std::string::npos) << s.problem;

  Bytes len = test::make_pcapng({}, true, std::nullopt);
  len[7] = 30;  // block length 30: not a multiple of 4
  s = sniff_capture(len);
  EXPECT_EQ(s.problem_offset, 4u);
  EXPECT_NE(s.problem.find("length 30"), std::string::npos) << s.problem;

  Bytes ver = test::make_pcapng({}, false, std::nullopt);
  ver[12] = 2;  // version 2.0
  s = sniff_capture(ver);
  EXPECT_EQ(s.problem_offset, 12u);
  EXPECT_NE(s.problem.find("2.0"), std::string::npos) << s.problem;

  Bytes cut = test::make_pcapng({}, false, std::nullopt);
  cut.resize(16);
  s = sniff_capture(cut);
  EXPECT_EQ(s.problem_offset, 16u);
}

TEST(CaptureSniff, MissingFileThrowsNamingIt) {
  try {
    (void)sniff_capture_file("/nonexistent/dir/x.pcap");
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/dir/x.pcap"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos) << e.what();
  }
}

TEST(CaptureSniff, FormatNames) {
  EXPECT_STREQ(to_string(CaptureFormat::kPcap), "pcap");
  EXPECT_STREQ(to_string(CaptureFormat::kPcapng), "pcapng");
  EXPECT_STREQ(to_string(CaptureFormat::kUnknown), "unknown");
}

}  // namespace
}  // namespace tachyon::nic
