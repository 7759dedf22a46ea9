// Text and JSON renderings of replay summaries and books.
#include "tachyon/controlplane/replay_report.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <vector>

#include "tachyon/book/book_shard.h"
#include "tachyon/controlplane/json_writer.h"
#include "tachyon/dataplane/book_digest.h"

namespace tachyon::controlplane {

std::string with_commas(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

namespace {

std::string price4(int64_t p) {
  char buf[32];
  const char* sign = p < 0 ? "-" : "";
  const uint64_t a = p < 0 ? static_cast<uint64_t>(-(p + 1)) + 1 : static_cast<uint64_t>(p);
  std::snprintf(buf, sizeof buf, "%s%" PRIu64 ".%04" PRIu64, sign, a / 10000, a % 10000);
  return buf;
}

std::string type_counts(const std::array<uint64_t, 256>& by_type) {
  std::string out;
  for (int t = 0; t < 256; ++t) {
    if (by_type[t] == 0) continue;
    if (!out.empty()) out += "  ";
    if (t >= 0x21 && t < 0x7f) out += static_cast<char>(t);
    else out += "0x" + std::to_string(t);
    out += ' ' + with_commas(by_type[t]);
  }
  return out.empty() ? "none" : out;
}

std::string range_text(const dataplane::mold::RangeLog& r) {
  if (r.events == 0) return "0";
  std::string s = with_commas(r.events) + " (" + with_commas(r.messages) + " messages; first " +
                  std::to_string(r.first.first) + ".." + std::to_string(r.first.last) + ")";
  return s;
}

std::string line(const char* label, const std::string& value) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "  %-11s", label);
  return buf + value + "\n";
}

std::string fixed(double v, int digits) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

}  // namespace

std::string format_summary_text(const dataplane::ReplaySummary& s) {
  using dataplane::InputFormat;
  using dataplane::ReplayMode;
  std::string out = "tachyon replay: " + s.input + " (" + dataplane::to_string(s.format) + ", " +
                    dataplane::to_string(s.mode) + " mode)\n";
  const bool lobster = s.format == InputFormat::kLobsterCsv;
  const bool file = s.format == InputFormat::kItchBinaryFile || lobster;
  out += line("input", with_commas(s.packets) + (file ? " records, " : " packets, ") + with_commas(s.bytes) +
                           " bytes" + (s.filtered ? ", " + with_commas(s.filtered) + " for other feeds" : "") +
                           (s.stopped ? "; stopped on request before the end of the input" : ""));
  out += line("messages", with_commas(s.messages) + ": " + type_counts(s.by_type));
  if (!file) {
    out += line("sequence", with_commas(s.sessions) + " sessions; gaps " + range_text(s.gaps) + "; duplicates " +
                                range_text(s.duplicates) + "; out of order " + range_text(s.out_of_order));
  }
  if (s.format == InputFormat::kItchBinaryFile && s.recovered_lengths > 0) {
    out += line("framing", with_commas(s.recovered_lengths) +
                               " zero length prefixes recovered from the message type (first at offset " +
                               std::to_string(s.first_recovery_offset) + ")");
  }
  std::string mal = with_commas(s.malformed.count);
  for (std::size_t i = 0; i < std::min<uint64_t>(s.malformed.count, s.malformed.kKept); ++i)
    mal += (i == 0 ? ": " : "; ") + s.malformed.first[i];
  out += line("malformed", mal);
  if (s.mode == ReplayMode::kFeed) {
    std::string unk = with_commas(s.unknown_refs);
    if (s.unknown_refs) unk += " (" + type_counts(s.unknown_refs_by_type) + ")";
    out += line("unknown", unk + " events on orders never added" +
                               (s.book_rejects ? "; " + with_commas(s.book_rejects) + " other refused" : ""));
  }
  out += line("books", with_commas(s.symbols) + " symbols, " + with_commas(s.books) + " non-empty books, " +
                           with_commas(s.live_orders) + " live orders, book_hash " + dataplane::to_hex(s.book_hash));
  if (s.mode == ReplayMode::kMatch) {
    out += line("reports", "accepted " + with_commas(s.accepted) + "  executed " + with_commas(s.executed) +
                               "  canceled " + with_commas(s.canceled) + "  replaced " + with_commas(s.replaced) +
                               "  rejected " + with_commas(s.rejected));
    out += line("trades", with_commas(s.trades) + "; market data " + with_commas(s.md_messages) +
                              " ITCH messages; " + with_commas(s.out_packets) + " packets out");
    if (s.unknown_tokens || s.duplicate_tokens)
      out += line("tokens", with_commas(s.unknown_tokens) + " unknown, " + with_commas(s.duplicate_tokens) +
                                " duplicate");
  } else {
    out += line("trades", with_commas(s.trades) + " executions");
  }
  if (s.mode == ReplayMode::kMatch && (s.journal_records || s.recovered_records || s.commands || s.risk_rejects ||
                                       s.refused_paused || s.refused_halted || s.refused_killed)) {
    out += line("journal", with_commas(s.journal_records) + " records; " + with_commas(s.snapshots) +
                               " snapshots; recovery re-applied " + with_commas(s.recovered_records) +
                               " records and skipped " + with_commas(s.skipped_replayed) +
                               " capture messages already journaled");
    out += line("control", with_commas(s.commands) + " operator commands; " + with_commas(s.risk_rejects) +
                               " risk rejects; positions_hash " + dataplane::to_hex(s.positions_hash));
    if (s.refused_paused || s.refused_halted || s.refused_killed || s.kill_cancels)
      out += line("refused", with_commas(s.refused_paused) + " while paused, " + with_commas(s.refused_halted) +
                                 " halted, " + with_commas(s.refused_killed) + " killed; the kill switch canceled " +
                                 with_commas(s.kill_cancels) + " open orders");
  }
  if (s.match_split) {
    const dataplane::RingCounts& r = s.input_ring;
    out += line("input ring", with_commas(r.queued) + " queued, " + with_commas(r.rejected) +
                                  " refused (answered busy: " + with_commas(s.refused_busy) + "), " +
                                  with_commas(r.blocked) + " waits for room; gateway core -> matching core");
  }
  const dataplane::BreakerCounts& b = s.breaker;
  if (s.mode == ReplayMode::kMatch &&
      (s.breaker_enabled || b.halts_price_band || b.halts_message_rate || b.halts_command || b.rejected_while_halted)) {
    out += line("breaker", std::string(s.breaker_enabled ? "on" : "off (command halts only)") + "; halts: " +
                               with_commas(b.halts_price_band) + " price band, " + with_commas(b.halts_message_rate) +
                               " message rate, " + with_commas(b.halts_command) + " command; resumes: " +
                               with_commas(b.resumes_timer) + " timer, " + with_commas(b.resumes_command) +
                               " command; " + with_commas(b.rejected_while_halted) + " refused while halted; " +
                               with_commas(s.halted_at_end) + " halted at the end");
  }
  if (s.rows_compared > 0) {
    out += line("check", with_commas(s.rows_matched) + " of " + with_commas(s.rows_compared) +
                             " orderbook rows matched; " + with_commas(s.rows_relearned) + " re-learned; " +
                             with_commas(s.hidden_executions) + " hidden executions");
  }
  out += line("speed", with_commas(s.messages) + " messages in " + fixed(s.seconds, 3) + " s = " +
                           fixed(s.msgs_per_s / 1e6, 2) + " M msgs/s");
  const dataplane::LatencyHistogram& h = *s.latency;
  out += line("latency", "ns per message: p50 " + with_commas(h.percentile(50)) + "  p99 " +
                             with_commas(h.percentile(99)) + "  p99.9 " + with_commas(h.percentile(99.9)) + "  max " +
                             with_commas(h.max()));
  return out;
}

