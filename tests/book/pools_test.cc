// Unit tests of the preallocated pools (OrderPool, LevelPool), BookConfig validation
// and BookShard construction: every byte comes from the given memory resource, is
// accounted in memory_bytes(), and is returned on destruction.
#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <map>
#include <memory_resource>
#include <random>
#include <tuple>
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

// The eight prices of a block (price / 8, negative prices too) start their lookups in
// one aligned group of eight buckets, a cache line, each at its own bucket; the next
// block's group is elsewhere.
TEST(LevelIndex, EightNeighbouringPricesShareOneCacheLine) {
  LevelPool pool(1u << 12, heap());
  LevelIndex idx(1u << 12, pool, heap());
  static_assert(8 * sizeof(LevelIndex::Entry) == kCacheLine);
  std::size_t groups_apart = 0;
  const int64_t firsts[] = {0, 8, 1000, 123456, -8, -4000, int64_t{1} << 40};
  for (const int64_t first : firsts) {
    for (const Side side : {Side::kBuy, Side::kSell}) {
      const SymbolId sym{3};
      std::set<std::size_t> homes;
      const std::size_t group = idx.home_of(sym, side, Price{first}) / 8;
      for (int64_t p = first; p < first + 8; ++p) {
        const std::size_t h = idx.home_of(sym, side, Price{p});
        EXPECT_EQ(h / 8, group) << "price " << p;
        homes.insert(h);
      }
      EXPECT_EQ(homes.size(), 8u) << "block at " << first;
      groups_apart += idx.home_of(sym, side, Price{first + 8}) / 8 != group;
    }
  }
  // A hash could send two blocks to one group; it does not for these.
  EXPECT_EQ(groups_apart, 2 * std::size(firsts));
}

// Dense ladders (every price of a range, both sides, two books) fill whole groups, so
// probe runs cross into the next groups and erases shift entries back across them.
// Random inserts and erases up to the full level pool (load 0.5) agree with a map
// after every operation, for present and absent prices alike.
TEST(LevelIndex, DenseLaddersUnderChurnAgreeWithAMap) {
  constexpr uint32_t kLevels = 512;
  LevelPool pool(kLevels, heap());
  LevelIndex idx(kLevels, pool, heap());
  using Key = std::tuple<uint32_t, uint8_t, int64_t>;
  std::map<Key, uint32_t> model;
  std::vector<Key> key_of(kLevels);
  std::mt19937_64 rng(20261207);
  auto random_key = [&] {
    const auto sym = static_cast<uint32_t>(rng() % 2);
    const auto side = static_cast<uint8_t>(rng() % 2);
    return Key{sym, side, 1000 + static_cast<int64_t>(rng() % 300)};
  };
  auto probe = [&](const Key& k) {
    const auto [sym, side, price] = k;
    const auto it = model.find(k);
    return std::make_pair(idx.find(SymbolId{sym}, static_cast<Side>(side), Price{price}),
                          it == model.end() ? kNil : it->second);
  };
  for (int op = 0; op < 20000; ++op) {
    const Key k = random_key();
    const auto [sym, side, price] = k;
    const auto it = model.find(k);
    if (it != model.end()) {
      idx.erase(SymbolId{sym}, static_cast<Side>(side), it->second);
      pool.release(it->second);
      model.erase(it);
    } else if (pool.free() > 0) {
      const uint32_t li = pool.acquire();
      pool[li].price = Price{price};
      pool[li].symbol = sym;
      key_of[li] = k;
      idx.insert(SymbolId{sym}, static_cast<Side>(side), Price{price}, li);
      model.emplace(k, li);
    }
    for (int j = 0; j < 4; ++j) {
      const auto [got, want] = probe(random_key());
      ASSERT_EQ(got, want) << "operation " << op;
    }
    if (op % 1000 == 999) {
      for (const auto& [key, li] : model) ASSERT_EQ(probe(key).first, li) << "operation " << op;
    }
  }
  EXPECT_GT(model.size(), 400u);
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
