// Golden and property tests for MoldUDP64: header and block layout from the spec,
// validation errors with offsets, the packetizer, and the sequence tracker against a
// brute-force reference model.
#include "tachyon/dataplane/moldudp64.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <span>
#include <vector>

#include "golden_bytes.h"
#include "tachyon/dataplane/moldudp64_sequence.h"

namespace tachyon::dataplane::mold {
namespace {

using testing::Golden;

const Session kSession = Session::from("TACHYON001");

std::vector<std::vector<uint8_t>> messages_of(const Packet& p) {
  std::vector<std::vector<uint8_t>> out;
  uint64_t expect_seq = p.header.sequence;
  p.for_each([&](uint64_t seq, std::span<const uint8_t> m) {
    EXPECT_EQ(seq, expect_seq++);
    out.emplace_back(m.begin(), m.end());
  });
  return out;
}

TEST(MoldUdp64, ParsesTheSpecLayout) {
  // session(0,10) sequence(10,8) count(18,2), then length(2)+data blocks.
  Golden g(20 + 2 + 3 + 2 + 0 + 2 + 1);
  g.alpha(0, 10, "TACHYON001").num(10, 8, 0x0102030405060708ull).num(18, 2, 3);
  g.num(20, 2, 3).chr(22, 'a').chr(23, 'b').chr(24, 'c');
  g.num(25, 2, 0);  // an empty message is legal
  g.num(27, 2, 1).chr(29, 'z');
  Packet p;
  const ParseResult r = parse(g.span(), p);
  ASSERT_TRUE(r.ok()) << to_string(r.status);
  EXPECT_EQ(p.header.session, kSession);
  EXPECT_EQ(p.header.sequence, 0x0102030405060708ull);
  EXPECT_EQ(p.header.count, 3);
  EXPECT_EQ(p.header.messages(), 3);
  const auto msgs = messages_of(p);
  ASSERT_EQ(msgs.size(), 3u);
  EXPECT_EQ(msgs[0], (std::vector<uint8_t>{'a', 'b', 'c'}));
  EXPECT_TRUE(msgs[1].empty());
  EXPECT_EQ(msgs[2], (std::vector<uint8_t>{'z'}));
}

TEST(MoldUdp64, SameSessionComparesAllTenBytes) {
  const Session a = Session::from("ABCDEFGHIJ");
  EXPECT_TRUE(same_session(a, Session::from("ABCDEFGHIJ")));
  EXPECT_FALSE(same_session(a, Session::from("XBCDEFGHIJ")));  // first of the 8-byte part
  EXPECT_FALSE(same_session(a, Session::from("ABCDEFGXIJ")));  // last of the 8-byte part
  EXPECT_FALSE(same_session(a, Session::from("ABCDEFGHXJ")));  // the 2-byte part
  EXPECT_FALSE(same_session(a, Session::from("ABCDEFGHIX")));
  // Read from the wire in place, as the decoders do.
  std::vector<uint8_t> wire(kHeaderSize, 0);
  write_header(wire.data(), Header{a, 7, 1});
  Header h;
  read_header(wire.data(), h);
  EXPECT_TRUE(same_session(h.session, a));
  EXPECT_EQ(h.sequence, 7u);
  EXPECT_EQ(h.count, 1u);
}

TEST(MoldUdp64, HeartbeatAndEndOfSession) {
  for (const uint16_t count : {uint16_t{0}, uint16_t{0xFFFF}}) {
    Golden g(20);
    g.alpha(0, 10, "TACHYON001").num(10, 8, 42).num(18, 2, count);
    Packet p;
    ASSERT_TRUE(parse(g.span(), p).ok());
    EXPECT_EQ(p.header.heartbeat(), count == 0);
    EXPECT_EQ(p.header.end_of_session(), count == 0xFFFF);
    EXPECT_EQ(p.header.messages(), 0);
    EXPECT_TRUE(messages_of(p).empty());
    // A control packet carries no blocks.
    std::vector<uint8_t> more(g.bytes());
    more.push_back(0);
    const ParseResult r = parse(more, p);
    EXPECT_EQ(r.status, Status::kControlWithPayload);
    EXPECT_EQ(r.offset, 20u);
  }
}

TEST(MoldUdp64, ReportsDamageWithOffsets) {
  Golden g(20 + 2 + 4 + 2 + 2);
  g.alpha(0, 10, "TACHYON001").num(10, 8, 1).num(18, 2, 2);
  g.num(20, 2, 4).alpha(22, 4, "abcd").num(26, 2, 2).alpha(28, 2, "xy");
  const std::vector<uint8_t> good = g.bytes();
  Packet p;
  ASSERT_TRUE(parse(good, p).ok());

  auto cut = [&](std::size_t n) { return parse(std::span<const uint8_t>(good).first(n), p); };
  EXPECT_EQ(cut(19).status, Status::kTruncatedHeader);
  EXPECT_EQ(cut(19).offset, 19u);
  EXPECT_EQ(cut(0).status, Status::kTruncatedHeader);
  EXPECT_EQ(cut(20).status, Status::kTruncatedBlockLength);
  EXPECT_EQ(cut(20).offset, 20u);
  EXPECT_EQ(cut(21).status, Status::kTruncatedBlockLength);
  EXPECT_EQ(cut(25).status, Status::kTruncatedBlock);
  EXPECT_EQ(cut(25).offset, 20u);
  EXPECT_EQ(cut(25).block, 0);
  EXPECT_EQ(cut(27).status, Status::kTruncatedBlockLength);
  EXPECT_EQ(cut(27).offset, 26u);
  EXPECT_EQ(cut(27).block, 1);
  EXPECT_EQ(cut(29).status, Status::kTruncatedBlock);
  EXPECT_EQ(cut(29).offset, 26u);

  std::vector<uint8_t> extra = good;
  extra.push_back(0x55);
  const ParseResult r = parse(extra, p);
  EXPECT_EQ(r.status, Status::kTrailingBytes);
  EXPECT_EQ(r.offset, 30u);
}

TEST(MoldUdp64, RequestPacketLayout) {
  std::vector<uint8_t> out(20);
  ASSERT_EQ(encode_request(kSession, 1000, 25, out), 20u);
  Golden g(20);
  g.alpha(0, 10, "TACHYON001").num(10, 8, 1000).num(18, 2, 25);
  EXPECT_EQ(out, g.bytes());
  EXPECT_EQ(encode_request(kSession, 1, 1, std::span<uint8_t>(out).first(19)), 0u);
}

TEST(MoldUdp64, PacketizerBatchesUpToThePayloadLimit) {
  std::vector<uint8_t> buf(2048);
  Packetizer pk(buf, kSession, 1);  // 1472-byte payloads
  std::vector<std::vector<uint8_t>> sent;
  std::vector<std::vector<uint8_t>> datagrams;
  std::mt19937 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::vector<uint8_t> m(1 + rng() % 50);
    for (auto& b : m) b = static_cast<uint8_t>(rng());
    if (!pk.append(m)) {
      const auto d = pk.flush();
      datagrams.emplace_back(d.begin(), d.end());
      ASSERT_TRUE(pk.append(m));
    }
    sent.push_back(m);
  }
  const auto d = pk.flush();
  datagrams.emplace_back(d.begin(), d.end());
  EXPECT_TRUE(pk.flush().empty());

