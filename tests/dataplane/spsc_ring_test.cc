// Tests of SpscRing: capacity rules, FIFO order against a reference deque for every
// producer/consumer entry point, wraparound with batches straddling the end of the
// storage, visibility only after publish, allocation only at construction, and a
// two-thread stress run where every record must arrive exactly once, in order.
#include "tachyon/dataplane/spsc_ring.h"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory_resource>
#include <random>
#include <thread>
#include <vector>

#include "tachyon/book/event.h"
#include "tachyon/dataplane/cpu_relax.h"

namespace tachyon::dataplane {
namespace {

TEST(SpscRing, RejectsCapacitiesThatAreNotPowersOfTwo) {
  for (std::size_t bad : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{6}, std::size_t{1000},
                          (std::size_t{1} << 41)}) {
    EXPECT_THROW(SpscRing<uint64_t>{bad}, std::invalid_argument) << bad;
  }
  SpscRing<uint64_t> r(2);
  EXPECT_EQ(r.capacity(), 2u);
}

TEST(SpscRing, FillsToCapacityThenRefusesUntilAPop) {
  SpscRing<uint64_t> r(4);
  for (uint64_t i = 0; i < 4; ++i) EXPECT_TRUE(r.try_push(i));
  EXPECT_FALSE(r.try_push(99));
  EXPECT_FALSE(r.try_stage(99));
  EXPECT_EQ(r.claim(4).size(), 0u);
  EXPECT_EQ(r.size_approx(), 4u);
  uint64_t v = 0;
  ASSERT_TRUE(r.try_pop(v));
  EXPECT_EQ(v, 0u);
  EXPECT_TRUE(r.try_push(4));
  for (uint64_t want = 1; want <= 4; ++want) {
    ASSERT_TRUE(r.try_pop(v));
    EXPECT_EQ(v, want);
  }
  EXPECT_FALSE(r.try_pop(v));
  EXPECT_EQ(r.size_approx(), 0u);
}

TEST(SpscRing, StagedRecordsAreInvisibleUntilPublished) {
  SpscRing<uint64_t> r(8);
  ASSERT_TRUE(r.try_stage(1));
  ASSERT_TRUE(r.try_stage(2));
  uint64_t v = 0;
  EXPECT_FALSE(r.try_pop(v));
  EXPECT_TRUE(r.peek(8).empty());
  r.publish();
  const std::span<const uint64_t> s = r.peek(8);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0], 1u);
  EXPECT_EQ(s[1], 2u);
  r.release(2);
  EXPECT_FALSE(r.try_pop(v));
}

// Advances both indices of an empty ring to position start (mod capacity).
template <class T>
void advance(SpscRing<T>& r, std::size_t start) {
  T v{};
  for (std::size_t i = 0; i < start; ++i) {
    ASSERT_TRUE(r.try_push(v));
    ASSERT_TRUE(r.try_pop(v));
  }
}

TEST(SpscRing, BatchesStraddlingTheEndOfStorageKeepOrder) {
  SpscRing<uint64_t> r(8);
  advance(r, 5);
  const std::vector<uint64_t> in = {10, 11, 12, 13, 14, 15, 16};
  EXPECT_EQ(r.try_push_n(in), 7u);                        // slots 5,6,7,0,1,2,3
  EXPECT_EQ(r.try_push_n(std::span(in).subspan(0, 3)), 1u);  // only one slot left
  // peek stops at the end of the storage: 3 records, then the wrapped part.
  std::span<const uint64_t> s = r.peek(8);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], 10u);
  EXPECT_EQ(s[2], 12u);
  r.release(2);
  std::vector<uint64_t> out(16);
  const std::size_t n = r.try_pop_n(out);  // 12 (slot 7), then 13..16 and 10 from slots 0..4
  ASSERT_EQ(n, 6u);
  EXPECT_EQ((std::vector<uint64_t>(out.begin(), out.begin() + 6)), (std::vector<uint64_t>{12, 13, 14, 15, 16, 10}));
}

TEST(SpscRing, ClaimIsContiguousAndShortAtTheEnd) {
  SpscRing<uint64_t> r(8);
  advance(r, 6);
  std::span<uint64_t> w = r.claim(5);
  ASSERT_EQ(w.size(), 2u);  // slots 6 and 7
  w[0] = 100;
  w[1] = 101;
  r.commit(2);
  w = r.claim(5);
  ASSERT_EQ(w.size(), 5u);  // slots 0..4
  w[0] = 102;
  r.commit(1);
  EXPECT_TRUE(r.peek(8).empty());
  r.publish();
  std::vector<uint64_t> out(8);
  ASSERT_EQ(r.try_pop_n(out), 3u);
  EXPECT_EQ(out[0], 100u);
  EXPECT_EQ(out[1], 101u);
  EXPECT_EQ(out[2], 102u);
}

