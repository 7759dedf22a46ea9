// ITCH 5.0 feed handler: mirrors the venue's book into a book::BookShard (feed mode: the
// venue already matched, so adds rest without matching). Maps stock locates to SymbolIds,
// keeps symbol names from Stock Directory messages, counts messages by type and events on
// unknown order references (never applied, never fatal). Owned by one data-plane core;
// not thread-safe. No allocation after construction.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>

#include "tachyon/book/book_shard.h"
#include "tachyon/book/event.h"
#include "tachyon/dataplane/itch_decoder.h"
#include "tachyon/dataplane/itch_messages.h"

namespace tachyon::dataplane::itch {

struct BookBuilderStats {
  std::array<uint64_t, 256> messages{};      // messages decoded, by type byte
  std::array<uint64_t, 256> unknown_refs{};  // E C X D U naming no resting order, by type
  std::array<uint64_t, 16> rejects{};        // other book rejects, by book::RejectReason
  uint64_t overfills = 0;        // executions above the remainder: clamped to it
  uint64_t replace_drops = 0;    // replaces the book refused: the old order was removed
  uint64_t bad_side = 0;         // adds whose side byte is neither B nor S: skipped
  uint64_t unmapped_symbol = 0;  // adds for a locate beyond the shard's symbols: skipped
  uint64_t decode_errors = 0;    // apply() inputs that did not decode

  uint64_t total_messages() const noexcept {
    uint64_t n = 0;
    for (const uint64_t c : messages) n += c;
    return n;
  }
  uint64_t total_unknown_refs() const noexcept {
    uint64_t n = 0;
    for (const uint64_t c : unknown_refs) n += c;
    return n;
  }
};

// How each message reaches the shard (seq is the builder's running message count):
//   A, F  insert(ref, side, price, shares) without matching
//   E     execute(ref, shares) at the order's price
//   C     execute_at(ref, shares, price)
//   X     reduce(ref, shares): a partial cancel; all shares cancel the order
//   D     cancel(ref)
//   U     replace(ref, new ref, price, shares): same side and symbol, back of the level
//   P     counted only (non-displayed orders never enter the book)
//   R     maps the locate to a SymbolId and records the name; others are counted only.
// Events from the shard reach sink, except Rejected ones, which are counted instead.
template <book::EventSink S = book::NullSink>
class BookBuilder {
 public:
  static constexpr uint32_t kUnmapped = UINT32_MAX;
  static constexpr std::size_t kLocates = 65536;

  // Allocates the locate table and one name per shard symbol. Not on the hot path.
  BookBuilder(book::BookShard& shard, S& sink)
      : shard_(shard),
        tap_{&sink},
        locate_to_symbol_(new uint32_t[kLocates]),
        names_(new Stock[shard.symbols()]),
        locates_(new uint16_t[shard.symbols()]) {
    static_assert(kUnmapped == UINT32_MAX, "memset below fills every byte with 0xFF");
    std::memset(locate_to_symbol_.get(), 0xFF, kLocates * sizeof(uint32_t));
  }

  // Decodes one framed message and applies it. Hot path.
  DecodeStatus apply(const uint8_t* p, std::size_t n) noexcept {
    const DecodeStatus st = decode(p, n, *this);
    if (st != DecodeStatus::kOk) ++stats_.decode_errors;
    return st;
  }
  DecodeStatus apply(std::span<const uint8_t> msg) noexcept { return apply(msg.data(), msg.size()); }

  // Handler entry for the decoder: counts every message type, applies the book ones.
  template <class M>
  void on(const M& m) noexcept {
    ++stats_.messages[static_cast<uint8_t>(M::kType)];
    ++seq_;
    handle(m);
  }

  // Returns the SymbolId a locate maps to, if any.
  std::optional<book::SymbolId> symbol_of(uint16_t locate) const noexcept {
    const uint32_t s = locate_to_symbol_[locate];
    if (s == kUnmapped) return std::nullopt;
    return book::SymbolId{s};
  }
  // Returns the name recorded for a mapped symbol (from R, else from its first add).
  const Stock& name(book::SymbolId s) const noexcept { return names_[s.value]; }
  uint16_t locate(book::SymbolId s) const noexcept { return locates_[s.value]; }
  uint32_t symbols_mapped() const noexcept { return mapped_; }
  const BookBuilderStats& stats() const noexcept { return stats_; }
  const book::BookShard& shard() const noexcept { return shard_; }

 private:
  // Forwards events to the user's sink and remembers the last reject.
  struct Tap {
    S* sink;
    bool rejected = false;
    book::RejectReason reason = book::RejectReason::kNone;
    void on_event(const book::Event& e) noexcept {
      if (e.kind == book::EventKind::kRejected) {
        rejected = true;
        reason = e.reject_reason();
        return;
      }
      sink->on_event(e);
    }
    void arm() noexcept { rejected = false; }
  };

