// Golden tests for the ITCH 5.0 decoder: every message type built from the spec's field
// table (offset, length), real messages from the sample file, and the error cases.
#include "tachyon/dataplane/itch_decoder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <span>
#include <tuple>
#include <vector>

#include "golden_bytes.h"
#include "tachyon/dataplane/itch_encoder.h"

namespace tachyon::dataplane::itch {
namespace {

using testing::Golden;
using testing::hex;

// Decodes b through the dispatching decoder, expecting exactly one M, and checks that
// encoding it gives back the same bytes.
template <class M>
M decoded(std::span<const uint8_t> b) {
  struct H {
    M m{};
    int n = 0;
    void on(const M& x) noexcept {
      m = x;
      ++n;
    }
  } h;
  EXPECT_EQ(decode(b, h), DecodeStatus::kOk);
  EXPECT_EQ(h.n, 1);
  std::vector<uint8_t> out(M::kLength + 8, 0);
  EXPECT_EQ(encode(h.m, out), M::kLength);
  out.resize(M::kLength);
  EXPECT_EQ(out, std::vector<uint8_t>(b.begin(), b.end()));
  return h.m;
}

// The common header used by the spec-built goldens below.
Golden with_header(std::size_t len, char type) {
  Golden g(len);
  g.chr(0, type).num(1, 2, 0x1234).num(3, 2, 0x0007).num(5, 6, 0x2F3A1B2C3D4Eull);
  return g;
}
void expect_header(const Header& h) {
  EXPECT_EQ(h.stock_locate, 0x1234);
  EXPECT_EQ(h.tracking_number, 7);
  EXPECT_EQ(h.timestamp, 0x2F3A1B2C3D4Eull);
}

TEST(ItchDecoder, MessageLengthsMatchTheSpec) {
  const std::pair<char, std::size_t> spec[] = {
      {'S', 12}, {'R', 39}, {'H', 25}, {'Y', 20}, {'L', 26}, {'V', 35}, {'W', 12}, {'K', 28},
      {'J', 35}, {'h', 21}, {'A', 36}, {'F', 40}, {'E', 31}, {'C', 36}, {'X', 23}, {'D', 19},
      {'U', 35}, {'P', 44}, {'Q', 40}, {'B', 19}, {'I', 50}, {'N', 20}, {'O', 48}};
  int known = 0;
  for (int t = 0; t < 256; ++t) known += message_length(static_cast<uint8_t>(t)) != 0;
  EXPECT_EQ(known, 23);
  EXPECT_EQ(kMessageTypeCount, 23u);
  for (const auto& [type, len] : spec) EXPECT_EQ(message_length(static_cast<uint8_t>(type)), len) << type;
}

TEST(ItchDecoder, SystemEvent) {
  auto g = with_header(12, 'S');
  g.chr(11, 'Q');
  const auto m = decoded<SystemEvent>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.event_code, 'Q');
}

TEST(ItchDecoder, StockDirectory) {
  auto g = with_header(39, 'R');
  g.alpha(11, 8, "AAPL").chr(19, 'Q').chr(20, 'N').num(21, 4, 100).chr(25, 'N').chr(26, 'C').alpha(27, 2, "Z");
  g.chr(29, 'P').chr(30, 'N').chr(31, 'N').chr(32, '1').chr(33, 'Y').num(34, 4, 3).chr(38, 'Y');
  const auto m = decoded<StockDirectory>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.stock.trimmed(), "AAPL");
  EXPECT_EQ(m.stock.raw(), "AAPL    ");
  EXPECT_EQ(m.market_category, 'Q');
  EXPECT_EQ(m.financial_status, 'N');
  EXPECT_EQ(m.round_lot_size, 100u);
  EXPECT_EQ(m.round_lots_only, 'N');
  EXPECT_EQ(m.issue_classification, 'C');
  EXPECT_EQ(m.issue_subtype.raw(), "Z ");
  EXPECT_EQ(m.authenticity, 'P');
  EXPECT_EQ(m.short_sale_threshold, 'N');
  EXPECT_EQ(m.ipo_flag, 'N');
  EXPECT_EQ(m.luld_reference_price_tier, '1');
  EXPECT_EQ(m.etp_flag, 'Y');
  EXPECT_EQ(m.etp_leverage_factor, 3u);
  EXPECT_EQ(m.inverse_indicator, 'Y');
}

