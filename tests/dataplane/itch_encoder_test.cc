// Golden tests for the ITCH 5.0 encoder: the messages match mode publishes (S R A F E C X
// D U P) against byte arrays built from the spec's field tables, round trips of every
// message type, and the range checks.
#include "tachyon/dataplane/itch_encoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <tuple>
#include <vector>

#include "golden_bytes.h"
#include "tachyon/dataplane/itch_decoder.h"

namespace tachyon::dataplane::itch {
namespace {

using testing::Golden;

constexpr Header kHdr{3, 9, 34'200'000'000'123ull};  // 09:30:00.000000123

Golden golden_header(std::size_t len, char type) {
  Golden g(len);
  g.chr(0, type).num(1, 2, 3).num(3, 2, 9).num(5, 6, 34'200'000'000'123ull);
  return g;
}

template <class M>
std::vector<uint8_t> encoded(const M& m) {
  std::vector<uint8_t> out(M::kLength, 0xCC);
  EXPECT_EQ(encode(m, out), M::kLength);
  return out;
}

TEST(ItchEncoder, SystemEvent) {
  SystemEvent m{kHdr, 'C'};
  auto g = golden_header(12, 'S');
  g.chr(11, 'C');
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, StockDirectory) {
  StockDirectory m;
  m.header = kHdr;
  m.stock = Stock::from("TCHY");
  m.market_category = 'S';
  m.financial_status = 'N';
  m.round_lot_size = 100;
  m.round_lots_only = 'N';
  m.issue_classification = 'C';
  m.issue_subtype = Alpha<2>::from("Z");
  m.authenticity = 'T';
  m.short_sale_threshold = 'N';
  m.ipo_flag = ' ';
  m.luld_reference_price_tier = '2';
  m.etp_flag = 'N';
  m.etp_leverage_factor = 0;
  m.inverse_indicator = 'N';
  auto g = golden_header(39, 'R');
  g.alpha(11, 8, "TCHY").chr(19, 'S').chr(20, 'N').num(21, 4, 100).chr(25, 'N').chr(26, 'C').alpha(27, 2, "Z");
  g.chr(29, 'T').chr(30, 'N').chr(31, ' ').chr(32, '2').chr(33, 'N').num(34, 4, 0).chr(38, 'N');
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, AddOrder) {
  const AddOrder m{kHdr, 1001, 'B', 500, Stock::from("TCHY"), book::Price{1'000'100}};
  auto g = golden_header(36, 'A');
  g.num(11, 8, 1001).chr(19, 'B').num(20, 4, 500).alpha(24, 8, "TCHY").num(32, 4, 1'000'100);
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, AddOrderMpid) {
  const AddOrderMpid m{kHdr, 1002, 'S', 7, Stock::from("TCHY"), book::Price{999'900}, Mpid::from("TCHN")};
  auto g = golden_header(40, 'F');
  g.num(11, 8, 1002).chr(19, 'S').num(20, 4, 7).alpha(24, 8, "TCHY").num(32, 4, 999'900).alpha(36, 4, "TCHN");
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, OrderExecuted) {
  const OrderExecuted m{kHdr, 1001, 200, 0x0000010000000002ull};
  auto g = golden_header(31, 'E');
  g.num(11, 8, 1001).num(19, 4, 200).num(23, 8, 0x0000010000000002ull);
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, OrderExecutedWithPrice) {
  const OrderExecutedWithPrice m{kHdr, 1001, 100, 3, 'Y', book::Price{1'000'000}};
  auto g = golden_header(36, 'C');
  g.num(11, 8, 1001).num(19, 4, 100).num(23, 8, 3).chr(31, 'Y').num(32, 4, 1'000'000);
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, OrderCancel) {
  const OrderCancel m{kHdr, 1002, 3};
  auto g = golden_header(23, 'X');
  g.num(11, 8, 1002).num(19, 4, 3);
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, OrderDelete) {
  const OrderDelete m{kHdr, 1002};
  auto g = golden_header(19, 'D');
  g.num(11, 8, 1002);
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, OrderReplace) {
  const OrderReplace m{kHdr, 1001, 1003, 250, book::Price{1'000'200}};
  auto g = golden_header(35, 'U');
  g.num(11, 8, 1001).num(19, 8, 1003).num(27, 4, 250).num(31, 4, 1'000'200);
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, Trade) {
  const Trade m{kHdr, 0, 'B', 40, Stock::from("TCHY"), book::Price{1'000'050}, 4};
  auto g = golden_header(44, 'P');
  g.num(11, 8, 0).chr(19, 'B').num(20, 4, 40).alpha(24, 8, "TCHY").num(32, 4, 1'000'050).num(36, 8, 4);
  EXPECT_EQ(encoded(m), g.bytes());
}

TEST(ItchEncoder, RejectsShortBuffersAndOutOfRangeValues) {
  std::vector<uint8_t> out(64, 0);
  AddOrder a{kHdr, 1, 'B', 1, Stock::from("X"), book::Price{1}};
  EXPECT_EQ(encode(a, std::span<uint8_t>(out).first(35)), 0u);
  EXPECT_EQ(encode(a, std::span<uint8_t>(out).first(36)), 36u);
  a.price = book::Price{-1};
  EXPECT_EQ(encode(a, out), 0u);
  a.price = book::Price{int64_t{1} << 32};
  EXPECT_EQ(encode(a, out), 0u);
  a.price = book::Price{0xFFFFFFFFll};
  EXPECT_EQ(encode(a, out), 36u);
  a.header.timestamp = uint64_t{1} << 48;
  EXPECT_EQ(encode(a, out), 0u);
  a.header.timestamp = (uint64_t{1} << 48) - 1;
  EXPECT_EQ(encode(a, out), 36u);
}

// Fills every field of a message with random in-range values.
struct Randomizer {
  std::mt19937_64& rng;
  template <class T>
  void operator()(T& v) {
    if constexpr (wire::Composite<T>) {
      T::fields(v, *this);
    } else if constexpr (std::is_same_v<T, book::Price>) {
      v = book::Price{static_cast<int64_t>(rng() & 0xFFFFFFFFu)};
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(rng());
    } else {
      for (char& c : v.chars) c = static_cast<char>(rng());
    }
  }
  void operator()(uint64_t& v, wire::U48) { v = rng() >> 16; }
};

template <class M>
void round_trip(std::mt19937_64& rng) {
  for (int i = 0; i < 500; ++i) {
    M m{};
    Randomizer r{rng};
    M::fields(m, r);
    std::vector<uint8_t> out(M::kLength);
    ASSERT_EQ(encode(m, out), M::kLength);
    ASSERT_EQ(out[0], static_cast<uint8_t>(M::kType));
    M back{};
    ASSERT_EQ(decode_message(std::span<const uint8_t>(out), back), DecodeStatus::kOk);
    ASSERT_EQ(back, m) << "type " << M::kType;
  }
}

// field_offset() reads the offsets off the field lists; the golden layouts above and
// the specification give the same ones (the type byte is at 0).
TEST(WireLayout, FieldOffsetsFollowTheFieldList) {
  static_assert(wire::field_offset(&AddOrder::header) == 1);
  static_assert(wire::field_offset(&Header::timestamp) == 5);  // a U48 field
  EXPECT_EQ(wire::field_offset(&AddOrder::order_ref), 11u);
  EXPECT_EQ(wire::field_offset(&AddOrder::side), 19u);
  EXPECT_EQ(wire::field_offset(&AddOrder::shares), 20u);
  EXPECT_EQ(wire::field_offset(&AddOrder::stock), 24u);
  EXPECT_EQ(wire::field_offset(&AddOrder::price), 32u);
  EXPECT_EQ(wire::field_offset(&AddOrderMpid::attribution), 36u);
  EXPECT_EQ(wire::field_offset(&OrderExecuted::executed_shares), 19u);
  EXPECT_EQ(wire::field_offset(&OrderCancel::canceled_shares), 19u);
  EXPECT_EQ(wire::field_offset(&OrderReplace::new_order_ref), 19u);
  EXPECT_EQ(wire::field_offset(&OrderReplace::shares), 27u);
  EXPECT_EQ(wire::field_offset(&OrderReplace::price), 31u);
  EXPECT_EQ(wire::field_offset(&OrderExecutedWithPrice::execution_price), 32u);
}

TEST(ItchEncoder, EveryTypeRoundTrips) {
  std::mt19937_64 rng(20240601);
  std::apply([&](auto... m) { (round_trip<decltype(m)>(rng), ...); }, AllMessages{});
}

}  // namespace
}  // namespace tachyon::dataplane::itch
