// Open-addressing hash index from OrderId to OrderPool slot, for arbitrary 64-bit ids.
// Owned by one BookShard's core; not thread-safe.
//
// Linear probing with 8-byte entries {slot, tag}. The tag is the high half of a seeded
// multiplicative (Fibonacci) hash of the id; at full size with dense ids, of the id's
// upper bits, with the id's low 3 bits in place of its own (see tag_of). The home bucket
// is the tag's top bits (XOR those 3 bits when grouped), so the home is recomputable
// from the entry alone, and deletion can use backward shifting (no tombstones, so a
// cancel-heavy flow never degrades probes).
// One multiply per hash; the top bits of the product depend on every bit of the id.
//
// The table is preallocated for at least twice the pool capacity (and 16 buckets), but
// only its first buckets() are in use: it starts at start_buckets and grows in place
// whenever an insert takes the load above 0.25, doubling up to doubling_limit buckets
// (2 MiB by default) and then going straight to its full size. A book with tens of
// thousands of live orders then probes a table that stays in cache, not one sized for
// the whole pool whose every new id group is a cache miss; a book that keeps growing
// pays one rehash of at most doubling_limit / 4 entries into the full table, not a
// doubling rehash of millions on the core. Each growth rehashes every live entry once,
// on the insert that crosses the threshold (see grow()); a shard that must never pay
// that on its core starts at full size (start_buckets = 0).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "tachyon/book/internal/backward_shift.h"
#include "tachyon/book/order_pool.h"
#include "tachyon/book/types.h"
#include "tachyon/book/prefetch.h"

namespace tachyon::book {

class OrderIndex {
 public:
  struct Entry {
    uint32_t slot;  // kNil when empty
    uint32_t tag;   // low 32 bits of the id's hash
  };
  static_assert(sizeof(Entry) == 8);

  // The largest table growth reaches by doubling; the next growth is to full size.
  static constexpr std::size_t kDoublingLimit = std::size_t{1} << 18;

  // start_buckets: buckets in use at first (rounded up to a power of two, at least 16,
  // at most the preallocated table); 0 starts at full size.
  OrderIndex(uint32_t max_orders, uint64_t seed, const OrderPool& pool, std::pmr::memory_resource* mr,
             std::size_t start_buckets = 0, std::size_t doubling_limit = kDoublingLimit);
  ~OrderIndex();
  OrderIndex(const OrderIndex&) = delete;
  OrderIndex& operator=(const OrderIndex&) = delete;

  // Where find_pos() saw that an absent id would go: the empty bucket and the id's tag.
  struct Hole {
    std::size_t pos = 0;
    uint32_t tag = 0;
  };
  // Returns the table position of id, or npos; when id is absent also sets hole to the
  // empty bucket where insert() would put it (valid until the table changes). Expected
  // O(1), hot path.
  static constexpr std::size_t npos = SIZE_MAX;
  std::size_t find_pos(OrderId id, Hole& hole) const noexcept {
    const uint32_t tag = tag_of(id);
    std::size_t p = home(tag);
    for (;;) {
      const Entry e = table_[p];
      if (e.slot == kNil) {
        hole = Hole{p, tag};
        return npos;
      }
      if (e.tag == tag && orders_[e.slot].id == id) return p;
      p = (p + 1) & mask_;
    }
  }
  // As above, for a caller that does not insert (the unused hole is optimised away).
  std::size_t find_pos(OrderId id) const noexcept {
    Hole unused;
    return find_pos(id, unused);
  }
  // Inserts the id find_pos(id, hole) looked for -> slot, with no change to the table
  // in between (the tag comes from the probe, not a second hash). O(1), hot path.
  // May grow the table, which moves entries: positions found before it are stale.
  void insert_at(const Hole& hole, uint32_t slot) noexcept {
    table_[hole.pos] = Entry{slot, hole.tag};
    if (++size_ > grow_at_) [[unlikely]] grow();
  }

  // Returns the pool slot of id, or kNil. Expected O(1), hot path.
  uint32_t find(OrderId id) const noexcept {
    const std::size_t p = find_pos(id);
    return p == npos ? kNil : table_[p].slot;
  }
  uint32_t slot_at(std::size_t pos) const noexcept { return table_[pos].slot; }

  // Inserts id -> slot. Precondition: id absent and the pool slot already holds id.
  // May grow the table, as insert_at().
  void insert(OrderId id, uint32_t slot) noexcept {
    const uint32_t tag = tag_of(id);
    std::size_t p = home(tag);
    while (table_[p].slot != kNil) p = (p + 1) & mask_;
    table_[p] = Entry{slot, tag};
    if (++size_ > grow_at_) [[unlikely]] grow();
  }

