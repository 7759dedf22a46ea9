// Keeps one instrument's mirrored book continuous: a snapshot (prevSeqId -1) and then
// updates whose prevSeqId equals the last seqId; heartbeats (prevSeqId == seqId, no
// levels) and sequence resets after maintenance (seqId < prevSeqId) are accepted; any
// other break, a level that is not a whole number of ticks or lots, or a checksum
// mismatch drops the book, marks it stale and asks the caller to resubscribe.
// Owned by the control-plane thread; not thread-safe. apply() is the hot path.
#pragma once

#include <cstdint>
#include <string>

#include "tachyon/okx/instrument.h"
#include "tachyon/okx/l2_book.h"
#include "tachyon/okx/ws_message.h"

namespace tachyon::okx {

enum class BookState : uint8_t {
  kAwaitingSnapshot = 0,  // subscribed (or resubscribed), no snapshot yet
  kLive = 1,              // continuous since the last snapshot
  kStale = 2,             // dropped after a break; a resubscribe is under way
};
const char* to_string(BookState s) noexcept;

enum class SyncResult : uint8_t {
  kSnapshot = 0,        // the book was rebuilt from a snapshot
  kUpdate = 1,          // an update was applied
  kHeartbeat = 2,       // prevSeqId == seqId, nothing changed
  kReset = 3,           // seqId < prevSeqId: sequence reset after maintenance, applied
  kIgnored = 4,         // an update while waiting for a snapshot
  kGap = 5,             // prevSeqId != last seqId: dropped, resubscribe
  kChecksumMismatch = 6,// dropped, resubscribe
  kBadLevel = 7,        // a price/size that is not a whole tick/lot, or a full pool: dropped, resubscribe
};
const char* to_string(SyncResult r) noexcept;
constexpr bool needs_resubscribe(SyncResult r) noexcept { return r >= SyncResult::kGap; }

// Health and counters of one mirrored book (read by the health output and metrics).
struct BookHealth {
  BookState state = BookState::kAwaitingSnapshot;
  int64_t seq_id = -1;        // last applied seqId
  int64_t exchange_ts_ms = 0; // ts of the last applied push
  int64_t local_ms = 0;       // local time of the last applied push (0: never)
  uint64_t snapshots = 0;
  uint64_t updates = 0;
  uint64_t heartbeats = 0;
  uint64_t resets = 0;
  uint64_t gaps = 0;
  uint64_t checksum_checked = 0;
  uint64_t checksum_mismatches = 0;
  uint64_t bad_levels = 0;
  uint64_t ignored = 0;
  uint64_t stale_events = 0;  // times the book was dropped
  std::string last_problem;   // one line about the last drop, "" if none
};

class BookSync {
 public:
  BookSync(Instrument inst, const L2BookConfig& cfg = {});

  // Applies one book push for this instrument. Precondition: push.inst_id is this
  // instrument and push.channel a book channel. local_ms stamps health. Hot path.
  SyncResult apply(const BookPush& push, int64_t local_ms) noexcept;

  // Marks the book stale and empties it (a gap elsewhere, or a lost connection).
  void drop(const char* why) noexcept;
  // Forgets the sequence after (re)subscribing: the next snapshot starts the book.
  void await_snapshot() noexcept;

  // Returns the checksum of the current book's best 25 levels per side.
  int32_t checksum() const noexcept;

  const Instrument& instrument() const noexcept { return inst_; }
  const L2Book& book() const noexcept { return book_; }
  const BookHealth& health() const noexcept { return health_; }
  bool live() const noexcept { return health_.state == BookState::kLive; }

 private:
  bool apply_levels(const BookPush& push) noexcept;
  [[gnu::cold]] SyncResult fail(SyncResult r, const BookPush& push) noexcept;

  Instrument inst_;
  L2Book book_;
  BookHealth health_;
};

}  // namespace tachyon::okx
