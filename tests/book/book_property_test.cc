// Property tests: random message sequences driven through BookShard (per-operation API,
// apply, and apply_batch) and through the simple reference model must give identical
// event streams and identical state after every message (L3 contents in priority
// order, depth, best prices, live counts, id lookups, and the documented hashes).
//
// Sequences use every message and order type, a small price range (orders cross
// often), a small id space (cancels and modifies hit live, filled and canceled ids),
// occasional invalid values, several symbols, and in half the cases tiny pools so that
// PoolExhausted happens. Case counts are explicit (see kCases); the seed comes from
// RC_PARAMS="seed=N" when given. A failure prints the shrunk counterexample.
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <span>
#include <sstream>
#include <string>
#include <vector>

#include "book_state.h"
#include "event_recorder.h"
#include "reference_book.h"
#include "tachyon/book/book_shard.h"

namespace tachyon::book::test {

// One generated step: a message; for kExecute in the per-operation runs, whether to
// call execute_at (with the message's price) instead of execute; and for messages that
// address a resting order, whether to aim at a live one (the pick-th live id, taken
// from the model's state when the sequence is resolved) instead of the generated id.
struct Step {
  BookMessage m;
  bool at = false;
  bool live = false;
  uint32_t pick = 0;
};

inline void showValue(const Step& s, std::ostream& os) {
  os << describe(s.m);
  if (s.m.type == MsgType::kExecute && s.at) os << " (execute_at)";
  if (s.live) os << " (live #" << s.pick << ")";
}

namespace {

namespace gen = rc::gen;

// Random cases per property; TACHYON_PROPERTY_CASES overrides (e.g. for a soak run).
int cases(int fallback) {
  const char* env = std::getenv("TACHYON_PROPERTY_CASES");
  return env ? std::atoi(env) : fallback;
}

// The shape of one case: pools, symbols, price and id ranges.
struct Shape {
  uint32_t symbols;
  uint32_t orders;
  uint32_t levels;
  int64_t base;    // centre of the price range
  int64_t spread;  // valid prices: base +- spread; a few generated beyond
  int64_t skew;    // buys priced this much higher, sells lower (within the range): more crossing
  uint64_t ids;    // ids 1..ids, plus the occasional 0 and UINT64_MAX
  int64_t max_qty;
  uint64_t hash_seed;
  uint32_t index_start;  // order-index buckets at start: 16 grows while the case runs

