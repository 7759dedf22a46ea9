// PolicyRing: a named PriorityRing with a backpressure policy that says what happens
// when it is full, and counters for everything that happened to it, so nothing is lost
// without a count:
//   reject  the push fails and the caller answers the sender (match mode: an OUCH
//           Rejected, "system busy"); counted in rejected
//   drop    the record is discarded (feed mode: reported as a gap); counted in dropped
//   block   the producer publishes what it staged and spins until the consumer makes
//           room; counted once per waiting push in blocked. abort() releases a blocked
//           producer (its record counted in aborted) when the consumer is gone.
// One producer thread, one consumer thread; counters are written by the producer only
// and may be read by any thread. No allocation after construction.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/cpu_relax.h"
#include "tachyon/dataplane/priority_ring.h"

namespace tachyon::dataplane {

enum class BackpressurePolicy : uint8_t { kReject, kDrop, kBlock };

// "reject", "drop", "block" (the config's rings.backpressure values).
const char* to_string(BackpressurePolicy p) noexcept;
std::optional<BackpressurePolicy> backpressure_from_string(std::string_view s) noexcept;

enum class PushOutcome : uint8_t { kQueued, kDropped, kRejected, kAborted };

// A snapshot of one ring's counters.
struct RingCounts {
  uint64_t queued = 0;    // records staged (visible after the producer's next publish)
  uint64_t dropped = 0;   // policy drop: discarded because the ring was full
  uint64_t rejected = 0;  // policy reject: refused because the ring was full
  uint64_t blocked = 0;   // policy block: pushes that had to wait for room
  uint64_t aborted = 0;   // policy block: waiting pushes released by abort()
  uint64_t taken = 0;     // records the consumer took
  // Records that never reached the consumer because of backpressure.
  uint64_t lost() const noexcept { return dropped + rejected + aborted; }
};

// A ring's counters as its owner last published them, for readers on other threads
// (metrics) that may outlive the ring. The owner stores, anyone loads.
struct PublishedRingCounts {
  std::atomic<uint64_t> queued{0}, dropped{0}, rejected{0}, blocked{0}, aborted{0}, taken{0};

  void store(const RingCounts& c) noexcept {
    queued.store(c.queued, std::memory_order_relaxed);
    dropped.store(c.dropped, std::memory_order_relaxed);
    rejected.store(c.rejected, std::memory_order_relaxed);
    blocked.store(c.blocked, std::memory_order_relaxed);
    aborted.store(c.aborted, std::memory_order_relaxed);
    taken.store(c.taken, std::memory_order_relaxed);
  }
  RingCounts load() const noexcept {
    RingCounts c;
    c.queued = queued.load(std::memory_order_relaxed);
    c.dropped = dropped.load(std::memory_order_relaxed);
    c.rejected = rejected.load(std::memory_order_relaxed);
    c.blocked = blocked.load(std::memory_order_relaxed);
    c.aborted = aborted.load(std::memory_order_relaxed);
    c.taken = taken.load(std::memory_order_relaxed);
    return c;
  }
};

template <class T>
class PolicyRing {
 public:
  // capacity / priority_capacity: powers of two >= 2. Allocates from mr. Control path.
  PolicyRing(std::string name, BackpressurePolicy policy, std::size_t capacity, std::size_t priority_capacity = 64,
             std::pmr::memory_resource* mr = std::pmr::new_delete_resource())
      : ring_(capacity, priority_capacity, mr), name_(std::move(name)), policy_(policy) {}
  PolicyRing(const PolicyRing&) = delete;
  PolicyRing& operator=(const PolicyRing&) = delete;

  const std::string& name() const noexcept { return name_; }
  BackpressurePolicy policy() const noexcept { return policy_; }
  PriorityRing<T>& lanes() noexcept { return ring_; }

  // --- producer side ------------------------------------------------------------