std::string format_summary_json(const dataplane::ReplaySummary& s) {
  JsonWriter j;
  j.begin_object();
  j.field("input", s.input).field("format", dataplane::to_string(s.format)).field("mode", dataplane::to_string(s.mode));
  j.field("messages", s.messages);
  j.key("messages_by_type").begin_object();
  for (int t = 0; t < 256; ++t)
    if (s.by_type[t]) j.field(std::string(1, static_cast<char>(t)), s.by_type[t]);
  j.end_object();
  if (s.stopped) j.field("stopped", true);
  j.field("packets", s.packets).field("bytes", s.bytes).field("filtered", s.filtered).field("sessions", s.sessions);
  j.field("gaps", s.gaps.events).field("gap_messages", s.gaps.messages);
  if (s.gaps.events) {
    j.key("first_gap").begin_object().field("first", s.gaps.first.first).field("last", s.gaps.first.last).end_object();
  }
  j.field("duplicates", s.duplicates.events).field("out_of_order", s.out_of_order.events);
  j.field("heartbeats", s.heartbeats).field("end_of_session", s.end_of_sessions);
  j.field("malformed", s.malformed.count);
  j.key("first_malformed").begin_array();
  for (std::size_t i = 0; i < std::min<uint64_t>(s.malformed.count, s.malformed.kKept); ++i) j.value(s.malformed.first[i]);
  j.end_array();
  j.field("recovered_lengths", s.recovered_lengths);
  j.field("unknown_refs", s.unknown_refs);
  j.key("unknown_refs_by_type").begin_object();
  for (int t = 0; t < 256; ++t)
    if (s.unknown_refs_by_type[t]) j.field(std::string(1, static_cast<char>(t)), s.unknown_refs_by_type[t]);
  j.end_object();
  j.field("book_rejects", s.book_rejects);
  j.field("live_orders", s.live_orders).field("symbols", s.symbols).field("books", s.books).field("trades", s.trades);
  j.field("book_hash", dataplane::to_hex(s.book_hash)).field("shard_hash", dataplane::to_hex(s.shard_hash));
  if (s.mode == dataplane::ReplayMode::kMatch) {
    j.key("reports")
        .begin_object()
        .field("accepted", s.accepted)
        .field("executed", s.executed)
        .field("canceled", s.canceled)
        .field("replaced", s.replaced)
        .field("rejected", s.rejected)
        .end_object();
    j.field("unknown_tokens", s.unknown_tokens).field("duplicate_tokens", s.duplicate_tokens);
    j.field("md_messages", s.md_messages).field("out_packets", s.out_packets);
    j.field("journal_records", s.journal_records).field("snapshots", s.snapshots);
    j.field("recovered_records", s.recovered_records).field("resumed_from_seq", s.resumed_from_seq);
    j.field("skipped_replayed", s.skipped_replayed).field("commands", s.commands);
    j.field("risk_rejects", s.risk_rejects).field("positions_hash", dataplane::to_hex(s.positions_hash));
    j.key("refused")
        .begin_object()
        .field("paused", s.refused_paused)
        .field("halted", s.refused_halted)
        .field("killed", s.refused_killed)
        .field("busy", s.refused_busy)
        .end_object();
    if (s.match_split) {
      const dataplane::RingCounts& r = s.input_ring;
      j.key("input_ring")
          .begin_object()
          .field("queued", r.queued)
          .field("refused", r.rejected)
          .field("waits", r.blocked)
          .field("taken", r.taken)
          .end_object();
    }
    j.field("kill_cancels", s.kill_cancels);
    const dataplane::BreakerCounts& b = s.breaker;
    j.key("breaker").begin_object().field("enabled", s.breaker_enabled);
    j.key("halts")
        .begin_object()
        .field("price_band", b.halts_price_band)
        .field("message_rate", b.halts_message_rate)
        .field("command", b.halts_command)
        .end_object();
    j.key("resumes").begin_object().field("timer", b.resumes_timer).field("command", b.resumes_command).end_object();
    j.field("rejected_while_halted", b.rejected_while_halted).field("halted_at_end", s.halted_at_end);
    j.end_object();
  }
  if (s.rows_compared) {
    j.field("rows_compared", s.rows_compared).field("rows_matched", s.rows_matched);
    j.field("rows_relearned", s.rows_relearned).field("hidden_executions", s.hidden_executions);
  }
  j.field("seconds", s.seconds).field("msgs_per_s", s.msgs_per_s);
  const dataplane::LatencyHistogram& h = *s.latency;
  j.key("latency_ns")
      .begin_object()
      .field("p50", h.percentile(50))
      .field("p90", h.percentile(90))
      .field("p99", h.percentile(99))
      .field("p999", h.percentile(99.9))
      .field("max", h.max())
      .field("mean", h.mean())
      .field("count", h.count())
      .end_object();
  j.end_object();
  return j.str();
}