  BookConfig config() const {
    BookConfig c;
    c.max_orders = orders;
    c.max_levels = levels;
    c.max_symbols = symbols;
    c.min_price = Price{base - spread};
    c.max_price = Price{base + spread};
    c.max_qty = Qty{max_qty};
    c.hash_seed = hash_seed;
    c.order_index_start_buckets = index_start;
    return c;
  }
};

// Picks a shape. Tiny pools (at most 16 levels) never outgrow the smallest ladder
// chunk, and roomy ones never come near the ladder arena's limit, so PoolExhausted
// here always means "order pool or level pool full", as the model implements.
Shape pick_shape() {
  Shape s;
  const bool tiny = *gen::arbitrary<bool>();
  s.symbols = *gen::inRange<uint32_t>(1, 4);
  s.orders = tiny ? *gen::inRange<uint32_t>(1, 8) : 4096;
  s.levels = tiny ? *gen::inRange<uint32_t>(1, 6) : 1024;
  // Ranges near zero, far out, and touching the largest allowed |price| (2^61).
  s.base = *gen::element<int64_t>(0, 100, -60, int64_t{1} << 40, kMaxAbsPrice - 6, -kMaxAbsPrice + 6);
  s.spread = *gen::inRange<int64_t>(1, 7);
  s.skew = *gen::inRange<int64_t>(0, 3);
  s.ids = tiny ? *gen::inRange<uint64_t>(2, 10) : *gen::inRange<uint64_t>(2, 25);
  s.max_qty = *gen::element<int64_t>(1000, 6);
  s.hash_seed = *gen::element<uint64_t>(0, 0x7ac49e1f35b2d861ull, ~0ull);
  // 16 buckets grow above 4 live orders, so most roomy cases rehash the index in the
  // middle of matching, replaces and cancels; 0 is the full-size table.
  s.index_start = *gen::element<uint32_t>(16, 16, 4096, 0);
  return s;
}

rc::Gen<uint64_t> gen_id(const Shape& s) {
  return gen::weightedOneOf<uint64_t>({{30, gen::inRange<uint64_t>(1, s.ids + 1)},
                                       {1, gen::element<uint64_t>(0, ~uint64_t{0})}});
}

rc::Gen<Step> gen_step(const Shape& s) {
  auto type = gen::weightedElement<MsgType>({{30, MsgType::kAdd},
                                             {10, MsgType::kCancel},
                                             {6, MsgType::kReduce},
                                             {14, MsgType::kModify},
                                             {10, MsgType::kInsert},
                                             {7, MsgType::kExecute},
                                             {7, MsgType::kReplace},
                                             {1, static_cast<MsgType>(7)},
                                             {1, static_cast<MsgType>(200)}});
  auto order_type = gen::weightedElement<OrderType>({{40, OrderType::kLimit},
                                                     {14, OrderType::kIoc},
                                                     {10, OrderType::kFok},
                                                     {8, OrderType::kMarket},
                                                     {20, OrderType::kPostOnly},
                                                     {1, static_cast<OrderType>(5)},
                                                     {1, static_cast<OrderType>(255)}});
  auto side = gen::weightedElement<Side>({{50, Side::kBuy}, {50, Side::kSell}, {1, static_cast<Side>(2)}});
  auto symbol = gen::weightedOneOf<uint32_t>(
      {{40, gen::inRange<uint32_t>(0, s.symbols)}, {1, gen::element(uint32_t{s.symbols}, uint32_t{UINT32_MAX})}});
  auto price = gen::weightedOneOf<int64_t>(
      {{25, gen::inRange<int64_t>(s.base - s.spread, s.base + s.spread + 1)},
       {1, gen::element<int64_t>(s.base - s.spread - 1, s.base + s.spread + 1, INT64_MIN, INT64_MAX)}});
  auto qty = gen::weightedOneOf<int64_t>(
      {{30, gen::inRange<int64_t>(1, 9)},
       {1, gen::element<int64_t>(0, -1, s.max_qty, s.max_qty + 1, INT64_MIN, INT64_MAX)}});
  auto live = gen::weightedElement<bool>({{3, true}, {1, false}});
  return gen::map(gen::tuple(type, order_type, side, symbol, gen_id(s), gen_id(s), price, qty,
                             gen::arbitrary<bool>(), live, gen::inRange<uint32_t>(0, 64)),
                  [s](const auto& t) {
                    Step st;
                    st.m.type = std::get<0>(t);
                    st.m.order_type = std::get<1>(t);
                    st.m.side = std::get<2>(t);
                    st.m.symbol = SymbolId{std::get<3>(t)};
                    st.m.id = OrderId{std::get<4>(t)};
                    st.m.new_id = OrderId{std::get<5>(t)};
                    int64_t px = std::get<6>(t);
                    if (px >= s.base - s.spread && px <= s.base + s.spread) {
                      px += st.m.side == Side::kBuy ? s.skew : -s.skew;
                      px = std::clamp(px, s.base - s.spread, s.base + s.spread);
                    }
                    st.m.price = Price{px};
                    st.m.qty = Qty{std::get<7>(t)};
                    st.at = std::get<8>(t);
                    st.live = std::get<9>(t);
                    st.pick = std::get<10>(t);
                    return st;
                  });
}

void run_reference(ReferenceBook& r, const Step& st, std::vector<Event>& out);

// Generates steps (length up to scale * the current size), numbers their seqs, and
// resolves "live" ids by stepping a scout model through the sequence.
std::vector<Step> pick_steps(const Shape& s, double scale) {
  std::vector<Step> steps = *gen::scale(scale, gen::container<std::vector<Step>>(gen_step(s)));
  ReferenceBook scout(s.config());
  std::vector<Event> sink;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    Step& st = steps[i];
    st.m.seq = i + 1;
    if (st.live && st.m.type != MsgType::kAdd && st.m.type != MsgType::kInsert) {
      const std::vector<OrderId> ids = scout.live_ids();
      if (!ids.empty()) st.m.id = ids[st.pick % ids.size()];
    }
    sink.clear();
    run_reference(scout, st, sink);
  }
  return steps;
}

// Returns the case's shape and its resolved messages up to and including message last,
// one per line.
std::string listing(const Shape& s, const std::vector<Step>& steps, std::size_t last) {
  std::ostringstream os;
  os << "shape: symbols " << s.symbols << ", max_orders " << s.orders << ", max_levels " << s.levels << ", prices "
     << s.base - s.spread << ".." << s.base + s.spread << ", skew " << s.skew << ", max_qty " << s.max_qty << ", hash_seed " << s.hash_seed
     << ", index_start " << s.index_start << "\n";
  std::string out = os.str() + "resolved messages:\n";
  for (std::size_t i = 0; i <= last && i < steps.size(); ++i) {
    out += "  " + describe(steps[i].m);
    if (steps[i].m.type == MsgType::kExecute && steps[i].at) out += " (execute_at)";
    out += "\n";
  }
  return out;
}

// Runs one step through the per-operation API.
template <class S>
void run_shard(BookShard& b, const Step& st, S& sink) {
  const BookMessage& m = st.m;
  switch (m.type) {
    case MsgType::kAdd: return b.add(m.seq, m.symbol, m.id, m.side, m.price, m.qty, m.order_type, sink);
    case MsgType::kCancel: return b.cancel(m.seq, m.id, sink);
    case MsgType::kReduce: return b.reduce(m.seq, m.id, m.qty, sink);
    case MsgType::kModify: return b.modify(m.seq, m.id, m.price, m.qty, sink);
    case MsgType::kInsert: return b.insert(m.seq, m.symbol, m.id, m.side, m.price, m.qty, sink);
    case MsgType::kExecute:
      return st.at ? b.execute_at(m.seq, m.id, m.qty, m.price, sink) : b.execute(m.seq, m.id, m.qty, sink);
    case MsgType::kReplace: return b.replace(m.seq, m.id, m.new_id, m.price, m.qty, sink);
  }
  b.apply(m, sink);
}

void run_reference(ReferenceBook& r, const Step& st, std::vector<Event>& out) {
  if (st.m.type == MsgType::kExecute && st.at) return r.execute_at(st.m.seq, st.m.id, st.m.qty, st.m.price, out);
  r.apply(st.m, out);
}

// Tallies of what the generated cases produced, so a test can prove its generator
// reaches every outcome.
struct Coverage {
  std::array<uint64_t, 5> kinds{};
  std::array<uint64_t, 9> rejects{};
  std::array<uint64_t, 5> cancels{};
  std::array<uint64_t, 2> modifies{};
  uint64_t messages = 0;
  uint64_t cases = 0;

