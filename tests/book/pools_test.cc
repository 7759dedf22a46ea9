// Unit tests of the preallocated pools (OrderPool, LevelPool), BookConfig validation
// and BookShard construction: every byte comes from the given memory resource, is
// accounted in memory_bytes(), and is returned on destruction.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <memory_resource>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tachyon/book/book_shard.h"

namespace tachyon::book {
namespace {

std::pmr::memory_resource* heap() { return std::pmr::new_delete_resource(); }

TEST(OrderPool, AcquiresEverySlotOnceThenReportsExhaustion) {
  OrderPool p(5, heap());
  EXPECT_EQ(p.capacity(), 5u);
  EXPECT_EQ(p.bytes(), 5 * sizeof(Order));
  std::set<uint32_t> slots;
  for (int i = 0; i < 5; ++i) {
    const uint32_t s = p.acquire();
    ASSERT_LT(s, 5u);
    slots.insert(s);
    EXPECT_EQ(p.live(), uint32_t(i + 1));
    EXPECT_EQ(p.free(), uint32_t(4 - i));
  }
  EXPECT_EQ(slots.size(), 5u);
  EXPECT_EQ(p.acquire(), kNil);
  EXPECT_EQ(p.live(), 5u);
  p.release(3);
  p.release(1);
  EXPECT_EQ(p.free(), 2u);
  EXPECT_EQ(p.acquire(), 1u);  // LIFO: the most recently released slot first
  EXPECT_EQ(p.acquire(), 3u);
  EXPECT_EQ(p.acquire(), kNil);
}

TEST(LevelPool, AcquiresEverySlotOnceThenReportsExhaustion) {
  LevelPool p(3, heap());
  EXPECT_EQ(p.bytes(), 3 * sizeof(Level));
  std::set<uint32_t> slots;
  for (int i = 0; i < 3; ++i) slots.insert(p.acquire());
  EXPECT_EQ(slots, (std::set<uint32_t>{0, 1, 2}));
  EXPECT_EQ(p.acquire(), kNil);
  EXPECT_EQ(p.live(), 3u);
  p.release(2);
  EXPECT_EQ(p.free(), 1u);
  EXPECT_EQ(p.acquire(), 2u);
  EXPECT_EQ(p.acquire(), kNil);
}

// A full pool's worth of levels in the smallest table (load 0.5) over few symbols and
// prices on both sides: long probe runs that wrap around the table. Every erase keeps
// every other level findable, and a level is never found under another symbol, side or
// price.
TEST(LevelIndex, FindsExactlyTheIndexedLevelsThroughInsertsAndErases) {
  constexpr uint32_t kLevels = 64;
  LevelPool pool(kLevels, heap());
  LevelIndex idx(kLevels, pool, heap());
  EXPECT_EQ(idx.buckets(), 128u);
  struct Key {
    SymbolId sym;
    Side side;
    Price price;
  };
  std::vector<Key> keys(kLevels);
  std::vector<bool> live(kLevels, false);
  // Symbols 0..3, prices 100..107, both sides: same price on both sides and in every book.
  for (uint32_t i = 0; i < kLevels; ++i) {
    const uint32_t li = pool.acquire();
    ASSERT_EQ(li, i);
    keys[li] = Key{SymbolId{i % 4}, static_cast<Side>((i / 4) % 2), Price{100 + int64_t(i / 8)}};
    pool[li].price = keys[li].price;
    pool[li].symbol = keys[li].sym.value;
  }
  auto check = [&] {
    for (uint32_t li = 0; li < kLevels; ++li) {
      const Key& k = keys[li];
      ASSERT_EQ(idx.find(k.sym, k.side, k.price), live[li] ? li : kNil) << "level " << li;
    }
    EXPECT_EQ(idx.find(SymbolId{9}, Side::kBuy, Price{100}), kNil);
    EXPECT_EQ(idx.find(SymbolId{0}, Side::kBuy, Price{99}), kNil);
  };
  for (uint32_t li = 0; li < kLevels; ++li) {
    idx.insert(keys[li].sym, keys[li].side, keys[li].price, li);
    live[li] = true;
  }
  check();
  // Erase in a scattered order, checking everything after each erase, then put half back.
  for (uint32_t n = 0; n < kLevels; ++n) {
    const uint32_t li = (n * 37) % kLevels;
    idx.erase(keys[li].sym, keys[li].side, li);
    live[li] = false;
    check();
  }
  for (uint32_t li = 0; li < kLevels; li += 2) {
    idx.insert(keys[li].sym, keys[li].side, keys[li].price, li);
    live[li] = true;
  }
  check();
}

TEST(BookConfig, DefaultsAreValid) { EXPECT_EQ(BookConfig{}.validate(), ""); }

TEST(BookConfig, EveryRuleNamesTheFieldAndValue) {
  auto err = [](auto mutate) {
    BookConfig c;
    mutate(c);
    return c.validate();
  };
  EXPECT_EQ(err([](BookConfig& c) { c.max_orders = 0; }), "book.max_orders = 0: must be in 1..2147483647");
  EXPECT_EQ(err([](BookConfig& c) { c.max_orders = kMaxSlots + 1; }),
            "book.max_orders = 2147483648: must be in 1..2147483647");
  EXPECT_EQ(err([](BookConfig& c) { c.max_levels = 0; }), "book.max_levels = 0: must be in 1..2147483647");
  EXPECT_EQ(err([](BookConfig& c) { c.max_symbols = 0; }), "book.max_symbols = 0: must be in 1..2147483647");
  EXPECT_EQ(err([](BookConfig& c) { c.min_price = Price{-kMaxAbsPrice - 1}; }),
            "book.min_price = -2305843009213693953: must be >= -2^61");
  EXPECT_EQ(err([](BookConfig& c) { c.max_price = Price{kMaxAbsPrice + 1}; }),
            "book.max_price = 2305843009213693953: must be <= 2^61");
  EXPECT_EQ(err([](BookConfig& c) { c.min_price = Price{5}, c.max_price = Price{4}; }),
            "book.min_price = 5: must be <= book.max_price");
  EXPECT_EQ(err([](BookConfig& c) { c.max_qty = Qty{0}; }), "book.max_qty = 0: must be in 1..2^31-1");
  EXPECT_EQ(err([](BookConfig& c) { c.max_qty = Qty{kMaxQtyLimit + 1}; }),
            "book.max_qty = 2147483648: must be in 1..2^31-1");
  // The extremes themselves are allowed.
  EXPECT_EQ(err([](BookConfig& c) {
              c.min_price = Price{-kMaxAbsPrice}, c.max_price = Price{kMaxAbsPrice};
              c.max_qty = Qty{kMaxQtyLimit};
              c.min_price = c.max_price;
            }),
            "");
}

TEST(BookShard, InvalidConfigThrowsWithTheValidationMessage) {
  BookConfig c;
  c.max_levels = 0;
  try {
    BookShard s(c);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), c.validate());
  }
}

