// A shard: many symbols' L3 books over one set of preallocated pools, with price-time
// matching (match mode) and mirror operations (feed mode). Owned by one data-plane core;
// not thread-safe. No operation allocates, throws or blocks.
//
// Every operation reports its outcome as Events to a sink given as a template
// parameter, synchronously and in order. Bad input always produces a Rejected event
// and leaves the book unchanged. A sink must not call back into the shard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <memory_resource>
#include <span>

#include "tachyon/book/book_config.h"
#include "tachyon/book/event.h"
#include "tachyon/book/ladder_arena.h"
#include "tachyon/book/level_index.h"
#include "tachyon/book/message.h"
#include "tachyon/book/order_book.h"
#include "tachyon/book/order_index.h"
#include "tachyon/book/order_pool.h"
#include "tachyon/book/price_level.h"

namespace tachyon::book {

// A per-message hook for apply_batch that does nothing.
struct NoBatchHook {
  void operator()(std::size_t) const noexcept {}
};

class BookShard {
 public:
  // Allocates every pool from mr and touches it. Precondition: cfg.validate() is empty
  // (throws std::invalid_argument otherwise). Not on the hot path.
  explicit BookShard(const BookConfig& cfg,
                     std::pmr::memory_resource* mr = std::pmr::new_delete_resource());
  ~BookShard();
  BookShard(const BookShard&) = delete;
  BookShard& operator=(const BookShard&) = delete;

  // --- match mode -------------------------------------------------------------------

  // Adds a new order and matches it by price-time priority. Emits Accepted, then a
  // Trade per fill (at the maker's price, best level first, FIFO within a level),
  // then Canceled for an IOC/market/FOK remainder; a limit or post-only remainder
  // rests at the back of its level. Hot path.
  template <EventSink S>
  void add(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty, OrderType type,
           S& sink) noexcept;

  // Cancels the whole remainder of a resting order. Hot path.
  template <EventSink S>
  void cancel(SeqNum seq, OrderId id, S& sink) noexcept;

  // Cancels by shares of a resting order, keeping its priority; by >= the remainder
  // cancels it entirely. Hot path.
  template <EventSink S>
  void reduce(SeqNum seq, OrderId id, Qty by, S& sink) noexcept;

  // Sets a resting order's price and remaining quantity. Same price and no larger
  // quantity keeps time priority; a price change or a quantity increase moves it to
  // the back of the new level and may match as an aggressor (a post-only order that
  // would cross is rejected and left unchanged). Quantity 0 cancels. Hot path.
  template <EventSink S>
  void modify(SeqNum seq, OrderId id, Price price, Qty qty, S& sink) noexcept;

  // --- feed (mirror) mode: the venue already matched ---------------------------------

  // Rests an order without matching, even if it locks or crosses the book. Hot path.
  template <EventSink S>
  void insert(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty, S& sink) noexcept;

  // Executes qty shares of a resting order at its own price (or at price if given).
  // Emits a Trade with taker id 0. Hot path.
  template <EventSink S>
  void execute(SeqNum seq, OrderId id, Qty qty, S& sink) noexcept;
  template <EventSink S>
  void execute_at(SeqNum seq, OrderId id, Qty qty, Price price, S& sink) noexcept;

  // Replaces a resting order by a new id at a new price and quantity, at the back of
  // the new level (Canceled/kReplaced for the old id, Accepted for the new). Hot path.
  template <EventSink S>
  void replace(SeqNum seq, OrderId id, OrderId new_id, Price price, Qty qty, S& sink) noexcept;

  // Rests an order exactly as a snapshot recorded it (flags included), behind the
  // orders already at its level; no events. False when it cannot (duplicate id, bad
  // values, capacity). For rebuilding a book from a snapshot; not the hot path.
  bool restore(SymbolId sym, OrderId id, Side side, Price price, Qty qty, uint8_t flags) noexcept;

  // --- message entry points ----------------------------------------------------------

  // Dispatches one message. Hot path.
  template <EventSink S>
  void apply(const BookMessage& m, S& sink) noexcept;

  // Applies messages in order, prefetching the order-index buckets that later
  // messages look up; calls hook(i) after message i. Hot path. Flattened: the
  // operations, the sink and the hook are inlined into the loop, so a message costs no
  // call and no register saves (itch_bench: 166 -> 157 instructions per message).
  template <EventSink S, class Hook = NoBatchHook>
  [[gnu::flatten]] void apply_batch(std::span<const BookMessage> msgs, S& sink, Hook&& hook = {}) noexcept;

  // --- views ---------------------------------------------------------------------

