// BookShard construction, config validation, state hashing and event names.
// Control path: runs before the core starts or after it stops.
#include "tachyon/book/book_shard.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tachyon::book {

std::string BookConfig::validate() const {
  auto bad = [](const char* key, long long v, const char* rule) {
    return std::string("book.") + key + " = " + std::to_string(v) + ": " + rule;
  };
  if (max_orders == 0 || max_orders > kMaxSlots) return bad("max_orders", max_orders, "must be in 1..2147483647");
  if (max_levels == 0 || max_levels > kMaxSlots) return bad("max_levels", max_levels, "must be in 1..2147483647");
  if (max_symbols == 0 || max_symbols > kMaxSlots) return bad("max_symbols", max_symbols, "must be in 1..2147483647");
  if (min_price.ticks < -kMaxAbsPrice) return bad("min_price", min_price.ticks, "must be >= -2^61");
  if (max_price.ticks > kMaxAbsPrice) return bad("max_price", max_price.ticks, "must be <= 2^61");
  if (min_price > max_price) return bad("min_price", min_price.ticks, "must be <= book.max_price");
  if (max_qty.value <= 0 || max_qty.value > kMaxQtyLimit) return bad("max_qty", max_qty.value, "must be in 1..2^31-1");
  return {};
}

namespace {

const BookConfig& checked(const BookConfig& cfg) {
  if (std::string err = cfg.validate(); !err.empty()) throw std::invalid_argument(err);
  return cfg;
}

// Ladder arena size. Compaction packs every ladder into the smallest power-of-two chunk
// that holds it (at least 16 entries): under 2 * max_levels + 16 per book side in all.
// A ladder that then has to grow needs twice its entries more, at most 2 * max_levels.
// So 4 * max_levels + 32 * max_symbols entries always suffice once compacted, and
// reserve_level() only fails when every level is in use.
std::size_t arena_entries(const BookConfig& cfg) {
  return 4 * std::size_t{cfg.max_levels} + 2 * std::size_t{cfg.max_symbols} * LadderArena::chunk_entries(0);
}

}  // namespace

BookShard::BookShard(const BookConfig& cfg, std::pmr::memory_resource* mr)
    : cfg_(checked(cfg)),
      mr_(mr),
      orders_(cfg.max_orders, mr),
      levels_(cfg.max_levels, mr),
      index_(cfg.max_orders, cfg.hash_seed, orders_, mr, cfg.order_index_start_buckets),
      level_index_(cfg.max_levels, levels_, mr),
      arena_(arena_entries(cfg), mr),
      books_(static_cast<OrderBook*>(mr->allocate(sizeof(OrderBook) * cfg.max_symbols, alignof(OrderBook)))),
      nbooks_(cfg.max_symbols),
      ladder_scratch_(static_cast<PriceLadder**>(
          mr->allocate(sizeof(PriceLadder*) * 2 * std::size_t{cfg.max_symbols}, alignof(PriceLadder*)))) {
  for (uint32_t s = 0; s < nbooks_; ++s) {
    OrderBook* b = new (&books_[s]) OrderBook();
    b->orders_ = &orders_;
    b->levels_ = &levels_;
    b->symbol_ = SymbolId{s};
  }
}

BookShard::~BookShard() {
  for (uint32_t s = 0; s < nbooks_; ++s) books_[s].~OrderBook();
  mr_->deallocate(books_, sizeof(OrderBook) * nbooks_, alignof(OrderBook));
  mr_->deallocate(ladder_scratch_, sizeof(PriceLadder*) * 2 * std::size_t{nbooks_}, alignof(PriceLadder*));
}

uint32_t BookShard::open_level(OrderBook& b, Side side, int64_t key, Price price, uint32_t pos) noexcept {
  const uint32_t li = levels_.acquire();
  Level& nl = levels_[li];
  nl.price = price;
  nl.total = Qty{0};
  nl.head = nl.tail = kNil;
  nl.count = 0;
  nl.symbol = b.symbol_.value;
  b.ladders_[OrderBook::idx(side)].insert_at(pos, key, li);
  level_index_.insert(b.symbol_, side, price, li);
  return li;
}

uint32_t BookShard::close_level(uint32_t li, Side side, bool keep_ladder) noexcept {
  const Level& lv = levels_[li];
  PriceLadder& l = books_[lv.symbol].ladders_[OrderBook::idx(side)];
  const int64_t key = ladder_key(side, lv.price);
  // The emptied level is usually the top one.
  const uint32_t pos = (l.key(l.size() - 1) == key) ? l.size() - 1 : l.lower_bound(key);
  l.erase_at(pos);
  level_index_.erase(SymbolId{lv.symbol}, side, li);
  if (!keep_ladder) {
    if (l.empty()) l.release(arena_);
    else l.shrink_if_sparse(arena_);
  }
  levels_.release(li);
  return pos;
}

