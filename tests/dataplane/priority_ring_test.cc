// PriorityRing and PolicyRing: the priority lane overtakes the normal lane; a cancel
// never overtakes its own order's entry (lane_for); a too-small ring gives exact drop
// and reject counts; block waits for the consumer and loses nothing; abort releases a
// blocked producer with a count; a two-thread stress keeps per-lane order and every
// record.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <span>
#include <thread>
#include <vector>

#include "tachyon/dataplane/backpressure.h"
#include "tachyon/dataplane/priority_ring.h"

namespace tachyon::dataplane {
namespace {

struct Msg {
  uint64_t seq = 0;
  uint8_t kind = 0;  // 0: new order, 1: cancel
};

TEST(PriorityRing, PriorityLaneIsEmptiedFirst) {
  PriorityRing<Msg> r(16, 8);
  for (uint64_t i = 1; i <= 5; ++i) ASSERT_TRUE(r.try_stage(Lane::kNormal, Msg{i, 0}));
  ASSERT_TRUE(r.try_stage(Lane::kPriority, Msg{100, 1}));
  ASSERT_TRUE(r.try_stage(Lane::kPriority, Msg{101, 1}));
  r.publish();
  std::vector<Msg> out(10);
  ASSERT_EQ(r.try_pop_n(out), 7u);
  const std::vector<uint64_t> want = {100, 101, 1, 2, 3, 4, 5};
  for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(out[i].seq, want[i]) << i;
  EXPECT_EQ(r.normal_taken(), 5u);
}

TEST(PriorityRing, CancelUsesThePriorityLaneOnlyAfterItsOrderWasTaken) {
  PriorityRing<Msg> r(16, 8);
  const uint64_t order_at = r.normal_staged();  // the entry's normal-lane number
  ASSERT_TRUE(r.try_stage(Lane::kNormal, Msg{1, 0}));
  ASSERT_TRUE(r.try_stage(Lane::kNormal, Msg{2, 0}));
  r.publish();
  // Still queued: a cancel of order 1 must stay behind it.
  EXPECT_EQ(r.lane_for(true, order_at), Lane::kNormal);
  EXPECT_EQ(r.lane_for(false, order_at), Lane::kNormal);
  Msg m;
  ASSERT_TRUE(r.try_pop(m));
  EXPECT_EQ(m.seq, 1u);
  // Taken: now the cancel may overtake order 2.
  EXPECT_EQ(r.lane_for(true, order_at), Lane::kPriority);
  EXPECT_EQ(r.lane_for(true, order_at + 1), Lane::kNormal);
}

TEST(PolicyRing, DropCountsExactlyWhatDidNotFit) {
  PolicyRing<Msg> r("feed", BackpressurePolicy::kDrop, 8, 4);
  uint64_t queued = 0, dropped = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    const PushOutcome o = r.push(Msg{i, 0});
    (o == PushOutcome::kQueued ? queued : dropped)++;
  }
  for (uint64_t i = 0; i < 10; ++i) r.push(Msg{1000 + i, 1}, Lane::kPriority);
  r.publish();
  const RingCounts c = r.counts();
  EXPECT_EQ(queued, 8u);
  EXPECT_EQ(c.queued, 8u + 4u);
  EXPECT_EQ(c.dropped, 92u + 6u);
  EXPECT_EQ(c.rejected, 0u);
  EXPECT_EQ(c.lost(), 98u);
  std::vector<Msg> out(32);
  EXPECT_EQ(r.pop_n(out), 12u);
  EXPECT_EQ(r.counts().taken, 12u);
  // Room again: pushes succeed and nothing more is dropped.
  EXPECT_EQ(r.push(Msg{5000, 0}), PushOutcome::kQueued);
  EXPECT_EQ(r.counts().dropped, 98u);
}

TEST(PolicyRing, RejectCountsEveryRefusalAndTellsTheCaller) {
  PolicyRing<Msg> r("orders", BackpressurePolicy::kReject, 4, 2);
  std::vector<uint64_t> refused;
  for (uint64_t i = 0; i < 10; ++i)
    if (r.push(Msg{i, 0}) == PushOutcome::kRejected) refused.push_back(i);
  EXPECT_EQ(refused, (std::vector<uint64_t>{4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(r.counts().rejected, 6u);
  EXPECT_EQ(r.counts().dropped, 0u);
  EXPECT_EQ(r.name(), "orders");
  EXPECT_STREQ(to_string(r.policy()), "reject");
}

// A consumer thread that takes n records of r, three at a time, checking that their
// sequence numbers run 0, 1, 2, ...
std::thread take_in_order(PolicyRing<Msg>& r, uint64_t n) {
  return std::thread([&r, n] {
    uint64_t expect = 0;
    std::vector<Msg> out(3);
    while (expect < n) {
      const std::size_t got = r.pop_n(out);
      if (got == 0) std::this_thread::yield();
      for (std::size_t i = 0; i < got; ++i) ASSERT_EQ(out[i].seq, expect++);
    }
  });
}

TEST(PolicyRing, BlockWaitsForTheConsumerAndLosesNothing) {
  PolicyRing<Msg> r("block", BackpressurePolicy::kBlock, 4, 2);
  constexpr uint64_t kN = 20000;
  std::thread consumer = take_in_order(r, kN);
  for (uint64_t i = 0; i < kN; ++i) ASSERT_EQ(r.push(Msg{i, 0}), PushOutcome::kQueued);
  r.publish();
  consumer.join();
  const RingCounts c = r.counts();
  EXPECT_EQ(c.queued, kN);
  EXPECT_EQ(c.taken, kN);
  EXPECT_EQ(c.lost(), 0u);
  EXPECT_GT(c.blocked, 0u);  // a 4-slot ring fills many times over 20000 records
}

// Under reject, push() refuses at a full lane but push_or_wait() waits for room (what
// match mode does for cancels and for the records answering refused orders): every
// record pushed that way arrives, in order, and each wait is counted once.
TEST(PolicyRing, PushOrWaitWaitsWhateverThePolicy) {
  PolicyRing<Msg> r("reject", BackpressurePolicy::kReject, 4, 2);
  constexpr uint64_t kN = 20000;
  std::thread consumer = take_in_order(r, kN);
  uint64_t waits = 0;
  for (uint64_t i = 0; i < kN; ++i)
    ASSERT_EQ(r.push_or_wait(Msg{i, 0}, Lane::kNormal, [&] { ++waits; }), PushOutcome::kQueued);
  r.publish();
  consumer.join();
  const RingCounts c = r.counts();
  EXPECT_EQ(c.queued, kN);
  EXPECT_EQ(c.taken, kN);
  EXPECT_EQ(c.rejected, 0u);
  EXPECT_GT(c.blocked, 0u);
  EXPECT_GE(waits, c.blocked);  // the wait callback runs on every spin of a waiting push
  // And push() on the same ring still refuses when full.
  for (uint64_t i = 0; i < 4; ++i) ASSERT_EQ(r.push(Msg{i, 0}), PushOutcome::kQueued);
  EXPECT_EQ(r.push(Msg{4, 0}), PushOutcome::kRejected);
  EXPECT_EQ(r.counts().rejected, 1u);
}

TEST(PolicyRing, AbortReleasesABlockedProducerWithACount) {
  PolicyRing<Msg> r("stuck", BackpressurePolicy::kBlock, 2, 2);
  r.push(Msg{1, 0});
  r.push(Msg{2, 0});
  std::atomic<bool> returned{false};
  PushOutcome outcome = PushOutcome::kQueued;
  std::thread producer([&] {
    outcome = r.push(Msg{3, 0});
    returned = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_FALSE(returned.load());
  r.abort();
  producer.join();
  EXPECT_EQ(outcome, PushOutcome::kAborted);
  EXPECT_EQ(r.counts().aborted, 1u);
  EXPECT_EQ(r.counts().blocked, 1u);
  EXPECT_EQ(r.counts().lost(), 1u);
}

TEST(PolicyRing, CloseLetsTheConsumerDrainThenSeeTheEnd) {
  PolicyRing<Msg> r("close", BackpressurePolicy::kBlock, 8, 2);
  r.push(Msg{1, 0});
  r.push(Msg{2, 1}, Lane::kPriority);
  r.close();
  EXPECT_TRUE(r.closed());
  std::vector<Msg> out(8);
  EXPECT_EQ(r.pop_n(out), 2u);
  EXPECT_EQ(r.pop_n(out), 0u);
}

TEST(PolicyRing, TwoThreadStressKeepsEachLanesOrder) {
  PolicyRing<Msg> r("stress", BackpressurePolicy::kBlock, 64, 16);
  constexpr uint64_t kN = 50000;
  std::thread consumer([&] {
    uint64_t next_normal = 0, next_cancel = 0, total = 0;
    std::vector<Msg> out(32);
    while (total < kN) {
      const std::size_t n = r.pop_n(out);
      if (n == 0) std::this_thread::yield();  // CI shares 2 CPUs
      for (std::size_t i = 0; i < n; ++i, ++total) {
        if (out[i].kind == 0) ASSERT_EQ(out[i].seq, next_normal++);
        else ASSERT_EQ(out[i].seq, next_cancel++);
      }
    }
  });
  uint64_t normal = 0, cancel = 0;
  for (uint64_t i = 0; i < kN; ++i) {
    if (i % 5 == 4) r.push(Msg{cancel++, 1}, Lane::kPriority);
    else r.push(Msg{normal++, 0});
    if (i % 7 == 0) r.publish();
  }
  r.publish();
  consumer.join();
  EXPECT_EQ(r.counts().taken, kN);
}

TEST(PriorityRing, ClaimCommitAndPeekReleaseWorkInPlace) {
  PriorityRing<Msg> r(4, 2);
  for (uint64_t i = 1; i <= 4; ++i) {
    Msg* slot = r.try_claim(Lane::kNormal);
    ASSERT_NE(slot, nullptr) << i;
    *slot = Msg{i, 0};
    r.commit(Lane::kNormal);
  }
  EXPECT_EQ(r.try_claim(Lane::kNormal), nullptr);  // full: nothing claimed
  EXPECT_EQ(r.normal_staged(), 4u);
  Msg* p = r.try_claim(Lane::kPriority);
  ASSERT_NE(p, nullptr);
  *p = Msg{100, 1};
  r.commit(Lane::kPriority);
  Lane lane = Lane::kNormal;
  EXPECT_TRUE(r.peek(8, lane).empty());  // staged, not yet published
  r.publish();
  // The priority lane comes first, then the normal lane in order.
  std::span<const Msg> got = r.peek(8, lane);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(lane, Lane::kPriority);
  EXPECT_EQ(got[0].seq, 100u);
  r.release(lane, 1);
  got = r.peek(8, lane);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(lane, Lane::kNormal);
  EXPECT_EQ(got[0].seq, 1u);
  EXPECT_EQ(got[3].seq, 4u);
  EXPECT_EQ(r.normal_taken(), 0u);  // peeked records are not taken until released
  r.release(lane, 2);
  EXPECT_EQ(r.normal_taken(), 2u);
  // Two slots are free again, and the normal lane wraps around its storage.
  for (uint64_t i = 5; i <= 6; ++i) {
    Msg* slot = r.try_claim(Lane::kNormal);
    ASSERT_NE(slot, nullptr) << i;
    *slot = Msg{i, 0};
    r.commit(Lane::kNormal);
  }
  r.publish();
  std::vector<uint64_t> order;
  for (got = r.peek(8, lane); !got.empty(); got = r.peek(8, lane)) {
    for (const Msg& m : got) order.push_back(m.seq);
    r.release(lane, got.size());
  }
  EXPECT_EQ(order, (std::vector<uint64_t>{3, 4, 5, 6}));
  EXPECT_EQ(r.normal_taken(), 6u);
}

TEST(PolicyRing, PushInPlaceFollowsThePolicyWhenFull) {
  PolicyRing<Msg> drop("drop", BackpressurePolicy::kDrop, 4, 2);
  PolicyRing<Msg> reject("reject", BackpressurePolicy::kReject, 4, 2);
  uint64_t written = 0;
  const auto fill = [&](uint64_t seq) {
    return [&written, seq](Msg& m) noexcept {
      m = Msg{seq, 0};
      ++written;
    };
  };
  for (uint64_t i = 0; i < 6; ++i) {
    const PushOutcome d = drop.push_in_place(Lane::kNormal, fill(i), [] {});
    EXPECT_EQ(d, i < 4 ? PushOutcome::kQueued : PushOutcome::kDropped) << i;
    const PushOutcome j = reject.push_in_place(Lane::kNormal, fill(i), [] {});
    EXPECT_EQ(j, i < 4 ? PushOutcome::kQueued : PushOutcome::kRejected) << i;
  }
  EXPECT_EQ(written, 12u);  // every record is built once, kept or not
  EXPECT_EQ(drop.counts().queued, 4u);
  EXPECT_EQ(drop.counts().dropped, 2u);
  EXPECT_EQ(reject.counts().rejected, 2u);
  drop.publish();
  const std::span<const Msg> got = drop.peek(8);
  ASSERT_EQ(got.size(), 4u);
  for (uint64_t i = 0; i < 4; ++i) EXPECT_EQ(got[i].seq, i);
  drop.release(got.size());
  EXPECT_EQ(drop.counts().taken, 4u);
}

TEST(PolicyRing, InPlaceTwoThreadStressKeepsEachLanesOrderAndLosesNothing) {
  PolicyRing<Msg> r("in-place", BackpressurePolicy::kBlock, 64, 16);
  constexpr uint64_t kN = 50000;
  std::thread consumer([&] {
    uint64_t next_normal = 0, next_cancel = 0, total = 0;
    while (total < kN) {
      const std::span<const Msg> got = r.peek(32);
      if (got.empty()) std::this_thread::yield();  // CI shares 2 CPUs
      for (const Msg& m : got) {
        if (m.kind == 0) ASSERT_EQ(m.seq, next_normal++);
        else ASSERT_EQ(m.seq, next_cancel++);
      }
      total += got.size();
      r.release(got.size());
    }
  });
  uint64_t normal = 0, cancel = 0;
  for (uint64_t i = 0; i < kN; ++i) {
    const bool is_cancel = i % 5 == 4;
    const uint64_t seq = is_cancel ? cancel++ : normal++;
    const PushOutcome o = r.push_in_place(is_cancel ? Lane::kPriority : Lane::kNormal,
                                          [&](Msg& m) noexcept { m = Msg{seq, static_cast<uint8_t>(is_cancel)}; },
                                          [] { std::this_thread::yield(); });
    ASSERT_EQ(o, PushOutcome::kQueued);
    if (i % 7 == 0) r.publish();
  }
  r.publish();
  consumer.join();
  EXPECT_EQ(r.counts().taken, kN);
  EXPECT_EQ(r.counts().queued, kN);
}

}  // namespace
}  // namespace tachyon::dataplane
