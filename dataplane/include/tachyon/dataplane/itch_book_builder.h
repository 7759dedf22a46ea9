// ITCH 5.0 feed handler: mirrors the venue's book into a book::BookShard (feed mode: the
// venue already matched, so adds rest without matching). Maps stock locates to SymbolIds,
// keeps symbol names from Stock Directory messages, counts messages by type and events on
// unknown order references (never applied, never fatal). Owned by one data-plane core;
// not thread-safe. No allocation after construction.
//
// Two ways to reach the shard (ApplyMode): immediately, message by message, or staged
// and applied kBatch book operations at a time through BookShard::apply_batch(), which
// prefetches the order-index buckets of the operations behind the current one. With
// millions of resting orders every lookup misses the caches, and message by message
// those misses are paid one after the other; batched, they overlap. Batched staging
// reads the common types through a table of field offsets (on_message()) rather than
// a switch on the type byte, which mispredicts on a real feed's mix of P, A and D.
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
#include "tachyon/book/message.h"
#include "tachyon/dataplane/big_endian.h"
#include "tachyon/dataplane/itch_decoder.h"
#include "tachyon/dataplane/itch_messages.h"
#include "tachyon/dataplane/wire_layout.h"

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

namespace detail {

// How BookBuilder::on_message() treats one type byte: the message length (0: decode()
// handles the type), whether the message is staged (P is only counted), the book
// operation, and the offsets of the fields that operation reads. Offsets of fields it
// does not read point at the order reference, which every type here has at the same
// offset, so no read leaves the message.
struct FastPath {
  uint8_t length = 0;
  uint8_t staged = 0;
  uint8_t add = 0;  // 1 for A and F: the side and the symbol need checking
  book::MsgType op = book::MsgType::kCancel;
  uint8_t qty_at = 0;
  uint8_t price_at = 0;
  uint8_t new_ref_at = 0;
  uint8_t side_at = 0;
};
static_assert(sizeof(FastPath) == 8);

// Every ITCH message starts with its header, and the header with the stock locate.
inline constexpr uint8_t kLocateAt = wire::field_offset(&OrderDelete::header);
inline constexpr uint8_t kRefAt = wire::field_offset(&OrderDelete::order_ref);
static_assert(wire::field_offset(&AddOrder::order_ref) == kRefAt &&
              wire::field_offset(&AddOrderMpid::order_ref) == kRefAt &&
              wire::field_offset(&OrderExecuted::order_ref) == kRefAt &&
              wire::field_offset(&OrderCancel::order_ref) == kRefAt &&
              wire::field_offset(&OrderReplace::original_order_ref) == kRefAt &&
              wire::field_offset(&Trade::order_ref) == kRefAt);

template <class M>
consteval FastPath fast_path(book::MsgType op, uint8_t staged) {
  FastPath f;
  f.length = static_cast<uint8_t>(M::kLength);
  f.staged = staged;
  f.op = op;
  f.qty_at = f.price_at = f.new_ref_at = f.side_at = kRefAt;
  return f;
}

template <class Add>
consteval FastPath add_path() {
  FastPath f = fast_path<Add>(book::MsgType::kInsert, 1);
  f.add = 1;
  f.qty_at = wire::field_offset(&Add::shares);
  f.price_at = wire::field_offset(&Add::price);
  f.side_at = wire::field_offset(&Add::side);
  return f;
}

// The operations BookBuilder stages (see its table of messages), by type byte.
consteval std::array<FastPath, 256> fast_paths() {
  std::array<FastPath, 256> t{};
  t[static_cast<uint8_t>(AddOrder::kType)] = add_path<AddOrder>();
  t[static_cast<uint8_t>(AddOrderMpid::kType)] = add_path<AddOrderMpid>();
  FastPath e = fast_path<OrderExecuted>(book::MsgType::kExecute, 1);
  e.qty_at = wire::field_offset(&OrderExecuted::executed_shares);
  t[static_cast<uint8_t>(OrderExecuted::kType)] = e;
  FastPath x = fast_path<OrderCancel>(book::MsgType::kReduce, 1);
  x.qty_at = wire::field_offset(&OrderCancel::canceled_shares);
  t[static_cast<uint8_t>(OrderCancel::kType)] = x;
  t[static_cast<uint8_t>(OrderDelete::kType)] = fast_path<OrderDelete>(book::MsgType::kCancel, 1);
  FastPath u = fast_path<OrderReplace>(book::MsgType::kReplace, 1);
  u.new_ref_at = wire::field_offset(&OrderReplace::new_order_ref);
  u.qty_at = wire::field_offset(&OrderReplace::shares);
  u.price_at = wire::field_offset(&OrderReplace::price);
  t[static_cast<uint8_t>(OrderReplace::kType)] = u;
  t[static_cast<uint8_t>(Trade::kType)] = fast_path<Trade>(book::MsgType::kCancel, 0);
  return t;
}

inline constexpr std::array<FastPath, 256> kFastPaths = fast_paths();

// The side byte of an add, by value: 0 for B (book::Side::kBuy), 1 for S (kSell), and
// 0x80 for anything else, which sends the add through decode() (see on_message()).
consteval std::array<uint8_t, 256> side_codes() {
  std::array<uint8_t, 256> t{};
  t.fill(0x80);
  t[static_cast<uint8_t>('B')] = static_cast<uint8_t>(book::Side::kBuy);
  t[static_cast<uint8_t>('S')] = static_cast<uint8_t>(book::Side::kSell);
  return t;
}
inline constexpr std::array<uint8_t, 256> kSideCodes = side_codes();
static_assert(static_cast<uint8_t>(book::Side::kBuy) == 0 && static_cast<uint8_t>(book::Side::kSell) == 1);

}  // namespace detail

