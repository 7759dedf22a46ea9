// Bounded single-producer single-consumer ring of trivially copyable records, the only
// channel between two cores. Exactly one producer thread and one consumer thread; each
// method says which side may call it. Lock-free and wait-free; no allocation after
// construction.
//
// Layout (each part on its own cache line, checked by static_assert):
//   line 0  read-only configuration (storage, memory resource)
//   line 1  tail: the producer's published write index, read by the consumer
//   line 2  producer-private: staged index, published copy, cached head, storage copy
//   line 3  head: the consumer's released read index, read by the producer
//   line 4  consumer-private: head copy, cached tail, storage copy
// Indices are 64-bit and never wrap in practice (2^64 records), so full is
// tail - head == capacity and empty is tail == head, with no wasted slot.
//
// Batching: the producer may stage several records (try_stage, claim/commit) and make
// them visible with one publish(); the consumer may read a contiguous span (peek) and
// free it with one release(). Each publish or release is one store to a shared line,
// so batching divides the cross-core traffic on the indices by the batch size.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "tachyon/book/cache_line.h"
#include "tachyon/book/prefetch.h"

namespace tachyon::dataplane {

template <class T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>,
                "ring records are copied with memcpy semantics and never destroyed");
  static_assert(std::is_default_constructible_v<T>, "slots are value-initialised at construction");

 public:
  using value_type = T;
  static constexpr std::size_t kMaxCapacity = std::size_t{1} << 40;

  // Allocates and value-initialises capacity slots from mr, so the storage is faulted
  // in before any core starts (place mr on the consumer's NUMA node). Throws
  // std::invalid_argument unless capacity is a power of two in [2, 2^40]. Control path.
  explicit SpscRing(std::size_t capacity, std::pmr::memory_resource* mr = std::pmr::new_delete_resource())
      : cfg_{nullptr, checked(capacity), mr} {
    cfg_.slots = static_cast<T*>(mr->allocate(capacity * sizeof(T), kSlotAlign));
    std::uninitialized_value_construct_n(cfg_.slots, capacity);
    prod_.slots = cons_.slots = cfg_.slots;
    prod_.mask = cons_.mask = capacity - 1;
    static_assert(offsetof(SpscRing, cfg_) == 0 * kCacheLine);
    static_assert(offsetof(SpscRing, tail_) == 1 * kCacheLine);
    static_assert(offsetof(SpscRing, prod_) == 2 * kCacheLine);
    static_assert(offsetof(SpscRing, head_) == 3 * kCacheLine);
    static_assert(offsetof(SpscRing, cons_) == 4 * kCacheLine);
    static_assert(sizeof(SpscRing) == 5 * kCacheLine && alignof(SpscRing) == kCacheLine);
  }
  ~SpscRing() { cfg_.mr->deallocate(cfg_.slots, cfg_.capacity * sizeof(T), kSlotAlign); }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  std::size_t capacity() const noexcept { return cfg_.capacity; }

  // --- producer side --------------------------------------------------------------

  // Copies v into the next slot without making it visible; false when full. Hot path.
  bool try_stage(const T& v) noexcept {
    const uint64_t t = prod_.staged;
    if (t - prod_.head_cache == prod_.mask + 1) [[unlikely]] {
      prod_.head_cache = head_.value.load(std::memory_order_acquire);
      if (t - prod_.head_cache == prod_.mask + 1) return false;
    }
    prod_.slots[t & prod_.mask] = v;
    prod_.staged = t + 1;
    prefetch_for_write(t + kWriteAhead);
    return true;
  }

  // Returns the next free slot, to be filled in place, or nullptr when full; commit_one()
  // then stages it. The one-record form of claim/commit. Hot path.
  T* try_claim_one() noexcept {
    const uint64_t t = prod_.staged;
    if (t - prod_.head_cache == prod_.mask + 1) [[unlikely]] {
      prod_.head_cache = head_.value.load(std::memory_order_acquire);
      if (t - prod_.head_cache == prod_.mask + 1) return nullptr;
    }
    prefetch_for_write(t + kWriteAhead);
    return prod_.slots + (t & prod_.mask);
  }
  // Stages the slot of the last successful try_claim_one(). Hot path.
  void commit_one() noexcept { ++prod_.staged; }

  // Makes every staged record visible to the consumer (one release store; none when
  // nothing is pending). Hot path.
  void publish() noexcept {
    if (prod_.staged != prod_.published) {
      prod_.published = prod_.staged;
      tail_.value.store(prod_.staged, std::memory_order_release);
    }
  }

  // Stages and publishes one record; false when full. Hot path.
  bool try_push(const T& v) noexcept {
    if (!try_stage(v)) return false;
    publish();
    return true;
  }

  // Copies up to src.size() records (fewer when the ring fills), wrapping around the
  // end of the storage as needed, and publishes them once. Returns the count. Hot path.
  std::size_t try_push_n(std::span<const T> src) noexcept {
    const uint64_t t = prod_.staged;
    const std::size_t n = std::min(src.size(), producer_room(src.size()));
    if (n == 0) return 0;
    const std::size_t off = t & prod_.mask;
    const std::size_t first = std::min(n, prod_.mask + 1 - off);
    std::copy_n(src.data(), first, prod_.slots + off);
    std::copy_n(src.data() + first, n - first, prod_.slots);
    prod_.staged = t + n;
    publish();
    return n;
  }

  // Returns up to max contiguous free slots to fill in place (shorter at the end of the
  // storage; empty when full). Follow with commit(k) for the k slots written. Hot path.
  std::span<T> claim(std::size_t max) noexcept {
    const uint64_t t = prod_.staged;
    const std::size_t off = t & prod_.mask;
    const std::size_t n = std::min({max, producer_room(max), prod_.mask + 1 - off});
    return {prod_.slots + off, n};
  }
  // Stages the first n slots of the last claim (n <= its size); publish() shows them.
  void commit(std::size_t n) noexcept { prod_.staged += n; }

  // --- consumer side --------------------------------------------------------------

  // Moves the oldest record into out; false when empty. Hot path.
  bool try_pop(T& out) noexcept {
    const std::span<const T> s = peek(1);
    if (s.empty()) return false;
    out = s[0];
    release(1);
    return true;
  }

  // Copies up to dst.size() of the oldest records (wrapping around the end of the
  // storage) and releases their slots once. Returns the count. Hot path.
  std::size_t try_pop_n(std::span<T> dst) noexcept {
    const uint64_t h = cons_.head;
    const std::size_t n = std::min(dst.size(), consumer_ready(dst.size()));
    if (n == 0) return 0;
    const std::size_t off = h & cons_.mask;
    const std::size_t first = std::min(n, cons_.mask + 1 - off);
    std::copy_n(cons_.slots + off, first, dst.data());
    std::copy_n(cons_.slots, n - first, dst.data() + first);
    release(n);
    return n;
  }

  // Returns up to max of the oldest records as one contiguous span, in place (shorter at
  // the end of the storage; empty when nothing is published). They stay valid until
  // release(). Hot path.
  std::span<const T> peek(std::size_t max) noexcept {
    const uint64_t h = cons_.head;
    const std::size_t off = h & cons_.mask;
    const std::size_t n = std::min({max, consumer_ready(max), cons_.mask + 1 - off});
    return {cons_.slots + off, n};
  }
  // Frees the first n records of the last peek (n <= its size) for the producer. Hot path.
  void release(std::size_t n) noexcept {
    cons_.head += n;
    head_.value.store(cons_.head, std::memory_order_release);
  }

  // --- either side ----------------------------------------------------------------

  // Returns the number of published, unreleased records; exact only when both sides
  // are idle. Not for control flow on the hot path.
  std::size_t size_approx() const noexcept {
    const uint64_t h = head_.value.load(std::memory_order_acquire);
    const uint64_t t = tail_.value.load(std::memory_order_acquire);
    return static_cast<std::size_t>(t - h);
  }

 private:
  static constexpr std::size_t kSlotAlign = std::max(alignof(T), kCacheLine);
  // Slots ahead of the one being written whose cache line is requested for writing.
  static constexpr uint64_t kWriteAheadBytes = 2048;
  static constexpr uint64_t kWriteAhead = std::max<uint64_t>(1, kWriteAheadBytes / sizeof(T));

  void prefetch_for_write(uint64_t index) const noexcept {
    book::prefetch_write(prod_.slots + (index & prod_.mask));
  }

  static std::size_t checked(std::size_t capacity) {
    if (capacity < 2 || capacity > kMaxCapacity || (capacity & (capacity - 1)) != 0)
      throw std::invalid_argument("SpscRing: capacity " + std::to_string(capacity) +
                                  " must be a power of two in [2, 2^40]");
    return capacity;
  }

  // Free slots as far as the producer knows, refreshing its view of head only when the
  // cached one shows fewer than want.
  std::size_t producer_room(std::size_t want) noexcept {
    const uint64_t cap = prod_.mask + 1;
    std::size_t room = cap - (prod_.staged - prod_.head_cache);
    if (room < want) {
      prod_.head_cache = head_.value.load(std::memory_order_acquire);
      room = cap - (prod_.staged - prod_.head_cache);
    }
    return room;
  }
  // Published records as far as the consumer knows, refreshing its view of tail only
  // when the cached one shows fewer than want.
  std::size_t consumer_ready(std::size_t want) noexcept {
    std::size_t ready = cons_.tail_cache - cons_.head;
    if (ready < want) {
      cons_.tail_cache = tail_.value.load(std::memory_order_acquire);
      ready = cons_.tail_cache - cons_.head;
    }
    return ready;
  }

  struct alignas(kCacheLine) Config {
    T* slots;
    std::size_t capacity;
    std::pmr::memory_resource* mr;
  };
  struct alignas(kCacheLine) SharedIndex {
    std::atomic<uint64_t> value{0};
  };
  struct alignas(kCacheLine) ProducerState {
    uint64_t staged = 0;      // next slot to write; records below it are written
    uint64_t published = 0;   // last value stored to tail_
    uint64_t head_cache = 0;  // the consumer's head as last read
    T* slots = nullptr;
    uint64_t mask = 0;
  };
  struct alignas(kCacheLine) ConsumerState {
    uint64_t head = 0;        // next slot to read; mirrors head_
    uint64_t tail_cache = 0;  // the producer's tail as last read
    T* slots = nullptr;
    uint64_t mask = 0;
  };
  static_assert(sizeof(Config) == kCacheLine && alignof(Config) == kCacheLine);
  static_assert(sizeof(SharedIndex) == kCacheLine && alignof(SharedIndex) == kCacheLine);
  static_assert(sizeof(ProducerState) == kCacheLine && alignof(ProducerState) == kCacheLine);
  static_assert(sizeof(ConsumerState) == kCacheLine && alignof(ConsumerState) == kCacheLine);
  static_assert(std::atomic<uint64_t>::is_always_lock_free);

  Config cfg_;
  SharedIndex tail_;
  ProducerState prod_;
  SharedIndex head_;
  ConsumerState cons_;
};

}  // namespace tachyon::dataplane
