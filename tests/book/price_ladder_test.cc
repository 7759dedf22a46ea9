// Unit tests of PriceLadder (sorted level keys, linear-then-binary search) and the
// LadderArena it grows into: growth past several size classes, release and reuse of
// chunks, splitting, exhaustion, and several ladders sharing one arena -- all checked
// against a std::vector model.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory_resource>
#include <random>
#include <set>
#include <vector>

#include "tachyon/book/ladder_arena.h"
#include "tachyon/book/price_ladder.h"

namespace tachyon::book {
namespace {

std::pmr::memory_resource* heap() { return std::pmr::new_delete_resource(); }

TEST(LadderArena, ChunkSizesArePowersOfTwoFromSixteen) {
  EXPECT_EQ(LadderArena::chunk_entries(0), 16u);
  EXPECT_EQ(LadderArena::chunk_entries(1), 32u);
  EXPECT_EQ(LadderArena::chunk_entries(5), 512u);
}

TEST(LadderArena, BumpReleaseReuseAndExhaustion) {
  LadderArena a(64, heap());
  EXPECT_EQ(a.bytes(), 64 * sizeof(LadderEntry));
  LadderEntry* c0 = a.allocate(0);
  LadderEntry* c1 = a.allocate(0);
  LadderEntry* c2 = a.allocate(1);
  ASSERT_NE(c0, nullptr);
  ASSERT_NE(c1, nullptr);
  ASSERT_NE(c2, nullptr);
  EXPECT_EQ(c1, c0 + 16);  // bump order, no overlap
  EXPECT_EQ(c2, c1 + 16);
  EXPECT_EQ(a.allocate(0), nullptr);  // 64 entries used
  EXPECT_EQ(a.allocate(1), nullptr);
  a.release(c1, 0);
  EXPECT_EQ(a.allocate(1), nullptr);  // a free small chunk cannot serve a larger class
  EXPECT_EQ(a.allocate(0), c1);       // but is reused for its own class
  a.release(c0, 0);
  a.release(c1, 0);
  EXPECT_EQ(a.allocate(0), c1);  // LIFO free list
  EXPECT_EQ(a.allocate(0), c0);
  EXPECT_EQ(a.allocate(LadderArena::kClasses), nullptr);
}

TEST(LadderArena, SmallClassSplitsAFreeLargerChunk) {
  LadderArena a(64, heap());
  LadderEntry* big = a.allocate(2);  // all 64 entries
  ASSERT_NE(big, nullptr);
  EXPECT_EQ(a.allocate(0), nullptr);
  a.release(big, 2);
  std::set<LadderEntry*> got;
  for (int i = 0; i < 4; ++i) {
    LadderEntry* c = a.allocate(0);
    ASSERT_NE(c, nullptr) << i;
    EXPECT_GE(c, big);
    EXPECT_LE(c + 16, big + 64);
    got.insert(c);
  }
  EXPECT_EQ(got.size(), 4u);  // four distinct quarters
  EXPECT_EQ(a.allocate(0), nullptr);
}

// A ladder plus the sorted vector it must equal.
struct LadderModel {
  PriceLadder ladder;
  std::vector<int64_t> keys;
  std::vector<uint32_t> levels;