enum class ApplyMode : uint8_t {
  kImmediate,  // on() applies a book message before it returns
  kBatched,    // on() stages book messages; flush() (or a full batch) applies them
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
//
// In ApplyMode::kBatched the shard (and the unknown-reference and reject counts) lag
// behind on() by up to kBatch - 1 book messages: call flush() before reading the book or
// the stats (operations still staged when the builder is destroyed are dropped). Operations, their order, their sequence numbers and the events are the
// same as in kImmediate. C (execute at a price, which has no batch message) flushes
// and applies at once.
template <book::EventSink S = book::NullSink>
class BookBuilder {
 public:
  static constexpr uint32_t kUnmapped = UINT32_MAX;
  static constexpr std::size_t kLocates = 65536;
  // Book operations per apply_batch() call in kBatched mode: long enough that the
  // unprefetched first few of each batch matter little.
  static constexpr std::size_t kBatch = 64;

  // Allocates the locate table and one name per shard symbol. Not on the hot path.
  BookBuilder(book::BookShard& shard, S& sink, ApplyMode mode = ApplyMode::kImmediate)
      : shard_(shard),
        mode_(mode),
        tap_{&sink},
        locate_to_symbol_(new uint32_t[kLocates]),
        names_(new Stock[shard.symbols()]),
        locates_(new uint16_t[shard.symbols()]) {
    static_assert(kUnmapped == UINT32_MAX, "memset below fills every byte with 0xFF");
    std::memset(locate_to_symbol_.get(), 0xFF, kLocates * sizeof(uint32_t));
  }

  // Applies the staged book messages (kBatched; nothing to do in kImmediate). Hot path.
  void flush() noexcept {
    if (staged_ == 0) return;
    tap_.arm();
    shard_.apply_batch(std::span<const book::BookMessage>(batch_.data(), staged_), tap_, [this](std::size_t i) {
      if (tap_.rejected) [[unlikely]] rejected(batch_[i], staged_letter(batch_[i].type), nullptr);
      tap_.arm();
    });
    staged_ = 0;
  }
  ApplyMode mode() const noexcept { return mode_; }

  // Decodes one framed message and applies it (stages it, in kBatched); counts a
  // message that does not decode. Hot path.
  DecodeStatus apply(const uint8_t* p, std::size_t n) noexcept {
    const DecodeStatus st = on_message(p, n);
    if (st != DecodeStatus::kOk) ++stats_.decode_errors;
    return st;
  }

