// Tests for the LOBSTER CSV codecs: the AAPL sample files parse completely and write back
// byte for byte; malformed rows fail with the right line and column; rows written from a
// book follow LOBSTER's empty-level convention.
#include "tachyon/dataplane/lobster.h"

#include <gtest/gtest.h>

#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/lobster_orderbook.h"

namespace tachyon::dataplane::lobster {
namespace {

const std::string kDir = std::string(TACHYON_DATA_DIR) + "/lobster/";
const std::string kMessages = kDir + "AAPL_2012-06-21_34200000_57600000_message_10.csv";
const std::string kBook = kDir + "AAPL_2012-06-21_34200000_57600000_orderbook_10.csv";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(LobsterMessages, ParsesAFirstRowExactly) {
  Message m;
  ASSERT_FALSE(parse_message("34200.004241176,1,16113575,18,5853300,1", 1, m));
  EXPECT_EQ(m.time_ns, 34'200'004'241'176);
  EXPECT_EQ(m.type, EventType::kSubmit);
  EXPECT_EQ(m.order_id, 16113575u);
  EXPECT_EQ(m.size, 18);
  EXPECT_EQ(m.price, 5'853'300);  // $585.33
  EXPECT_EQ(m.direction, 1);
  // Fewer than 9 decimals scale up; a whole number of seconds is allowed.
  ASSERT_FALSE(parse_message("34200.00426064,3,1,2,3,-1", 2, m));
  EXPECT_EQ(m.time_ns, 34'200'004'260'640);
  EXPECT_EQ(m.direction, -1);
  ASSERT_FALSE(parse_message("34713,7,0,0,-1,-1", 3, m));
  EXPECT_EQ(m.time_ns, 34'713'000'000'000);
  EXPECT_EQ(m.type, EventType::kHalt);
  EXPECT_EQ(m.price, -1);
}

TEST(LobsterMessages, SampleFileParsesAndWritesBackIdentically) {
  const std::string text = slurp(kMessages);
  LineReader lines(text);
  std::string_view row;
  std::array<int, 8> by_type{};
  std::array<char, 128> out;
  uint32_t rows = 0;
  int64_t last_time = 0;
  while (lines.next(row)) {
    Message m;
    const Error e = parse_message(row, lines.line_number(), m);
    ASSERT_FALSE(e) << describe(e);
    ++by_type[static_cast<int>(m.type)];
    EXPECT_GE(m.time_ns, last_time) << "line " << lines.line_number();
    last_time = m.time_ns;
    const std::size_t n = format_message(m, out);
    ASSERT_GT(n, 0u);
    ASSERT_EQ(std::string_view(out.data(), n), row) << "line " << lines.line_number();
    ++rows;
  }
  // 998 newline-terminated rows plus a last row without a terminator.
  EXPECT_EQ(rows, 999u);
  EXPECT_EQ(by_type[1], 471);
  EXPECT_EQ(by_type[3], 369);
  EXPECT_EQ(by_type[4], 98);
  EXPECT_EQ(by_type[5], 61);
}

struct BadRow {
  const char* row;
  ErrorKind kind;
  uint32_t column;
};

TEST(LobsterMessages, ErrorsNameLineAndColumn) {
  const BadRow cases[] = {
      {"", ErrorKind::kEmptyField, 1},
      {"x,1,1,1,1,1", ErrorKind::kBadTime, 1},
      {"34200.,1,1,1,1,1", ErrorKind::kBadTime, 1},
      {"34200.1234567891,1,1,1,1,1", ErrorKind::kBadTime, 1},
      {"1234567890.5,1,1,1,1,1", ErrorKind::kBadTime, 1},
      {"-1.5,1,1,1,1,1", ErrorKind::kBadTime, 1},
      {"34200.1,0,1,1,1,1", ErrorKind::kBadType, 2},
      {"34200.1,8,1,1,1,1", ErrorKind::kBadType, 2},
      {"34200.1,,1,1,1,1", ErrorKind::kEmptyField, 2},
      {"34200.1,1,-5,1,1,1", ErrorKind::kOutOfRange, 3},
      {"34200.1,1,12a,1,1,1", ErrorKind::kBadNumber, 3},
      {"34200.1,1,1, 1,1,1", ErrorKind::kBadNumber, 4},
      {"34200.1,1,1,-1,1,1", ErrorKind::kOutOfRange, 4},
      {"34200.1,1,1,1,99999999999999999999,1", ErrorKind::kOutOfRange, 5},
      {"34200.1,1,1,1,-,1", ErrorKind::kBadNumber, 5},
      {"34200.1,1,1,1,1,0", ErrorKind::kBadDirection, 6},
      {"34200.1,1,1,1,1,2", ErrorKind::kBadDirection, 6},
      {"34200.1,1,1,1,1", ErrorKind::kMissingField, 6},
      {"34200.1,1,1,1", ErrorKind::kMissingField, 5},
      {"34200.1", ErrorKind::kMissingField, 2},
      {"34200.1,1,1,1,1,1,", ErrorKind::kExtraField, 7},
      {"34200.1,1,1,1,1,1,9", ErrorKind::kExtraField, 7},
  };
  for (const BadRow& c : cases) {
    Message m;
    const Error e = parse_message(c.row, 17, m);
    EXPECT_EQ(e.kind, c.kind) << c.row << ": " << describe(e);
    EXPECT_EQ(e.line, 17u) << c.row;
    EXPECT_EQ(e.column, c.column) << c.row << ": " << describe(e);
  }
  Message m;
  EXPECT_EQ(describe(parse_message("34200.1,1,1,1,1,0", 42, m)),
            "message file line 42, column 6 (direction): direction not 1 or -1");
}

TEST(LobsterMessages, LineReaderHandlesCrLfAndMissingTerminator) {
  LineReader r("a,b\r\nc\n\nd");
  std::string_view l;
  std::vector<std::string> got;
  while (r.next(l)) got.emplace_back(l);
  EXPECT_EQ(got, (std::vector<std::string>{"a,b", "c", "", "d"}));
  EXPECT_EQ(r.line_number(), 4u);
}

TEST(LobsterOrderbook, SampleFileParsesAndWritesBackIdentically) {
  const std::string text = slurp(kBook);
  LineReader lines(text);
  std::string_view row;
  std::array<Level, 10> asks, bids;
  std::vector<char> out(1024);
  uint32_t rows = 0;
  while (lines.next(row)) {
    const Error e = parse_orderbook(row, lines.line_number(), asks, bids);
    ASSERT_FALSE(e) << describe(e, "orderbook");
    // A valid book: asks rise, bids fall, the best ask is above the best bid.
    EXPECT_GT(asks[0].price, bids[0].price);
    for (int i = 1; i < 10; ++i) {
      if (asks[i].size > 0) {
        EXPECT_GT(asks[i].price, asks[i - 1].price);
      }
      if (bids[i].size > 0) {
        EXPECT_LT(bids[i].price, bids[i - 1].price);
      }
    }
    const std::size_t n = format_orderbook(asks, bids, out);
    ASSERT_EQ(std::string_view(out.data(), n), row) << "line " << lines.line_number();
    ++rows;
  }
  EXPECT_EQ(rows, 999u);
  // The first row, read field by field from the file.
  LineReader first(text);
  ASSERT_TRUE(first.next(row));
  ASSERT_FALSE(parse_orderbook(row, 1, asks, bids));
  EXPECT_EQ(asks[0], (Level{5'859'400, 200}));
  EXPECT_EQ(bids[0], (Level{5'853'300, 18}));
  EXPECT_EQ(asks[9], (Level{5'879'000, 500}));
  EXPECT_EQ(bids[9], (Level{5'842'700, 300}));
}

TEST(LobsterOrderbook, ErrorsNameLineAndColumn) {
  std::array<Level, 2> a, b;
  Error e = parse_orderbook("1,2,3,4,5,6,7", 3, a, b);
  EXPECT_EQ(e.kind, ErrorKind::kMissingField);
  EXPECT_EQ(e.column, 8u);
  e = parse_orderbook("1,2,3,4,5,6,7,8,9", 3, a, b);
  EXPECT_EQ(e.kind, ErrorKind::kExtraField);
  EXPECT_EQ(e.column, 9u);
  e = parse_orderbook("1,2,3,4,5,-6,7,8", 5, a, b);
  EXPECT_EQ(e.kind, ErrorKind::kOutOfRange);
  EXPECT_EQ(e.column, 6u);
  EXPECT_EQ(describe(e, "orderbook"), "orderbook file line 5, column 6 (level 2 ask size): value out of range");
  e = parse_orderbook("1,2,x,4,5,6,7,8", 5, a, b);
  EXPECT_EQ(e.kind, ErrorKind::kBadNumber);
  EXPECT_EQ(e.column, 3u);
  EXPECT_FALSE(parse_orderbook("9999999999,0,-9999999999,0,9999999999,0,-9999999999,0", 1, a, b));
  EXPECT_EQ(a[1], kEmptyAsk);
  EXPECT_EQ(b[1], kEmptyBid);
}

TEST(LobsterOrderbook, WritesABookWithEmptyLevels) {
  book::BookConfig cfg;
  cfg.max_orders = 16;
  cfg.max_levels = 16;
  book::BookShard shard(cfg);
  book::NullSink sink;
  const book::SymbolId s{0};
  shard.insert(1, s, book::OrderId{1}, book::Side::kSell, book::Price{5'859'400}, book::Qty{200}, sink);
  shard.insert(2, s, book::OrderId{2}, book::Side::kSell, book::Price{5'859'400}, book::Qty{100}, sink);
  shard.insert(3, s, book::OrderId{3}, book::Side::kSell, book::Price{5'860'000}, book::Qty{5}, sink);
  shard.insert(4, s, book::OrderId{4}, book::Side::kBuy, book::Price{5'853'300}, book::Qty{18}, sink);
  std::array<char, 256> out;
  std::size_t n = format_orderbook(shard.book(s), 3, out);
  EXPECT_EQ(std::string_view(out.data(), n),
            "5859400,300,5853300,18,5860000,5,-9999999999,0,9999999999,0,-9999999999,0");
  n = format_orderbook(shard.book(s), 1, out);
  EXPECT_EQ(std::string_view(out.data(), n), "5859400,300,5853300,18");
  EXPECT_EQ(format_orderbook(shard.book(s), 3, std::span<char>(out).first(20)), 0u);  // too small
  EXPECT_EQ(format_orderbook(shard.book(s), 0, out), 0u);
  EXPECT_EQ(format_orderbook(shard.book(s), kMaxLevels + 1, out), 0u);
}

TEST(LobsterMessages, FormatRejectsSmallBuffers) {
  Message m{34'200'004'241'176, EventType::kSubmit, 16113575, 18, 5853300, 1};
  std::array<char, 64> out;
  const std::size_t n = format_message(m, out);
  EXPECT_EQ(std::string_view(out.data(), n), "34200.004241176,1,16113575,18,5853300,1");
  for (std::size_t cap = 0; cap < n; ++cap) EXPECT_EQ(format_message(m, std::span<char>(out).first(cap)), 0u);
}

}  // namespace
}  // namespace tachyon::dataplane::lobster
