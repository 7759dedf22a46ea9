// LOBSTER replay loop: a LOBSTER message file mirrored into one L3 book, optionally
// checked row by row against the matching orderbook file. Runs on the replay thread.
//
// LOBSTER's sample days start with orders placed before the file's first message, and
// its N-level files leave out events beyond the first N levels. With --check the book
// is therefore seeded from the first orderbook row (with the first message undone) as
// one synthetic order per level; events on ids the file never submitted draw on the
// synthetic quantity at their price. When the book's top N levels differ from a row
// (a level the file never described slid into view), the row is counted and the
// visible levels are re-learned from it.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/huge_page_resource.h"
#include "tachyon/dataplane/internal/replay_meter.h"
#include "tachyon/dataplane/internal/replay_modes.h"
#include "tachyon/dataplane/lobster.h"
#include "tachyon/dataplane/lobster_orderbook.h"

namespace tachyon::dataplane::internal {

namespace {

// Classifies a LOBSTER event: submit add, partial cancel and delete cancel, visible and
// hidden executions match.
ProbeOp lobster_probe_op(lobster::EventType t) noexcept {
  switch (t) {
    case lobster::EventType::kSubmit: return ProbeOp::kAdd;
    case lobster::EventType::kCancelPartial:
    case lobster::EventType::kDelete: return ProbeOp::kCancel;
    case lobster::EventType::kExecuteVisible:
    case lobster::EventType::kExecuteHidden: return ProbeOp::kMatch;
    default: return ProbeOp::kOther;
  }
}

// Ids of synthetic (seeded or re-learned) orders: above any id LOBSTER assigns.
constexpr uint64_t kSyntheticBase = uint64_t{1} << 62;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReplayError(path + ": cannot open: " + std::strerror(errno));
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

book::Side side_of(int8_t direction) noexcept { return direction > 0 ? book::Side::kBuy : book::Side::kSell; }

struct Counter {
  uint64_t trades = 0;
  uint64_t rejects = 0;
  void on_event(const book::Event& e) noexcept {
    if (e.kind == book::EventKind::kTrade) ++trades;
    if (e.kind == book::EventKind::kRejected) ++rejects;
  }
};

class LobsterBook {
 public:
  explicit LobsterBook(const book::BookConfig& cfg) : shard_(std::make_shared<book::BookShard>(cfg, &HugePageResource::shared())) {}

  // Applies one message; returns false when it named an order the book cannot find.
  bool apply(uint64_t seq, const lobster::Message& m) noexcept {
    const book::OrderId id{m.order_id};
    const book::Side side = side_of(m.direction);
    const book::Price price{m.price};
    const book::Qty size{m.size};
    switch (m.type) {
      case lobster::EventType::kSubmit:
        shard_->insert(seq, sym_, id, side, price, size, events_);
        return true;
      case lobster::EventType::kCancelPartial:
        if (live(id)) shard_->reduce(seq, id, size, events_);
        else return draw_synthetic(seq, side, price, size, false);
        return true;
      case lobster::EventType::kDelete:
        if (live(id)) shard_->cancel(seq, id, events_);
        else return draw_synthetic(seq, side, price, size, false);
        return true;
      case lobster::EventType::kExecuteVisible:
        if (live(id)) {
          const book::Qty rest = shard_->order(shard_->find(id)).qty;
          shard_->execute(seq, id, std::min(size, rest), events_);
        } else {
          return draw_synthetic(seq, side, price, size, true);
        }
        return true;
      case lobster::EventType::kExecuteHidden:
      case lobster::EventType::kCross:
      case lobster::EventType::kHalt: return true;
    }
    return true;
  }

  // Adds a synthetic order of qty at price (the quantity the files imply is there).
  void add_synthetic(book::Side side, book::Price price, book::Qty qty) noexcept {
    if (qty.value <= 0) return;
    shard_->insert(0, sym_, book::OrderId{kSyntheticBase + next_synthetic_++}, side, price, qty, events_);
  }

