// The replay's book_hash: a digest of every book's L3 state that ignores order ids, so a
// venue's book and a mirror that saw its orders renumbered (ITCH U) compare equal.
// Control path (after a replay); thread-safe for a stopped shard.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "tachyon/book/book_shard.h"

namespace tachyon::dataplane {

// Returns the digest over all non-empty books in symbol-name order: for each, its name,
// then per side (bids, then asks) every level best first and within it every order's
// price and remaining quantity in time priority. names[s] is SymbolId s's name; books
// without a name are digested under "#<id>". O(orders + books log books).
uint64_t book_digest(const book::BookShard& shard, std::span<const std::string> names);

// One shard's books and the names of its SymbolIds, for a digest over several shards.
struct NamedShard {
  const book::BookShard* shard = nullptr;
  std::span<const std::string> names;
};

// Returns the digest over the non-empty books of every shard, in symbol-name order: the
// same value as book_digest() of one shard holding all of those books (so a replay on
// N shard cores and one on a single core agree). Unnamed books are "#<shard>.<id>"
// when there is more than one shard.
uint64_t book_digest(std::span<const NamedShard> shards);

// Formats a digest as 16 lowercase hex digits.
std::string to_hex(uint64_t digest);

}  // namespace tachyon::dataplane
