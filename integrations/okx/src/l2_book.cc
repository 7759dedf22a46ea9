// L2Book setup and clear (see l2_book.h). Control-plane thread.
#include "tachyon/okx/l2_book.h"

namespace tachyon::okx {

namespace {
book::BookConfig shard_config(const L2BookConfig& cfg) {
  book::BookConfig c;
  c.max_symbols = 1;
  c.max_levels = cfg.max_levels;
  // One synthetic order per level, plus room for levels split over several orders.
  c.max_orders = cfg.max_levels + cfg.max_levels / 4 + 64;
  c.max_qty = book::Qty{L2Book::kOrderQtyMax};
  c.min_price = book::Price{-L2Book::kPriceTicksMax};
  c.max_price = book::Price{L2Book::kPriceTicksMax};
  return c;
}
}  // namespace

L2Book::L2Book(const L2BookConfig& cfg) {
  const book::BookConfig c = shard_config(cfg);
  shard_ = std::make_unique<book::BookShard>(c);
  scratch_size_ = c.max_orders;
  scratch_ = std::make_unique<book::OrderId[]>(scratch_size_);
}

L2Book::~L2Book() = default;

void L2Book::clear() noexcept {
  for (const book::Side s : {book::Side::kBuy, book::Side::kSell}) {
    uint32_t n = 0;
    book().for_each_order(s, [&](book::Price, const book::Order& o) {
      if (n < scratch_size_) scratch_[n++] = o.id;
    });
    for (uint32_t i = 0; i < n; ++i) shard_->cancel(0, scratch_[i], sink_);
  }
  sink_.rejects = 0;
}

}  // namespace tachyon::okx