  void count(const std::vector<Event>& evs) {
    for (const Event& e : evs) {
      ++kinds[static_cast<std::size_t>(e.kind)];
      if (e.kind == EventKind::kRejected) ++rejects[e.reason];
      if (e.kind == EventKind::kCanceled) ++cancels[e.reason];
      if (e.kind == EventKind::kModified) ++modifies[e.reason];
    }
  }

  void expect_everything_seen() const {
    for (std::size_t k = 0; k < kinds.size(); ++k) EXPECT_GT(kinds[k], 0u) << to_string(static_cast<EventKind>(k));
    for (std::size_t r = 1; r < rejects.size(); ++r)
      EXPECT_GT(rejects[r], 0u) << to_string(static_cast<RejectReason>(r));
    for (std::size_t c = 0; c < cancels.size(); ++c)
      EXPECT_GT(cancels[c], 0u) << to_string(static_cast<CancelReason>(c));
    EXPECT_GT(modifies[0], 0u);
    EXPECT_GT(modifies[1], 0u);
    std::cout << "  " << cases << " cases, " << messages << " messages; events: accepted " << kinds[0] << ", trade "
              << kinds[1] << ", canceled " << kinds[2] << ", modified " << kinds[3] << ", rejected " << kinds[4]
              << " (by reason:";
    for (std::size_t r = 1; r < rejects.size(); ++r) std::cout << ' ' << to_string(static_cast<RejectReason>(r)) << ' ' << rejects[r];
    std::cout << ")\n";
  }
};

Coverage g_coverage;

// Checks a property for exactly n cases with RapidCheck's configured seed, failing the
// current gtest test with the shrunk counterexample.
template <class Testable>
void check_cases(int n, Testable&& property) {
  const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata meta;
  meta.id = std::string(info->test_suite_name()) + "/" + info->name();
  meta.description = info->name();
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = n;
  params.maxSize = 100;
  g_coverage = Coverage{};
  const rc::detail::TestResult result = rc::detail::checkTestable(std::forward<Testable>(property), meta, params);
  if (result.template is<rc::detail::SuccessResult>()) {
    std::cout << meta.id << ": OK, passed " << result.template get<rc::detail::SuccessResult>().numSuccess
              << " cases (seed " << params.seed << ")\n";
    return;
  }
  std::ostringstream ss;
  rc::detail::printResultMessage(result, ss);
  FAIL() << ss.str() << "\n(seed " << params.seed << "; rerun with RC_PARAMS=\"seed=" << params.seed << "\")";
}

// Per-operation API, one call per message, everything compared after every message.
TEST(BookProperty, PerOperationApiMatchesTheReference) {
  check_cases(cases(5000), [] {
    const Shape shape = pick_shape();
    const std::vector<Step> steps = pick_steps(shape, 1.5);
    BookShard shard(shape.config());
    ReferenceBook ref(shape.config());
    EventRecorder got;
    std::vector<Event> want;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      got.clear();
      want.clear();
      run_shard(shard, steps[i], got);
      run_reference(ref, steps[i], want);
      g_coverage.count(want);
      if (const std::string d = diff_events(got.events, want); !d.empty())
        RC_FAIL(listing(shape, steps, i) + "after message " + std::to_string(i) + ":\n" + d);
      if (const std::string d = compare_state(shard, ref); !d.empty())
        RC_FAIL(listing(shape, steps, i) + "after message " + std::to_string(i) + ":\n" + d);
    }
    g_coverage.messages += steps.size();
    ++g_coverage.cases;
  });
  if (!HasFailure()) g_coverage.expect_everything_seen();
}