  uint32_t symbol_for(uint16_t locate, const Stock& stock) noexcept {
    uint32_t s = locate_to_symbol_[locate];
    if (s != kUnmapped) return s;
    if (mapped_ >= shard_.symbols()) return kUnmapped;
    s = mapped_++;
    locate_to_symbol_[locate] = s;
    names_[s] = stock;
    locates_[s] = locate;
    return s;
  }

  void count_reject(char type) noexcept {
    if (tap_.reason == book::RejectReason::kNotResting) {
      ++stats_.unknown_refs[static_cast<uint8_t>(type)];
    } else {
      ++stats_.rejects[static_cast<uint8_t>(tap_.reason) & 15u];
    }
  }

  template <class M>
  void handle(const M&) noexcept {}

  void handle(const StockDirectory& m) noexcept {
    const uint32_t s = symbol_for(m.header.stock_locate, m.stock);
    if (s != kUnmapped) names_[s] = m.stock;
  }

  template <class Add>
  void add(const Add& m) noexcept {
    book::Side side;
    if (!to_side(m.side, side)) {
      ++stats_.bad_side;
      return;
    }
    const uint32_t s = symbol_for(m.header.stock_locate, m.stock);
    if (s == kUnmapped) {
      ++stats_.unmapped_symbol;
      return;
    }
    tap_.arm();
    shard_.insert(seq_, book::SymbolId{s}, book::OrderId{m.order_ref}, side, m.price,
                  book::Qty{static_cast<int64_t>(m.shares)}, tap_);
    if (tap_.rejected) count_reject(Add::kType);
  }
  void handle(const AddOrder& m) noexcept { add(m); }
  void handle(const AddOrderMpid& m) noexcept { add(m); }

  // Executes shares of ref (at price if given); more shares than rest are clamped.
  void execute(char type, uint64_t ref, uint32_t shares, const book::Price* price) noexcept {
    const book::OrderId id{ref};
    book::Qty qty{static_cast<int64_t>(shares)};
    tap_.arm();
    if (price) shard_.execute_at(seq_, id, qty, *price, tap_); else shard_.execute(seq_, id, qty, tap_);
    if (!tap_.rejected) return;
    if (tap_.reason == book::RejectReason::kQtyOutOfRange) [[unlikely]] {
      const uint32_t slot = shard_.find(id);
      if (slot != book::kNil && qty > shard_.order(slot).qty) {
        ++stats_.overfills;
        qty = shard_.order(slot).qty;
        tap_.arm();
        if (price) shard_.execute_at(seq_, id, qty, *price, tap_); else shard_.execute(seq_, id, qty, tap_);
        if (!tap_.rejected) return;
      }
    }
    count_reject(type);
  }
  void handle(const OrderExecuted& m) noexcept { execute(m.kType, m.order_ref, m.executed_shares, nullptr); }
  void handle(const OrderExecutedWithPrice& m) noexcept {
    execute(m.kType, m.order_ref, m.executed_shares, &m.execution_price);
  }

  void handle(const OrderCancel& m) noexcept {
    tap_.arm();
    shard_.reduce(seq_, book::OrderId{m.order_ref}, book::Qty{static_cast<int64_t>(m.canceled_shares)}, tap_);
    if (tap_.rejected) count_reject(m.kType);
  }

  void handle(const OrderDelete& m) noexcept {
    tap_.arm();
    shard_.cancel(seq_, book::OrderId{m.order_ref}, tap_);
    if (tap_.rejected) count_reject(m.kType);
  }

  void handle(const OrderReplace& m) noexcept {
    tap_.arm();
    shard_.replace(seq_, book::OrderId{m.original_order_ref}, book::OrderId{m.new_order_ref}, m.price,
                   book::Qty{static_cast<int64_t>(m.shares)}, tap_);
    if (!tap_.rejected) return;
    count_reject(m.kType);
    if (tap_.reason != book::RejectReason::kNotResting) {
      // The venue removed the original either way; keep the mirror in step.
      ++stats_.replace_drops;
      tap_.arm();
      shard_.cancel(seq_, book::OrderId{m.original_order_ref}, tap_);
    }
  }

  book::BookShard& shard_;
  Tap tap_;
  std::unique_ptr<uint32_t[]> locate_to_symbol_;
  std::unique_ptr<Stock[]> names_;
  std::unique_ptr<uint16_t[]> locates_;
  uint32_t mapped_ = 0;
  book::SeqNum seq_ = 0;
  BookBuilderStats stats_{};
};

}  // namespace tachyon::dataplane::itch