  const OrderBook& book(SymbolId s) const noexcept { return books_[s.value]; }
  uint32_t symbols() const noexcept { return nbooks_; }
  const BookConfig& config() const noexcept { return cfg_; }
  uint32_t live_orders() const noexcept { return orders_.live(); }
  uint32_t live_levels() const noexcept { return levels_.live(); }
  // Returns the slot of a live order, or kNil. Expected O(1).
  uint32_t find(OrderId id) const noexcept { return index_.find(id); }
  const Order& order(uint32_t slot) const noexcept { return orders_[slot]; }
  const Level& level(uint32_t idx) const noexcept { return levels_[idx]; }
  // Returns the digest of all books (see OrderBook::hash), combined in symbol order.
  uint64_t hash() const noexcept;
  // Moves every live ladder into one contiguous run at the start of the ladder arena,
  // each in the smallest chunk that holds it; runs by itself when fragmentation would
  // refuse a new level. O(symbols log symbols + levels). Book contents are unchanged.
  [[gnu::cold]] void compact_ladders() noexcept;
  // Number of arena compactions so far (a fragmentation indicator).
  uint64_t compactions() const noexcept { return compactions_; }
  // Bytes preallocated for orders, index, levels, ladders and books.
  std::size_t memory_bytes() const noexcept;

 private:
  template <EventSink S>
  void reject(SeqNum seq, SymbolId sym, OrderId id, Side side, Price price, Qty qty, OrderType type,
              RejectReason r, S& sink) noexcept;
  template <EventSink S>
  Qty match(SeqNum seq, SymbolId sym, OrderId taker, Side side, int64_t key, bool market, Qty qty,
            S& sink) noexcept;
  // Sums the opposite side's quantity that a taker at key could reach, stopping at qty.
  Qty fillable(const PriceLadder& opp, int64_t key, bool market, Qty qty) const noexcept;
  // Links slot at the back of the level for key on side, creating the level if needed.
  // Preconditions: a level exists or one is free, and the ladder has room.
  void rest(OrderBook& b, Side side, int64_t key, Price price, uint32_t slot) noexcept;
  // The same with pos = the side's lower_bound(key), already known.
  void rest_at(OrderBook& b, Side side, int64_t key, Price price, uint32_t slot, uint32_t pos) noexcept;
  // Links slot, whose id and qty are set, at the back of level li's FIFO.
  void link(uint32_t li, Side side, uint32_t slot) noexcept;
  // Creates the level for key at ladder index pos (the side's lower_bound(key)) and
  // returns its index. Kept out of line so the common rest_at() path stays small.
  [[gnu::noinline]] uint32_t open_level(OrderBook& b, Side side, int64_t key, Price price, uint32_t pos) noexcept;
  // Removes the emptied level li from its side's ladder and frees it; returns the
  // ladder index it had. Out of line for the same reason.
  [[gnu::noinline]] uint32_t close_level(uint32_t li, Side side, bool keep_ladder) noexcept;
  // Unlinks a resting order from its level, dropping the level if it empties; returns
  // the ladder index the dropped level had, or kNil. An emptied ladder keeps its chunk
  // when keep_ladder is set (the order moves within it).
  uint32_t unlink(uint32_t slot, bool keep_ladder = false) noexcept;
  // Removes a resting order entirely and emits Canceled.
  template <EventSink S>
  void cancel_slot(SeqNum seq, std::size_t pos, uint32_t slot, CancelReason why, S& sink) noexcept;
  template <EventSink S>
  void execute_impl(SeqNum seq, OrderId id, Qty qty, const Price* at, S& sink) noexcept;
  // Where a resting order that moves to a new price goes: an existing level that
  // outlives the order's unlink (level), or else a new level at ladder index pos.
  struct MoveTarget {
    uint32_t level = kNil;
    uint32_t pos = 0;
  };
  // Checks a resting order could move to price (key) on side and sets t. Most moves land
  // on a level that exists (anything but the order's own level when it is alone
  // there): the level index finds it, with no capacity check or ladder search.
  // Otherwise one must be free (counting the one its old level frees), the ladder must
  // have room, and pos is the side's lower_bound(key).
  [[gnu::always_inline]] bool can_move(OrderBook& b, Side side, int64_t key, Price price, uint32_t old_level,
                                        MoveTarget& t) noexcept;
  // Links slot, already unlinked (which emptied the ladder index gone, or kNil) and
  // with its id and qty set, at the back of t's level, opening it if needed.
  [[gnu::always_inline]] void move_to(OrderBook& b, Side side, int64_t key, Price price, uint32_t slot, MoveTarget t,
                                      uint32_t gone) noexcept;
  // Makes room for one more level in ladder l, compacting the arena if it is too
  // fragmented. False only when the arena is truly full.
  bool reserve_level(PriceLadder& l) noexcept {
    if (l.reserve_one(arena_)) [[likely]] return true;
    compact_ladders();
    return l.reserve_one(arena_);
  }
  bool price_ok(Price p) const noexcept { return p >= cfg_.min_price && p <= cfg_.max_price; }
  bool qty_ok(Qty q) const noexcept { return q.value > 0 && q <= cfg_.max_qty; }

  BookConfig cfg_;
  std::pmr::memory_resource* mr_;
  OrderPool orders_;
  LevelPool levels_;
  OrderIndex index_;
  LevelIndex level_index_;
  LadderArena arena_;
  OrderBook* books_;
  uint32_t nbooks_;
  PriceLadder** ladder_scratch_;  // 2 * nbooks_ pointers for compact_ladders()
  uint64_t compactions_ = 0;
};

}  // namespace tachyon::book

#include "tachyon/book/internal/book_shard_inl.h"