  // Makes the top of side equal to the row's levels (best first; empty levels carry
  // size 0). Levels beyond a full row stay as they are: the row does not show them.
  void relearn(book::Side side, std::span<const lobster::Level> row) {
    std::vector<lobster::Level> want;
    for (const lobster::Level& l : row)
      if (l.size > 0) want.push_back(l);
    const bool full = want.size() == row.size();
    const int64_t worst = full && !want.empty() ? want.back().price : 0;
    const auto in_range = [&](int64_t p) {
      if (!full) return true;
      return side == book::Side::kBuy ? p >= worst : p <= worst;
    };
    std::vector<std::pair<int64_t, std::vector<uint64_t>>> levels;  // price -> ids, oldest first
    book().for_each_level(side, [&](const book::Level& lv) {
      if (!in_range(lv.price.ticks)) return;
      std::vector<uint64_t> ids;
      for (uint32_t o = lv.head; o != book::kNil; o = shard_->order(o).next) ids.push_back(shard_->order(o).id.value);
      levels.emplace_back(lv.price.ticks, std::move(ids));
    });
    for (auto& [level_price, ids] : levels) {
      const int64_t price = level_price;  // a copy: lambdas cannot capture bindings in C++20
      const auto it = std::find_if(want.begin(), want.end(), [&](const lobster::Level& l) { return l.price == price; });
      if (it == want.end()) {
        for (const uint64_t id : ids) shard_->cancel(0, book::OrderId{id}, events_);
        continue;
      }
      int64_t excess = shard_->book(sym_).qty_at(side, book::Price{price}).value - it->size;
      for (auto r = ids.rbegin(); r != ids.rend() && excess > 0; ++r) {  // newest first
        const book::Qty q = shard_->order(shard_->find(book::OrderId{*r})).qty;
        const int64_t cut = std::min(q.value, excess);
        shard_->reduce(0, book::OrderId{*r}, book::Qty{cut}, events_);
        excess -= cut;
      }
    }
    for (const lobster::Level& l : want) {
      const int64_t have = shard_->book(sym_).qty_at(side, book::Price{l.price}).value;
      add_synthetic(side, book::Price{l.price}, book::Qty{l.size - have});
    }
  }

  // Returns whether the top levels of both sides equal the row.
  bool matches(std::span<const lobster::Level> asks, std::span<const lobster::Level> bids) const {
    return side_matches(book::Side::kSell, asks, lobster::kEmptyAsk) &&
           side_matches(book::Side::kBuy, bids, lobster::kEmptyBid);
  }

  const book::OrderBook& book() const noexcept { return shard_->book(sym_); }
  const std::shared_ptr<book::BookShard>& shard() const noexcept { return shard_; }
  const Counter& events() const noexcept { return events_; }

 private:
  bool live(book::OrderId id) const noexcept { return shard_->find(id) != book::kNil; }

  // Takes size from the synthetic orders resting at price, oldest first.
  bool draw_synthetic(uint64_t seq, book::Side side, book::Price price, book::Qty size, bool execution) noexcept {
    int64_t left = size.value;
    std::array<uint64_t, 16> ids{};
    std::size_t n = 0;
    book().for_each_level(side, [&](const book::Level& lv) {
      if (lv.price != price) return;
      for (uint32_t o = lv.head; o != book::kNil && n < ids.size(); o = shard_->order(o).next)
        if (shard_->order(o).id.value >= kSyntheticBase) ids[n++] = shard_->order(o).id.value;
    });
    for (std::size_t i = 0; i < n && left > 0; ++i) {
      const book::OrderId id{ids[i]};
      const int64_t q = shard_->order(shard_->find(id)).qty.value;
      const int64_t take = std::min(q, left);
      if (execution) shard_->execute(seq, id, book::Qty{take}, events_);
      else shard_->reduce(seq, id, book::Qty{take}, events_);
      left -= take;
    }
    return left == 0;
  }

