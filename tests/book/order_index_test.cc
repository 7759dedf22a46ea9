// Unit tests of OrderIndex, the open-addressing id -> slot table: lookups, clustered
// and wrapping probe runs, backward-shift deletion under heavy insert/erase churn, and
// in-place doubling (including runs that wrap past the end of the doubled table),
// checked against std::unordered_map.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <iterator>
#include <memory_resource>
#include <random>
#include <unordered_map>
#include <vector>

#include "tachyon/book/order_index.h"
#include "tachyon/book/order_pool.h"

namespace tachyon::book {
namespace {

// An index over its own pool, plus the std::unordered_map it must agree with.
class IndexHarness {
 public:
  // start_buckets 0: the whole table from the start, as before growth existed.
  IndexHarness(uint32_t capacity, uint64_t seed, std::size_t start_buckets = 0,
               std::size_t doubling_limit = OrderIndex::kDoublingLimit)
      : pool_(capacity, std::pmr::new_delete_resource()),
        index_(capacity, seed, pool_, std::pmr::new_delete_resource(), start_buckets, doubling_limit) {}

  bool full() const { return pool_.free() == 0; }
  std::size_t size() const { return model_.size(); }
  bool has(uint64_t id) const { return model_.count(id) != 0; }
  // Erases one of the first `among` live ids in the model's order, picked by rng.
  // Precondition: size() != 0.
  void erase_one_of(std::mt19937_64& rng, std::size_t among) {
    auto it = model_.begin();
    std::advance(it, static_cast<std::ptrdiff_t>(rng() % std::min(size(), among)));
    erase(it->first);
  }

  void insert(uint64_t id) {
    const uint32_t slot = pool_.acquire();
    ASSERT_NE(slot, kNil);
    pool_[slot].id = OrderId{id};
    index_.insert(OrderId{id}, slot);
    model_[id] = slot;
  }

  void erase(uint64_t id) {
    const std::size_t pos = index_.find_pos(OrderId{id});
    ASSERT_NE(pos, OrderIndex::npos) << "id " << id;
    ASSERT_EQ(index_.slot_at(pos), model_.at(id));
    index_.erase_at(pos);
    pool_.release(model_.at(id));
    model_.erase(id);
  }

  // Checks every live id maps to its slot and the probe ids map to nothing.
  void check(const std::vector<uint64_t>& absent_probes) const {
    for (const auto& [id, slot] : model_) ASSERT_EQ(index_.find(OrderId{id}), slot) << "id " << id;
    for (uint64_t id : absent_probes)
      if (!model_.count(id)) {
        ASSERT_EQ(index_.find(OrderId{id}), kNil) << "id " << id;
      }
  }

  const OrderIndex& index() const { return index_; }
  OrderIndex& index() { return index_; }
  const std::unordered_map<uint64_t, uint32_t>& model() const { return model_; }

