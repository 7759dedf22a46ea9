// Circuit breakers in match mode, end to end: a trade outside the price band halts its
// symbol, the symbol's new orders and replaces are answered OUCH Rejected 'H' (cancels
// still pass) and counted, the timer resumes it at capture time, a burst over the
// message-rate limit halts a symbol; operator halts and resumes go through the same
// breakers; without [breaker] enabled nothing changes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "../support/counting_new.h"
#include "ouch_capture.h"
#include "tachyon/book/book_shard.h"
#include "tachyon/dataplane/circuit_breaker.h"
#include "tachyon/dataplane/ouch_gateway.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/state_codec.h"

namespace tachyon::dataplane {
namespace {

using testing::cancel_order;
using testing::enter_order;
using testing::kMs;
using testing::kT0;
using testing::OuchReply;
using testing::replace_order;

constexpr int64_t k100 = 1'000'000;  // 100.0000 in Price(4)

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "match_breaker_test_" + std::to_string(::getpid()) + "_" + name;
}

BreakerLimits test_limits() {
  BreakerLimits l;
  l.enabled = true;
  l.price_band_bps = 1'000;  // 10 %
  l.max_msgs_per_window = 6;
  l.window_ns = 10 * kMs;
  l.resume_after_ns = 50 * kMs;
  return l;
}

// The scenario, in capture time:
//   AAPL trades at 100 (the window's reference), then at 120: 20 % is outside the 10 %
//   band, so AAPL halts at t0+3 ms. A5, A6 (orders) and A0R (a replace) are refused
//   'H'; the cancel of A0 passes; MSFT trades on. A7 at t0+52 ms is still inside the
//   50 ms halt; A8 at t0+60 ms finds AAPL resumed by the timer.
//   MSFT: seven orders within one 10 ms window at t0+100 ms: the seventh (M8) breaks the
//   limit of six, halts MSFT and is refused; M9 too; M10 at t0+200 ms is accepted.
void write_scenario(const std::string& path) {
  testing::OuchCapture c(path);
  c.send(kT0, enter_order("A1", 'S', 100, "AAPL", k100));
  c.send(kT0 + kMs / 2, enter_order("A0", 'B', 50, "AAPL", 9 * k100 / 10));
  c.send(kT0 + 1 * kMs, enter_order("A2", 'B', 100, "AAPL", k100));  // trade at 100
  c.send(kT0 + 2 * kMs, enter_order("A3", 'S', 100, "AAPL", 12 * k100 / 10));
  c.send(kT0 + 3 * kMs, enter_order("A4", 'B', 100, "AAPL", 12 * k100 / 10));  // trade at 120: halt
  c.send(kT0 + 4 * kMs, enter_order("A5", 'B', 10, "AAPL", k100));
  c.send(kT0 + 5 * kMs, enter_order("A6", 'S', 10, "AAPL", 13 * k100 / 10));
  c.send(kT0 + 5 * kMs, enter_order("M1", 'B', 10, "MSFT", k100 / 2));
  c.send(kT0 + 6 * kMs, replace_order("A0", "A0R", 50, 95 * k100 / 100));
  c.send(kT0 + 7 * kMs, cancel_order("A0"));
  c.send(kT0 + 52 * kMs, enter_order("A7", 'B', 10, "AAPL", k100));
  c.send(kT0 + 60 * kMs, enter_order("A8", 'B', 10, "AAPL", k100));
  for (int i = 2; i <= 8; ++i)
    c.send(kT0 + 100 * kMs + static_cast<uint64_t>(i) * 100'000,
           enter_order("M" + std::to_string(i), 'B', 10, "MSFT", k100 / 2 - i));
  c.send(kT0 + 101 * kMs, enter_order("M9", 'B', 10, "MSFT", k100 / 2));
  c.send(kT0 + 200 * kMs, enter_order("M10", 'B', 10, "MSFT", k100 / 2));
  c.close();
}

ReplayOptions match_options(const std::string& in, const std::string& out) {
  ReplayOptions o;
  o.mode = ReplayMode::kMatch;
  o.input = in;
  o.out_path = out;
  o.symbols = {"AAPL", "MSFT"};
  o.book.max_orders = 1u << 12;
  o.book.max_levels = 1u << 12;
  o.book.max_symbols = 4;
  return o;
}

std::vector<std::string> rejected_tokens(const std::vector<OuchReply>& replies, char reason) {
  std::vector<std::string> out;
  for (const OuchReply& r : replies)
    if (r.type == 'J' && r.reason == reason) out.push_back(r.token);
  return out;
}

bool accepted(const std::vector<OuchReply>& replies, const std::string& token) {
  return std::any_of(replies.begin(), replies.end(),
                     [&](const OuchReply& r) { return r.type == 'A' && r.token == token; });
}

TEST(MatchBreaker, PriceBandAndMessageRateHaltRejectWithHAndResumeByCaptureTime) {
  const std::string in = temp_path("in.pcap"), out = temp_path("out.pcap");
  write_scenario(in);
  ReplayOptions o = match_options(in, out);
  o.breaker = test_limits();
  const ReplaySummary s = replay(o);
  EXPECT_EQ(s.malformed.count, 0u);
  EXPECT_EQ(s.trades, 2u);
  EXPECT_TRUE(s.breaker_enabled);
  EXPECT_EQ(s.breaker.halts_price_band, 1u);
  EXPECT_EQ(s.breaker.halts_message_rate, 1u);
  EXPECT_EQ(s.breaker.halts_command, 0u);
  EXPECT_EQ(s.breaker.resumes_timer, 2u);
  EXPECT_EQ(s.breaker.resumes_command, 0u);
  EXPECT_EQ(s.breaker.rejected_while_halted, 6u);
  EXPECT_EQ(s.halted_at_end, 0u);
  EXPECT_EQ(s.rejected, 6u);
  EXPECT_EQ(s.canceled, 1u);  // the cancel of A0 passed the halt

  const std::vector<OuchReply> replies = testing::read_replies(out);
  EXPECT_EQ(rejected_tokens(replies, 'H'), (std::vector<std::string>{"A5", "A6", "A0R", "A7", "M8", "M9"}));
  EXPECT_TRUE(accepted(replies, "M1"));   // another symbol trades on during AAPL's halt
  EXPECT_TRUE(accepted(replies, "A8"));   // resumed by the timer
  EXPECT_TRUE(accepted(replies, "M7"));   // the sixth message of the window is within the limit
  EXPECT_TRUE(accepted(replies, "M10"));  // resumed by the timer

  // Deterministic: the same input gives the same counts and book.
  const ReplaySummary again = replay(o);
  EXPECT_EQ(again.book_hash, s.book_hash);
  EXPECT_EQ(again.breaker.rejected_while_halted, s.breaker.rejected_while_halted);
  std::remove(in.c_str());
  std::remove(out.c_str());
}

TEST(MatchBreaker, OffByDefaultChangesNothing) {
  const std::string in = temp_path("in.pcap"), out = temp_path("out.pcap");
  write_scenario(in);
  const ReplaySummary s = replay(match_options(in, out));
  EXPECT_FALSE(s.breaker_enabled);
  EXPECT_EQ(s.breaker.halts_price_band + s.breaker.halts_message_rate + s.breaker.rejected_while_halted, 0u);
  EXPECT_EQ(s.rejected, 0u);
  EXPECT_TRUE(rejected_tokens(testing::read_replies(out), 'H').empty());
  EXPECT_EQ(s.accepted, s.by_type['O']);  // every order accepted
  EXPECT_EQ(s.replaced, 1u);
  std::remove(in.c_str());
  std::remove(out.c_str());
}

TEST(MatchBreaker, CallerOwnedBreakersShowTheCountsAndMustCoverTheSymbols) {
  const std::string in = temp_path("in.pcap");
  write_scenario(in);
  ReplayOptions o = match_options(in, "");
  o.breaker = test_limits();
  CircuitBreakers mine(o.book.max_symbols, BreakerLimits::off());  // the replay gives it o.breaker
  o.breakers = &mine;
  const ReplaySummary s = replay(o);
  EXPECT_EQ(mine.counts().halts_price_band, 1u);
  EXPECT_EQ(mine.counts().rejected_while_halted, s.breaker.rejected_while_halted);
  CircuitBreakers small(o.book.max_symbols - 1, BreakerLimits::off());
  o.breakers = &small;
  EXPECT_THROW(replay(o), ReplayError);
  std::remove(in.c_str());
}

// The gateway on its own: operator halts are breaker halts (one state).
struct Replies {
  std::vector<OuchReply> got;
  void on_reply(uint32_t, std::span<const uint8_t> d, uint64_t) {
    mold::Packet p;
    ASSERT_TRUE(mold::parse(d, p).ok());
    p.for_each([&](uint64_t, std::span<const uint8_t> msg) {
      OuchReply r;
      r.type = static_cast<char>(msg[0]);
      if (r.type == 'J') {
        ouch::Rejected j;
        ASSERT_EQ(ouch::decode_message(msg, j), DecodeStatus::kOk);
        r.token = std::string(j.token.trimmed());
        r.reason = j.reason;
      }
      got.push_back(r);
    });
  }
};
struct NoMarketData {
  void on_symbol(uint32_t, const Stock&) {}
  void on_event(const book::Event&) noexcept {}
};

class BreakerGateway : public ::testing::Test {
 protected:
  BreakerGateway()
      : shard_(book::BookConfig{.max_orders = 64, .max_levels = 64, .max_symbols = 2}),
        breakers_(2, test_limits()),
        gw_(shard_, stocks_, false, 1, &risk_, out_, md_, &breakers_) {}