  // Stages v in lane, applying the policy when the lane is full. Under block, wait()
  // runs on every spin while the producer waits for room: a producer that is also the
  // consumer of a ring its consumer writes to must keep draining that ring there, or
  // the two cores wait for each other. Hot path.
  PushOutcome push(const T& v, Lane lane = Lane::kNormal) noexcept { return push(v, lane, cpu_relax); }
  template <class Wait>
  PushOutcome push(const T& v, Lane lane, Wait&& wait) noexcept {
    if (ring_.try_stage(lane, v)) [[likely]] {
      bump(prod_.queued);
      return PushOutcome::kQueued;
    }
    return full(v, lane, wait);
  }
  // As push(), but fill(T&) writes the record straight into its ring slot (into a
  // temporary only when the lane is full). Hot path.
  template <class Fill, class Wait>
  PushOutcome push_in_place(Lane lane, Fill&& fill, Wait&& wait) noexcept {
    if (T* slot = ring_.try_claim(lane)) [[likely]] {
      fill(*slot);
      ring_.commit(lane);
      bump(prod_.queued);
      return PushOutcome::kQueued;
    }
    T v;
    fill(v);
    return full(v, lane, wait);
  }
  // As push() under the block policy, whatever the ring's policy: for records that
  // must never be refused (match mode: cancels, which only remove risk, and the
  // records that answer refused orders). Counted in blocked when it had to wait. Hot
  // path.
  template <class Wait>
  PushOutcome push_or_wait(const T& v, Lane lane, Wait&& wait) noexcept {
    if (ring_.try_stage(lane, v)) [[likely]] {
      bump(prod_.queued);
      return PushOutcome::kQueued;
    }
    return wait_for_room(v, lane, wait);
  }
  // Makes the staged records visible. Hot path.
  void publish() noexcept { ring_.publish(); }
  // Publishes and tells the consumer that nothing more will come.
  void close() noexcept {
    ring_.publish();
    closed_.value.store(true, std::memory_order_release);
  }

  // --- consumer side ------------------------------------------------------------

  // Takes up to out.size() records (priority lane first). Hot path.
  std::size_t pop_n(std::span<T> out) noexcept {
    const std::size_t n = ring_.try_pop_n(out);
    if (n) cons_.taken.store(cons_.taken.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    return n;
  }
  // Returns up to max records in place (priority lane first), valid until release(n).
  // Hot path.
  std::span<const T> peek(std::size_t max) noexcept { return ring_.peek(max, cons_.peeked); }
  // Frees the first n records of the last peek and counts them taken. Hot path.
  void release(std::size_t n) noexcept {
    ring_.release(cons_.peeked, n);
    cons_.taken.store(cons_.taken.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  // Whether the producer closed the ring. Records published before close() are still
  // to be popped: when pop_n returns 0 after closed() was seen true, the ring is done.
  bool closed() const noexcept { return closed_.value.load(std::memory_order_acquire); }

  // --- any thread ---------------------------------------------------------------

  // Releases a producer blocked on a full ring (the consumer is gone); later full
  // pushes under the block policy give up at once. Control path.
  void abort() noexcept { aborted_.value.store(true, std::memory_order_release); }

  RingCounts counts() const noexcept {
    RingCounts c;
    c.queued = prod_.queued.load(std::memory_order_relaxed);
    c.dropped = prod_.dropped.load(std::memory_order_relaxed);
    c.rejected = prod_.rejected.load(std::memory_order_relaxed);
    c.blocked = prod_.blocked.load(std::memory_order_relaxed);
    c.aborted = prod_.aborted.load(std::memory_order_relaxed);
    c.taken = cons_.taken.load(std::memory_order_relaxed);
    return c;
  }

 private:
  static void bump(std::atomic<uint64_t>& c) noexcept {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  template <class Wait>
  [[gnu::noinline]] PushOutcome full(const T& v, Lane lane, Wait& wait) noexcept {
    switch (policy_) {
      case BackpressurePolicy::kDrop: bump(prod_.dropped); return PushOutcome::kDropped;
      case BackpressurePolicy::kReject: bump(prod_.rejected); return PushOutcome::kRejected;
      case BackpressurePolicy::kBlock: break;
    }
    return wait_for_room(v, lane, wait);
  }

  template <class Wait>
  [[gnu::noinline]] PushOutcome wait_for_room(const T& v, Lane lane, Wait& wait) noexcept {
    bump(prod_.blocked);
    ring_.publish();  // the consumer must see what is staged, or it never makes room
    while (!ring_.try_stage(lane, v)) {
      if (aborted_.value.load(std::memory_order_acquire)) {
        bump(prod_.aborted);
        return PushOutcome::kAborted;
      }
      wait();
    }
    bump(prod_.queued);
    return PushOutcome::kQueued;
  }

  struct alignas(kCacheLine) ProducerCounters {
    std::atomic<uint64_t> queued{0}, dropped{0}, rejected{0}, blocked{0}, aborted{0};
  };
  struct alignas(kCacheLine) ConsumerCounters {
    std::atomic<uint64_t> taken{0};
    Lane peeked = Lane::kNormal;  // the lane of the last peek (consumer only)
  };
  struct alignas(kCacheLine) Flag {
    std::atomic<bool> value{false};
  };
  static_assert(sizeof(ProducerCounters) == kCacheLine && sizeof(ConsumerCounters) == kCacheLine &&
                sizeof(Flag) == kCacheLine);

  PriorityRing<T> ring_;
  std::string name_;
  BackpressurePolicy policy_;
  ProducerCounters prod_;
  ConsumerCounters cons_;
  Flag closed_;
  Flag aborted_;
};

}  // namespace tachyon::dataplane
