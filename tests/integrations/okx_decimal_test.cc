// Exact decimal parsing into ticks and lots (no doubles), printing, and the OKX book
// checksum: the CRC vectors of issue 8 and its interleaving rule.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <zlib.h>

#include <string>

#include "tachyon/okx/book_checksum.h"
#include "tachyon/okx/decimal.h"

namespace tachyon::okx {
namespace {

TEST(OkxDecimal, ParsesExactlyAndKeepsScale) {
  EXPECT_EQ(Decimal::parse("3366.1"), (Decimal{33661, 1}));
  EXPECT_EQ(Decimal::parse("0.00000001"), (Decimal{1, 8}));
  EXPECT_EQ(Decimal::parse("-12.340"), (Decimal{-12340, 3}));
  EXPECT_EQ(Decimal::parse("30000"), (Decimal{30000, 0}));
  EXPECT_EQ(Decimal::parse("000.5"), (Decimal{5, 1}));
  EXPECT_EQ(Decimal::parse("999999999999999999"), (Decimal{999999999999999999, 0}));
  for (const char* bad : {"", "-", ".", "1.", ".5", "1e5", "+1", "1.2.3", "abc", "1 ", "1234567890123456789",
                          "0.0000000000000000001", "NaN"})
    EXPECT_FALSE(Decimal::parse(bad).has_value()) << bad;
}

TEST(OkxDecimal, ConvertsToWholeTicksAndLotsOnly) {
  const Units tick = *Units::parse("0.1");
  const Units lot = *Units::parse("0.00000001");
  int64_t v = 0;
  EXPECT_TRUE(tick.to_units("3366.1", v));
  EXPECT_EQ(v, 33661);
  EXPECT_TRUE(tick.to_units("3366", v));
  EXPECT_EQ(v, 33660);
  EXPECT_TRUE(tick.to_units("3366.10000", v));  // trailing zeros are exact
  EXPECT_EQ(v, 33661);
  EXPECT_FALSE(tick.to_units("3366.15", v));  // not a whole tick
  EXPECT_TRUE(lot.to_units("1.23456789", v));
  EXPECT_EQ(v, 123456789);
  EXPECT_FALSE(lot.to_units("0.000000001", v));
  const Units five = *Units::parse("0.5");
  EXPECT_TRUE(five.to_units("2.5", v));
  EXPECT_EQ(v, 5);
  EXPECT_FALSE(five.to_units("2.2", v));
  EXPECT_FALSE(Units::parse("0").has_value());
  EXPECT_FALSE(Units::parse("-0.1").has_value());
  EXPECT_EQ(tick.to_decimal(33661)->to_string(), "3366.1");
  EXPECT_EQ(five.to_decimal(5)->to_string(), "2.5");
}

TEST(OkxDecimal, PrintsExactAndCanonicalForms) {
  EXPECT_EQ((Decimal{10, 2}).to_string(), "0.10");
  EXPECT_EQ((Decimal{10, 2}).to_canonical_string(), "0.1");
  EXPECT_EQ((Decimal{33660, 1}).to_canonical_string(), "3366");
  EXPECT_EQ((Decimal{-5, 3}).to_string(), "-0.005");
  EXPECT_EQ((Decimal{0, 4}).to_canonical_string(), "0");
  EXPECT_EQ((Decimal{123, 0}).to_canonical_string(), "123");
}

RC_GTEST_PROP(OkxDecimal, UnitsRoundTripThroughText, (int64_t units, uint8_t step_scale, uint16_t step_mant)) {
  const int scale = step_scale % 10;
  const int64_t mant = 1 + step_mant % 50;
  const Units u(Decimal{mant, static_cast<uint8_t>(scale)});
  const int64_t n = units % 1'000'000'000'000;
  const auto d = u.to_decimal(n);
  RC_ASSERT(d.has_value());
  int64_t back = 0;
  RC_ASSERT(u.to_units(d->to_string(), back));
  RC_ASSERT(back == n);
  RC_ASSERT(u.to_units(d->to_canonical_string(), back));
  RC_ASSERT(back == n);
}

TEST(OkxChecksum, GoldenVectorsFromTheIssue) {
  EXPECT_EQ(okx_crc32("3366.1:7:3366.8:9:3366:6:3368:8"), -1881014294);
  EXPECT_EQ(okx_crc32("3366.1:7:3366.8:9:3368:8:3372:8"), 831078360);
}

TEST(OkxChecksum, InterleavesBidsAndAsksAndLetsTheShorterSideEnd) {
  auto lv = [](const char* p, const char* s) { return DecimalLevel{*Decimal::parse(p), *Decimal::parse(s)}; };
  const DecimalLevel bids1[] = {lv("3366.1", "7"), lv("3366", "6")};
  const DecimalLevel asks1[] = {lv("3366.8", "9"), lv("3368", "8")};
  char buf[kChecksumTextMax];
  EXPECT_EQ(std::string(buf, okx_checksum_text(bids1, asks1, buf)), "3366.1:7:3366.8:9:3366:6:3368:8");
  EXPECT_EQ(okx_checksum(bids1, asks1), -1881014294);

  const DecimalLevel bids2[] = {lv("3366.1", "7")};
  const DecimalLevel asks2[] = {lv("3366.8", "9"), lv("3368", "8"), lv("3372", "8")};
  EXPECT_EQ(std::string(buf, okx_checksum_text(bids2, asks2, buf)), "3366.1:7:3366.8:9:3368:8:3372:8");
  EXPECT_EQ(okx_checksum(bids2, asks2), 831078360);

  // Trailing zeros as sent ("3366.10") print in the shortest form.
  const DecimalLevel bids3[] = {lv("3366.10", "7.000"), lv("3366.0", "6")};
  EXPECT_EQ(okx_checksum(bids3, asks1), -1881014294);
}

TEST(OkxChecksum, UsesOnlyTheBest25LevelsOfEachSide) {
  std::vector<DecimalLevel> bids, asks;
  std::string expect;
  for (int i = 0; i < 30; ++i) {
    bids.push_back({Decimal{1000 - i, 0}, Decimal{i + 1, 1}});
    asks.push_back({Decimal{2000 + i, 0}, Decimal{i + 2, 2}});
    if (i < 25) {
      if (!expect.empty()) expect += ':';
      expect += bids.back().price.to_canonical_string() + ":" + bids.back().size.to_canonical_string() + ":" +
                asks.back().price.to_canonical_string() + ":" + asks.back().size.to_canonical_string();
    }
  }
  char buf[kChecksumTextMax];
  EXPECT_EQ(std::string(buf, okx_checksum_text(bids, asks, buf)), expect);
  // zlib's crc32, read as signed, independently of okx_crc32.
  const auto c = static_cast<int32_t>(static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(expect.data()), static_cast<uInt>(expect.size()))));
  EXPECT_EQ(okx_checksum(bids, asks), c);
}

}  // namespace
}  // namespace tachyon::okx