// apply_batch in random chunk sizes on one shard, apply() one message at a time on a
// second shard with another index seed, and the reference, in lockstep: the batch
// hook compares all three after every message. The second shard's sink takes events
// in place (InPlaceEventSink), so that path is held to the reference too.
TEST(BookProperty, ApplyBatchAndApplyMatchTheReference) {
  check_cases(cases(5000), [] {
    const Shape shape = pick_shape();
    const std::vector<Step> steps = pick_steps(shape, 1.5);
    const std::size_t chunk = *gen::inRange<std::size_t>(1, 40);
    std::vector<BookMessage> msgs;
    for (const Step& s : steps) msgs.push_back(s.m);
    BookConfig other_cfg = shape.config();
    other_cfg.hash_seed = ~shape.hash_seed * 0x9e3779b97f4a7c15ull;
    BookShard batched(shape.config());
    BookShard single(other_cfg);
    ReferenceBook ref(shape.config());
    EventRecorder got;
    InPlaceEventRecorder got_single;
    std::vector<Event> want;
    std::string failure;
    for (std::size_t from = 0; from < msgs.size(); from += chunk) {
      const std::span<const BookMessage> part =
          std::span<const BookMessage>(msgs).subspan(from, std::min(chunk, msgs.size() - from));
      got.clear();
      std::size_t mark = 0;
      batched.apply_batch(part, got, [&](std::size_t i) noexcept {
        if (!failure.empty()) return;
        const BookMessage& m = part[i];
        want.clear();
        ref.apply(m, want);
        g_coverage.count(want);
        const std::vector<Event> slice(got.events.begin() + static_cast<std::ptrdiff_t>(mark), got.events.end());
        mark = got.events.size();
        got_single.clear();
        single.apply(m, got_single);
        std::string d = diff_events(slice, want);
        if (d.empty()) d = compare_state(batched, ref);
        if (d.empty() && (d = diff_events(got_single.events, want)).empty()) d = compare_state(single, ref);
        if (!d.empty()) failure = listing(shape, steps, from + i) + "after message " + std::to_string(from + i) + ":\n" + d;
      });
      if (!failure.empty()) RC_FAIL(failure);
    }
    RC_ASSERT(batched.hash() == single.hash());
    RC_ASSERT(got_single.in_place > 0 || msgs.empty());
    g_coverage.messages += msgs.size();
    ++g_coverage.cases;
  });
  if (!HasFailure()) g_coverage.expect_everything_seen();
}

// Fewer, much longer runs: deep books, long-lived orders, pools filling and draining.
TEST(BookProperty, LongRunsMatchTheReference) {
  check_cases(cases(5000) / 12, [] {
    const Shape shape = pick_shape();
    const std::vector<Step> steps = pick_steps(shape, 15);
    BookShard shard(shape.config());
    ReferenceBook ref(shape.config());
    EventRecorder got;
    std::vector<Event> want;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      got.clear();
      want.clear();
      run_shard(shard, steps[i], got);
      run_reference(ref, steps[i], want);
      g_coverage.count(want);
      if (const std::string d = diff_events(got.events, want); !d.empty())
        RC_FAIL(listing(shape, steps, i) + "after message " + std::to_string(i) + ":\n" + d);
      if (i % 16 == 15 || i + 1 == steps.size())
        if (const std::string d = compare_state(shard, ref); !d.empty())
          RC_FAIL(listing(shape, steps, i) + "after message " + std::to_string(i) + ":\n" + d);
    }
    g_coverage.messages += steps.size();
    ++g_coverage.cases;
  });
  if (!HasFailure()) g_coverage.expect_everything_seen();
}

}  // namespace
}  // namespace tachyon::book::test
