// Match mode on two cores (ReplayOptions::match_cores): a gateway core hands every OUCH
// message to the matching core over the input ring. With room to spare it must answer
// exactly as one core does; a full ring refuses new orders and replaces with OUCH
// Rejected 'O' (engine busy) under the reject policy, never cancels, and counts it all.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "ouch_capture.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/dataplane/replay.h"

namespace tachyon::dataplane {
namespace {

using testing::cancel_order;
using testing::enter_order;
using testing::kMs;
using testing::kT0;
using testing::OuchReply;
using testing::read_replies;
using testing::replace_order;

constexpr int64_t k100 = 1'000'000;  // 100.0000 in Price(4)

std::string temp_path(const std::string& name) {
  return std::string(::testing::TempDir()) + "match_cores_test_" + std::to_string(::getpid()) + "_" + name;
}

std::vector<char> file_bytes(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// The tokens of every Enter Order in an order-entry capture.
std::vector<std::string> enter_tokens(const std::string& path) {
  std::vector<std::string> out;
  nic::PcapReader reader(path);
  nic::CapturedPacket pkt;
  while (reader.next(pkt) == nic::ReadStatus::kPacket) {
    nic::UdpFrame f;
    mold::Packet p;
    if (nic::decode_udp_frame(pkt.data, f) != nic::FrameError::kOk || !mold::parse(f.payload, p).ok()) continue;
    p.for_each([&](uint64_t, std::span<const uint8_t> msg) {
      ouch::EnterOrder e;
      if (!msg.empty() && msg[0] == 'O' && ouch::decode_message(msg, e) == DecodeStatus::kOk)
        out.emplace_back(e.token.trimmed());
    });
  }
  return out;
}

// Writes the generator's order-entry flow of `clients` sessions to path.
bench::CaptureInfo generate(const std::string& path, uint64_t messages, uint32_t clients, uint64_t seed) {
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kMatch;
  cfg.messages = messages;
  cfg.symbols = 3;
  cfg.clients = clients;
  cfg.seed = seed;
  return bench::generate_capture(cfg, path);
}

ReplayOptions match_options(const std::string& in, const std::string& out) {
  ReplayOptions o;
  o.mode = ReplayMode::kMatch;
  o.input = in;
  o.out_path = out;
  o.book.max_orders = 1u << 16;
  o.book.max_levels = 1u << 12;
  o.book.max_symbols = 8;
  return o;
}

// One client's generated flow: the two-core shape must give the same replies, market
// data, books and counts, byte for byte. (With one client nothing may overtake: a
// cancel or replace takes the priority lane only once every earlier message of its
// client was taken.) Under block and under reject with a ring large enough that
// nothing is refused.
TEST(MatchCores, OneClientGetsTheSameRepliesAndBooksAsOneCore) {
  const std::string in = temp_path("one_client.pcap");
  const bench::CaptureInfo info = generate(in, 30'000, 1, 11);
  ASSERT_GT(info.messages, 10'000u);

  ReplayOptions one = match_options(in, temp_path("one.pcap"));
  one.symbols = info.symbols;
  const ReplaySummary a = replay(one);
  ASSERT_GT(a.trades, 0u);
  ASSERT_GT(a.canceled, 0u);
  EXPECT_FALSE(a.match_split);

  for (const BackpressurePolicy policy : {BackpressurePolicy::kBlock, BackpressurePolicy::kReject}) {
    SCOPED_TRACE(to_string(policy));
    ReplayOptions two = match_options(in, temp_path("two.pcap"));
    two.symbols = info.symbols;
    two.match_cores.split = true;
    two.match_cores.policy = policy;
    two.match_cores.capacity = 1u << 16;  // more than the capture: never full
    const ReplaySummary b = replay(two);
    EXPECT_TRUE(b.match_split);
    EXPECT_EQ(b.messages, a.messages);
    EXPECT_EQ(b.packets, a.packets);
    EXPECT_EQ(b.by_type, a.by_type);
    EXPECT_EQ(b.book_hash, a.book_hash);
    EXPECT_EQ(b.shard_hash, a.shard_hash);
    EXPECT_EQ(b.positions_hash, a.positions_hash);
    EXPECT_EQ(b.accepted, a.accepted);
    EXPECT_EQ(b.executed, a.executed);
    EXPECT_EQ(b.canceled, a.canceled);
    EXPECT_EQ(b.replaced, a.replaced);
    EXPECT_EQ(b.rejected, a.rejected);
    EXPECT_EQ(b.out_packets, a.out_packets);
    EXPECT_EQ(b.refused_busy, 0u);
    EXPECT_EQ(b.input_ring.queued, a.messages);
    EXPECT_EQ(b.input_ring.taken, a.messages);
    EXPECT_EQ(b.input_ring.lost(), 0u);
    EXPECT_EQ(b.latency->count(), a.messages);
    EXPECT_TRUE(file_bytes(one.out_path) == file_bytes(two.out_path)) << "--out differs from one core's";
    std::remove(two.out_path.c_str());
  }
  std::remove(one.out_path.c_str());
  std::remove(in.c_str());
}

// The normal lane holds 8 records and the matching core takes nothing until the
// gateway core has to wait. Twelve new orders: the first 8 are queued, the other 4
// are refused; a replace behind them is refused too (its order is not taken yet, so
// it has no priority); the cancel after it is never refused, so the gateway waits for
// room, which starts the matching core. The refusals ride the priority lane, so they
// are answered first: Rejected 'O' for T8..T11 and for the replacement token, then
// Accepted for T0..T7, then T1's Canceled. Exact counts, every time.
TEST(MatchCores, AFullRingRefusesNewOrdersAndReplacesBusyAndNeverACancel) {
  const std::string in = temp_path("burst.pcap");
  {
    testing::OuchCapture c(in);
    for (int i = 0; i < 12; ++i)
      c.send(kT0 + static_cast<uint64_t>(i) * kMs, enter_order("T" + std::to_string(i), 'B', 10, "AAPL", k100 - i));
    c.send(kT0 + 12 * kMs, replace_order("T0", "R0", 5, k100));
    c.send(kT0 + 13 * kMs, cancel_order("T1"));
    c.close();
  }
  ReplayOptions o = match_options(in, temp_path("burst_out.pcap"));
  o.symbols = {"AAPL"};
  o.match_cores.split = true;
  o.match_cores.policy = BackpressurePolicy::kReject;
  o.match_cores.capacity = 8;
  o.match_cores.priority_capacity = 64;
  o.match_cores.hold_until_input_ends = true;
  const ReplaySummary s = replay(o);

  EXPECT_EQ(s.messages, 14u);
  EXPECT_EQ(s.refused_busy, 5u);
  EXPECT_EQ(s.rejected, 5u);
  EXPECT_EQ(s.accepted, 8u);
  EXPECT_EQ(s.canceled, 1u);
  EXPECT_EQ(s.live_orders, 7u);
  EXPECT_EQ(s.input_ring.rejected, 5u);  // refused pushes
  EXPECT_EQ(s.input_ring.queued, 14u);   // 8 orders + 5 refusals + the cancel
  EXPECT_EQ(s.input_ring.blocked, 1u);   // the cancel waited for room
  EXPECT_EQ(s.input_ring.taken, 14u);
  EXPECT_EQ(s.malformed.count, 0u);

  const std::vector<OuchReply> r = read_replies(o.out_path);
  std::vector<std::string> got;
  for (const OuchReply& x : r) got.push_back(std::string(1, x.type) + ":" + x.token + (x.reason ? std::string(1, x.reason) : ""));
  const std::vector<std::string> want = {"J:T8O", "J:T9O", "J:T10O", "J:T11O", "J:R0O", "A:T0", "A:T1", "A:T2",
                                         "A:T3",  "A:T4", "A:T5",   "A:T6",   "A:T7", "C:T1U"};
  EXPECT_EQ(got, want);
  std::remove(o.out_path.c_str());
  std::remove(in.c_str());
}

// Four clients through a small ring and a slow matching core under reject: whatever
// the timing, every new order is answered exactly once (Accepted or Rejected), each
// refusal is one Rejected 'O' on the wire, and every message is counted once.
TEST(MatchCores, UnderLoadEveryOrderIsAnsweredAndEveryRefusalCounted) {
  const std::string in = temp_path("four.pcap");
  const bench::CaptureInfo info = generate(in, 60'000, 4, 5);
  ReplayOptions o = match_options(in, temp_path("four_out.pcap"));
  o.symbols = info.symbols;
  o.match_cores.split = true;
  o.match_cores.policy = BackpressurePolicy::kReject;
  o.match_cores.capacity = 16;
  o.match_cores.priority_capacity = 16;
  o.slow_ns_per_message = 2'000;  // a slow matching core: the ring fills
  const ReplaySummary s = replay(o);

  EXPECT_EQ(s.messages, info.messages);
  EXPECT_GT(s.refused_busy, 0u);
  EXPECT_EQ(s.input_ring.rejected, s.refused_busy);
  EXPECT_EQ(s.input_ring.queued, s.messages);  // each message once: as itself or as its refusal
  EXPECT_EQ(s.input_ring.taken, s.messages);
  // Every Enter Order's token gets exactly one answer: Accepted or Rejected.
  std::map<std::string, int> answers;
  for (const std::string& t : enter_tokens(in)) answers[t] = 0;
  ASSERT_EQ(answers.size(), s.by_type['O']);
  uint64_t busy = 0;
  for (const OuchReply& x : read_replies(o.out_path)) {
    busy += x.type == 'J' && x.reason == 'O' ? 1 : 0;
    if (x.type != 'A' && x.type != 'J') continue;
    if (auto it = answers.find(x.token); it != answers.end()) ++it->second;
  }
  EXPECT_EQ(busy, s.refused_busy);
  EXPECT_EQ(s.rejected, s.refused_busy);  // nothing else refuses in this flow
  for (const auto& [token, n] : answers) ASSERT_EQ(n, 1) << token;
  std::remove(o.out_path.c_str());
  std::remove(in.c_str());
}

}  // namespace
}  // namespace tachyon::dataplane
