// OrderIndex set-up and its in-place growth. The constructor runs before the owning
// core starts; grow() runs on that core, inside the insert that takes the load above
// 0.25, and allocates nothing.
#include "tachyon/book/order_index.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "tachyon/book/cache_line.h"

namespace tachyon::book {

namespace {

constexpr std::size_t kMinBuckets = 16;
// ids_dense(): how many live ids it looks at.
constexpr std::size_t kDenseSample = 1024;

// The live count above which a table of `buckets` grows: past a quarter full, unless
// it is already the whole preallocated table (whose load the pool's capacity bounds to
// a half). At half load the longer probe runs cost more than the smaller table saves:
// under callgrind, book_bench's swing-40 operations took 6 % more instructions than
// with the full table, against 2.5 % at a quarter.
std::size_t grow_threshold(std::size_t buckets, std::size_t max_buckets) {
  return buckets == max_buckets ? SIZE_MAX : buckets / 4;
}

// Sorts a[0, count) by key. The block grow() sorts is nearly sorted already (entries
// come in table order, a few buckets from their homes), so insertion sort does it in
// about linear time; a block it finds far from sorted (a long run that wrapped past the
// table's end) goes to std::sort once the moves exceed a linear budget.
template <class Entry, class Key>
void sort_by_key(Entry* a, std::size_t count, Key key) {
  std::size_t budget = 32 * count + 1024;
  for (std::size_t i = 1; i < count; ++i) {
    const Entry e = a[i];
    const std::size_t k = key(e);
    std::size_t j = i;
    while (j > 0 && key(a[j - 1]) > k) {
      a[j] = a[j - 1];
      --j;
      if (--budget == 0) {
        a[j] = e;
        std::sort(a, a + count, [&key](const Entry& x, const Entry& y) { return key(x) < key(y); });
        return;
      }
    }
    a[j] = e;
  }
}

}  // namespace

OrderIndex::OrderIndex(uint32_t max_orders, uint64_t seed, const OrderPool& pool, std::pmr::memory_resource* mr,
                       std::size_t start_buckets, std::size_t doubling_limit)
    : max_buckets_(std::bit_ceil(std::max<std::size_t>(std::size_t{max_orders} * 2, kMinBuckets))),
      doubling_limit_(doubling_limit),
      seed_(seed),
      orders_(pool.data()),
      mr_(mr) {
  const std::size_t start =
      start_buckets == 0 ? max_buckets_ : std::clamp(std::bit_ceil(start_buckets), kMinBuckets, max_buckets_);
  mask_ = start - 1;
  shift_ = 32u - static_cast<unsigned>(std::countr_zero(start));
  group_ = group_for(start);
  low_ = (1u << group_) - 1;
  grow_at_ = grow_threshold(start, max_buckets_);
  // The whole table is allocated and written now (slot == kNil everywhere), so growing
  // never allocates or faults in a page on the core.
  table_ = static_cast<Entry*>(mr->allocate(bytes(), kCacheLine));
  std::memset(static_cast<void*>(table_), 0xff, bytes());
}

OrderIndex::~OrderIndex() { mr_->deallocate(table_, bytes(), kCacheLine); }

bool OrderIndex::ids_dense() const noexcept {
  const std::size_t n = mask_ + 1;
  // Every stride-th bucket from a fixed start, so the sample spreads over the table.
  const std::size_t stride = std::max<std::size_t>(1, n / (4 * kDenseSample));
  std::size_t sampled = 0, neighbours = 0;
  for (std::size_t p = 0; p < n && sampled < kDenseSample; p += stride) {
    const Entry e = table_[p];
    if (e.slot == kNil) continue;
    const uint64_t id = orders_[e.slot].id.value;
    for (uint64_t j = 0; j < 8; ++j) {
      const uint64_t other = (id & ~uint64_t{7}) | j;
      if (other != id && find_pos(OrderId{other}) != npos) ++neighbours;
    }
    ++sampled;
  }
  return sampled != 0 && 2 * neighbours >= sampled;
}

// Growing in place, from old_n to n buckets (n = 2 x old_n, or the full table), with no
// scratch memory:
//  1. Gather every entry into one block at the end of the grown table (the new part is
//     empty, and the at most old_n / 4 + 1 entries fit in it), emptying the old buckets.
//  2. Sort the block by home in the grown table.
//  3. Lay the entries out in that order, each at max(its home, the bucket after the
//     previous one): a valid linear-probing table, built front to back. Each entry's
//     bucket is at or before its own place in the block, so the sweep never overwrites
//     an entry it has not moved yet.
// When the last run would pass the table's end it must wrap to the front, which step 3
// cannot do. Then the layout starts instead just after a bucket z that stays empty in
// the wrapped table (inserting in home order, the k entries past the end take the
// first k free buckets from the front, so the (k+1)-th free bucket is z): no run
// crosses z, the block is rotated to home order counted from z + 1, and the table is
// rotated so that the sweep works in those coordinates.
void OrderIndex::grow() noexcept {
  const std::size_t old_n = mask_ + 1;
  const std::size_t n = old_n * 2 <= doubling_limit_ ? old_n * 2 : max_buckets_;
  const std::size_t mask = n - 1;
  const unsigned shift = 32u - static_cast<unsigned>(std::countr_zero(n));
  // The jump to the full table groups the ids by eight only when they are dense enough
  // to share its lines (see ids_dense()); a doubling keeps them on their own.
  const unsigned group = n <= doubling_limit_ ? 0u : (ids_dense() ? 3u : 0u);
  const uint32_t low = (1u << group) - 1;
  const auto home_in = [shift, low](const Entry& e) { return static_cast<std::size_t>((e.tag >> shift) ^ (e.tag & low)); };

  // 1. Gather.
  std::size_t w = n;
  for (std::size_t p = old_n; p-- > 0;) {
    if (table_[p].slot == kNil) continue;
    table_[--w] = table_[p];
    table_[p].slot = kNil;
  }
  Entry* const block = table_ + w;
  const std::size_t count = n - w;
  // A jump that groups the ids by eight (see tag_of) recomputes every tag from its
  // order's id, once in the table's life.
  if (group != group_) {
    for (std::size_t i = 0; i < count; ++i) block[i].tag = tag_in(orders_[block[i].slot].id, group, low);
  }

  // 2. Sort.
  sort_by_key(block, count, home_in);

  // Where the layout starts: bucket 0, unless the last run would pass the end.
  std::size_t next = 0;
  for (std::size_t i = 0; i < count; ++i) next = std::max(home_in(block[i]), next) + 1;
  std::size_t origin = 0;
  if (next > n) {
    std::size_t need = next - n + 1;  // the (k+1)-th free bucket, k = entries past the end
    next = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t h = home_in(block[i]);
      if (h > next) {
        if (h - next >= need) break;
        need -= h - next;
      }
      next = std::max(h, next) + 1;
    }
    const std::size_t z = next + need - 1;  // free buckets are never past the run that overflows, so z < n
    origin = (z + 1) & mask;
    Entry* const split =
        std::partition_point(block, block + count, [&](const Entry& e) { return home_in(e) < origin; });
    std::rotate(block, split, block + count);
    // Table position p moves to (p + origin) & mask: the block now ends at z.
    std::rotate(table_, table_ + (n - origin), table_ + n);
  }

  // 3. Lay out, in coordinates counted from origin: the block is at [w, n).
  next = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t src = (w + i + origin) & mask;
    const Entry e = table_[src];
    const std::size_t at = std::max((home_in(e) - origin) & mask, next);  // <= w + i
    next = at + 1;
    const std::size_t dst = (at + origin) & mask;
    if (dst != src) {
      table_[dst] = e;
      table_[src].slot = kNil;
    }
  }

  mask_ = mask;
  shift_ = shift;
  group_ = group;
  low_ = low;
  grow_at_ = grow_threshold(n, max_buckets_);
  ++growths_;
}

}  // namespace tachyon::book
