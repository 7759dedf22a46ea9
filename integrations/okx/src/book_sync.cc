// BookSync: sequence checks, level application and checksum verification (see
// book_sync.h). Control-plane thread; apply() is the hot path.
#include "tachyon/okx/book_sync.h"

#include <array>

#include "tachyon/okx/book_checksum.h"

namespace tachyon::okx {

const char* to_string(BookState s) noexcept {
  switch (s) {
    case BookState::kAwaitingSnapshot: return "awaiting-snapshot";
    case BookState::kLive: return "live";
    case BookState::kStale: return "stale";
  }
  return "unknown";
}

const char* to_string(SyncResult r) noexcept {
  switch (r) {
    case SyncResult::kSnapshot: return "snapshot";
    case SyncResult::kUpdate: return "update";
    case SyncResult::kHeartbeat: return "heartbeat";
    case SyncResult::kReset: return "sequence-reset";
    case SyncResult::kIgnored: return "ignored";
    case SyncResult::kGap: return "gap";
    case SyncResult::kChecksumMismatch: return "checksum-mismatch";
    case SyncResult::kBadLevel: return "bad-level";
  }
  return "unknown";
}

BookSync::BookSync(Instrument inst, const L2BookConfig& cfg) : inst_(std::move(inst)), book_(cfg) {}

bool BookSync::apply_levels(const BookPush& push) noexcept {
  for (int s = 0; s < 2; ++s) {
    const book::Side side = s == 0 ? book::Side::kBuy : book::Side::kSell;
    for (const LevelText& l : s == 0 ? push.bids : push.asks) {
      int64_t px = 0, sz = 0;
      if (!inst_.tick.to_units(l.price, px) || !inst_.lot.to_units(l.size, sz) || sz < 0) [[unlikely]]
        return false;
      if (!book_.set_level(side, px, sz)) [[unlikely]]
        return false;
    }
  }
  return true;
}

SyncResult BookSync::apply(const BookPush& push, int64_t local_ms) noexcept {
  SyncResult r;
  if (push.snapshot) {
    book_.clear();
    if (!apply_levels(push)) return fail(SyncResult::kBadLevel, push);
    ++health_.snapshots;
    r = SyncResult::kSnapshot;
  } else {
    if (health_.state != BookState::kLive) {
      ++health_.ignored;
      return SyncResult::kIgnored;
    }
    if (push.prev_seq_id != health_.seq_id) [[unlikely]]
      return fail(SyncResult::kGap, push);
    if (push.seq_id == push.prev_seq_id && push.bids.empty() && push.asks.empty()) {
      ++health_.heartbeats;
      health_.exchange_ts_ms = push.ts_ms;
      health_.local_ms = local_ms;
      return SyncResult::kHeartbeat;
    }
    if (!apply_levels(push)) return fail(SyncResult::kBadLevel, push);
    if (push.seq_id < push.prev_seq_id) {
      ++health_.resets;
      r = SyncResult::kReset;
    } else {
      ++health_.updates;
      r = SyncResult::kUpdate;
    }
  }
  if (push.checksum != 0) {  // OKX now always sends 0: treated as absent
    ++health_.checksum_checked;
    if (checksum() != push.checksum) return fail(SyncResult::kChecksumMismatch, push);
  }
  health_.state = BookState::kLive;
  if (push.has_seq) health_.seq_id = push.seq_id;
  health_.exchange_ts_ms = push.ts_ms;
  health_.local_ms = local_ms;
  return r;
}

int32_t BookSync::checksum() const noexcept {
  std::array<book::DepthLevel, kChecksumDepth> lv;
  std::array<DecimalLevel, kChecksumDepth> bids, asks;
  std::size_t n[2] = {0, 0};
  for (int s = 0; s < 2; ++s) {
    const std::size_t got = book_.depth(s == 0 ? book::Side::kBuy : book::Side::kSell, lv);
    auto& out = s == 0 ? bids : asks;
    for (std::size_t i = 0; i < got; ++i) {
      const auto px = inst_.tick.to_decimal(lv[i].price.ticks);
      const auto sz = inst_.lot.to_decimal(lv[i].qty.value);
      if (!px || !sz) return 0;
      out[i] = DecimalLevel{*px, *sz};
    }
    n[s] = got;
  }
  return okx_checksum(std::span<const DecimalLevel>(bids.data(), n[0]),
                      std::span<const DecimalLevel>(asks.data(), n[1]));
}

SyncResult BookSync::fail(SyncResult r, const BookPush& push) noexcept {
  switch (r) {
    case SyncResult::kGap: ++health_.gaps; break;
    case SyncResult::kChecksumMismatch: ++health_.checksum_mismatches; break;
    case SyncResult::kBadLevel: ++health_.bad_levels; break;
    default: break;
  }
  try {
    std::string why = std::string(to_string(r)) + " at seqId " + std::to_string(push.seq_id) + " (prevSeqId " +
                      std::to_string(push.prev_seq_id) + ", last seqId " + std::to_string(health_.seq_id) + ")";
    if (r == SyncResult::kChecksumMismatch)
      why += ": checksum " + std::to_string(push.checksum) + " != computed " + std::to_string(checksum());
    health_.last_problem = std::move(why);
  } catch (...) {
    // Out of memory while describing: keep the counters, lose the text.
  }
  drop(nullptr);
  return r;
}

void BookSync::drop(const char* why) noexcept {
  book_.clear();
  health_.state = BookState::kStale;
  health_.seq_id = -1;
  ++health_.stale_events;
  if (why != nullptr) {
    try {
      health_.last_problem = why;
    } catch (...) {
    }
  }
}

void BookSync::await_snapshot() noexcept {
  if (health_.state == BookState::kLive) book_.clear();
  // A stale book stays stale (and visible as such) until its snapshot arrives.
  if (health_.state != BookState::kStale) health_.state = BookState::kAwaitingSnapshot;
  health_.seq_id = -1;
}

}  // namespace tachyon::okx
