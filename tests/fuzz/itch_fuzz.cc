// libFuzzer target for the ITCH 5.0 codecs and feed handler: decodes the input as one
// framed message (decoding it again from its own encoding must give the same bytes),
// as a BinaryFILE stream (with zero-prefix recovery), and applies that stream to a small
// BookShard through the feed handler, then checks the book's structure. Single-threaded.
// Replayed by tests/dataplane/codec_fuzz_regression_test.cc (TACHYON_FUZZ_NO_ENTRY).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/itch_binary_file.h"
#include "tachyon/dataplane/itch_book_builder.h"
#include "tachyon/dataplane/itch_decoder.h"
#include "tachyon/dataplane/itch_encoder.h"

#ifndef TACHYON_FUZZ_CHECK
#define TACHYON_FUZZ_CHECK(cond)   \
  do {                             \
    if (!(cond)) __builtin_trap(); \
  } while (0)
#endif

namespace tachyon::fuzz {

namespace itch = dataplane::itch;

// Re-encodes each message and decodes it again: values survive the round trip.
struct ItchRoundTrip {
  uint64_t messages = 0;
  template <class M>
  void on(const M& m) noexcept {
    uint8_t buf[64];
    const std::size_t n = itch::encode(m, buf);
    TACHYON_FUZZ_CHECK(n == M::kLength);
    M back{};
    TACHYON_FUZZ_CHECK(itch::decode_message(std::span<const uint8_t>(buf, n), back) == dataplane::DecodeStatus::kOk);
    TACHYON_FUZZ_CHECK(back == m);
    ++messages;
  }
};

// Re-encodes the one message the whole input holds and compares the bytes.
struct ItchExact {
  std::span<const uint8_t> in;
  int calls = 0;
  bool same = false;
  template <class M>
  void on(const M& m) noexcept {
    uint8_t buf[64];
    same = itch::encode(m, buf) == in.size() && std::memcmp(buf, in.data(), in.size()) == 0;
    ++calls;
  }
};

// Checks the events a mirrored shard emits: nothing negative, no rejects leak through.
struct ItchEventCheck {
  uint64_t events = 0;
  void on_event(const book::Event& e) noexcept {
    ++events;
    TACHYON_FUZZ_CHECK(e.kind != book::EventKind::kRejected);
    TACHYON_FUZZ_CHECK(e.qty.value >= 0);
    TACHYON_FUZZ_CHECK(e.remaining.value >= 0);
    TACHYON_FUZZ_CHECK(e.contra_remaining.value >= 0);
    if (e.kind == book::EventKind::kTrade) {
      TACHYON_FUZZ_CHECK(e.qty.value > 0);
    }
  }
};

// Walks every book of the shard: levels strictly ordered, aggregates equal to their
// orders, every quantity positive, every order indexed under its id.
inline void check_shard(const book::BookShard& shard) {
  uint64_t orders = 0;
  for (uint32_t s = 0; s < shard.symbols(); ++s) {
    const book::OrderBook& b = shard.book(book::SymbolId{s});
    for (const book::Side side : {book::Side::kBuy, book::Side::kSell}) {
      bool first = true;
      int64_t prev = 0;
      uint32_t levels = 0;
      b.for_each_level(side, [&](const book::Level& lv) {
        ++levels;
        if (!first) {
          TACHYON_FUZZ_CHECK(side == book::Side::kBuy ? lv.price.ticks < prev : lv.price.ticks > prev);
        }
        first = false;
        prev = lv.price.ticks;
        int64_t sum = 0;
        uint32_t count = 0;
        for (uint32_t o = lv.head; o != book::kNil && count <= shard.live_orders(); o = shard.order(o).next) {
          const book::Order& od = shard.order(o);
          TACHYON_FUZZ_CHECK(od.qty.value > 0);
          TACHYON_FUZZ_CHECK(od.side == side);
          TACHYON_FUZZ_CHECK(shard.find(od.id) == o);
          sum += od.qty.value;
          ++count;
        }
        TACHYON_FUZZ_CHECK(sum == lv.total.value);
        TACHYON_FUZZ_CHECK(count == lv.count);
        TACHYON_FUZZ_CHECK(lv.symbol == s);
        orders += count;
      });
      TACHYON_FUZZ_CHECK(levels == b.level_count(side));
    }
  }
  TACHYON_FUZZ_CHECK(orders == shard.live_orders());
}

inline int itch_one_input(const uint8_t* data, std::size_t size) {
  const std::span<const uint8_t> in(data, size);

  // 1. The whole input as one framed message.
  ItchExact exact{in};
  const dataplane::DecodeStatus st = itch::decode(in, exact);
  TACHYON_FUZZ_CHECK((st == dataplane::DecodeStatus::kOk) == (exact.calls == 1));
  TACHYON_FUZZ_CHECK((st == dataplane::DecodeStatus::kOk) == (size > 0 && itch::message_length(data[0]) == size));
  if (st == dataplane::DecodeStatus::kOk) {
    TACHYON_FUZZ_CHECK(exact.same);
  }

  // 2. As a BinaryFILE stream.
  ItchRoundTrip rt;
  const itch::BinaryFileReport rep = itch::scan_binary_file(in, rt);
  TACHYON_FUZZ_CHECK(rep.messages == rt.messages);
  TACHYON_FUZZ_CHECK(rep.bytes <= size);
  TACHYON_FUZZ_CHECK(rep.messages + rep.unknown_types + rep.bad_lengths >= rep.records);
  TACHYON_FUZZ_CHECK(rep.clean() == (rep.bytes == size && rep.unknown_types == 0 && rep.bad_lengths == 0));
  if (rep.truncated || rep.stopped) {
    TACHYON_FUZZ_CHECK(rep.last_issue.offset == rep.bytes);
  }

  // 3. Applied to a small shard through the feed handler.
  book::BookConfig cfg;
  cfg.max_orders = 48;
  cfg.max_levels = 24;
  cfg.max_symbols = 3;
  book::BookShard shard(cfg);
  ItchEventCheck sink;
  itch::BookBuilder<ItchEventCheck> builder(shard, sink);
  const itch::BinaryFileReport applied = itch::scan_binary_file(in, builder);
  TACHYON_FUZZ_CHECK(applied.messages == rep.messages);
  TACHYON_FUZZ_CHECK(builder.stats().total_messages() == applied.messages);
  TACHYON_FUZZ_CHECK(builder.symbols_mapped() <= cfg.max_symbols);
  TACHYON_FUZZ_CHECK(shard.live_orders() <= cfg.max_orders);
  check_shard(shard);

  // 4. The same through a batching feed handler, which stages the common types from a
  // table of field offsets instead of decoding them: the same counts, events and book.
  book::BookShard shard_b(cfg);
  ItchEventCheck sink_b;
  itch::BookBuilder<ItchEventCheck> batched(shard_b, sink_b, itch::ApplyMode::kBatched);
  const itch::BinaryFileReport applied_b = itch::scan_binary_file(in, batched);
  batched.flush();
  TACHYON_FUZZ_CHECK(applied_b.messages == applied.messages && applied_b.bytes == applied.bytes);
  TACHYON_FUZZ_CHECK(applied_b.issue_count == applied.issue_count);
  const itch::BookBuilderStats& a = builder.stats();
  const itch::BookBuilderStats& b = batched.stats();
  TACHYON_FUZZ_CHECK(a.messages == b.messages && a.unknown_refs == b.unknown_refs && a.rejects == b.rejects);
  TACHYON_FUZZ_CHECK(a.overfills == b.overfills && a.replace_drops == b.replace_drops);
  TACHYON_FUZZ_CHECK(a.bad_side == b.bad_side && a.unmapped_symbol == b.unmapped_symbol);
  TACHYON_FUZZ_CHECK(sink_b.events == sink.events);
  TACHYON_FUZZ_CHECK(shard_b.hash() == shard.hash());
  return 0;
}

}  // namespace tachyon::fuzz

#ifndef TACHYON_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return tachyon::fuzz::itch_one_input(data, size);
}
#endif
