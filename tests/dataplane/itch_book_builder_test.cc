// Unit tests for the ITCH feed handler: each message's effect on a mirrored BookShard,
// unknown references, clamping, symbol mapping, and what reaches the event sink.
#include "tachyon/dataplane/itch_book_builder.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <type_traits>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_encoder.h"

namespace tachyon::dataplane::itch {
namespace {

struct VectorSink {
  std::vector<book::Event> events;
  void on_event(const book::Event& e) noexcept { events.push_back(e); }
};

// A shard of 64 orders and 2 symbols.
book::BookConfig small_config(uint32_t levels) {
  book::BookConfig c;
  c.max_orders = 64;
  c.max_levels = levels;
  c.max_symbols = 2;
  return c;
}

class BuilderTest : public ::testing::Test {
 protected:
  BuilderTest() : shard_(small_config(32)), builder_(shard_, sink_) {}
  // Encodes m and feeds it through the decoder, as the wire would.
  template <class M>
  void feed(const M& m) {
    std::vector<uint8_t> b(M::kLength);
    ASSERT_EQ(encode(m, b), M::kLength);
    ASSERT_EQ(builder_.apply(b), DecodeStatus::kOk);
  }
  book::Qty qty_of(uint64_t ref) const {
    const uint32_t slot = shard_.find(book::OrderId{ref});
    return slot == book::kNil ? book::Qty{0} : shard_.order(slot).qty;
  }
  const book::OrderBook& book0() const { return shard_.book(book::SymbolId{0}); }

  static Header h(uint16_t locate = 5) { return Header{locate, 0, 1}; }
  static AddOrder add(uint64_t ref, char side, uint32_t shares, int64_t price, uint16_t locate = 5) {
    return AddOrder{h(locate), ref, side, shares, Stock::from("TCHY"), book::Price{price}};
  }