// Counts bytes handed out and returned; forwards to the heap.
class CountingResource : public std::pmr::memory_resource {
 public:
  std::size_t outstanding = 0;
  std::size_t calls = 0;

 private:
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    outstanding += bytes;
    ++calls;
    return heap()->allocate(bytes, align);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    outstanding -= bytes;
    heap()->deallocate(p, bytes, align);
  }
  bool do_is_equal(const std::pmr::memory_resource& o) const noexcept override { return this == &o; }
};

TEST(BookShard, AllMemoryComesFromTheResourceAndIsAccounted) {
  CountingResource mr;
  BookConfig c;
  c.max_orders = 1000;
  c.max_levels = 100;
  c.max_symbols = 7;
  {
    BookShard s(c, &mr);
    EXPECT_EQ(mr.outstanding, s.memory_bytes());
    const std::size_t want = 1000 * sizeof(Order) + 100 * sizeof(Level) +
                             std::bit_ceil(std::size_t{2000}) * sizeof(OrderIndex::Entry) +
                             std::bit_ceil(std::size_t{200}) * sizeof(LevelIndex::Entry) +
                             (4 * 100 + 2 * 7 * 16) * sizeof(LadderEntry) + 7 * sizeof(OrderBook) +
                             2 * 7 * sizeof(PriceLadder*);  // compaction scratch
    EXPECT_EQ(s.memory_bytes(), want);
    EXPECT_EQ(s.symbols(), 7u);
    EXPECT_EQ(s.config().max_orders, 1000u);
    // Operations never go back to the resource.
    const std::size_t calls = mr.calls;
    NullSink sink;
    for (uint64_t i = 0; i < 500; ++i)
      s.add(i, SymbolId{uint32_t(i % 7)}, OrderId{i}, i % 2 ? Side::kBuy : Side::kSell, Price{int64_t(i % 40)},
            Qty{1 + int64_t(i % 5)}, OrderType::kLimit, sink);
    EXPECT_EQ(mr.calls, calls);
  }
  EXPECT_EQ(mr.outstanding, 0u);
}

}  // namespace
}  // namespace tachyon::book