  std::vector<std::vector<uint8_t>> got;
  uint64_t next = 1;
  for (const auto& dg : datagrams) {
    EXPECT_LE(dg.size(), kDefaultMaxPayload);
    // Full packets leave no room for even a 1-byte message with its prefix... or hold
    // the next message back because it was larger than the room left.
    Packet p;
    ASSERT_TRUE(parse(dg, p).ok());
    EXPECT_EQ(p.header.session, kSession);
    EXPECT_EQ(p.header.sequence, next);
    next += p.header.count;
    for (auto& m : messages_of(p)) got.push_back(std::move(m));
  }
  EXPECT_EQ(got, sent);
  EXPECT_EQ(pk.next_sequence(), 501u);
  EXPECT_GT(datagrams.size(), 5u);
  EXPECT_LT(datagrams.size(), 20u);
}

TEST(MoldUdp64, PacketizerReserveAndControlPackets) {
  std::vector<uint8_t> buf(64);
  Packetizer pk(buf, kSession, 7, 40);  // room for 20 bytes of blocks
  uint8_t* p = pk.reserve(10);
  ASSERT_NE(p, nullptr);
  for (int i = 0; i < 10; ++i) p[i] = static_cast<uint8_t>(i);
  EXPECT_EQ(pk.reserve(9), nullptr);  // 12 + 2 + 9 > 20
  ASSERT_NE(pk.reserve(6), nullptr);  // exactly fills the limit
  pk.unreserve(6);
  EXPECT_EQ(pk.pending(), 1);
  EXPECT_TRUE(pk.heartbeat().empty());  // only between packets
  const auto d = pk.flush();
  Golden g(20 + 2 + 10);
  g.alpha(0, 10, "TACHYON001").num(10, 8, 7).num(18, 2, 1).num(20, 2, 10);
  for (int i = 0; i < 10; ++i) g.num(22 + i, 1, i);
  EXPECT_EQ(std::vector<uint8_t>(d.begin(), d.end()), g.bytes());

  const auto hb = pk.heartbeat();
  Golden h(20);
  h.alpha(0, 10, "TACHYON001").num(10, 8, 8).num(18, 2, 0);
  EXPECT_EQ(std::vector<uint8_t>(hb.begin(), hb.end()), h.bytes());
  const auto eos = pk.end_of_session();
  Golden e(20);
  e.alpha(0, 10, "TACHYON001").num(10, 8, 8).num(18, 2, 0xFFFF);
  EXPECT_EQ(std::vector<uint8_t>(eos.begin(), eos.end()), e.bytes());
  // A message larger than an empty packet can hold never fits.
  EXPECT_FALSE(pk.fits(19));
  EXPECT_TRUE(pk.fits(18));
}

Header hdr(uint64_t seq, uint16_t count, const Session& s = kSession) { return Header{s, seq, count}; }

TEST(MoldSequence, InOrderGapDuplicateAndLate) {
  SequenceTracker t;
  EXPECT_EQ(t.on_packet(hdr(1, 3)).verdict, Verdict::kInOrder);  // 1..3
  EXPECT_EQ(t.expected(), 4u);
  Delivery d = t.on_packet(hdr(10, 2));  // gap 4..9
  EXPECT_EQ(d.verdict, Verdict::kGap);
  EXPECT_EQ(d.skip, 0);
  EXPECT_EQ(t.expected(), 12u);
  EXPECT_EQ(t.gaps().events, 1u);
  EXPECT_EQ(t.gaps().messages, 6u);
  EXPECT_EQ(t.gaps().first, (SeqRange{4, 9}));
  ASSERT_EQ(t.open_gaps().size(), 1u);

  d = t.on_packet(hdr(10, 2));  // duplicate
  EXPECT_EQ(d.verdict, Verdict::kDuplicate);
  EXPECT_EQ(d.skip, 2);
  EXPECT_EQ(t.duplicates().first, (SeqRange{10, 11}));

  d = t.on_packet(hdr(11, 3));  // 11 seen, 12..13 new
  EXPECT_EQ(d.verdict, Verdict::kPartialDuplicate);
  EXPECT_EQ(d.skip, 1);
  EXPECT_EQ(t.expected(), 14u);
  EXPECT_EQ(t.duplicates().last, (SeqRange{11, 11}));
  EXPECT_EQ(t.duplicates().messages, 3u);

  d = t.on_packet(hdr(6, 2));  // fills the middle of the 4..9 gap
  EXPECT_EQ(d.verdict, Verdict::kLate);
  EXPECT_EQ(d.skip, 2);
  EXPECT_EQ(t.out_of_order().first, (SeqRange{6, 7}));
  ASSERT_EQ(t.open_gaps().size(), 2u);
  EXPECT_EQ(t.open_gaps()[0], (SeqRange{4, 5}));
  EXPECT_EQ(t.open_gaps()[1], (SeqRange{8, 9}));

  d = t.on_packet(hdr(3, 4));  // 3 duplicate, 4..5 late, 6 duplicate (already late-filled)
  EXPECT_EQ(d.verdict, Verdict::kLate);
  EXPECT_EQ(t.out_of_order().last, (SeqRange{4, 5}));
  EXPECT_EQ(t.out_of_order().messages, 4u);
  EXPECT_EQ(t.duplicates().last, (SeqRange{3, 6}));
  ASSERT_EQ(t.open_gaps().size(), 1u);
  EXPECT_EQ(t.open_gaps()[0], (SeqRange{8, 9}));
  EXPECT_EQ(t.delivered(), 3u + 2 + 2);
  const std::string text = describe(t);
  EXPECT_NE(text.find("session 'TACHYON001': 6 packets, 7 messages delivered, next expected 14"), std::string::npos)
      << text;
  EXPECT_NE(text.find("gaps: 1 packets, 6 messages, first 4-9, last 4-9"), std::string::npos) << text;
  EXPECT_NE(text.find("out of order: 2 packets, 4 messages, first 6-7, last 4-5"), std::string::npos) << text;
}

TEST(MoldSequence, ControlPacketsSessionsAndOverflow) {
  SequenceTracker t;
  EXPECT_EQ(t.on_packet(hdr(1, 0)).verdict, Verdict::kHeartbeat);
  EXPECT_EQ(t.gaps().events, 0u);
  EXPECT_EQ(t.on_packet(hdr(5, 0)).verdict, Verdict::kHeartbeat);  // messages 1..4 were lost
  EXPECT_EQ(t.gaps().first, (SeqRange{1, 4}));
  EXPECT_EQ(t.expected(), 5u);
  EXPECT_EQ(t.on_packet(hdr(3, 0)).verdict, Verdict::kHeartbeat);  // stale: no change
  EXPECT_EQ(t.expected(), 5u);

  const Delivery other = t.on_packet(hdr(5, 2, Session::from("OTHER")));
  EXPECT_EQ(other.verdict, Verdict::kWrongSession);
  EXPECT_EQ(other.skip, 2);
  EXPECT_EQ(t.wrong_session(), 1u);
  EXPECT_EQ(t.expected(), 5u);

  const Delivery bad = t.on_packet(hdr(UINT64_MAX - 1, 2));
  EXPECT_EQ(bad.verdict, Verdict::kInvalid);
  EXPECT_EQ(bad.skip, 2);
  EXPECT_EQ(t.invalid(), 1u);
  EXPECT_EQ(t.on_packet(hdr(UINT64_MAX - 1, 1)).verdict, Verdict::kGap);
  EXPECT_EQ(t.expected(), UINT64_MAX);

  EXPECT_FALSE(t.ended());
  EXPECT_EQ(t.on_packet(hdr(0, 0xFFFF)).verdict, Verdict::kEndOfSession);
  EXPECT_TRUE(t.ended());
}

TEST(MoldSequence, ForgetsTheOldestGapBeyondCapacity) {
  SequenceTracker t;
  uint64_t s = 1;
  for (std::size_t i = 0; i < SequenceTracker::kMaxOpenGaps + 3; ++i) {
    t.on_packet(hdr(s, 1));
    s += 3;  // leaves a 2-message gap each time
  }
  EXPECT_EQ(t.open_gaps().size(), SequenceTracker::kMaxOpenGaps);
  EXPECT_EQ(t.forgotten_gaps(), 2u);
  EXPECT_EQ(t.gaps().events, SequenceTracker::kMaxOpenGaps + 2);
  EXPECT_EQ(t.gaps().first, (SeqRange{2, 3}));
  // The first gap is forgotten: its messages now count as duplicates.
  EXPECT_EQ(t.on_packet(hdr(2, 2)).verdict, Verdict::kDuplicate);
  // The third gap (8..9) is still open.
  EXPECT_EQ(t.on_packet(hdr(8, 2)).verdict, Verdict::kLate);
}

// Reference model: sets of seen and missing sequence numbers (small ranges only).
struct Model {
  uint64_t expected = 1;
  std::set<uint64_t> missing;
  uint64_t delivered = 0, dups = 0, late = 0, gap_msgs = 0;
  uint16_t on(uint64_t s, uint16_t c) {
    uint16_t skip = 0;
    for (uint64_t q = s; q < s + c; ++q) {
      if (q >= expected) {
        for (uint64_t m = expected; m < q; ++m) missing.insert(m), ++gap_msgs;
        expected = q + 1;
        ++delivered;
      } else {
        ++skip;
        if (missing.erase(q)) ++late; else ++dups;
      }
    }
    return skip;
  }
};

TEST(MoldSequence, MatchesAReferenceModelOnShuffledStreams) {
  std::mt19937_64 rng(99);
  uint64_t total_late = 0, total_dups = 0, total_gaps = 0;
  for (int round = 0; round < 200; ++round) {
    // Packets covering 1..N in random sizes, then reordered, duplicated and dropped.
    std::vector<std::pair<uint64_t, uint16_t>> pkts;
    for (uint64_t s = 1; s < 150;) {
      const uint16_t c = static_cast<uint16_t>(1 + rng() % 5);
      pkts.emplace_back(s, c);
      s += c;
    }
    std::vector<std::pair<uint64_t, uint16_t>> feed;
    for (std::size_t i = 0; i < pkts.size(); ++i) {
      const uint64_t r = rng() % 20;
      if (r == 0) continue;                                      // dropped
      if (r == 1 && i > 0) std::swap(pkts[i], pkts[i - 1]);      // reordered
      feed.push_back(pkts[i]);
      if (r == 2) feed.push_back(pkts[i]);                      // duplicated
      if (r == 3 && i > 3) feed.push_back(pkts[i - 3]);         // late duplicate
    }
    SequenceTracker t;
    Model m;
    for (const auto& [s, c] : feed) {
      const uint16_t skip = m.on(s, c);
      const Delivery d = t.on_packet(hdr(s, c));
      ASSERT_EQ(d.skip, skip) << "round " << round << " seq " << s;
    }
    // Open gaps never exceed capacity here, so the counts match the model exactly.
    ASSERT_EQ(t.forgotten_gaps(), 0u);
    EXPECT_EQ(t.expected(), m.expected);
    EXPECT_EQ(t.delivered(), m.delivered);
    EXPECT_EQ(t.out_of_order().messages, m.late);
    EXPECT_EQ(t.duplicates().messages, m.dups);
    EXPECT_EQ(t.gaps().messages, m.gap_msgs);
    uint64_t open = 0;
    for (const SeqRange& g : t.open_gaps()) open += g.size();
    EXPECT_EQ(open, m.missing.size());
    total_late += m.late;
    total_dups += m.dups;
    total_gaps += m.gap_msgs;
  }
  // The streams did exercise every case.
  EXPECT_GT(total_late, 100u);
  EXPECT_GT(total_dups, 100u);
  EXPECT_GT(total_gaps, 100u);
}

}  // namespace
}  // namespace tachyon::dataplane::mold