TEST(ItchDecoder, StockTradingAction) {
  auto g = with_header(25, 'H');
  g.alpha(11, 8, "MSFT").chr(19, 'H').chr(20, ' ').alpha(21, 4, "LUDP");
  const auto m = decoded<StockTradingAction>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.stock.trimmed(), "MSFT");
  EXPECT_EQ(m.trading_state, 'H');
  EXPECT_EQ(m.reserved, ' ');
  EXPECT_EQ(m.reason.raw(), "LUDP");
}

TEST(ItchDecoder, RegShoRestriction) {
  auto g = with_header(20, 'Y');
  g.alpha(11, 8, "XYZ").chr(19, '1');
  const auto m = decoded<RegShoRestriction>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.stock.trimmed(), "XYZ");
  EXPECT_EQ(m.reg_sho_action, '1');
}

TEST(ItchDecoder, MarketParticipantPosition) {
  auto g = with_header(26, 'L');
  g.alpha(11, 4, "GSCO").alpha(15, 8, "IBM").chr(23, 'Y').chr(24, 'N').chr(25, 'A');
  const auto m = decoded<MarketParticipantPosition>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.mpid.raw(), "GSCO");
  EXPECT_EQ(m.stock.trimmed(), "IBM");
  EXPECT_EQ(m.primary_market_maker, 'Y');
  EXPECT_EQ(m.market_maker_mode, 'N');
  EXPECT_EQ(m.market_participant_state, 'A');
}

TEST(ItchDecoder, MwcbDeclineLevel) {
  auto g = with_header(35, 'V');
  g.num(11, 8, 305'000'000'000ull).num(19, 8, 290'000'000'000ull).num(27, 8, 0x0102030405060708ull);
  const auto m = decoded<MwcbDeclineLevel>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.level1, 305'000'000'000ull);
  EXPECT_EQ(m.level2, 290'000'000'000ull);
  EXPECT_EQ(m.level3, 0x0102030405060708ull);
}

TEST(ItchDecoder, MwcbStatus) {
  auto g = with_header(12, 'W');
  g.chr(11, '2');
  EXPECT_EQ(decoded<MwcbStatus>(g.span()).breached_level, '2');
}

TEST(ItchDecoder, IpoQuotingPeriodUpdate) {
  auto g = with_header(28, 'K');
  g.alpha(11, 8, "NEWCO").num(19, 4, 34200).chr(23, 'A').num(24, 4, 215000);
  const auto m = decoded<IpoQuotingPeriodUpdate>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.stock.trimmed(), "NEWCO");
  EXPECT_EQ(m.release_time, 34200u);
  EXPECT_EQ(m.release_qualifier, 'A');
  EXPECT_EQ(m.ipo_price, book::Price{215000});
}

TEST(ItchDecoder, LuldAuctionCollar) {
  auto g = with_header(35, 'J');
  g.alpha(11, 8, "ZVZZT").num(19, 4, 100000).num(23, 4, 110000).num(27, 4, 90000).num(31, 4, 2);
  const auto m = decoded<LuldAuctionCollar>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.reference_price, book::Price{100000});
  EXPECT_EQ(m.upper_collar, book::Price{110000});
  EXPECT_EQ(m.lower_collar, book::Price{90000});
  EXPECT_EQ(m.extension, 2u);
}

TEST(ItchDecoder, OperationalHalt) {
  auto g = with_header(21, 'h');
  g.alpha(11, 8, "QQQ").chr(19, 'Q').chr(20, 'H');
  const auto m = decoded<OperationalHalt>(g.span());
  EXPECT_EQ(m.stock.trimmed(), "QQQ");
  EXPECT_EQ(m.market_code, 'Q');
  EXPECT_EQ(m.action, 'H');
}

TEST(ItchDecoder, AddOrder) {
  auto g = with_header(36, 'A');
  g.num(11, 8, 0x8877665544332211ull).chr(19, 'S').num(20, 4, 300).alpha(24, 8, "AAPL").num(32, 4, 1'234'500);
  const auto m = decoded<AddOrder>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.order_ref, 0x8877665544332211ull);
  EXPECT_EQ(m.side, 'S');
  EXPECT_EQ(m.shares, 300u);
  EXPECT_EQ(m.stock.trimmed(), "AAPL");
  EXPECT_EQ(m.price, book::Price{1'234'500});  // $123.45
}