  // Sends one message at t; returns the replies it caused.
  std::vector<OuchReply> send(uint64_t t, const std::vector<uint8_t>& msg) {
    out_.got.clear();
    gw_.set_time(t);
    breakers_.poll(t);
    EXPECT_EQ(gw_.on_message(0, ++seq_, msg), DecodeStatus::kOk);
    gw_.flush();
    return out_.got;
  }
  // The reason of a Rejected among the replies, else 'A' for an Accepted, else 0.
  static char first(const std::vector<OuchReply>& replies) {
    for (const OuchReply& r : replies)
      if (r.type == 'J') return r.reason;
    for (const OuchReply& r : replies)
      if (r.type == 'A') return 'A';
    return 0;
  }

  std::vector<Stock> stocks_{Stock::from("AAPL"), Stock::from("MSFT")};
  RiskLimits risk_ = RiskLimits::unlimited();
  book::BookShard shard_;
  CircuitBreakers breakers_;
  Replies out_;
  NoMarketData md_;
  OuchGateway<Replies, NoMarketData> gw_;
  uint64_t seq_ = 0;
};

TEST_F(BreakerGateway, CommandHaltWaitsForTheCommandAndCommandResumeLiftsABandHalt) {
  EXPECT_TRUE(gw_.halt("AAPL", true, kT0));
  EXPECT_EQ(breakers_.reason(0), HaltReason::kCommand);
  EXPECT_EQ(first(send(kT0 + kMs, enter_order("A1", 'B', 10, "AAPL", k100))), 'H');
  EXPECT_EQ(first(send(kT0 + 10'000 * kMs, enter_order("A2", 'B', 10, "AAPL", k100))), 'H');  // no timer
  EXPECT_EQ(first(send(kT0 + 10'000 * kMs, enter_order("M1", 'S', 10, "MSFT", k100))), 'A');
  EXPECT_TRUE(gw_.halt("AAPL", false, kT0 + 10'001 * kMs));
  EXPECT_FALSE(breakers_.halted(0));
  EXPECT_EQ(first(send(kT0 + 10'002 * kMs, enter_order("A3", 'S', 10, "AAPL", k100))), 'A');
  // A band halt, lifted by command before its timer.
  EXPECT_EQ(first(send(kT0 + 10'003 * kMs, enter_order("A4", 'B', 10, "AAPL", k100))), 'A');  // takes A3 at 100
  EXPECT_EQ(first(send(kT0 + 10'004 * kMs, enter_order("A5", 'S', 5, "AAPL", 2 * k100))), 'A');
  EXPECT_EQ(first(send(kT0 + 10'005 * kMs, enter_order("A6", 'B', 5, "AAPL", 2 * k100))), 'A');  // at 200: halt
  EXPECT_EQ(breakers_.reason(0), HaltReason::kPriceBand);
  EXPECT_EQ(first(send(kT0 + 10'006 * kMs, enter_order("A7", 'B', 5, "AAPL", k100))), 'H');
  EXPECT_TRUE(gw_.halt("AAPL", false, kT0 + 10'007 * kMs));
  EXPECT_EQ(first(send(kT0 + 10'008 * kMs, enter_order("A8", 'B', 5, "AAPL", k100))), 'A');
  EXPECT_FALSE(gw_.halt("NOPE", true, kT0));
  const BreakerCounts c = breakers_.counts();
  EXPECT_EQ(c.halts_command, 1u);
  EXPECT_EQ(c.halts_price_band, 1u);
  EXPECT_EQ(c.resumes_command, 2u);
  EXPECT_EQ(c.resumes_timer, 0u);
  EXPECT_EQ(c.rejected_while_halted, 3u);
  EXPECT_EQ(gw_.stats().refused_halted, 3u);
}

TEST_F(BreakerGateway, HaltStateSurvivesASnapshot) {
  EXPECT_TRUE(gw_.halt("MSFT", true, kT0));
  StateWriter w;
  gw_.save(w);
  book::BookShard shard2(shard_.config());
  CircuitBreakers breakers2(2, test_limits());
  Replies out2;
  OuchGateway<Replies, NoMarketData> gw2(shard2, stocks_, false, 1, &risk_, out2, md_, &breakers2);
  StateReader r(w.bytes());
  gw2.load(r);
  EXPECT_TRUE(r.done());
  EXPECT_EQ(breakers2.reason(1), HaltReason::kCommand);
  EXPECT_EQ(breakers2.counts().halts_command, 1u);
}

// Halts, 'H' rejects, timer resumes, command halts and resumes: no heap allocation.
TEST(BreakerGatewayHotPath, AllocatesNothing) {
  struct CountingOut {
    uint64_t packets = 0;
    void on_reply(uint32_t, std::span<const uint8_t>, uint64_t) noexcept { ++packets; }
  } out;
  NoMarketData md;
  const std::vector<Stock> stocks{Stock::from("AAPL"), Stock::from("MSFT")};
  const RiskLimits risk = RiskLimits::unlimited();
  book::BookShard shard(book::BookConfig{.max_orders = 1024, .max_levels = 256, .max_symbols = 2});
  CircuitBreakers breakers(2, test_limits());
  OuchGateway<CountingOut, NoMarketData> gw(shard, stocks, false, 1, &risk, out, md, &breakers);
  // Each round: a trade at 100, then at 120 (halt), a refused order, and 60 ms later an
  // order after the timer resumed the symbol; then a command halt and resume.
  std::vector<std::vector<uint8_t>> msgs;
  for (int round = 0; round < 20; ++round) {
    const std::string r = std::to_string(round);
    msgs.push_back(enter_order("S" + r, 'S', 10, "AAPL", k100));
    msgs.push_back(enter_order("B" + r, 'B', 10, "AAPL", k100));
    msgs.push_back(enter_order("T" + r, 'S', 10, "AAPL", 12 * k100 / 10));
    msgs.push_back(enter_order("U" + r, 'B', 10, "AAPL", 12 * k100 / 10));
    msgs.push_back(enter_order("H" + r, 'B', 10, "AAPL", k100 / 2));
    msgs.push_back(enter_order("R" + r, 'B', 10, "AAPL", k100 / 2));
    msgs.push_back(cancel_order("R" + r));
  }
  uint64_t seq = 0, t = kT0;
  auto send = [&](const std::vector<uint8_t>& m, uint64_t at) {
    gw.set_time(at);
    breakers.poll(at);
    gw.on_message(0, ++seq, m);
    gw.flush();
  };
  const uint64_t before = test_support::heap_allocations();
  for (std::size_t i = 0; i < msgs.size(); i += 7) {
    for (std::size_t k = 0; k < 5; ++k) send(msgs[i + k], t += kMs);
    t += 100 * kMs;  // the timer resumes AAPL
    send(msgs[i + 5], t);
    send(msgs[i + 6], t);
    gw.halt("AAPL", true, t);
    gw.halt("AAPL", false, t);
  }
  EXPECT_EQ(test_support::heap_allocations() - before, 0u);
  const BreakerCounts c = breakers.counts();
  EXPECT_EQ(c.halts_price_band, 20u);
  EXPECT_EQ(c.resumes_timer, 20u);
  EXPECT_EQ(c.rejected_while_halted, 20u);
  EXPECT_EQ(c.halts_command, 20u);
  EXPECT_EQ(c.resumes_command, 20u);
  EXPECT_GT(out.packets, 0u);
}

}  // namespace
}  // namespace tachyon::dataplane
