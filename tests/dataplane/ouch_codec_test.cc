// Golden tests for the OUCH 4.2 codec: every message built from the spec's field table,
// decode -> fields, encode -> the same bytes, direction handling of 'U', error cases, and
// the documented book-reason mappings.
#include "tachyon/dataplane/ouch_codec.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <span>
#include <tuple>
#include <vector>

#include "golden_bytes.h"
#include "tachyon/dataplane/ouch_reasons.h"

namespace tachyon::dataplane::ouch {
namespace {

using testing::Golden;

enum class Dir { kIn, kOut };

template <class M, Dir D>
M decoded(std::span<const uint8_t> b) {
  struct H {
    M m{};
    int n = 0;
    void on(const M& x) noexcept {
      m = x;
      ++n;
    }
  } h;
  const DecodeStatus st = D == Dir::kIn ? decode_inbound(b, h) : decode_outbound(b, h);
  EXPECT_EQ(st, DecodeStatus::kOk);
  EXPECT_EQ(h.n, 1);
  std::vector<uint8_t> out(M::kLength, 0xCC);
  EXPECT_EQ(encode(h.m, out), M::kLength);
  EXPECT_EQ(out, std::vector<uint8_t>(b.begin(), b.end()));
  return h.m;
}

constexpr uint64_t kTs = 34'200'123'456'789ull;

TEST(OuchCodec, EnterOrder) {
  Golden g(49);
  g.chr(0, 'O').alpha(1, 14, "TOKEN0000001").chr(15, 'B').num(16, 4, 300).alpha(20, 8, "AAPL");
  g.num(28, 4, 1'234'500).num(32, 4, kTifSystemHours).alpha(36, 4, "FIRM").chr(40, 'P').chr(41, 'A');
  g.chr(42, 'N').num(43, 4, 100).chr(47, 'N').chr(48, 'R');
  const auto m = decoded<EnterOrder, Dir::kIn>(g.span());
  EXPECT_EQ(m.token.trimmed(), "TOKEN0000001");
  EXPECT_EQ(m.side, 'B');
  EXPECT_EQ(m.shares, 300u);
  EXPECT_EQ(m.stock.trimmed(), "AAPL");
  EXPECT_EQ(m.price, book::Price{1'234'500});
  EXPECT_EQ(m.time_in_force, 99999u);
  EXPECT_EQ(m.firm.raw(), "FIRM");
  EXPECT_EQ(m.display, 'P');
  EXPECT_EQ(m.capacity, 'A');
  EXPECT_EQ(m.intermarket_sweep, 'N');
  EXPECT_EQ(m.minimum_quantity, 100u);
  EXPECT_EQ(m.cross_type, 'N');
  EXPECT_EQ(m.customer_type, 'R');
}

TEST(OuchCodec, ReplaceOrder) {
  Golden g(47);
  g.chr(0, 'U').alpha(1, 14, "OLD").alpha(15, 14, "NEW").num(29, 4, 250).num(33, 4, 1'000'100);
  g.num(37, 4, 0).chr(41, 'Y').chr(42, 'Y').num(43, 4, 0);
  const auto m = decoded<ReplaceOrder, Dir::kIn>(g.span());
  EXPECT_EQ(m.existing_token.trimmed(), "OLD");
  EXPECT_EQ(m.replacement_token.trimmed(), "NEW");
  EXPECT_EQ(m.shares, 250u);
  EXPECT_EQ(m.price, book::Price{1'000'100});
  EXPECT_EQ(m.time_in_force, kTifImmediate);
  EXPECT_EQ(m.display, 'Y');
  EXPECT_EQ(m.intermarket_sweep, 'Y');
  EXPECT_EQ(m.minimum_quantity, 0u);
}

TEST(OuchCodec, CancelOrder) {
  Golden g(19);
  g.chr(0, 'X').alpha(1, 14, "T1").num(15, 4, 0);
  const auto m = decoded<CancelOrder, Dir::kIn>(g.span());
  EXPECT_EQ(m.token.raw(), "T1            ");
  EXPECT_EQ(m.shares, 0u);
}

TEST(OuchCodec, SystemEvent) {
  Golden g(10);
  g.chr(0, 'S').num(1, 8, kTs).chr(9, 'S');
  const auto m = decoded<SystemEvent, Dir::kOut>(g.span());
  EXPECT_EQ(m.timestamp, kTs);
  EXPECT_EQ(m.event_code, 'S');
}

TEST(OuchCodec, Accepted) {
  Golden g(66);
  g.chr(0, 'A').num(1, 8, kTs).alpha(9, 14, "TOKEN0000001").chr(23, 'S').num(24, 4, 500).alpha(28, 8, "MSFT");
  g.num(36, 4, 3'000'000).num(40, 4, kTifMarketHours).alpha(44, 4, "ABCD").chr(48, 'Y');
  g.num(49, 8, 0x0123456789ABCDEFull).chr(57, 'P').chr(58, 'N').num(59, 4, 0).chr(63, 'N').chr(64, 'L');
  g.chr(65, ' ');
  const auto m = decoded<Accepted, Dir::kOut>(g.span());
  EXPECT_EQ(m.timestamp, kTs);
  EXPECT_EQ(m.token.trimmed(), "TOKEN0000001");
  EXPECT_EQ(m.side, 'S');
  EXPECT_EQ(m.shares, 500u);
  EXPECT_EQ(m.stock.trimmed(), "MSFT");
  EXPECT_EQ(m.price, book::Price{3'000'000});
  EXPECT_EQ(m.time_in_force, 99998u);
  EXPECT_EQ(m.firm.raw(), "ABCD");
  EXPECT_EQ(m.display, 'Y');
  EXPECT_EQ(m.order_ref, 0x0123456789ABCDEFull);
  EXPECT_EQ(m.capacity, 'P');
  EXPECT_EQ(m.intermarket_sweep, 'N');
  EXPECT_EQ(m.minimum_quantity, 0u);
  EXPECT_EQ(m.cross_type, 'N');
  EXPECT_EQ(m.order_state, 'L');
  EXPECT_EQ(m.bbo_weight, ' ');
}

TEST(OuchCodec, Replaced) {
  Golden g(80);
  g.chr(0, 'U').num(1, 8, kTs).alpha(9, 14, "NEW").chr(23, 'B').num(24, 4, 250).alpha(28, 8, "MSFT");
  g.num(36, 4, 2'999'900).num(40, 4, 99999).alpha(44, 4, "ABCD").chr(48, 'Y').num(49, 8, 77).chr(57, 'A');
  g.chr(58, 'N').num(59, 4, 0).chr(63, 'N').chr(64, 'L').alpha(65, 14, "OLD").chr(79, '1');
  const auto m = decoded<Replaced, Dir::kOut>(g.span());
  EXPECT_EQ(m.replacement_token.trimmed(), "NEW");
  EXPECT_EQ(m.side, 'B');
  EXPECT_EQ(m.shares, 250u);
  EXPECT_EQ(m.price, book::Price{2'999'900});
  EXPECT_EQ(m.order_ref, 77u);
  EXPECT_EQ(m.order_state, 'L');
  EXPECT_EQ(m.previous_token.trimmed(), "OLD");
  EXPECT_EQ(m.bbo_weight, '1');
}

TEST(OuchCodec, Canceled) {
  Golden g(28);
  g.chr(0, 'C').num(1, 8, kTs).alpha(9, 14, "T1").num(23, 4, 75).chr(27, 'I');
  const auto m = decoded<Canceled, Dir::kOut>(g.span());
  EXPECT_EQ(m.token.trimmed(), "T1");
  EXPECT_EQ(m.decrement_shares, 75u);
  EXPECT_EQ(m.reason, 'I');
}

TEST(OuchCodec, Executed) {
  Golden g(40);
  g.chr(0, 'E').num(1, 8, kTs).alpha(9, 14, "T1").num(23, 4, 40).num(27, 4, 1'000'000).chr(31, 'R');
  g.num(32, 8, 123456);
  const auto m = decoded<Executed, Dir::kOut>(g.span());
  EXPECT_EQ(m.executed_shares, 40u);
  EXPECT_EQ(m.execution_price, book::Price{1'000'000});
  EXPECT_EQ(m.liquidity_flag, 'R');
  EXPECT_EQ(m.match_number, 123456u);
}

TEST(OuchCodec, BrokenTrade) {
  Golden g(32);
  g.chr(0, 'B').num(1, 8, kTs).alpha(9, 14, "T1").num(23, 8, 123456).chr(31, 'E');
  const auto m = decoded<BrokenTrade, Dir::kOut>(g.span());
  EXPECT_EQ(m.match_number, 123456u);
  EXPECT_EQ(m.reason, 'E');
}

TEST(OuchCodec, Rejected) {
  Golden g(24);
  g.chr(0, 'J').num(1, 8, kTs).alpha(9, 14, "T2").chr(23, 'X');
  const auto m = decoded<Rejected, Dir::kOut>(g.span());
  EXPECT_EQ(m.token.trimmed(), "T2");
  EXPECT_EQ(m.reason, 'X');
}

struct CountAll {
  int n = 0;
  template <class M>
  void on(const M&) noexcept {
    ++n;
  }
};

TEST(OuchCodec, DirectionsAndErrors) {
  CountAll h;
  std::vector<uint8_t> b(80, 0);
  b[0] = 'U';
  // 'U' is Replace Order (47) inbound and Replaced (80) outbound.
  EXPECT_EQ(decode_inbound(b.data(), 47, h), DecodeStatus::kOk);
  EXPECT_EQ(decode_outbound(b.data(), 80, h), DecodeStatus::kOk);
  EXPECT_EQ(decode_inbound(b.data(), 80, h), DecodeStatus::kBadLength);
  EXPECT_EQ(decode_outbound(b.data(), 47, h), DecodeStatus::kBadLength);
  // Outbound types are unknown inbound and the reverse.
  b[0] = 'A';
  EXPECT_EQ(decode_inbound(b.data(), 66, h), DecodeStatus::kUnknownType);
  b[0] = 'O';
  EXPECT_EQ(decode_outbound(b.data(), 49, h), DecodeStatus::kUnknownType);
  EXPECT_EQ(decode_inbound(b.data(), 48, h), DecodeStatus::kBadLength);  // truncated
  EXPECT_EQ(decode_inbound(b.data(), 50, h), DecodeStatus::kBadLength);
  b[0] = 'Q';
  EXPECT_EQ(decode_inbound(b.data(), 49, h), DecodeStatus::kUnknownType);
  EXPECT_EQ(decode_outbound(b.data(), 49, h), DecodeStatus::kUnknownType);
  EXPECT_EQ(decode_inbound(b.data(), 0, h), DecodeStatus::kEmpty);
  EXPECT_EQ(h.n, 2);

  EnterOrder o{};
  std::vector<uint8_t> out(49);
  o.price = book::Price{-5};
  EXPECT_EQ(encode(o, out), 0u);
  o.price = book::Price{5};
  EXPECT_EQ(encode(o, std::span<uint8_t>(out).first(48)), 0u);
  EXPECT_EQ(encode(o, out), 49u);
}

template <class M>
void round_trip(std::mt19937_64& rng) {
  for (int i = 0; i < 300; ++i) {
    M m{};
    auto fill = [&](auto& v) {
      using T = std::remove_reference_t<decltype(v)>;
      if constexpr (std::is_same_v<T, book::Price>) {
        v = book::Price{static_cast<int64_t>(rng() & 0xFFFFFFFFu)};
      } else if constexpr (std::is_integral_v<T>) {
        v = static_cast<T>(rng());
      } else {
        for (char& c : v.chars) c = static_cast<char>(rng());
      }
    };
    M::fields(m, fill);
    std::vector<uint8_t> out(M::kLength);
    ASSERT_EQ(encode(m, out), M::kLength);
    M back{};
    ASSERT_EQ(decode_message(std::span<const uint8_t>(out), back), DecodeStatus::kOk);
    ASSERT_EQ(back, m);
  }
}

TEST(OuchCodec, EveryTypeRoundTrips) {
  std::mt19937_64 rng(42);
  std::apply([&](auto... m) { (round_trip<decltype(m)>(rng), ...); }, InboundMessages{});
  std::apply([&](auto... m) { (round_trip<decltype(m)>(rng), ...); }, OutboundMessages{});
}

TEST(OuchReasons, BookRejectReasonsMapToOuchCodes) {
  using book::RejectReason;
  EXPECT_EQ(static_cast<char>(to_reject_code(RejectReason::kPriceOutOfRange)), 'X');
  EXPECT_EQ(static_cast<char>(to_reject_code(RejectReason::kQtyOutOfRange)), 'Z');
  EXPECT_EQ(static_cast<char>(to_reject_code(RejectReason::kUnknownSymbol)), 'S');
  EXPECT_EQ(static_cast<char>(to_reject_code(RejectReason::kPostOnlyWouldCross)), 'D');
  for (const RejectReason r : {RejectReason::kNone, RejectReason::kNotResting, RejectReason::kDuplicateOrderId,
                               RejectReason::kPoolExhausted, RejectReason::kInvalidMessage})
    EXPECT_EQ(static_cast<char>(to_reject_code(r)), 'O') << book::to_string(r);
}

TEST(OuchReasons, BookCancelReasonsMapToOuchCodes) {
  using book::CancelReason;
  EXPECT_EQ(static_cast<char>(to_cancel_code(CancelReason::kUser)), 'U');
  EXPECT_EQ(static_cast<char>(to_cancel_code(CancelReason::kIocRemainder)), 'I');
  EXPECT_EQ(static_cast<char>(to_cancel_code(CancelReason::kMarketRemainder)), 'I');
  EXPECT_EQ(static_cast<char>(to_cancel_code(CancelReason::kFokUnfillable)), 'I');
  EXPECT_EQ(static_cast<char>(to_cancel_code(CancelReason::kReplaced)), 'U');
}

TEST(OuchReasons, SidesAndOrderTypes) {
  book::Side s{};
  EXPECT_TRUE(to_book_side('B', s));
  EXPECT_EQ(s, book::Side::kBuy);
  for (const char c : {'S', 'T', 'E'}) {
    EXPECT_TRUE(to_book_side(c, s));
    EXPECT_EQ(s, book::Side::kSell);
  }
  EXPECT_FALSE(to_book_side('X', s));
  EXPECT_EQ(to_side_code(book::Side::kBuy), 'B');
  EXPECT_EQ(to_side_code(book::Side::kSell), 'S');
  EXPECT_EQ(to_book_order_type(kTifImmediate, 'Y'), book::OrderType::kIoc);
  EXPECT_EQ(to_book_order_type(kTifSystemHours, 'P'), book::OrderType::kPostOnly);
  EXPECT_EQ(to_book_order_type(kTifMarketHours, 'Y'), book::OrderType::kLimit);
}

}  // namespace
}  // namespace tachyon::dataplane::ouch