 private:
  OrderPool pool_;
  OrderIndex index_;
  std::unordered_map<uint64_t, uint32_t> model_;
};

TEST(OrderIndex, TableIsAtLeastTwiceTheCapacityAndAPowerOfTwo) {
  for (uint32_t cap : {1u, 2u, 3u, 5u, 8u, 1000u, 1u << 12}) {
    IndexHarness h(cap, 1);
    EXPECT_GE(h.index().buckets(), 2u * cap);
    EXPECT_TRUE(std::has_single_bit(h.index().buckets()));
    EXPECT_EQ(h.index().max_buckets(), h.index().buckets());
    EXPECT_EQ(h.index().bytes(), h.index().buckets() * sizeof(OrderIndex::Entry));
  }
}

TEST(OrderIndex, StartsSmallAndDoublesAboveAQuarterLoad) {
  IndexHarness h(1000, 3, 20);  // rounded up to 32 buckets in use of 2048
  EXPECT_EQ(h.index().max_buckets(), 2048u);
  EXPECT_EQ(h.index().bytes(), 2048u * sizeof(OrderIndex::Entry));
  EXPECT_EQ(h.index().buckets(), 32u);
  for (uint64_t id = 0; id < 8; ++id) h.insert(id * 977);
  EXPECT_EQ(h.index().buckets(), 32u);  // 8 of 32: at the threshold, not above it
  h.insert(8 * 977);
  EXPECT_EQ(h.index().buckets(), 64u);
  EXPECT_EQ(h.index().growths(), 1u);
  h.check({1, 2, 3});
  for (uint64_t id = 9; id < 1000; ++id) h.insert(id * 977);
  EXPECT_EQ(h.index().buckets(), 2048u);
  EXPECT_EQ(h.index().growths(), 6u);
  EXPECT_EQ(h.index().size(), 1000u);
  h.check({1, 2, 3});
  // Past the doubling limit the next growth goes to full size.
  IndexHarness jump(1000, 3, 16, 64);
  for (uint64_t id = 0; id < 17; ++id) jump.insert(id * 977);
  EXPECT_EQ(jump.index().buckets(), 2048u);
  EXPECT_EQ(jump.index().growths(), 3u);  // 16 -> 32 -> 64 -> 2048
  jump.check({1, 2, 3});
  // Start sizes below 16 buckets or above the table are clamped to it.
  EXPECT_EQ(IndexHarness(1000, 3, 1).index().buckets(), 16u);
  EXPECT_EQ(IndexHarness(1000, 3, 1u << 20).index().buckets(), 2048u);
}

TEST(OrderIndex, FindInsertEraseAndSetSlot) {
  IndexHarness h(8, 42);
  EXPECT_EQ(h.index().find(OrderId{0}), kNil);
  EXPECT_EQ(h.index().find_pos(OrderId{0}), OrderIndex::npos);
  for (uint64_t id : {0ull, 1ull, 2ull, ~0ull, 0x8000000000000000ull}) h.insert(id);
  h.check({3, 4, 5, 0x7fffffffffffffffull});
  h.erase(1);
  h.erase(~0ull);
  h.check({1, ~0ull});
  h.insert(1);
  h.check({~0ull});
  const std::size_t pos = h.index().find_pos(OrderId{2});
  ASSERT_NE(pos, OrderIndex::npos);
  const uint32_t slot = h.index().slot_at(pos);
  h.index().set_slot(pos, slot);  // retarget to the same slot keeps the mapping
  EXPECT_EQ(h.index().find(OrderId{2}), slot);
}

TEST(OrderIndex, FullLoadSingleSlot) {
  IndexHarness h(1, 7);
  for (uint64_t id = 0; id < 1000; ++id) {
    h.insert(id * 0x9e3779b97f4a7c15ull);
    h.check({id * 0x9e3779b97f4a7c15ull + 1});
    h.erase(id * 0x9e3779b97f4a7c15ull);
  }
  EXPECT_EQ(h.size(), 0u);
}

TEST(OrderIndex, ClusteredIdsWrapAroundTheTableEnd) {
  constexpr uint32_t kCap = 16;  // 32 buckets
  constexpr uint64_t kSeed = 99;
  IndexHarness h(kCap, kSeed);
  const std::size_t buckets = h.index().buckets();
  // Ids homed at the last two buckets and at bucket 0: their runs wrap past the end.
  std::vector<uint64_t> ids;
  for (uint64_t id = 1; ids.size() < kCap; ++id) {
    const std::size_t home = h.index().home_bucket(OrderId{id});
    if (home >= buckets - 2 || home == 0) ids.push_back(id);
  }
  std::mt19937_64 rng(5);
  for (int round = 0; round < 200; ++round) {
    std::shuffle(ids.begin(), ids.end(), rng);
    for (uint64_t id : ids) h.insert(id);
    h.check({});
    std::shuffle(ids.begin(), ids.end(), rng);
    // Erase in random order, checking every survivor stays reachable.
    for (std::size_t i = 0; i < ids.size(); ++i) {
      h.erase(ids[i]);
      h.check({ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(i) + 1});
    }
  }
}

// Heavy churn at up to full pool load: random inserts and erases from a small id space
// (so ids come back after being erased) mixed with arbitrary 64-bit ids.
void churn(uint32_t cap, uint64_t seed, int ops, std::size_t start_buckets = 0) {
  IndexHarness h(cap, seed, start_buckets);
  std::mt19937_64 rng(seed * 31 + cap);
  const uint64_t space = 3ull * cap + 1;
  std::vector<uint64_t> probes;
  for (int i = 0; i < ops; ++i) {
    const bool wide = (rng() & 7) == 0;
    const uint64_t id = wide ? rng() : rng() % space;
    if (h.has(id)) {
      h.erase(id);
    } else if (!h.full()) {
      h.insert(id);
    } else {
      // Full: erase a random live id instead.
      h.erase_one_of(rng, h.size());
    }
    if (::testing::Test::HasFatalFailure()) return;
    if (i % 97 == 0 || cap <= 8) {
      probes.assign({rng() % space, rng(), id});
      h.check(probes);
      if (::testing::Test::HasFatalFailure()) return;
    }
  }
  h.check({});
  // Drain completely: with backward shifting nothing is left behind, so the table
  // can be refilled and every lookup still terminates.
  std::vector<uint64_t> live;
  for (const auto& kv : h.model()) live.push_back(kv.first);
  for (uint64_t id : live) h.erase(id);
  for (uint64_t id = 0; id < cap; ++id) h.insert(id + 1'000'000);
  h.check({0, 1, 2, 999'999});
}

// Ids whose home in a table of `buckets` is in [lo, hi): enough of them make the
// doubled table's last run wrap past its end, the layout's hardest case.
std::vector<uint64_t> ids_homed_in(const OrderIndex& probe, std::size_t lo, std::size_t hi, std::size_t n,
                                   uint64_t first) {
  std::vector<uint64_t> ids;
  for (uint64_t id = first; ids.size() < n; ++id) {
    const std::size_t home = probe.home_bucket(OrderId{id});
    if (home >= lo && home < hi) ids.push_back(id);
  }
  return ids;
}

TEST(OrderIndex, GrowthKeepsRunsThatWrapPastTheEnd) {
  for (uint64_t seed : {5ull, 6ull, 7ull, 8ull}) {
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    // A full-size index of 64 buckets tells which ids end up homed at its last buckets;
    // the growing one starts at 16 and doubles twice on the way to 64 (at 5 and 9
    // entries), so the runs at the end wrap in both doublings.
    IndexHarness full(32, seed);
    ASSERT_EQ(full.index().buckets(), 64u);
    IndexHarness h(32, seed, 16);
    std::vector<uint64_t> ids = ids_homed_in(full.index(), 56, 64, 24, 1);
    const std::vector<uint64_t> more = ids_homed_in(full.index(), 0, 2, 4, 1);
    ids.insert(ids.end(), more.begin(), more.end());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      h.insert(ids[i]);
      h.check({ids.begin() + static_cast<std::ptrdiff_t>(i) + 1, ids.end()});
      if (HasFatalFailure()) return;
    }
    EXPECT_EQ(h.index().buckets(), 64u);
    EXPECT_EQ(h.index().growths(), 2u);
    // Erase and reinsert through the wrapped runs.
    for (std::size_t i = 0; i < ids.size(); i += 2) h.erase(ids[i]);
    h.check({ids[0], ids[2]});
    for (std::size_t i = 0; i < ids.size(); i += 2) h.insert(ids[i]);
    h.check({});
  }
}

// Random growth: many small starts, ids clustered and arbitrary, erases mixed in so
// doublings happen with every kind of run in the table.
TEST(OrderIndex, GrowthUnderChurnAgreesWithAHashMap) {
  for (uint32_t cap : {8u, 64u, 1000u, 5000u})
    for (uint64_t seed : {0ull, 11ull, 0xfeedull}) {
      SCOPED_TRACE(::testing::Message() << "cap " << cap << " seed " << seed);
      // The default doubling limit, and one that makes the last growth a jump.
      IndexHarness h(cap, seed, 16, seed == 11 ? 256 : OrderIndex::kDoublingLimit);
      std::mt19937_64 rng(seed + cap);
      uint64_t next_id = rng() >> 8;
      for (int i = 0; i < 40'000; ++i) {
        const unsigned r = static_cast<unsigned>(rng() % 8);
        if (r < 5 && !h.full()) {
          // Mostly sequential ids (as venues number them), some arbitrary.
          const uint64_t id = r == 0 ? rng() : next_id++;
          if (!h.has(id)) h.insert(id);
        } else if (h.size() != 0) {
          h.erase_one_of(rng, 8);
        }
        if (HasFatalFailure()) return;
        if (i % 251 == 0) {
          h.check({next_id, rng()});
          if (HasFatalFailure()) return;
        }
        ASSERT_LE(h.index().size() * 2, h.index().buckets());
      }
      h.check({});
      EXPECT_EQ(h.index().size(), h.size());
      EXPECT_GE(h.index().buckets(), 2 * h.size());
    }
}

// The jump from the doubling limit to the full table decides, once, whether ids share
// cache lines in groups of eight: yes for ids that come mostly in sequence, no for ids
// spread too thinly to fill a group. Either form keeps every id reachable.
TEST(OrderIndex, TheJumpToFullSizeGroupsDenseIdsOnly) {
  struct Case {
    const char* name;
    uint64_t stride;  // between consecutive ids; 0: arbitrary 64-bit ids
    bool grouped;
  };
  for (const Case c : {Case{"consecutive", 1, true}, Case{"every other", 2, true}, Case{"one in 97", 97, false},
                       Case{"arbitrary", 0, false}}) {
    SCOPED_TRACE(c.name);
    // 5000 orders: 16384 buckets at full size; doubling from 16 up to 256 buckets, then
    // the jump on the 65th live id.
    IndexHarness h(5000, 42, 16, 256);
    std::mt19937_64 rng(7);
    std::vector<uint64_t> ids;
    for (uint64_t i = 0; i < 3000; ++i) ids.push_back(c.stride == 0 ? rng() : 1'000'000 + i * c.stride);
    for (std::size_t i = 0; i < ids.size(); ++i) {
      h.insert(ids[i]);
      if (HasFatalFailure()) return;
      if (i + 1 == 64) {
        EXPECT_EQ(h.index().buckets(), 256u);
        EXPECT_FALSE(h.index().grouped()) << "ids are on their own while the table doubles";
      }
    }
    EXPECT_EQ(h.index().buckets(), 16384u);
    EXPECT_EQ(h.index().grouped(), c.grouped);
    h.check({ids[0] + 3, ids[0] - 1, rng()});
    // Erase two in three and put some back, through the chosen form.
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (i % 3 != 0) h.erase(ids[i]);
    for (std::size_t i = 1; i < ids.size(); i += 6) h.insert(ids[i]);
    h.check({ids[2], ids[5]});
    // Churn in the chosen form: more ids of the same kind, and erases of random live ones.
    uint64_t next = ids.back();
    for (int i = 0; i < 20'000; ++i) {
      if (rng() % 2 == 0 && !h.full()) {
        next = c.stride == 0 ? rng() : next + c.stride;
        if (!h.has(next)) h.insert(next);
      } else if (h.size() != 0) {
        h.erase_one_of(rng, 16);
      }
      if (HasFatalFailure()) return;
      if (i % 499 == 0) {
        h.check({next + 1, rng()});
        if (HasFatalFailure()) return;
      }
    }
    h.check({});
    EXPECT_EQ(h.index().grouped(), c.grouped) << "the form is decided once";
  }
}

// With no ids to go by, a table that starts at full size groups them when it is larger
// than the doubling limit (beyond the caches), as the full table always did.
TEST(OrderIndex, ATableStartedAtFullSizeGroupsIdsOnlyBeyondTheDoublingLimit) {
  EXPECT_TRUE(IndexHarness(5000, 42, 0, 256).index().grouped());
  EXPECT_FALSE(IndexHarness(5000, 42).index().grouped());
  EXPECT_FALSE(IndexHarness(5000, 42, 16, 256).index().grouped());
}

TEST(OrderIndex, HeavyChurnAgreesWithAHashMap) {
  for (uint32_t cap : {2u, 3u, 8u, 16u, 64u, 1000u})
    for (uint64_t seed : {0ull, 1ull, 0xdeadbeefull}) {
      SCOPED_TRACE(::testing::Message() << "cap " << cap << " seed " << seed);
      churn(cap, seed, cap <= 16 ? 20'000 : 200'000);
      if (HasFatalFailure()) return;
      churn(cap, seed, cap <= 16 ? 20'000 : 100'000, 16);  // growing from 16 buckets
      if (HasFatalFailure()) return;
    }
}

}  // namespace
}  // namespace tachyon::book
