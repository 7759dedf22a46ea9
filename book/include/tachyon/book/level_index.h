// Open-addressing hash index from (symbol, side, price) to the Level that holds that
// price, so an order joining an existing level finds it in one probe instead of a
// search of the side's ladder. Owned by one BookShard's core; not thread-safe.
//
// A feed handler's adds land anywhere in the book (a mirror book is as deep as the
// venue's), and most of them join a level that already exists; the ladder search they
// replace was the largest single cost of an ITCH add. The ladder is still searched
// when a level opens or closes, which is rare by comparison.
//
// Linear probing with 8-byte entries {level, tag}, backward-shift deletion (no
// tombstones), as OrderIndex. Prices are hashed in blocks of eight: the tag is a
// multiplicative hash of symbol, side and price / 8 in its top 28 bits, then the side
// and price % 8 in its lowest four, and the home bucket is the tag's top bits XOR
// price % 8. So the eight prices of a block have their homes in one aligned group of
// eight buckets, one cache line: the levels near the top of a book, where most
// operations land, share a few hot lines, and a lookup of a price next to a live level
// (a new level opening beside it) finds its line in cache. With one hash per price the
// lookups of a book's top levels touched a line each, and a new level's lookup, which
// ends on an empty bucket, was a cache miss more often than not (108 cycles on average
// for the level-opening adds of book_bench swing-40). Blocks hash apart like single
// prices did, so books and distant prices do not cluster. A match needs the tag (so
// the exact side) and the level's own price and symbol, so collisions cost a probe,
// never a wrong level. The table holds at least twice the level pool, so the load
// stays <= 0.5.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory_resource>

#include "tachyon/book/internal/backward_shift.h"
#include "tachyon/book/price_level.h"
#include "tachyon/book/types.h"

namespace tachyon::book {

class LevelIndex {
 public:
  struct Entry {
    uint32_t level;  // kNil when empty
    uint32_t tag;
  };
  static_assert(sizeof(Entry) == 8);

  LevelIndex(uint32_t max_levels, const LevelPool& levels, std::pmr::memory_resource* mr);
  ~LevelIndex();
  LevelIndex(const LevelIndex&) = delete;
  LevelIndex& operator=(const LevelIndex&) = delete;

  // Returns the level of price on side of sym's book, or kNil. Expected O(1), hot path.
  [[gnu::always_inline]] uint32_t find(SymbolId sym, Side side, Price price) const noexcept {
    const uint32_t tag = tag_of(sym, side, price);
    std::size_t p = home(tag);
    for (;;) {
      const Entry e = table_[p];
      if (e.level == kNil) return kNil;
      if (e.tag == tag) {
        const Level& lv = levels_[e.level];
        if (lv.price == price && lv.symbol == sym.value) return e.level;
      }
      p = (p + 1) & mask_;
    }
  }

  // Adds a level. Precondition: no level of that symbol, side and price is indexed.
  void insert(SymbolId sym, Side side, Price price, uint32_t level) noexcept {
    const uint32_t tag = tag_of(sym, side, price);
    std::size_t p = home(tag);
    while (table_[p].level != kNil) p = (p + 1) & mask_;
    table_[p] = Entry{level, tag};
  }

  // Removes level, indexed under sym, side and its own price. Precondition: indexed.
  void erase(SymbolId sym, Side side, uint32_t level) noexcept {
    const uint32_t tag = tag_of(sym, side, levels_[level].price);
    std::size_t hole = home(tag);
    while (table_[hole].level != level) hole = (hole + 1) & mask_;
    detail::erase_backward_shift<&Entry::level>(table_, mask_, hole, [this](const Entry& e) { return home(e.tag); });
  }

  // The bucket a lookup of that price starts at (tests and diagnostics).
  std::size_t home_of(SymbolId sym, Side side, Price price) const noexcept { return home(tag_of(sym, side, price)); }
  std::size_t buckets() const noexcept { return mask_ + 1; }
  std::size_t bytes() const noexcept { return buckets() * sizeof(Entry); }

 private:
  // Symbol and side sit above any price block a book accepts (|price| <= 2^61 ticks is
  // validated, but live prices are far smaller), so neighbouring blocks of one book and
  // the same block in two books or on two sides hash apart. Bit 3 is the side, bits 0-2
  // price % 8.
  uint32_t tag_of(SymbolId sym, Side side, Price price) const noexcept {
    const auto ticks = static_cast<uint64_t>(price.ticks);
    const auto s = static_cast<uint32_t>(side) & 1u;
    const uint64_t x = (ticks >> 3) ^ (uint64_t{sym.value} << 33) ^ (uint64_t{s} << 32);
    const auto h = static_cast<uint32_t>((x * 0x9E3779B97F4A7C15ull) >> 32);
    return (h & ~0xFu) | (s << 3) | static_cast<uint32_t>(ticks & 7);
  }
  // The block's group of eight buckets (the top bits), and price % 8 within it; the
  // table has at least 16 buckets, so the result stays inside it.
  std::size_t home(uint32_t tag) const noexcept { return static_cast<std::size_t>((tag >> shift_) ^ (tag & 7u)); }

  Entry* table_;
  std::size_t mask_;
  unsigned shift_;  // 32 - log2(buckets)
  const Level* levels_;
  std::pmr::memory_resource* mr_;
};

}  // namespace tachyon::book