  // Handles one framed message exactly as decode(p, n, *this) would (same counts, same
  // sequence numbers, same operations in the same order), without its per-type
  // dispatch for the common types in kBatched mode: A F E X D U are staged through a
  // table of field offsets and P is only counted, with no branch on the type. ITCH
  // types follow each other in no predictable order (P, A and D make up most of a
  // feed), so a switch on them mispredicts often and apply_batch() switches on the
  // operation again. Every other type, a wrong length, and an add whose side or symbol
  // needs handling go through decode(). Leaves error counting to the caller (see
  // apply()); scan_binary_file() calls it through deliver(). Hot path.
  DecodeStatus on_message(const uint8_t* p, std::size_t n) noexcept {
    if (mode_ != ApplyMode::kBatched || n == 0) [[unlikely]]
      return decode(p, n, *this);
    const uint8_t t = p[0];
    const detail::FastPath& f = detail::kFastPaths[t];
    if (n != f.length) [[unlikely]]  // another type (length 0) or a bad length
      return decode(p, n, *this);
    const uint32_t sym = locate_to_symbol_[load_be16(p + detail::kLocateAt)];
    const uint8_t side = detail::kSideCodes[p[f.side_at]];
    // One test, taken only by the rare add that needs handling, whatever the type: bit 31
    // is set for a bad side (its code's bit 7, moved up) or for kUnmapped (a shard has
    // far fewer than 2^31 symbols; a SymbolId that did would only take the slow path).
    static_assert(kUnmapped >> 31 == 1);
    if ((f.add & (((static_cast<uint32_t>(side) << 24) | sym) >> 31)) != 0) [[unlikely]]
      return decode(p, n, *this);
    ++stats_.messages[t];
    ++seq_;
    // Written for every type; only a staged type keeps its slot. Fields the operation
    // does not read hold whatever their offsets point at (see detail::FastPath).
    book::BookMessage& b = batch_[staged_];
    b.seq = seq_;
    b.id = book::OrderId{load_be64(p + detail::kRefAt)};
    b.new_id = book::OrderId{load_be64(p + f.new_ref_at)};
    b.price = book::Price{static_cast<int64_t>(load_be32(p + f.price_at))};
    b.qty = book::Qty{static_cast<int64_t>(load_be32(p + f.qty_at))};
    b.symbol = book::SymbolId{sym};
    b.side = static_cast<book::Side>(side & 1);
    b.type = f.op;
    staged_ += f.staged;
    if (staged_ == kBatch) flush();
    return DecodeStatus::kOk;
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

  // The ITCH type letter a staged operation came from, for counting its reject: each
  // staged operation has one type, except an insert (A or F), whose rejects are counted
  // by reason, never by type (an insert is never rejected as kNotResting). Keeping the
  // letter per staged slot cost a byte store per message on the hot path.
  static constexpr char staged_letter(book::MsgType op) noexcept {
    switch (op) {
      case book::MsgType::kExecute: return OrderExecuted::kType;
      case book::MsgType::kReduce: return OrderCancel::kType;
      case book::MsgType::kCancel: return OrderDelete::kType;
      case book::MsgType::kReplace: return OrderReplace::kType;
      default: return AddOrder::kType;
    }
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

  // Builds a book operation with fill (in its batch slot when kBatched, so it is written
  // once) and stages it, or applies it now. fill sets the type, seq, id and every other
  // field that operation reads (a reused slot holds stale values). type is the ITCH
  // type letter. Hot path.
  template <class Fill>
  void book_op(char type, Fill&& fill) noexcept {
    if (mode_ == ApplyMode::kBatched) {
      fill(batch_[staged_]);
      if (++staged_ == kBatch) flush();
      return;
    }
    book::BookMessage m;
    fill(m);
    apply_now(m, type, nullptr);
  }

  // Applies m to the shard (execute at *at when given), then handles a reject. Hot path.
  void apply_now(const book::BookMessage& m, char type, const book::Price* at) noexcept {
    tap_.arm();
    switch (m.type) {
      case book::MsgType::kInsert: shard_.insert(m.seq, m.symbol, m.id, m.side, m.price, m.qty, tap_); break;
      case book::MsgType::kExecute:
        if (at) shard_.execute_at(m.seq, m.id, m.qty, *at, tap_); else shard_.execute(m.seq, m.id, m.qty, tap_);
        break;
      case book::MsgType::kReduce: shard_.reduce(m.seq, m.id, m.qty, tap_); break;
      case book::MsgType::kCancel: shard_.cancel(m.seq, m.id, tap_); break;
      case book::MsgType::kReplace: shard_.replace(m.seq, m.id, m.new_id, m.price, m.qty, tap_); break;
      default: return;  // the builder stages nothing else
    }
    if (tap_.rejected) [[unlikely]] rejected(m, type, at);
  }

  // Handles a rejected operation m (its reason is in tap_): an execution of more
  // shares than rest is clamped to the remainder and retried; a replace the book
  // refused for another reason than an unknown reference removes the original, as the
  // venue did; everything else is counted.
  [[gnu::cold]] void rejected(const book::BookMessage& m, char type, const book::Price* at) noexcept {
    if (m.type == book::MsgType::kExecute && tap_.reason == book::RejectReason::kQtyOutOfRange) {
      const uint32_t slot = shard_.find(m.id);
      if (slot != book::kNil && m.qty > shard_.order(slot).qty) {
        ++stats_.overfills;
        const book::Qty qty = shard_.order(slot).qty;
        tap_.arm();
        if (at) shard_.execute_at(m.seq, m.id, qty, *at, tap_); else shard_.execute(m.seq, m.id, qty, tap_);
        if (!tap_.rejected) return;
      }
    }
    count_reject(type);
    if (m.type == book::MsgType::kReplace && tap_.reason != book::RejectReason::kNotResting) {
      // The venue removed the original either way; keep the mirror in step.
      ++stats_.replace_drops;
      tap_.arm();
      shard_.cancel(m.seq, m.id, tap_);
    }
  }

  // Sets the fields every operation reads.
  void set_op(book::BookMessage& b, book::MsgType type, uint64_t ref, uint32_t shares) const noexcept {
    b.seq = seq_;
    b.id = book::OrderId{ref};
    b.qty = book::Qty{static_cast<int64_t>(shares)};
    b.type = type;
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
    book_op(Add::kType, [&](book::BookMessage& b) {
      set_op(b, book::MsgType::kInsert, m.order_ref, m.shares);
      b.symbol = book::SymbolId{s};
      b.side = side;
      b.price = m.price;
    });
  }
  void handle(const AddOrder& m) noexcept { add(m); }
  void handle(const AddOrderMpid& m) noexcept { add(m); }

  void handle(const OrderExecuted& m) noexcept {
    book_op(m.kType, [&](book::BookMessage& b) { set_op(b, book::MsgType::kExecute, m.order_ref, m.executed_shares); });
  }
  void handle(const OrderExecutedWithPrice& m) noexcept {
    flush();
    book::BookMessage b;
    set_op(b, book::MsgType::kExecute, m.order_ref, m.executed_shares);
    apply_now(b, m.kType, &m.execution_price);
  }
  void handle(const OrderCancel& m) noexcept {
    book_op(m.kType, [&](book::BookMessage& b) { set_op(b, book::MsgType::kReduce, m.order_ref, m.canceled_shares); });
  }
  void handle(const OrderDelete& m) noexcept {
    book_op(m.kType, [&](book::BookMessage& b) { set_op(b, book::MsgType::kCancel, m.order_ref, 0); });
  }
  void handle(const OrderReplace& m) noexcept {
    book_op(m.kType, [&](book::BookMessage& b) {
      set_op(b, book::MsgType::kReplace, m.original_order_ref, m.shares);
      b.new_id = book::OrderId{m.new_order_ref};
      b.price = m.price;
    });
  }

  book::BookShard& shard_;
  ApplyMode mode_;
  Tap tap_;
  std::unique_ptr<uint32_t[]> locate_to_symbol_;
  std::unique_ptr<Stock[]> names_;
  std::unique_ptr<uint16_t[]> locates_;
  uint32_t mapped_ = 0;
  book::SeqNum seq_ = 0;
  BookBuilderStats stats_{};
  // kBatched: the staged operations.
  std::size_t staged_ = 0;
  std::array<book::BookMessage, kBatch> batch_;
};

}  // namespace tachyon::dataplane::itch