TEST(ItchDecoder, AddOrderMpid) {
  auto g = with_header(40, 'F');
  g.num(11, 8, 42).chr(19, 'B').num(20, 4, 0xFFFFFFFFu).alpha(24, 8, "GOOGL").num(32, 4, 0xFFFFFFFFu);
  g.alpha(36, 4, "MSCO");
  const auto m = decoded<AddOrderMpid>(g.span());
  EXPECT_EQ(m.order_ref, 42u);
  EXPECT_EQ(m.side, 'B');
  EXPECT_EQ(m.shares, 0xFFFFFFFFu);
  EXPECT_EQ(m.price, book::Price{0xFFFFFFFFll});  // unsigned on the wire
  EXPECT_EQ(m.attribution.raw(), "MSCO");
}

TEST(ItchDecoder, OrderExecuted) {
  auto g = with_header(31, 'E');
  g.num(11, 8, 5).num(19, 4, 70).num(23, 8, 0xABCDEF0123ull);
  const auto m = decoded<OrderExecuted>(g.span());
  expect_header(m.header);
  EXPECT_EQ(m.order_ref, 5u);
  EXPECT_EQ(m.executed_shares, 70u);
  EXPECT_EQ(m.match_number, 0xABCDEF0123ull);
}

TEST(ItchDecoder, OrderExecutedWithPrice) {
  auto g = with_header(36, 'C');
  g.num(11, 8, 6).num(19, 4, 25).num(23, 8, 99).chr(31, 'N').num(32, 4, 500100);
  const auto m = decoded<OrderExecutedWithPrice>(g.span());
  EXPECT_EQ(m.order_ref, 6u);
  EXPECT_EQ(m.executed_shares, 25u);
  EXPECT_EQ(m.match_number, 99u);
  EXPECT_EQ(m.printable, 'N');
  EXPECT_EQ(m.execution_price, book::Price{500100});
}

TEST(ItchDecoder, OrderCancel) {
  auto g = with_header(23, 'X');
  g.num(11, 8, 7).num(19, 4, 40);
  const auto m = decoded<OrderCancel>(g.span());
  EXPECT_EQ(m.order_ref, 7u);
  EXPECT_EQ(m.canceled_shares, 40u);
}

TEST(ItchDecoder, OrderDelete) {
  auto g = with_header(19, 'D');
  g.num(11, 8, 0xFFFFFFFFFFFFFFFFull);
  EXPECT_EQ(decoded<OrderDelete>(g.span()).order_ref, 0xFFFFFFFFFFFFFFFFull);
}

TEST(ItchDecoder, OrderReplace) {
  auto g = with_header(35, 'U');
  g.num(11, 8, 8).num(19, 8, 9).num(27, 4, 150).num(31, 4, 101);
  const auto m = decoded<OrderReplace>(g.span());
  EXPECT_EQ(m.original_order_ref, 8u);
  EXPECT_EQ(m.new_order_ref, 9u);
  EXPECT_EQ(m.shares, 150u);
  EXPECT_EQ(m.price, book::Price{101});
}

TEST(ItchDecoder, Trade) {
  auto g = with_header(44, 'P');
  g.num(11, 8, 0).chr(19, 'B').num(20, 4, 200).alpha(24, 8, "BOB").num(32, 4, 53333).num(36, 8, 19447);
  const auto m = decoded<Trade>(g.span());
  EXPECT_EQ(m.order_ref, 0u);
  EXPECT_EQ(m.side, 'B');
  EXPECT_EQ(m.shares, 200u);
  EXPECT_EQ(m.stock.trimmed(), "BOB");
  EXPECT_EQ(m.price, book::Price{53333});
  EXPECT_EQ(m.match_number, 19447u);
}