  // Inserts key (absent) where lower_bound says; false when the arena is full.
  bool insert(LadderArena& arena, int64_t key, uint32_t level) {
    if (!ladder.reserve_one(arena)) return false;
    const uint32_t pos = ladder.lower_bound(key);
    ladder.insert_at(pos, key, level);
    const auto it = std::lower_bound(keys.begin(), keys.end(), key);
    levels.insert(levels.begin() + (it - keys.begin()), level);
    keys.insert(it, key);
    return true;
  }
  void erase(uint32_t pos) {
    ladder.erase_at(pos);
    keys.erase(keys.begin() + pos);
    levels.erase(levels.begin() + pos);
  }
  void check(std::mt19937_64& rng) const {
    ASSERT_EQ(ladder.size(), keys.size());
    ASSERT_EQ(ladder.empty(), keys.empty());
    ASSERT_GE(ladder.capacity(), ladder.size());
    for (uint32_t i = 0; i < keys.size(); ++i) {
      ASSERT_EQ(ladder[i].key, keys[i]) << i;
      ASSERT_EQ(ladder[i].level, levels[i]) << i;
    }
    if (!keys.empty()) {
      ASSERT_EQ(ladder.back().key, keys.back());
    }
    // lower_bound and find for present keys, gaps and both ends, near the top (linear
    // scan) and deep (binary search).
    std::vector<int64_t> probes = {INT64_MIN / 4, INT64_MAX / 4};
    for (int i = 0; i < 8 && !keys.empty(); ++i) {
      const int64_t k = keys[rng() % keys.size()];
      probes.push_back(k);
      probes.push_back(k + 1);
      probes.push_back(k - 1);
    }
    for (int64_t k : probes) {
      const uint32_t want = static_cast<uint32_t>(std::lower_bound(keys.begin(), keys.end(), k) - keys.begin());
      ASSERT_EQ(ladder.lower_bound(k), want) << "key " << k;
      const bool present = want < keys.size() && keys[want] == k;
      ASSERT_EQ(ladder.find(k), present ? int64_t{want} : -1) << "key " << k;
    }
  }
};

TEST(PriceLadder, GrowsThroughSeveralClassesAndShrinksToRelease) {
  LadderArena arena(1 << 14, heap());
  LadderModel m;
  std::mt19937_64 rng(11);
  EXPECT_EQ(m.ladder.capacity(), 0u);
  std::set<int64_t> used;
  std::set<uint32_t> capacities;
  while (m.keys.size() < 1500) {  // 16 -> 32 -> ... -> 2048: seven classes
    int64_t k = static_cast<int64_t>(rng() % 100'000) - 50'000;
    if (!used.insert(k).second) continue;
    ASSERT_TRUE(m.insert(arena, k, static_cast<uint32_t>(m.keys.size())));
    capacities.insert(m.ladder.capacity());
    if (m.keys.size() % 37 == 0) m.check(rng);
    if (HasFatalFailure()) return;
  }
  m.check(rng);
  EXPECT_EQ(capacities, (std::set<uint32_t>{16, 32, 64, 128, 256, 512, 1024, 2048}));
  // Erase at random positions (top, middle, bottom) down to empty.
  while (!m.keys.empty()) {
    const uint32_t r = static_cast<uint32_t>(rng() % 3);
    const uint32_t n = static_cast<uint32_t>(m.keys.size());
    const uint32_t pos = r == 0 ? n - 1 : r == 1 ? 0 : static_cast<uint32_t>(rng() % n);
    if (r == 0 && (rng() & 1)) {
      m.ladder.pop_back();
      m.keys.pop_back();
      m.levels.pop_back();
    } else {
      m.erase(pos);
    }
    if (m.keys.size() % 41 == 0) m.check(rng);
    if (HasFatalFailure()) return;
  }
  EXPECT_EQ(m.ladder.capacity(), 2048u);  // an emptied ladder keeps its chunk...
  m.ladder.release(arena);
  EXPECT_EQ(m.ladder.capacity(), 0u);  // ...until released
  m.ladder.release(arena);             // releasing twice is harmless
  // The released 2048-entry chunk is reused by the arena.
  LadderEntry* again = arena.allocate(7);
  EXPECT_NE(again, nullptr);
}

// Every size from empty to well past two search windows, probed at, between and
// beyond every key: the vector compares and the branch-free halving must agree with
// std::lower_bound at each window boundary (sizes 32, 33, 64, 65, ...).
TEST(PriceLadder, LowerBoundAgreesWithStdAtEverySizeAndPosition) {
  LadderArena arena(1 << 12, heap());
  LadderModel m;
  std::mt19937_64 rng(5);
  for (uint32_t size = 0; size <= 2 * PriceLadder::kWindow + 80; ++size) {
    if (size > 0) {
      // Keys 10, 20, 30, ... inserted in random order keep gaps for the probes.
      int64_t k;
      do k = 10 * static_cast<int64_t>(1 + rng() % 1000); while (std::binary_search(m.keys.begin(), m.keys.end(), k));
      ASSERT_TRUE(m.insert(arena, k, size));
    }
    std::vector<int64_t> probes = {INT64_MIN / 4, INT64_MAX / 4, 0};
    for (const int64_t k : m.keys) {
      probes.push_back(k - 1);
      probes.push_back(k);
      probes.push_back(k + 1);
    }
    for (const int64_t k : probes) {
      const auto want = static_cast<uint32_t>(std::lower_bound(m.keys.begin(), m.keys.end(), k) - m.keys.begin());
      ASSERT_EQ(m.ladder.lower_bound(k), want) << "size " << size << " key " << k;
    }
  }
}

TEST(PriceLadder, ReserveFailsCleanlyWhenTheArenaIsFull) {
  LadderArena arena(48, heap());  // room for 16 + 32, not for 64
  LadderModel m;
  std::mt19937_64 rng(3);
  for (int64_t k = 0; k < 32; ++k) ASSERT_TRUE(m.insert(arena, k * 2, static_cast<uint32_t>(k)));
  EXPECT_EQ(m.ladder.capacity(), 32u);
  EXPECT_FALSE(m.insert(arena, 1000, 99));  // growing to 64 is impossible
  m.check(rng);                             // and the ladder is intact
  m.erase(5);
  EXPECT_TRUE(m.insert(arena, 1000, 99));  // room again without growing
  m.check(rng);
}

TEST(PriceLadder, ManyLaddersShareOneArenaWithoutOverlap) {
  LadderArena arena(1 << 14, heap());
  std::vector<LadderModel> ms(12);
  std::mt19937_64 rng(17);
  for (int step = 0; step < 20'000; ++step) {
    LadderModel& m = ms[rng() % ms.size()];
    const bool grow = m.keys.empty() || (rng() % 100) < 55;
    if (grow && m.keys.size() < 300) {
      const int64_t k = static_cast<int64_t>(rng() % 4000) - 2000;
      if (std::binary_search(m.keys.begin(), m.keys.end(), k)) continue;
      ASSERT_TRUE(m.insert(arena, k, static_cast<uint32_t>(rng())));
    } else if (!m.keys.empty()) {
      m.erase(static_cast<uint32_t>(rng() % m.keys.size()));
      if (m.keys.empty()) m.ladder.release(arena);
    }
    if (step % 500 == 0)
      for (const LadderModel& x : ms) {
        x.check(rng);
        if (HasFatalFailure()) return;
      }
  }
  for (const LadderModel& x : ms) x.check(rng);
}

}  // namespace
}  // namespace tachyon::book
