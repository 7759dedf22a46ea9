// Zero-allocation test: this binary replaces every global operator new/delete with a
// counting version, builds a BookShard, then drives over a million messages of every
// type through it (per-operation calls and apply_batch; crossing, full sweeps, ladders
// growing deep and draining to empty) with a sink that does not allocate, and asserts
// that not one heap allocation happened during the run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <memory_resource>
#include <random>
#include <span>
#include <vector>

#include "../support/counting_new.h"
#include "tachyon/book/book_shard.h"

namespace tachyon::book {
namespace {

// Counts events by kind and folds every field into a checksum; never allocates.
struct CountingSink {
  uint64_t kinds[5] = {};
  uint64_t rejects[9] = {};
  uint64_t checksum = 0;
  void on_event(const Event& e) noexcept {
    ++kinds[static_cast<uint8_t>(e.kind) % 5];
    if (e.kind == EventKind::kRejected) ++rejects[e.reason % 9];
    checksum = (checksum ^ (e.seq + e.id.value * 3 + e.contra * 5 + uint64_t(e.qty.value) * 7 +
                            uint64_t(e.price.ticks) * 11 + uint64_t(e.remaining.value) * 13)) *
               0x100000001b3ull;
  }
};
static_assert(EventSink<CountingSink>);

constexpr uint32_t kSymbols = 4;
constexpr int64_t kMid = 1000;
constexpr int64_t kDepth = 300;  // ladders grow to ~300 levels per side

// Builds the workload before the measured run. Phases of 40k messages cycle through:
// build (deep, non-crossing books), churn (every message type near the touch, with
// crossing), and drain (full sweeps by market and IOC orders, mass cancels).
std::vector<BookMessage> make_workload(std::size_t n, uint64_t seed) {
  std::vector<BookMessage> out(n);
  std::mt19937_64 rng(seed);
  uint64_t next_id = 1;
  auto recent_id = [&] { return next_id - 1 - rng() % std::min<uint64_t>(next_id - 1 + 1, 4000); };
  for (std::size_t i = 0; i < n; ++i) {
    BookMessage& m = out[i];
    m.seq = i + 1;
    m.symbol = SymbolId{uint32_t(rng() % kSymbols)};
    m.side = (rng() & 1) ? Side::kBuy : Side::kSell;
    const bool buy = m.side == Side::kBuy;
    m.qty = Qty{1 + int64_t(rng() % 100)};
    m.order_type = OrderType::kLimit;
    const int phase = int((i / 40'000) % 3);
    const uint32_t r = uint32_t(rng() % 100);
    if (phase == 0) {  // build
      if (r < 70) {
        m.type = r < 35 ? MsgType::kInsert : MsgType::kAdd;
        const int64_t off = 1 + int64_t(rng() % kDepth);
        m.price = Price{buy ? kMid - off : kMid + off};
        m.id = OrderId{next_id++};
      } else {
        m.type = MsgType::kCancel;
        m.id = OrderId{recent_id()};
      }
    } else if (phase == 1) {  // churn: everything, crossing
      const int64_t near = int64_t(rng() % 11) - 5;
      m.price = Price{kMid + near};
      if (r < 30) {
        m.type = MsgType::kAdd;
        m.id = OrderId{next_id++};
        static constexpr OrderType kTypes[] = {OrderType::kLimit, OrderType::kLimit, OrderType::kIoc,
                                               OrderType::kFok,   OrderType::kMarket, OrderType::kPostOnly};
        m.order_type = kTypes[rng() % 6];
      } else if (r < 40) {
        m.type = MsgType::kInsert;
        m.id = OrderId{next_id++};
      } else if (r < 52) {
        m.type = MsgType::kCancel;
        m.id = OrderId{recent_id()};
      } else if (r < 60) {
        m.type = MsgType::kReduce;
        m.id = OrderId{recent_id()};
      } else if (r < 75) {
        m.type = MsgType::kModify;
        m.id = OrderId{recent_id()};
        if (rng() % 8 == 0) m.qty = Qty{0};
      } else if (r < 85) {
        m.type = MsgType::kExecute;
        m.id = OrderId{recent_id()};
        m.qty = Qty{1 + int64_t(rng() % 20)};
        m.price = Price{(rng() & 1) ? kMid + near : 0};  // nonzero: execute_at in per-op chunks
      } else if (r < 95) {
        m.type = MsgType::kReplace;
        m.id = OrderId{recent_id()};
        m.new_id = OrderId{next_id++};
      } else if (r < 98) {
        m.type = MsgType::kAdd;  // invalid values
        m.id = OrderId{next_id++};
        m.qty = Qty{(rng() & 1) ? 0 : 2'000'000'000};
        m.symbol = SymbolId{(rng() & 1) ? kSymbols : 0};
      } else {
        m.type = static_cast<MsgType>(7 + rng() % 100);
      }
    } else {  // drain
      m.id = OrderId{next_id++};
      if (r < 3) {
        m.type = MsgType::kAdd;
        m.order_type = (r & 1) ? OrderType::kMarket : OrderType::kIoc;
        m.price = Price{buy ? kMid + kDepth + 1 : kMid - kDepth - 1};
        m.qty = Qty{1'000'000'000};  // sweeps the whole opposite side
      } else if (r < 80) {
        m.type = MsgType::kCancel;
        m.id = OrderId{1 + rng() % std::max<uint64_t>(next_id - 1, 1)};
      } else {
        m.type = MsgType::kAdd;
        m.price = Price{buy ? kMid - 1 - int64_t(rng() % 5) : kMid + 1 + int64_t(rng() % 5)};
      }
    }
  }
  return out;
}

template <class S>
void run_one(BookShard& b, const BookMessage& m, S& sink) noexcept {
  switch (m.type) {
    case MsgType::kAdd: return b.add(m.seq, m.symbol, m.id, m.side, m.price, m.qty, m.order_type, sink);
    case MsgType::kCancel: return b.cancel(m.seq, m.id, sink);
    case MsgType::kReduce: return b.reduce(m.seq, m.id, m.qty, sink);
    case MsgType::kModify: return b.modify(m.seq, m.id, m.price, m.qty, sink);
    case MsgType::kInsert: return b.insert(m.seq, m.symbol, m.id, m.side, m.price, m.qty, sink);
    case MsgType::kExecute:
      return m.price.ticks != 0 ? b.execute_at(m.seq, m.id, m.qty, m.price, sink) : b.execute(m.seq, m.id, m.qty, sink);
    case MsgType::kReplace: return b.replace(m.seq, m.id, m.new_id, m.price, m.qty, sink);
  }
  b.apply(m, sink);
}

// Shape of the books seen during the run, read through the views (no allocation).
struct Extremes {
  uint32_t max_levels_per_side = 0;
  uint64_t emptied_after_deep = 0;  // a side went from >= 100 levels to empty
  uint32_t last[kSymbols][2] = {};
  uint32_t peak[kSymbols][2] = {};

  void observe(const BookShard& b) noexcept {
    for (uint32_t s = 0; s < kSymbols; ++s)
      for (int side = 0; side < 2; ++side) {
        const uint32_t n = b.book(SymbolId{s}).level_count(static_cast<Side>(side));
        max_levels_per_side = std::max(max_levels_per_side, n);
        peak[s][side] = std::max(peak[s][side], n);
        if (n == 0 && peak[s][side] >= 100) {
          ++emptied_after_deep;
          peak[s][side] = 0;
        }
        last[s][side] = n;
      }
  }
};

TEST(BookAlloc, MillionMessagesWithoutOneAllocation) {
  // The counters really see allocations (guards against a vacuous pass).
  const uint64_t probe_before = test_support::heap_allocations();
  delete new int(7);
  std::vector<int> probe(100);
  ASSERT_GE(test_support::heap_allocations(), probe_before + 2);

  constexpr std::size_t kMessages = 1'200'000;
  const std::vector<BookMessage> msgs = make_workload(kMessages, 20240601);
  BookConfig cfg;
  cfg.max_orders = 1u << 16;
  cfg.max_levels = 1u << 12;
  cfg.max_symbols = kSymbols;
  BookShard shard(cfg);
  CountingSink sink;
  Extremes ext;
  std::size_t batched = 0, single = 0;

  const uint64_t news_before = test_support::heap_allocations();
  const uint64_t deletes_before = test_support::heap_frees();
  // Alternate the entry points in chunks; apply_batch with and without a hook.
  constexpr std::size_t kChunk = 2048;
  for (std::size_t from = 0, c = 0; from < msgs.size(); from += kChunk, ++c) {
    const std::span<const BookMessage> part =
        std::span<const BookMessage>(msgs).subspan(from, std::min(kChunk, msgs.size() - from));
    switch (c % 3) {
      case 0:
        for (const BookMessage& m : part) run_one(shard, m, sink);
        single += part.size();
        break;
      case 1:
        shard.apply_batch(part, sink);
        batched += part.size();
        break;
      default:
        shard.apply_batch(part, sink, [&](std::size_t i) noexcept {
          if (i % 64 == 0) ext.observe(shard);
        });
        batched += part.size();
        break;
    }
    ext.observe(shard);
  }
  const uint64_t news = test_support::heap_allocations() - news_before;
  const uint64_t deletes = test_support::heap_frees() - deletes_before;

  EXPECT_EQ(news, 0u) << "operator new calls during the run";
  EXPECT_EQ(deletes, 0u) << "operator delete calls during the run";

  // The workload really did what it claims.
  const uint64_t total = batched + single;
  EXPECT_EQ(total, kMessages);
  EXPECT_GT(single, 300'000u);
  EXPECT_GT(batched, 600'000u);
  EXPECT_GT(sink.kinds[static_cast<int>(EventKind::kTrade)], 50'000u);
  EXPECT_GT(sink.kinds[static_cast<int>(EventKind::kModified)], 5'000u);
  EXPECT_GT(sink.kinds[static_cast<int>(EventKind::kCanceled)], 100'000u);
  EXPECT_GT(sink.kinds[static_cast<int>(EventKind::kAccepted)], 100'000u);
  for (RejectReason r : {RejectReason::kNotResting, RejectReason::kQtyOutOfRange, RejectReason::kUnknownSymbol,
                         RejectReason::kInvalidMessage, RejectReason::kPostOnlyWouldCross})
    EXPECT_GT(sink.rejects[static_cast<int>(r)], 0u) << to_string(r);
  EXPECT_GE(ext.max_levels_per_side, 250u) << "ladders must grow through several size classes";
  EXPECT_GE(ext.emptied_after_deep, 8u) << "deep sides must be swept or drained to empty";
  std::cout << "messages " << total << " (per-op " << single << ", batched " << batched << "), trades "
            << sink.kinds[1] << ", deepest side " << ext.max_levels_per_side << " levels, deep sides emptied "
            << ext.emptied_after_deep << ", checksum " << sink.checksum << "\n";
}

}  // namespace
}  // namespace tachyon::book
