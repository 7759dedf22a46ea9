// render_okx_book_metrics / OkxBookMetrics: Prometheus text for the mirrored OKX books.
// Rendering runs on the OKX control-plane thread; text() on the metrics thread.
#include "tachyon/controlplane/okx_book_metrics.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <utility>
#include <vector>

#include "tachyon/controlplane/probe_collector.h"

namespace tachyon::controlplane {

namespace {

struct Family {
  const char* name;
  const char* type;
  const char* help;
};

void header(std::string& out, const Family& f) {
  out += std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
}

// Exact decimal text of a price (ticks) or size (lots); "" when it does not convert.
std::string price_text(const okx::Instrument& i, int64_t ticks) {
  const auto d = i.tick.to_decimal(ticks);
  return d ? d->to_string() : "";
}
std::string size_text(const okx::Instrument& i, int64_t lots) {
  const auto d = i.lot.to_decimal(lots);
  return d ? d->to_canonical_string() : "";
}

}  // namespace

std::string render_okx_book_metrics(const okx::OkxMarketData& md) {
  const okx::MarketDataHealth h = md.health();
  std::string out;
  auto line = [&](const char* name, const std::string& labels, const std::string& value) {
    out += std::string(name) + "{" + labels + "} " + value + "\n";
  };

  // Per book. Labels: inst, channel.
  struct Book {
    std::string labels;
    const okx::BookSync* sync;
    const okx::BookHealth* health;
  };
  std::vector<Book> books;
  for (const auto& b : h.books) {
    const okx::BookSync* s = md.book(b.inst_id);
    if (s == nullptr) continue;
    books.push_back({"inst=\"" + prometheus_label(b.inst_id) + "\",channel=\"" + okx::to_string(md.channel()) + "\"",
                     s, &b.health});
  }
  header(out, {"tachyon_okx_book_state", "gauge", "Mirrored book state: 1 for the current one (live, stale, awaiting-snapshot)."});
  for (const Book& b : books)
    for (const okx::BookState st : {okx::BookState::kLive, okx::BookState::kStale, okx::BookState::kAwaitingSnapshot})
      line("tachyon_okx_book_state", b.labels + ",state=\"" + okx::to_string(st) + "\"",
           b.health->state == st ? "1" : "0");
  header(out, {"tachyon_okx_book_live", "gauge", "1 while the book is live (continuous since its snapshot), else 0."});
  for (const Book& b : books) line("tachyon_okx_book_live", b.labels, b.health->state == okx::BookState::kLive ? "1" : "0");
  header(out, {"tachyon_okx_book_seq_id", "gauge", "Last applied seqId (-1: none since the last drop)."});
  for (const Book& b : books) line("tachyon_okx_book_seq_id", b.labels, std::to_string(b.health->seq_id));

  const std::initializer_list<std::pair<Family, uint64_t okx::BookHealth::*>> counters = {
      {{"tachyon_okx_book_snapshots_total", "counter", "Snapshots the book was rebuilt from."}, &okx::BookHealth::snapshots},
      {{"tachyon_okx_book_updates_total", "counter", "Incremental updates applied."}, &okx::BookHealth::updates},
      {{"tachyon_okx_book_heartbeats_total", "counter", "Heartbeats (prevSeqId == seqId, no levels)."}, &okx::BookHealth::heartbeats},
      {{"tachyon_okx_book_sequence_resets_total", "counter", "Sequence resets after maintenance (seqId < prevSeqId)."}, &okx::BookHealth::resets},
      {{"tachyon_okx_book_gaps_total", "counter", "Sequence gaps (prevSeqId != last seqId): each drops the book and resyncs."}, &okx::BookHealth::gaps},
      {{"tachyon_okx_book_stale_events_total", "counter", "Times the book was dropped and marked stale (gap, checksum, bad level, lost connection)."}, &okx::BookHealth::stale_events},
      {{"tachyon_okx_book_checksum_checks_total", "counter", "Pushes whose nonzero checksum was verified."}, &okx::BookHealth::checksum_checked},
      {{"tachyon_okx_book_checksum_failures_total", "counter", "Checksum mismatches: each drops the book and resyncs."}, &okx::BookHealth::checksum_mismatches},
      {{"tachyon_okx_book_bad_levels_total", "counter", "Levels not a whole number of ticks or lots, or a full pool: each drops the book."}, &okx::BookHealth::bad_levels},
      {{"tachyon_okx_book_ignored_total", "counter", "Updates that arrived while waiting for a snapshot."}, &okx::BookHealth::ignored},
  };
  for (const auto& [family, field] : counters) {
    header(out, family);
    for (const Book& b : books) line(family.name, b.labels, std::to_string(b.health->*field));
  }
  header(out, {"tachyon_okx_book_resyncs_total", "counter", "Resubscriptions asked for this book (gaps, checksum failures, bad levels)."});
  for (const Book& b : books)
    line("tachyon_okx_book_resyncs_total", b.labels,
         std::to_string(b.health->gaps + b.health->checksum_mismatches + b.health->bad_levels));

  // Best levels: exact decimals; absent while the side is empty (a stale book is).
  header(out, {"tachyon_okx_book_best_price", "gauge", "Best bid and ask price of the mirrored book."});
  for (const Book& b : books)
    for (const book::Side side : {book::Side::kBuy, book::Side::kSell}) {
      const std::optional<book::Price> px =
          side == book::Side::kBuy ? b.sync->book().book().best_bid() : b.sync->book().book().best_ask();
      if (!px) continue;
      const std::string text = price_text(b.sync->instrument(), px->ticks);
      if (!text.empty())
        line("tachyon_okx_book_best_price", b.labels + (side == book::Side::kBuy ? ",side=\"bid\"" : ",side=\"ask\""), text);
    }
  header(out, {"tachyon_okx_book_best_size", "gauge", "Size at the best bid and ask."});
  for (const Book& b : books)
    for (const book::Side side : {book::Side::kBuy, book::Side::kSell}) {
      const std::optional<book::Price> px =
          side == book::Side::kBuy ? b.sync->book().book().best_bid() : b.sync->book().book().best_ask();
      if (!px) continue;
      const std::string text = size_text(b.sync->instrument(), b.sync->book().size_at(side, px->ticks));
      if (!text.empty())
        line("tachyon_okx_book_best_size", b.labels + (side == book::Side::kBuy ? ",side=\"bid\"" : ",side=\"ask\""), text);
    }
  header(out, {"tachyon_okx_book_levels", "gauge", "Price levels held per side."});
  for (const Book& b : books) {
    line("tachyon_okx_book_levels", b.labels + ",side=\"bid\"", std::to_string(b.sync->book().level_count(book::Side::kBuy)));
    line("tachyon_okx_book_levels", b.labels + ",side=\"ask\"", std::to_string(b.sync->book().level_count(book::Side::kSell)));
  }
  header(out, {"tachyon_okx_book_exchange_timestamp_ms", "gauge", "OKX's ts of the last applied push (0: none)."});
  for (const Book& b : books) line("tachyon_okx_book_exchange_timestamp_ms", b.labels, std::to_string(b.health->exchange_ts_ms));

  // The connection.
  header(out, {"tachyon_okx_ws_open", "gauge", "1 while the WebSocket connection is open."});
  out += std::string("tachyon_okx_ws_open ") + (h.connection == okx::WsState::kOpen ? "1" : "0") + "\n";
  const std::initializer_list<std::pair<Family, uint64_t>> ws = {
      {{"tachyon_okx_ws_connects_total", "counter", "WebSocket connections established."}, h.ws.connects},
      {{"tachyon_okx_ws_disconnects_total", "counter", "Established connections that closed."}, h.ws.disconnects},
      {{"tachyon_okx_ws_messages_total", "counter", "Complete messages received (pongs excluded)."}, h.ws.messages},
      {{"tachyon_okx_ws_malformed_total", "counter", "Frames that were not valid OKX messages."}, h.malformed},
      {{"tachyon_okx_ws_resubscribes_total", "counter", "Book resubscriptions after a gap, checksum failure or bad level."}, h.resubscribes},
      {{"tachyon_okx_ws_venue_errors_total", "counter", "{\"event\":\"error\"} answers from OKX."}, h.venue_errors},
  };
  for (const auto& [family, value] : ws) {
    header(out, family);
    out += std::string(family.name) + " " + std::to_string(value) + "\n";
  }
  return out;
}

void OkxBookMetrics::publish(const okx::OkxMarketData& md) {
  std::string text = render_okx_book_metrics(md);
  std::lock_guard<std::mutex> lock(mutex_);
  text_.swap(text);
}

std::string OkxBookMetrics::text() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return text_;
}

}  // namespace tachyon::controlplane