// Every entry point, in random interleavings, against a deque model (published part
// plus a count of staged records).
RC_GTEST_PROP(SpscRing, MatchesADequeModel, ()) {
  const unsigned shift = *rc::gen::inRange(1u, 6u);
  const std::size_t cap = std::size_t{1} << shift;
  SpscRing<uint64_t> r(cap);
  std::deque<uint64_t> published;
  std::deque<uint64_t> staged;
  uint64_t next = 1;
  const int steps = *rc::gen::inRange(1, 300);
  std::vector<uint64_t> buf(2 * cap + 1);
  for (int step = 0; step < steps; ++step) {
    const std::size_t total = published.size() + staged.size();
    const std::size_t k = *rc::gen::inRange<std::size_t>(0, 2 * cap + 1);
    switch (*rc::gen::inRange(0, 8)) {
      case 0: {  // try_push
        const bool ok = r.try_push(next);
        RC_ASSERT(ok == (total < cap));
        if (ok) {
          staged.push_back(next++);
          published.insert(published.end(), staged.begin(), staged.end());
          staged.clear();
        }
        break;
      }
      case 1: {  // try_stage
        const bool ok = r.try_stage(next);
        RC_ASSERT(ok == (total < cap));
        if (ok) staged.push_back(next++);
        break;
      }
      case 2:  // publish
        r.publish();
        published.insert(published.end(), staged.begin(), staged.end());
        staged.clear();
        break;
      case 3: {  // try_push_n
        for (std::size_t i = 0; i < k; ++i) buf[i] = next + i;
        const std::size_t n = r.try_push_n(std::span<const uint64_t>(buf.data(), k));
        RC_ASSERT(n == std::min(k, cap - total));
        for (std::size_t i = 0; i < n; ++i) staged.push_back(next++);
        if (n > 0) {
          published.insert(published.end(), staged.begin(), staged.end());
          staged.clear();
        }
        break;
      }
      case 4: {  // claim + commit
        const std::span<uint64_t> w = r.claim(k);
        RC_ASSERT(w.size() <= std::min(k, cap - total));
        if (k > 0 && total < cap) RC_ASSERT(!w.empty());
        const std::size_t use = w.empty() ? 0 : *rc::gen::inRange<std::size_t>(0, w.size() + 1);
        for (std::size_t i = 0; i < use; ++i) {
          w[i] = next;
          staged.push_back(next++);
        }
        r.commit(use);
        break;
      }
      case 5: {  // try_pop
        uint64_t v = 0;
        const bool ok = r.try_pop(v);
        RC_ASSERT(ok == !published.empty());
        if (ok) {
          RC_ASSERT(v == published.front());
          published.pop_front();
        }
        break;
      }
      case 6: {  // try_pop_n
        const std::size_t n = r.try_pop_n(std::span<uint64_t>(buf.data(), k));
        RC_ASSERT(n == std::min(k, published.size()));
        for (std::size_t i = 0; i < n; ++i) {
          RC_ASSERT(buf[i] == published.front());
          published.pop_front();
        }
        break;
      }
      case 7: {  // peek + partial release
        const std::span<const uint64_t> s = r.peek(k);
        RC_ASSERT(s.size() <= std::min(k, published.size()));
        if (k > 0 && !published.empty()) RC_ASSERT(!s.empty());
        for (std::size_t i = 0; i < s.size(); ++i) RC_ASSERT(s[i] == published[i]);
        const std::size_t rel = s.empty() ? 0 : *rc::gen::inRange<std::size_t>(0, s.size() + 1);
        r.release(rel);
        for (std::size_t i = 0; i < rel; ++i) published.pop_front();
        break;
      }
    }
    RC_ASSERT(r.size_approx() == published.size());
  }
}

// Counts allocations so the test can show storage is taken once, at construction.
class CountingResource : public std::pmr::memory_resource {
 public:
  int allocations = 0;
  int deallocations = 0;
  std::size_t last_bytes = 0;
  std::size_t last_align = 0;

 private:
  void* do_allocate(std::size_t bytes, std::size_t align) override {
    ++allocations;
    last_bytes = bytes;
    last_align = align;
    return std::pmr::new_delete_resource()->allocate(bytes, align);
  }
  void do_deallocate(void* p, std::size_t bytes, std::size_t align) override {
    ++deallocations;
    std::pmr::new_delete_resource()->deallocate(p, bytes, align);
  }
  bool do_is_equal(const memory_resource& o) const noexcept override { return this == &o; }
};

