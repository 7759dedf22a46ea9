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

// Formats a digest as 16 lowercase hex digits.
std::string to_hex(uint64_t digest);

}  // namespace tachyon::dataplane
