// PriorityRing: two SPSC rings between one producer core and one consumer core, a
// priority lane (cancels and modifies) and a normal lane (new orders), so that work
// which only removes risk overtakes work that adds it. The consumer always empties the
// priority lane before it takes from the normal lane. Exactly one producer thread and
// one consumer thread; lock-free; no allocation after construction.
//
// Overtaking must not reorder a message ahead of the one it depends on (a cancel
// ahead of its own order's entry). The producer numbers every normal-lane record as
// it stages it (normal_staged()), and the consumer publishes how many it has taken
// (normal_taken()); a cancel for an order entered as normal record n may take the
// priority lane only when normal_taken() > n, i.e. the entry has been consumed.
// lane_for() applies that rule.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory_resource>
#include <span>

#include "tachyon/book/cache_line.h"
#include "tachyon/dataplane/spsc_ring.h"

namespace tachyon::dataplane {

enum class Lane : uint8_t { kNormal = 0, kPriority = 1 };

template <class T>
class PriorityRing {
 public:
  // Both capacities must be powers of two in [2, 2^40] (std::invalid_argument
  // otherwise). Control path.
  PriorityRing(std::size_t normal_capacity, std::size_t priority_capacity,
               std::pmr::memory_resource* mr = std::pmr::new_delete_resource())
      : normal_(normal_capacity, mr), priority_(priority_capacity, mr) {}

  std::size_t normal_capacity() const noexcept { return normal_.capacity(); }
  std::size_t priority_capacity() const noexcept { return priority_.capacity(); }

  // --- producer side ------------------------------------------------------------

  // Stages v in lane without making it visible; false when that lane is full. Hot path.
  bool try_stage(Lane lane, const T& v) noexcept {
    if (lane == Lane::kPriority) return priority_.try_stage(v);
    if (!normal_.try_stage(v)) return false;
    ++prod_.normal_staged;
    return true;
  }
  // Returns the next free slot of lane to fill in place, or nullptr when that lane is
  // full; commit(lane) then stages it (nothing else may touch this lane in between).
  // Saves the copy try_stage makes. Hot path.
  T* try_claim(Lane lane) noexcept {
    return (lane == Lane::kPriority ? priority_ : normal_).try_claim_one();
  }
  // Stages the slot the last try_claim(lane) returned. Hot path.
  void commit(Lane lane) noexcept {
    if (lane == Lane::kPriority) {
      priority_.commit_one();
      return;
    }
    normal_.commit_one();
    ++prod_.normal_staged;
  }
  // Makes everything staged in both lanes visible (priority first). Hot path.
  void publish() noexcept {
    priority_.publish();
    normal_.publish();
  }
  // Normal-lane records staged so far: the number the next one will get. Hot path.
  uint64_t normal_staged() const noexcept { return prod_.normal_staged; }
  // Returns the lane a message may use: kPriority only when it is a priority kind and
  // the normal record it depends on (depends_on, a normal_staged() value taken when
  // that record was staged) has already been consumed. Hot path.
  Lane lane_for(bool priority_kind, uint64_t depends_on) const noexcept {
    if (!priority_kind) return Lane::kNormal;
    return normal_taken() > depends_on ? Lane::kPriority : Lane::kNormal;
  }

  // --- consumer side ------------------------------------------------------------

  // Copies up to out.size() records, the priority lane's first, and frees their
  // slots. Returns the count. Hot path.
  std::size_t try_pop_n(std::span<T> out) noexcept {
    std::size_t n = priority_.try_pop_n(out);
    if (n < out.size()) {
      const std::size_t m = normal_.try_pop_n(out.subspan(n));
      if (m) cons_.taken.store(cons_.taken.load(std::memory_order_relaxed) + m, std::memory_order_release);
      n += m;
    }
    return n;
  }
  bool try_pop(T& out) noexcept { return try_pop_n(std::span<T>(&out, 1)) == 1; }
  // Returns up to max of the oldest records in place, from the priority lane when it
  // has any, else from the normal lane; lane says which. They stay valid until
  // release(lane, n). Saves the copy try_pop_n makes. Hot path.
  std::span<const T> peek(std::size_t max, Lane& lane) noexcept {
    const std::span<const T> p = priority_.peek(max);
    if (!p.empty()) {
      lane = Lane::kPriority;
      return p;
    }
    lane = Lane::kNormal;
    return normal_.peek(max);
  }
  // Frees the first n records of the last peek of lane. Hot path.
  void release(Lane lane, std::size_t n) noexcept {
    if (lane == Lane::kPriority) {
      priority_.release(n);
      return;
    }
    normal_.release(n);
    cons_.taken.store(cons_.taken.load(std::memory_order_relaxed) + n, std::memory_order_release);
  }

  // --- either side ----------------------------------------------------------------

  // Normal-lane records the consumer has taken.
  uint64_t normal_taken() const noexcept { return cons_.taken.load(std::memory_order_acquire); }
  // Published, untaken records in both lanes; exact only when both sides are idle.
  std::size_t size_approx() const noexcept { return normal_.size_approx() + priority_.size_approx(); }

 private:
  struct alignas(kCacheLine) ProducerSide {
    uint64_t normal_staged = 0;
  };
  struct alignas(kCacheLine) ConsumerSide {
    std::atomic<uint64_t> taken{0};
  };
  static_assert(sizeof(ProducerSide) == kCacheLine && sizeof(ConsumerSide) == kCacheLine);

  SpscRing<T> normal_;
  SpscRing<T> priority_;
  ProducerSide prod_;
  ConsumerSide cons_;
};

}  // namespace tachyon::dataplane
