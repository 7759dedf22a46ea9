// The replay loops behind dataplane::replay(), one per input kind. Internal to dataplane/.
#pragma once

#include <memory>

#include "tachyon/dataplane/replay.h"

namespace tachyon::dataplane::internal {

void replay_feed_capture(const ReplayOptions& opt, ReplaySummary& sum);
void replay_itch_file(const ReplayOptions& opt, ReplaySummary& sum);
void replay_match_capture(const ReplayOptions& opt, ReplaySummary& sum);
void replay_lobster(const ReplayOptions& opt, ReplaySummary& sum);

// Fills the book fields of sum (live orders, books, hashes) from the final shard;
// sum.names must already name the symbols.
void finish_books(ReplaySummary& sum, const std::shared_ptr<book::BookShard>& shard);

// Returns the size of path in bytes; throws ReplayError naming the file when it cannot
// be read.
uint64_t file_size_of(const std::string& path);

}  // namespace tachyon::dataplane::internal