  // Removes the entry at pos (from find_pos), shifting later entries of the probe run
  // back so lookups never cross a hole. Hot path.
  void erase_at(std::size_t pos) noexcept {
    detail::erase_backward_shift<&Entry::slot>(table_, mask_, pos, [this](const Entry& e) { return home(e.tag); });
    --size_;
  }

  // Retargets the entry at pos to a new slot (same id). O(1).
  void set_slot(std::size_t pos, uint32_t slot) noexcept { table_[pos].slot = slot; }

  // Prefetches id's home bucket; for the batch pipeline.
  void prefetch(OrderId id) const noexcept { prefetch_read(&table_[home(tag_of(id))]); }
  // Buckets in use now, and preallocated (the most it can grow to).
  std::size_t buckets() const noexcept { return mask_ + 1; }
  std::size_t max_buckets() const noexcept { return max_buckets_; }
  std::size_t bytes() const noexcept { return max_buckets_ * sizeof(Entry); }
  std::size_t size() const noexcept { return size_; }
  // Times the table has grown since construction.
  uint32_t growths() const noexcept { return growths_; }
  // The bucket a lookup of id starts at, in the table as it is now.
  std::size_t home_bucket(OrderId id) const noexcept { return home(tag_of(id)); }
  // Whether ids that differ only in their low 3 bits share a cache line (see tag_of).
  bool grouped() const noexcept { return group_ != 0; }

 private:
  // How ids are placed depends on the table's size:
  //  - Up to doubling_limit buckets (the table stays in cache) every id is hashed on its
  //    own and the home is the tag's top bits. A venue's live ids are mostly
  //    consecutive: placed side by side they would fill whole 8-bucket groups, so that
  //    every other id homed there ran on into the next groups and erases scanned those
  //    runs with a branch per entry (book_bench, and a generated feed's book pass, were
  //    a fifth slower).
  //  - Past it (the full table, beyond the caches), when the live ids are dense (see
  //    ids_dense()), ids that differ only in their low 3 bits share a hash of the rest
  //    and one aligned group of 8 buckets, one cache line, at the position their low
  //    bits pick (kept in the tag's low bits and XORed into the home's). Recent
  //    sequential ids then touch a few lines instead of one each, which is what a large
  //    table's lookups cost (tachyon replay of a generated 10 M-message feed, about
  //    200 k live orders, was a fifth slower with every id on its own line). Sparse ids
  //    (a shard that sees some of a venue's symbols; the thinned NASDAQ sample) fill
  //    their groups with one id each and gain nothing, so they stay on their own, and
  //    the jump keeps the cheap near-sorted rehash.
  // group_ is 0 or 3 (the low bits grouped) and low_ is (1 << group_) - 1. The jump to
  // the full table decides the form once, from the ids live then; a table that starts
  // at full size (no ids yet) groups them. A change of form recomputes every tag from
  // its order's id (see grow()). In the grouped form the home's top bits leave the
  // tag's low 3 bits out while shift_ >= 3 (up to 2^29 buckets; past that the home is
  // still in range, only less spread).
  uint32_t tag_of(OrderId id) const noexcept { return tag_in(id, group_, low_); }
  uint32_t tag_in(OrderId id, unsigned group, uint32_t low) const noexcept {
    const uint32_t h = static_cast<uint32_t>((((id.value >> group) ^ seed_) * 0x9E3779B97F4A7C15ull) >> 32);
    return (h & ~low) | (static_cast<uint32_t>(id.value) & low);
  }
  std::size_t home(uint32_t tag) const noexcept { return static_cast<std::size_t>((tag >> shift_) ^ (tag & low_)); }
  // group_ for a table of n buckets that starts at that size, with no ids to go by.
  unsigned group_for(std::size_t n) const noexcept { return n > doubling_limit_ ? 3u : 0u; }
  // Whether the live ids are dense enough to gain from grouping: about a thousand live
  // ids sampled across the table have on average at least half a live neighbour in
  // their group of eight. Reads the table in its current form, before grow() changes
  // it. About 7,000 lookups in a table that is still in cache.
  bool ids_dense() const noexcept;

  // Grows buckets() in place (doubling, or to full size past doubling_limit_) and
  // rehashes every entry. Cold: O(buckets) per growth, so O(1) amortised per insert.
  [[gnu::cold, gnu::noinline]] void grow() noexcept;

  Entry* table_;
  std::size_t mask_;
  unsigned shift_;  // 32 - log2(buckets)
  unsigned group_;  // 0, or 3 when ids are grouped by eight (see tag_of)
  uint32_t low_;    // (1 << group_) - 1
  std::size_t size_ = 0;     // live entries
  std::size_t grow_at_;      // size_ above which the table grows (SIZE_MAX at full size)
  std::size_t max_buckets_;  // preallocated
  std::size_t doubling_limit_;
  uint32_t growths_ = 0;
  uint64_t seed_;
  const Order* orders_;
  std::pmr::memory_resource* mr_;
};

}  // namespace tachyon::book