  book::BookShard shard_;
  VectorSink sink_;
  BookBuilder<VectorSink> builder_;
};

TEST_F(BuilderTest, StockDirectoryMapsLocatesToSymbolsInOrder) {
  feed(StockDirectory{h(7), Stock::from("ZZZ")});
  feed(StockDirectory{h(3), Stock::from("AAA")});
  feed(StockDirectory{h(9), Stock::from("OVER")});  // the shard has 2 symbols
  ASSERT_TRUE(builder_.symbol_of(7).has_value());
  EXPECT_EQ(builder_.symbol_of(7)->value, 0u);
  EXPECT_EQ(builder_.symbol_of(3)->value, 1u);
  EXPECT_FALSE(builder_.symbol_of(9).has_value());
  EXPECT_EQ(builder_.name(book::SymbolId{0}).trimmed(), "ZZZ");
  EXPECT_EQ(builder_.name(book::SymbolId{1}).trimmed(), "AAA");
  EXPECT_EQ(builder_.locate(book::SymbolId{1}), 3);
  EXPECT_EQ(builder_.symbols_mapped(), 2u);
  feed(add(1, 'B', 10, 100, 9));
  EXPECT_EQ(builder_.stats().unmapped_symbol, 1u);
  EXPECT_EQ(shard_.live_orders(), 0u);
}

TEST_F(BuilderTest, AddsRestWithoutMatchingEvenWhenCrossed) {
  feed(add(1, 'B', 100, 10'100));
  feed(AddOrderMpid{h(), 2, 'S', 50, Stock::from("TCHY"), book::Price{10'000}, Mpid::from("MPID")});
  EXPECT_EQ(shard_.live_orders(), 2u);
  EXPECT_EQ(book0().best_bid(), book::Price{10'100});
  EXPECT_EQ(book0().best_ask(), book::Price{10'000});  // crossed: the venue matched already
  EXPECT_EQ(builder_.name(book::SymbolId{0}).trimmed(), "TCHY");  // named by the first add
  ASSERT_EQ(sink_.events.size(), 2u);
  EXPECT_EQ(sink_.events[0].kind, book::EventKind::kAccepted);
  EXPECT_EQ(sink_.events[0].id, book::OrderId{1});
}

TEST_F(BuilderTest, ExecutionsCancelsDeletesAndReplaces) {
  feed(add(1, 'B', 100, 10'000));
  feed(add(2, 'S', 80, 10'100));
  feed(OrderExecuted{h(), 1, 30, 1});
  EXPECT_EQ(qty_of(1), book::Qty{70});
  feed(OrderExecutedWithPrice{h(), 1, 20, 2, 'Y', book::Price{9'990}});
  EXPECT_EQ(qty_of(1), book::Qty{50});
  EXPECT_EQ(sink_.events.back().kind, book::EventKind::kTrade);
  EXPECT_EQ(sink_.events.back().price, book::Price{9'990});  // at the message's price
  feed(OrderCancel{h(), 1, 15});
  EXPECT_EQ(qty_of(1), book::Qty{35});
  EXPECT_EQ(book0().qty_at(book::Side::kBuy, book::Price{10'000}), book::Qty{35});
  feed(OrderReplace{h(), 2, 3, 60, book::Price{10'200}});
  EXPECT_EQ(shard_.find(book::OrderId{2}), book::kNil);
  EXPECT_EQ(qty_of(3), book::Qty{60});
  EXPECT_EQ(book0().best_ask(), book::Price{10'200});
  feed(OrderDelete{h(), 3});
  EXPECT_FALSE(book0().best_ask().has_value());
  feed(OrderCancel{h(), 1, 35});  // all shares: the order goes
  EXPECT_EQ(shard_.live_orders(), 0u);
  const auto& s = builder_.stats();
  EXPECT_EQ(s.total_messages(), 8u);
  EXPECT_EQ(s.total_unknown_refs(), 0u);
  for (const auto& e : sink_.events) EXPECT_NE(e.kind, book::EventKind::kRejected);
}

TEST_F(BuilderTest, UnknownReferencesAreCountedNeverApplied) {
  feed(add(1, 'B', 100, 10'000));
  feed(OrderExecuted{h(), 99, 1, 1});
  feed(OrderExecutedWithPrice{h(), 99, 1, 1, 'Y', book::Price{1}});
  feed(OrderCancel{h(), 99, 1});
  feed(OrderDelete{h(), 99});
  feed(OrderDelete{h(), 98});
  feed(OrderReplace{h(), 99, 100, 5, book::Price{1}});
  const auto& u = builder_.stats().unknown_refs;
  EXPECT_EQ(u['E'], 1u);
  EXPECT_EQ(u['C'], 1u);
  EXPECT_EQ(u['X'], 1u);
  EXPECT_EQ(u['D'], 2u);
  EXPECT_EQ(u['U'], 1u);
  EXPECT_EQ(builder_.stats().total_unknown_refs(), 6u);
  EXPECT_EQ(shard_.live_orders(), 1u);
  EXPECT_EQ(shard_.find(book::OrderId{100}), book::kNil);
  EXPECT_EQ(sink_.events.size(), 1u);  // only the add's Accepted: rejects stay out of the sink
}

TEST_F(BuilderTest, OverfillsAreClampedAndQuantitiesNeverGoNegative) {
  feed(add(1, 'S', 10, 10'000));
  feed(add(2, 'S', 10, 10'000));
  feed(OrderExecuted{h(), 1, 25, 1});
  EXPECT_EQ(shard_.find(book::OrderId{1}), book::kNil);
  EXPECT_EQ(builder_.stats().overfills, 1u);
  EXPECT_EQ(sink_.events.back().qty, book::Qty{10});
  feed(OrderExecutedWithPrice{h(), 2, 11, 2, 'N', book::Price{10'001}});
  EXPECT_EQ(shard_.live_orders(), 0u);
  EXPECT_EQ(builder_.stats().overfills, 2u);
  EXPECT_FALSE(book0().best_ask().has_value());
  feed(add(3, 'B', 10, 10'000));
  feed(OrderCancel{h(), 3, 1000});  // more than rests: the order goes, never negative
  EXPECT_EQ(shard_.live_orders(), 0u);
}

TEST_F(BuilderTest, TradesAndOtherMessagesOnlyCount) {
  feed(add(1, 'B', 100, 10'000));
  const uint64_t before = shard_.hash();
  feed(Trade{h(), 0, 'B', 100, Stock::from("TCHY"), book::Price{10'000}, 7});
  feed(CrossTrade{h(), 1000, Stock::from("TCHY"), book::Price{10'000}, 8, 'O'});
  feed(BrokenTrade{h(), 7});
  feed(SystemEvent{h(0), 'Q'});
  feed(StockTradingAction{h(), Stock::from("TCHY"), 'T', ' ', Alpha<4>::from("")});
  feed(Noii{});
  EXPECT_EQ(shard_.hash(), before);
  const auto& m = builder_.stats().messages;
  EXPECT_EQ(m['P'], 1u);
  EXPECT_EQ(m['Q'], 1u);
  EXPECT_EQ(m['B'], 1u);
  EXPECT_EQ(m['S'], 1u);
  EXPECT_EQ(m['H'], 1u);
  EXPECT_EQ(m['I'], 1u);
}

TEST_F(BuilderTest, BadInputIsCountedNotFatal) {
  feed(add(1, 'X', 10, 10'000));  // side neither B nor S
  EXPECT_EQ(builder_.stats().bad_side, 1u);
  feed(add(2, 'B', 0, 10'000));  // zero shares: the book refuses it
  EXPECT_EQ(builder_.stats().rejects[static_cast<int>(book::RejectReason::kQtyOutOfRange)], 1u);
  feed(add(3, 'B', 10, 10'000));
  feed(add(3, 'B', 10, 10'000));  // the same reference twice
  EXPECT_EQ(builder_.stats().rejects[static_cast<int>(book::RejectReason::kDuplicateOrderId)], 1u);
  feed(add(4, 'S', 10, 10'500));
  feed(OrderReplace{h(), 4, 3, 10, book::Price{10'600}});  // new reference already live
  EXPECT_EQ(builder_.stats().replace_drops, 1u);
  EXPECT_EQ(shard_.find(book::OrderId{4}), book::kNil);  // the venue removed the original
  EXPECT_EQ(qty_of(3), book::Qty{10});
  const uint8_t junk[] = {'A', 1, 2};
  EXPECT_EQ(builder_.apply(junk), DecodeStatus::kBadLength);
  const uint8_t unknown[] = {'z', 0};
  EXPECT_EQ(builder_.apply(unknown), DecodeStatus::kUnknownType);
  EXPECT_EQ(builder_.stats().decode_errors, 2u);
}

TEST_F(BuilderTest, PoolExhaustionIsCounted) {
  for (uint64_t ref = 1; ref <= 70; ++ref) feed(add(ref, 'B', 1, 10'000 + static_cast<int64_t>(ref % 8)));
  EXPECT_EQ(shard_.live_orders(), 64u);
  EXPECT_EQ(builder_.stats().rejects[static_cast<int>(book::RejectReason::kPoolExhausted)], 6u);
}

// Every message kind and every reject path, longer than a batch: encoded once, fed to
// an immediate and a batched builder on identical shards.
std::vector<std::vector<uint8_t>> mixed_feed() {
  std::vector<std::vector<uint8_t>> out;
  auto put = [&out](const auto& m) {
    std::vector<uint8_t> b(std::decay_t<decltype(m)>::kLength);
    EXPECT_EQ(encode(m, b), b.size());
    out.push_back(std::move(b));
  };
  const Header h{5, 0, 1};
  const Stock s = Stock::from("TCHY");
  put(StockDirectory{h, s});
  for (uint64_t ref = 1; ref <= 40; ++ref)
    put(AddOrder{h, ref, ref % 2 ? 'B' : 'S', 10 + static_cast<uint32_t>(ref), s,
                 book::Price{ref % 2 ? 10'000 - static_cast<int64_t>(ref % 5) : 10'100 + static_cast<int64_t>(ref % 7)}});
  put(AddOrder{h, 41, 'X', 10, s, book::Price{10'000}});  // bad side
  put(AddOrder{h, 42, 'B', 0, s, book::Price{10'000}});   // zero shares
  put(AddOrder{h, 3, 'B', 10, s, book::Price{10'000}});   // duplicate reference
  put(AddOrderMpid{h, 43, 'S', 5, s, book::Price{10'200}, Mpid::from("MPID")});
  put(AddOrder{Header{9, 0, 1}, 44, 'B', 5, s, book::Price{9'000}});  // a second symbol
  put(AddOrder{Header{11, 0, 1}, 45, 'B', 5, s, book::Price{9'000}});  // beyond the shard's symbols
  for (uint64_t ref = 1; ref <= 10; ++ref) put(OrderExecuted{h, ref, 3, ref});
  put(OrderExecuted{h, 11, 1000, 99});  // overfill
  put(OrderExecuted{h, 999, 1, 98});    // unknown
  put(OrderExecutedWithPrice{h, 12, 2, 97, 'Y', book::Price{9'990}});
  put(OrderExecutedWithPrice{h, 13, 1000, 96, 'N', book::Price{9'990}});  // overfill at a price
  put(OrderExecutedWithPrice{h, 998, 1, 95, 'Y', book::Price{1}});        // unknown
  for (uint64_t ref = 14; ref <= 20; ++ref) put(OrderCancel{h, ref, 2});
  put(OrderCancel{h, 21, 1000});  // all shares
  put(OrderCancel{h, 997, 1});    // unknown
  for (uint64_t ref = 22; ref <= 28; ++ref) put(OrderDelete{h, ref});
  put(OrderDelete{h, 996});  // unknown
  put(OrderReplace{h, 29, 129, 7, book::Price{10'050}});
  put(OrderReplace{h, 30, 130, 8, book::Price{10'001}});
  put(OrderReplace{h, 995, 195, 1, book::Price{1}});       // unknown
  put(OrderReplace{h, 31, 32, 9, book::Price{10'000}});    // new reference live: the original goes
  put(Trade{h, 0, 'B', 100, s, book::Price{10'000}, 7});
  put(SystemEvent{h, 'Q'});
  for (uint64_t ref = 200; ref < 240; ++ref) put(AddOrder{h, ref, 'B', 1, s, book::Price{8'000 + static_cast<int64_t>(ref)}});
  put(OrderExecuted{h, 200, 1, 1});
  return out;
}

void expect_same_stats(const BookBuilderStats& a, const BookBuilderStats& b) {
  EXPECT_EQ(a.messages, b.messages);
  EXPECT_EQ(a.unknown_refs, b.unknown_refs);
  EXPECT_EQ(a.rejects, b.rejects);
  EXPECT_EQ(a.overfills, b.overfills);
  EXPECT_EQ(a.replace_drops, b.replace_drops);
  EXPECT_EQ(a.bad_side, b.bad_side);
  EXPECT_EQ(a.unmapped_symbol, b.unmapped_symbol);
  EXPECT_EQ(a.decode_errors, b.decode_errors);
}

// An immediate and a batched builder on identical shards (64 orders, 64 levels, 2
// symbols), fed the same messages.
struct Twins {
  Twins() : shard_i(small_config(64)), shard_b(small_config(64)), immediate(shard_i, sink_i), batched(shard_b, sink_b, ApplyMode::kBatched) {}
  // Feeds m to both and expects the same status; returns it.
  DecodeStatus apply(const std::vector<uint8_t>& m) {
    const DecodeStatus st = immediate.apply(m);
    EXPECT_EQ(batched.apply(m), st) << "type " << (m.empty() ? '-' : static_cast<char>(m[0]));
    return st;
  }
  // Flushes the batched builder and expects the same events, counts and book.
  void expect_same() {
    batched.flush();
    EXPECT_EQ(sink_b.events, sink_i.events);
    expect_same_stats(batched.stats(), immediate.stats());
    EXPECT_EQ(shard_b.hash(), shard_i.hash());
    EXPECT_EQ(shard_b.live_orders(), shard_i.live_orders());
  }
  book::BookShard shard_i, shard_b;
  VectorSink sink_i, sink_b;
  BookBuilder<VectorSink> immediate, batched;
};

TEST(BuilderBatched, AppliesTheSameOperationsAsImmediate) {
  const auto feed = mixed_feed();
  ASSERT_GT(feed.size(), BookBuilder<>::kBatch + 32);  // at least one full batch mid-feed
  Twins t;  // the last adds run the 64-order pool dry
  EXPECT_EQ(t.batched.mode(), ApplyMode::kBatched);
  for (const auto& m : feed) ASSERT_EQ(t.apply(m), DecodeStatus::kOk);
  t.expect_same();
  // The feed reaches every path it was written for.
  const BookBuilderStats& st = t.immediate.stats();
  EXPECT_EQ(st.overfills, 2u);
  EXPECT_EQ(st.replace_drops, 1u);
  EXPECT_EQ(st.bad_side, 1u);
  EXPECT_EQ(st.unmapped_symbol, 1u);
  EXPECT_EQ(st.total_unknown_refs(), 5u);
  EXPECT_EQ(st.rejects[static_cast<int>(book::RejectReason::kQtyOutOfRange)], 1u);
  EXPECT_EQ(st.rejects[static_cast<int>(book::RejectReason::kDuplicateOrderId)], 2u);  // an add, a replace
  EXPECT_GT(st.rejects[static_cast<int>(book::RejectReason::kPoolExhausted)], 0u);
}

// The batched builder stages A F E X D U from a table of field offsets and counts P
// without decoding them; every other input goes through the decoder. Messages of every
// type, at their length and one byte either side, unknown types, an empty message, and
// adds that need the decoder's handling give the same statuses, events, counts and book
// as the immediate builder, which decodes everything.
TEST(BuilderBatched, TableStagingMatchesTheDecoderOnEveryType) {
  static_assert(RawHandler<BookBuilder<VectorSink>>, "scan_binary_file() must reach on_message()");
  std::vector<std::vector<uint8_t>> feed;
  uint64_t puts = 0;
  auto put = [&feed, &puts](const auto& m) {
    ++puts;
    std::vector<uint8_t> b(std::decay_t<decltype(m)>::kLength);
    EXPECT_EQ(encode(m, b), b.size());
    feed.push_back(b);
    std::vector<uint8_t> longer = b;
    longer.push_back(0);  // a bad length: decode error either way
    feed.push_back(longer);
    b.pop_back();
    feed.push_back(b);
  };
  const Stock s = Stock::from("TCHY");
  const Header h{5, 0, 1};
  put(AddOrder{Header{6, 0, 1}, 1, 'S', 10, s, book::Price{10'100}});  // no R for locate 6: mapped by the add
  put(StockDirectory{h, s});
  for (uint64_t ref = 2; ref <= 20; ++ref) {
    put(AddOrder{h, ref, ref % 2 ? 'B' : 'S', static_cast<uint32_t>(ref), s, book::Price{10'000 + static_cast<int64_t>(ref % 4)}});
    put(Trade{h, ref, 'B', 3, s, book::Price{10'000}, ref});  // counted, never staged
  }
  put(AddOrderMpid{h, 21, 'B', 7, s, book::Price{9'999}, Mpid::from("MPID")});
  put(AddOrder{h, 22, 'b', 10, s, book::Price{10'000}});             // bad side: the decoder counts it
  put(AddOrder{Header{7, 0, 1}, 23, 'B', 10, s, book::Price{10'000}});  // beyond the shard's 2 symbols
  put(OrderExecuted{h, 2, 1, 1});
  put(OrderExecuted{h, 3, 1000, 2});  // overfill: clamped
  put(OrderExecutedWithPrice{h, 4, 1, 3, 'Y', book::Price{10'000}});
  put(OrderCancel{h, 5, 1});
  put(OrderCancel{h, 6, 1000});
  put(OrderDelete{h, 7});
  put(OrderDelete{h, 7});  // no longer resting
  put(OrderReplace{h, 8, 108, 4, book::Price{10'050}});
  put(OrderReplace{h, 9, 10, 4, book::Price{10'050}});  // the new reference rests: the original goes
  put(SystemEvent{h, 'O'});
  put(StockTradingAction{h, s, 'T', 0, Alpha<4>::from("")});
  put(CrossTrade{h, 10, s, book::Price{10'000}, 4, 'O'});
  put(BrokenTrade{h, 4});
  put(Noii{h, 1, 2, 'B', s, book::Price{1}, book::Price{1}, book::Price{1}, 'C', 'L'});
  feed.push_back({});                             // empty
  feed.push_back({'z', 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});  // unknown type

  Twins t;
  for (const auto& m : feed) t.apply(m);
  t.expect_same();
  // The feed reaches the paths it was written for.
  const BookBuilderStats& st = t.immediate.stats();
  EXPECT_EQ(st.messages['P'], 19u);
  EXPECT_EQ(st.messages['A'], 22u);  // 19 + the mapping add + the bad side + beyond the symbols
  EXPECT_EQ(st.bad_side, 1u);
  EXPECT_EQ(st.unmapped_symbol, 1u);
  EXPECT_EQ(st.overfills, 1u);
  EXPECT_EQ(st.replace_drops, 1u);
  EXPECT_EQ(st.total_unknown_refs(), 1u);
  EXPECT_EQ(st.decode_errors, 2 * puts + 2);  // each message one byte long and short, the empty, the unknown
  EXPECT_EQ(t.batched.symbols_mapped(), 2u);
  EXPECT_EQ(t.batched.name(book::SymbolId{0}), s);
}

TEST(BuilderBatched, BookLagsUntilFlushAndExecuteAtAPriceFlushesFirst) {
  book::BookConfig cfg;
  cfg.max_orders = 16;
  cfg.max_levels = 16;
  book::BookShard shard(cfg);
  VectorSink sink;
  BookBuilder<VectorSink> b(shard, sink, ApplyMode::kBatched);
  const Header h{5, 0, 1};
  auto feed = [&b](const auto& m) {
    std::vector<uint8_t> buf(std::decay_t<decltype(m)>::kLength);
    ASSERT_EQ(encode(m, buf), buf.size());
    ASSERT_EQ(b.apply(buf), DecodeStatus::kOk);
  };
  feed(AddOrder{h, 1, 'B', 10, Stock::from("TCHY"), book::Price{10'000}});
  EXPECT_EQ(shard.live_orders(), 0u);  // staged
  EXPECT_EQ(b.stats().messages['A'], 1u);  // counted at once
  feed(OrderExecutedWithPrice{h, 1, 4, 1, 'Y', book::Price{10'000}});  // needs the add applied first
  EXPECT_EQ(shard.live_orders(), 1u);
  EXPECT_EQ(shard.order(shard.find(book::OrderId{1})).qty, book::Qty{6});
  EXPECT_EQ(b.stats().total_unknown_refs(), 0u);
  feed(OrderDelete{h, 1});
  EXPECT_EQ(shard.live_orders(), 1u);
  b.flush();
  EXPECT_EQ(shard.live_orders(), 0u);
  b.flush();  // nothing staged: no effect
  EXPECT_EQ(sink.events.size(), 3u);
}

}  // namespace
}  // namespace tachyon::dataplane::itch