std::string format_book(const dataplane::ReplaySummary& s, const std::string& symbol, unsigned depth) {
  if (!s.shard) return symbol + ": no book\n";
  const auto it = std::find(s.names.begin(), s.names.end(), symbol);
  if (it == s.names.end()) return symbol + ": no such symbol in this replay\n";
  const book::OrderBook& b = s.shard->book(book::SymbolId{static_cast<uint32_t>(it - s.names.begin())});
  std::vector<book::DepthLevel> bids(depth), asks(depth);
  const std::size_t nb = b.depth(book::Side::kBuy, bids);
  const std::size_t na = b.depth(book::Side::kSell, asks);
  std::string out = symbol + ": " + std::to_string(b.level_count(book::Side::kBuy)) + " bid levels, " +
                    std::to_string(b.level_count(book::Side::kSell)) + " ask levels\n";
  char buf[160];
  std::snprintf(buf, sizeof buf, "  %8s %10s %14s | %-14s %10s %8s\n", "orders", "bid qty", "bid", "ask", "ask qty",
                "orders");
  out += buf;
  for (std::size_t i = 0; i < std::max(nb, na); ++i) {
    std::string bo, bq, bp, ap, aq, ao;
    if (i < nb) {
      bo = with_commas(bids[i].count);
      bq = with_commas(static_cast<uint64_t>(bids[i].qty.value));
      bp = price4(bids[i].price.ticks);
    }
    if (i < na) {
      ao = with_commas(asks[i].count);
      aq = with_commas(static_cast<uint64_t>(asks[i].qty.value));
      ap = price4(asks[i].price.ticks);
    }
    std::snprintf(buf, sizeof buf, "  %8s %10s %14s | %-14s %10s %8s\n", bo.c_str(), bq.c_str(), bp.c_str(),
                  ap.c_str(), aq.c_str(), ao.c_str());
    out += buf;
  }
  return out;
}

}  // namespace tachyon::controlplane