bool BookShard::restore(SymbolId sym, OrderId id, Side side, Price price, Qty qty, uint8_t flags) noexcept {
  struct Watch {
    bool rejected = false;
    void on_event(const Event& e) noexcept { rejected |= e.kind == EventKind::kRejected; }
  } watch;
  insert(0, sym, id, side, price, qty, watch);
  if (watch.rejected) return false;
  orders_[index_.find(id)].flags = flags;
  return true;
}

void BookShard::compact_ladders() noexcept {
  ++compactions_;
  std::size_t n = 0;
  for (uint32_t s = 0; s < nbooks_; ++s) {
    for (PriceLadder& l : books_[s].ladders_) {
      if (l.chunk() == nullptr) continue;
      if (l.empty()) l.drop_chunk();
      else ladder_scratch_[n++] = &l;
    }
  }
  // Moving chunks down in address order never overwrites a chunk not yet moved.
  std::sort(ladder_scratch_, ladder_scratch_ + n,
            [](const PriceLadder* a, const PriceLadder* b) { return a->chunk() < b->chunk(); });
  arena_.reset();
  for (std::size_t i = 0; i < n; ++i) {
    PriceLadder& l = *ladder_scratch_[i];
    const unsigned cls = LadderArena::class_for(l.size());
    l.relocate(arena_.allocate(cls), cls);
  }
}

namespace {

// FNV-1a over little-endian 64-bit words: stable across builds and platforms.
struct Fnv {
  uint64_t h = 0xcbf29ce484222325ull;
  void word(uint64_t v) noexcept {
    for (int i = 0; i < 8; ++i) {
      h ^= (v >> (8 * i)) & 0xff;
      h *= 0x100000001b3ull;
    }
  }
};

}  // namespace

uint64_t OrderBook::hash() const noexcept {
  Fnv f;
  f.word(symbol_.value);
  for (Side s : {Side::kBuy, Side::kSell}) {
    f.word(static_cast<uint64_t>(s) + 0x5a00);
    for_each_order(s, [&](Price p, const Order& o) {
      f.word(static_cast<uint64_t>(p.ticks));
      f.word(o.id.value);
      f.word(static_cast<uint64_t>(o.qty.value));
    });
  }
  return f.h;
}

uint64_t BookShard::hash() const noexcept {
  Fnv f;
  for (uint32_t s = 0; s < nbooks_; ++s) {
    const OrderBook& b = books_[s];
    if (b.level_count(Side::kBuy) == 0 && b.level_count(Side::kSell) == 0) continue;  // empty books add nothing
    f.word(b.hash());
  }
  return f.h;
}

std::size_t BookShard::memory_bytes() const noexcept {
  return orders_.bytes() + levels_.bytes() + index_.bytes() + level_index_.bytes() + arena_.bytes() + sizeof(OrderBook) * nbooks_ +
         sizeof(PriceLadder*) * 2 * std::size_t{nbooks_};
}

const char* to_string(EventKind k) noexcept {
  switch (k) {
    case EventKind::kAccepted: return "accepted";
    case EventKind::kTrade: return "trade";
    case EventKind::kCanceled: return "canceled";
    case EventKind::kModified: return "modified";
    case EventKind::kRejected: return "rejected";
  }
  return "unknown";
}

const char* to_string(RejectReason r) noexcept {
  switch (r) {
    case RejectReason::kNone: return "none";
    case RejectReason::kNotResting: return "not_resting";
    case RejectReason::kDuplicateOrderId: return "duplicate_order_id";
    case RejectReason::kQtyOutOfRange: return "qty_out_of_range";
    case RejectReason::kPriceOutOfRange: return "price_out_of_range";
    case RejectReason::kPostOnlyWouldCross: return "post_only_would_cross";
    case RejectReason::kPoolExhausted: return "pool_exhausted";
    case RejectReason::kUnknownSymbol: return "unknown_symbol";
    case RejectReason::kInvalidMessage: return "invalid_message";
  }
  return "unknown";
}

const char* to_string(CancelReason r) noexcept {
  switch (r) {
    case CancelReason::kUser: return "user";
    case CancelReason::kIocRemainder: return "ioc_remainder";
    case CancelReason::kMarketRemainder: return "market_remainder";
    case CancelReason::kFokUnfillable: return "fok_unfillable";
    case CancelReason::kReplaced: return "replaced";
  }
  return "unknown";
}

}  // namespace tachyon::book