TEST(ItchDecoder, CrossTrade) {
  auto g = with_header(40, 'Q');
  g.num(11, 8, 5'000'000'000ull).alpha(19, 8, "SPY").num(27, 4, 4'000'000).num(31, 8, 77).chr(39, 'O');
  const auto m = decoded<CrossTrade>(g.span());
  EXPECT_EQ(m.shares, 5'000'000'000ull);  // 8-byte shares
  EXPECT_EQ(m.stock.trimmed(), "SPY");
  EXPECT_EQ(m.cross_price, book::Price{4'000'000});
  EXPECT_EQ(m.match_number, 77u);
  EXPECT_EQ(m.cross_type, 'O');
}

TEST(ItchDecoder, BrokenTrade) {
  auto g = with_header(19, 'B');
  g.num(11, 8, 123456789);
  EXPECT_EQ(decoded<BrokenTrade>(g.span()).match_number, 123456789u);
}

TEST(ItchDecoder, Noii) {
  auto g = with_header(50, 'I');
  g.num(11, 8, 1000).num(19, 8, 250).chr(27, 'B').alpha(28, 8, "TSLA").num(36, 4, 2'500'000);
  g.num(40, 4, 2'490'000).num(44, 4, 2'495'000).chr(48, 'C').chr(49, 'L');
  const auto m = decoded<Noii>(g.span());
  EXPECT_EQ(m.paired_shares, 1000u);
  EXPECT_EQ(m.imbalance_shares, 250u);
  EXPECT_EQ(m.imbalance_direction, 'B');
  EXPECT_EQ(m.stock.trimmed(), "TSLA");
  EXPECT_EQ(m.far_price, book::Price{2'500'000});
  EXPECT_EQ(m.near_price, book::Price{2'490'000});
  EXPECT_EQ(m.current_reference_price, book::Price{2'495'000});
  EXPECT_EQ(m.cross_type, 'C');
  EXPECT_EQ(m.price_variation_indicator, 'L');
}

TEST(ItchDecoder, RetailPriceImprovement) {
  auto g = with_header(20, 'N');
  g.alpha(11, 8, "AMD").chr(19, 'A');
  const auto m = decoded<RetailPriceImprovement>(g.span());
  EXPECT_EQ(m.stock.trimmed(), "AMD");
  EXPECT_EQ(m.interest_flag, 'A');
}

TEST(ItchDecoder, DirectListingCapitalRaise) {
  auto g = with_header(48, 'O');
  g.alpha(11, 8, "DLCR").chr(19, 'Y').num(20, 4, 80000).num(24, 4, 180000).num(28, 4, 105000);
  g.num(32, 8, 36'000'000'000'000ull).num(40, 4, 94500).num(44, 4, 115500);
  const auto m = decoded<DirectListingCapitalRaise>(g.span());
  EXPECT_EQ(m.open_eligibility_status, 'Y');
  EXPECT_EQ(m.minimum_allowable_price, book::Price{80000});
  EXPECT_EQ(m.maximum_allowable_price, book::Price{180000});
  EXPECT_EQ(m.near_execution_price, book::Price{105000});
  EXPECT_EQ(m.near_execution_time, 36'000'000'000'000ull);
  EXPECT_EQ(m.lower_price_range_collar, book::Price{94500});
  EXPECT_EQ(m.upper_price_range_collar, book::Price{115500});
}

// Real messages, as they appear in the Nasdaq BX sample (../shared/data/itch).
TEST(ItchDecoder, RealSampleMessages) {
  const auto s = decoded<SystemEvent>(hex("53 0000 0000 0a30478f8f96 4f"));
  EXPECT_EQ(s.header.timestamp, 0x0a30478f8f96ull);  // 03:02:59.xxx
  EXPECT_EQ(s.event_code, 'O');                      // start of messages

  const auto r = decoded<StockDirectory>(
      hex("52 0001 0000 0a66a2943614 414c432020202020 4e 4e 00000064 4e 41 5a20 50 4e 4e 32 4e 00000000 4e"));
  EXPECT_EQ(r.header.stock_locate, 1);
  EXPECT_EQ(r.stock.trimmed(), "ALC");
  EXPECT_EQ(r.market_category, 'N');
  EXPECT_EQ(r.round_lot_size, 100u);
  EXPECT_EQ(r.issue_classification, 'A');
  EXPECT_EQ(r.luld_reference_price_tier, '2');

  const auto f = decoded<AddOrderMpid>(
      hex("46 0002 0000 1dd7f895fa87 0000000000014b64 42 00000064 424f422020202020 0000ceb5 56495254"));
  EXPECT_EQ(f.header.stock_locate, 2);
  EXPECT_EQ(f.order_ref, 84836u);
  EXPECT_EQ(f.side, 'B');
  EXPECT_EQ(f.shares, 100u);
  EXPECT_EQ(f.stock.trimmed(), "BOB");
  EXPECT_EQ(f.price, book::Price{52917});
  EXPECT_EQ(f.attribution.raw(), "VIRT");

  const auto e = decoded<OrderExecuted>(hex("45 0002 0002 1de255b2ee5d 00000000000153ec 000004c4 0000000000004681"));
  EXPECT_EQ(e.header.tracking_number, 2);
  EXPECT_EQ(e.order_ref, 87020u);
  EXPECT_EQ(e.executed_shares, 1220u);
  EXPECT_EQ(e.match_number, 18049u);

  const auto u = decoded<OrderReplace>(hex("55 0002 0000 1f74aec775ac 000000000038fe00 00000000003a786b 00000064 0000da6d"));
  EXPECT_EQ(u.original_order_ref, 0x38fe00u);
  EXPECT_EQ(u.new_order_ref, 0x3a786bu);
  EXPECT_EQ(u.shares, 100u);
  EXPECT_EQ(u.price, book::Price{55917});
}

struct CountAll {
  int n = 0;
  template <class M>
  void on(const M&) noexcept {
    ++n;
  }
};

TEST(ItchDecoder, WrongLengthsAreErrorsForEveryType) {
  CountAll h;
  std::vector<uint8_t> buf(64, 0);
  for (int t = 0; t < 256; ++t) {
    const std::size_t len = message_length(static_cast<uint8_t>(t));
    if (len == 0) continue;
    buf[0] = static_cast<uint8_t>(t);
    EXPECT_EQ(decode(buf.data(), len - 1, h), DecodeStatus::kBadLength) << char(t);
    EXPECT_EQ(decode(buf.data(), len + 1, h), DecodeStatus::kBadLength) << char(t);
    EXPECT_EQ(decode(buf.data(), 1, h), DecodeStatus::kBadLength) << char(t);
    EXPECT_EQ(decode(buf.data(), len, h), DecodeStatus::kOk) << char(t);
  }
  EXPECT_EQ(h.n, 23);  // only the well-framed ones reached the handler
}

TEST(ItchDecoder, UnknownTypesAndEmptyInputAreErrors) {
  CountAll h;
  for (const uint8_t t : {uint8_t{0}, uint8_t{'Z'}, uint8_t{'a'}, uint8_t{'G'}, uint8_t{0xFF}}) {
    std::vector<uint8_t> buf(36, 0);
    buf[0] = t;
    EXPECT_EQ(decode(buf.data(), buf.size(), h), DecodeStatus::kUnknownType) << int(t);
  }
  EXPECT_EQ(decode(nullptr, 0, h), DecodeStatus::kEmpty);
  EXPECT_EQ(h.n, 0);
}

TEST(ItchDecoder, DecodeMessageChecksTypeAndLength) {
  auto g = with_header(19, 'D');
  g.num(11, 8, 77);
  const auto& b = g.bytes();
  OrderDelete d;
  EXPECT_EQ(decode_message(std::span<const uint8_t>(b), d), DecodeStatus::kOk);
  EXPECT_EQ(d.order_ref, 77u);
  AddOrder a;
  EXPECT_EQ(decode_message(std::span<const uint8_t>(b), a), DecodeStatus::kUnknownType);
  EXPECT_EQ(decode_message(std::span<const uint8_t>(b).first(18), d), DecodeStatus::kBadLength);
}

// A handler sees only the types it declares; the others are validated and skipped.
TEST(ItchDecoder, HandlerSeesOnlyItsTypes) {
  struct OnlyDeletes {
    int deletes = 0;
    void on(const OrderDelete&) noexcept { ++deletes; }
  } h;
  auto d = with_header(19, 'D');
  d.num(11, 8, 1);
  auto s = with_header(12, 'S');
  s.chr(11, 'O');
  EXPECT_EQ(decode(d.span(), h), DecodeStatus::kOk);
  EXPECT_EQ(decode(s.span(), h), DecodeStatus::kOk);
  EXPECT_EQ(h.deletes, 1);
}

}  // namespace
}  // namespace tachyon::dataplane::itch