  bool side_matches(book::Side side, std::span<const lobster::Level> row, lobster::Level empty) const {
    std::array<book::DepthLevel, lobster::kMaxLevels> d{};
    const std::size_t n = book().depth(side, std::span<book::DepthLevel>(d.data(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) {
      const lobster::Level have = i < n ? lobster::Level{d[i].price.ticks, d[i].qty.value} : empty;
      if (!(have == row[i])) return false;
    }
    return true;
  }

  std::shared_ptr<book::BookShard> shard_;
  book::SymbolId sym_{0};
  Counter events_;
  uint64_t next_synthetic_ = 0;
};

}  // namespace

void replay_lobster(const ReplayOptions& opt, ReplaySummary& sum) {
  const std::string text = read_file(opt.input);
  const uint32_t depth = std::clamp<uint32_t>(opt.depth, 1, lobster::kMaxLevels);
  LobsterBook lb(opt.book);

  // The orderbook file for --check, read row by row alongside the messages.
  std::string book_text;
  std::unique_ptr<lobster::LineReader> rows;
  std::vector<lobster::Level> asks(depth), bids(depth);
  auto next_row = [&](uint32_t message_line) {
    std::string_view line;
    if (!rows->next(line))
      throw ReplayError(opt.check_path + ": line " + std::to_string(rows->line_number() + 1) +
                        ": ends before message line " + std::to_string(message_line));
    const lobster::Error e = lobster::parse_orderbook(line, rows->line_number(), asks, bids);
    if (e) throw ReplayError(opt.check_path + ": " + lobster::describe(e, "orderbook"));
  };
  if (!opt.check_path.empty()) {
    book_text = read_file(opt.check_path);
    rows = std::make_unique<lobster::LineReader>(book_text);
  }

  lobster::LineReader lines(text);
  ReplayMeter meter(opt, sum, text.size());
  std::string_view line;
  uint64_t consumed = 0;
  bool seeded = false;
  char out_row[64 * lobster::kMaxLevels];
  meter.start();
  while (lines.next(line)) {
    meter.arrived();
    consumed += line.size() + 1;
    ++sum.packets;
    lobster::Message m;
    const lobster::Error e = lobster::parse_message(line, lines.line_number(), m);
    if (e) {
      sum.malformed.add(lobster::describe(e));
      if (rows) next_row(lines.line_number());  // keep the files in step
      continue;
    }
    if (rows && !seeded) {
      // Seed: the first row minus the first message's own effect.
      seeded = true;
      next_row(lines.line_number());
      std::vector<lobster::Level> a(asks), b(bids);
      const bool adds = m.type == lobster::EventType::kSubmit;
      const bool removes = m.type == lobster::EventType::kCancelPartial || m.type == lobster::EventType::kDelete ||
                           m.type == lobster::EventType::kExecuteVisible;
      auto& side = m.direction > 0 ? b : a;
      if (adds || removes) {
        auto it = std::find_if(side.begin(), side.end(), [&](const lobster::Level& l) { return l.price == m.price; });
        if (it != side.end()) it->size += adds ? -m.size : m.size;
        else if (removes) side.push_back(lobster::Level{m.price, m.size});
      }
      for (const auto& l : a) lb.add_synthetic(book::Side::kSell, book::Price{l.price}, book::Qty{l.size});
      for (const auto& l : b) lb.add_synthetic(book::Side::kBuy, book::Price{l.price}, book::Qty{l.size});
      meter.mark();
    } else if (rows) {
      next_row(lines.line_number());
      meter.mark();
    }
    meter.decoded();
    ++sum.by_type[static_cast<uint8_t>('0' + static_cast<int>(m.type))];
    if (m.type == lobster::EventType::kExecuteHidden) ++sum.hidden_executions;
    if (m.type == lobster::EventType::kHalt) ++sum.halts;
    if (!lb.apply(lines.line_number(), m)) {
      ++sum.unknown_refs;
      ++sum.unknown_refs_by_type[static_cast<uint8_t>('0' + static_cast<int>(m.type))];
    }
    meter.message_done(lobster_probe_op(m.type));
    if (opt.lobster_out) {
      const std::size_t n = lobster::format_orderbook(lb.book(), depth, std::span<char>(out_row, sizeof out_row - 1));
      out_row[n] = '\n';
      std::fwrite(out_row, 1, n + 1, opt.lobster_out);
    }
    if (rows) {
      ++sum.rows_compared;
      if (lb.matches(asks, bids)) {
        ++sum.rows_matched;
      } else {
        ++sum.rows_relearned;
        lb.relearn(book::Side::kSell, asks);
        lb.relearn(book::Side::kBuy, bids);
      }
    }
    meter.packet_done();
    if ((sum.packets & 1023) == 0) meter.maybe_report(consumed);
  }
  meter.finish();
  sum.bytes = text.size();
  sum.trades = lb.events().trades;
  sum.book_rejects = lb.events().rejects;
  sum.symbols = 1;
  sum.names.assign(lb.shard()->symbols(), std::string());
  sum.names[0] = opt.lobster_symbol.empty() ? "LOBSTER" : opt.lobster_symbol;
  finish_books(sum, lb.shard());
}

}  // namespace tachyon::dataplane::internal
