// book_digest: FNV-1a over names, sides, prices and quantities in priority order.
#include "tachyon/dataplane/book_digest.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace tachyon::dataplane {

namespace {

struct Fnv {
  uint64_t h = 0xcbf29ce484222325ull;
  void byte(uint8_t b) noexcept {
    h ^= b;
    h *= 0x100000001b3ull;
  }
  void word(uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) byte(static_cast<uint8_t>(v >> (8 * i)));
  }
  void text(const std::string& s) noexcept {
    word(s.size());
    for (const char c : s) byte(static_cast<uint8_t>(c));
  }
};

}  // namespace

uint64_t book_digest(const book::BookShard& shard, std::span<const std::string> names) {
  const NamedShard one{&shard, names};
  return book_digest(std::span<const NamedShard>(&one, 1));
}

uint64_t book_digest(std::span<const NamedShard> shards) {
  struct Entry {
    std::string name;
    const book::BookShard* shard;
    uint32_t symbol;
    bool operator<(const Entry& o) const { return name < o.name || (name == o.name && symbol < o.symbol); }
  };
  std::vector<Entry> books;
  for (std::size_t k = 0; k < shards.size(); ++k) {
    const book::BookShard& shard = *shards[k].shard;
    const std::span<const std::string> names = shards[k].names;
    for (uint32_t s = 0; s < shard.symbols(); ++s) {
      const book::OrderBook& b = shard.book(book::SymbolId{s});
      if (b.level_count(book::Side::kBuy) == 0 && b.level_count(book::Side::kSell) == 0) continue;
      std::string name;
      if (s < names.size() && !names[s].empty()) {
        name = names[s];
      } else {
        name.push_back('#');
        if (shards.size() > 1) name.append(std::to_string(k)).push_back('.');
        name.append(std::to_string(s));
      }
      books.push_back(Entry{std::move(name), &shard, s});
    }
  }
  std::sort(books.begin(), books.end());
  Fnv f;
  for (const Entry& e : books) {
    f.text(e.name);
    const book::OrderBook& b = e.shard->book(book::SymbolId{e.symbol});
    for (const book::Side side : {book::Side::kBuy, book::Side::kSell}) {
      f.byte(static_cast<uint8_t>(side) + 0xA0);
      b.for_each_order(side, [&](book::Price p, const book::Order& o) {
        f.word(static_cast<uint64_t>(p.ticks));
        f.word(static_cast<uint64_t>(o.qty.value));
      });
    }
  }
  return f.h;
}

std::string to_hex(uint64_t digest) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(digest));
  return buf;
}

}  // namespace tachyon::dataplane