TEST(SpscRing, AllocatesOnlyAtConstructionFromTheGivenResource) {
  CountingResource mr;
  {
    SpscRing<book::Event> r(16, &mr);
    EXPECT_EQ(mr.allocations, 1);
    EXPECT_EQ(mr.last_bytes, 16 * sizeof(book::Event));
    EXPECT_GE(mr.last_align, kCacheLine);
    book::Event e{};
    for (int i = 0; i < 1000; ++i) {
      e.seq = static_cast<uint64_t>(i);
      ASSERT_TRUE(r.try_push(e));
      ASSERT_TRUE(r.try_pop(e));
      ASSERT_EQ(e.seq, static_cast<uint64_t>(i));
    }
    EXPECT_EQ(mr.allocations, 1);
    EXPECT_EQ(mr.deallocations, 0);
  }
  EXPECT_EQ(mr.deallocations, 1);
}

// Spins politely: yields after a while so the test also passes on one shared core.
struct Backoff {
  unsigned spins = 0;
  void wait() {
    if (++spins < 64) {
      cpu_relax();
    } else {
      std::this_thread::yield();
    }
  }
  void reset() { spins = 0; }
};

TEST(SpscRing, TwoThreadsEveryValueOnceInOrderWithMixedBatches) {
  constexpr uint64_t kCount = 20'000'000;
  SpscRing<uint64_t> r(1024);
  std::thread producer([&] {
    std::mt19937_64 rng(7);
    std::vector<uint64_t> buf(1500);
    uint64_t next = 0;
    Backoff b;
    while (next < kCount) {
      const std::size_t want = std::min<uint64_t>(1 + rng() % 1100, kCount - next);  // some larger than the ring
      std::size_t done = 0;
      switch (rng() % 3) {
        case 0:
          for (std::size_t i = 0; i < want; ++i) buf[i] = next + i;
          done = r.try_push_n(std::span<const uint64_t>(buf.data(), want));
          break;
        case 1: {
          const std::span<uint64_t> w = r.claim(want);
          for (std::size_t i = 0; i < w.size(); ++i) w[i] = next + i;
          r.commit(w.size());
          r.publish();
          done = w.size();
          break;
        }
        default:
          while (done < want && r.try_stage(next + done)) ++done;
          r.publish();
          break;
      }
      next += done;
      if (done == 0) b.wait(); else b.reset();
    }
  });
  uint64_t expected = 0;
  uint64_t errors = 0;
  std::mt19937_64 rng(11);
  std::vector<uint64_t> buf(1500);
  Backoff b;
  while (expected < kCount) {
    const std::size_t want = 1 + rng() % 1100;
    std::size_t got = 0;
    switch (rng() % 3) {
      case 0:
        got = r.try_pop_n(std::span<uint64_t>(buf.data(), want));
        for (std::size_t i = 0; i < got; ++i) errors += buf[i] != expected + i;
        break;
      case 1: {
        const std::span<const uint64_t> s = r.peek(want);
        for (std::size_t i = 0; i < s.size(); ++i) errors += s[i] != expected + i;
        got = s.size();
        r.release(got);
        break;
      }
      default: {
        uint64_t v = 0;
        while (got < want && r.try_pop(v)) errors += v != expected + got++;
        break;
      }
    }
    expected += got;
    if (got == 0) b.wait(); else b.reset();
  }
  producer.join();
  EXPECT_EQ(errors, 0u);
  EXPECT_EQ(expected, kCount);
  uint64_t v = 0;
  EXPECT_FALSE(r.try_pop(v));
}

TEST(SpscRing, TwoThreadsWholeCacheLineRecordsArriveUntorn) {
  // 64-byte records through a tiny ring: each record's fields are derived from its
  // sequence number, so a torn or reordered copy shows as a mismatch.
  constexpr uint64_t kCount = 2'000'000;
  SpscRing<book::Event> r(8);
  auto make = [](uint64_t i) {
    book::Event e{};
    e.seq = i;
    e.id = book::OrderId{i * 0x9e3779b97f4a7c15ull};
    e.contra = ~i;
    e.price = book::Price{static_cast<int64_t>(i) - 5};
    e.qty = book::Qty{static_cast<int64_t>(i % 1000)};
    e.remaining = book::Qty{static_cast<int64_t>(i ^ 0x55)};
    e.contra_remaining = book::Qty{static_cast<int64_t>(i * 3)};
    e.symbol = book::SymbolId{static_cast<uint32_t>(i)};
    e.kind = static_cast<book::EventKind>(i % 5);
    return e;
  };
  std::thread producer([&] {
    Backoff b;
    for (uint64_t i = 0; i < kCount;) {
      if (r.try_stage(make(i))) {
        ++i;
        if (i % 3 == 0) r.publish();
        b.reset();
      } else {
        r.publish();
        b.wait();
      }
    }
    r.publish();
  });
  uint64_t errors = 0;
  Backoff b;
  for (uint64_t i = 0; i < kCount;) {
    const std::span<const book::Event> s = r.peek(5);
    for (const book::Event& e : s) errors += !(e == make(i++));
    r.release(s.size());
    if (s.empty()) b.wait(); else b.reset();
  }
  producer.join();
  EXPECT_EQ(errors, 0u);
}

}  // namespace
}  // namespace tachyon::dataplane
