// Human-readable and JSON renderings of a replay summary and of final books.
// Control path; thread-safe (pure functions).
#pragma once

#include <string>

#include "tachyon/dataplane/replay.h"

namespace tachyon::controlplane {

// The summary as aligned text lines for a terminal.
std::string format_summary_text(const dataplane::ReplaySummary& s);

// The summary as one JSON object (no trailing newline). Fields: input, format, mode,
// messages, messages_by_type, packets, bytes, filtered, sessions, gaps (count),
// gap_messages, first_gap, duplicates, out_of_order, malformed, first_malformed,
// recovered_lengths, unknown_refs, unknown_refs_by_type, live_orders, symbols, books,
// trades, book_hash, shard_hash, reports (match mode), rows_* (LOBSTER check),
// seconds, msgs_per_s, latency_ns {p50, p90, p99, p999, max, mean, count}.
std::string format_summary_json(const dataplane::ReplaySummary& s);

// The top depth levels of symbol's book, bids beside asks, prices in Price(4) dollars.
// Returns a one-line note when the symbol is unknown or its book is empty.
std::string format_book(const dataplane::ReplaySummary& s, const std::string& symbol, unsigned depth);

// Formats n with thousands separators, e.g. 1,234,567.
std::string with_commas(uint64_t n);

}  // namespace tachyon::controlplane
