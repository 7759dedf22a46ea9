// Packet hand-off in the dispatch shape: over a port that keeps its frames until they
// are released, the dispatch core hands each datagram to its shards whole. The books
// match the single-core replay for 1 and 2 shard cores, with roomy and with tiny
// blocking rings; every frame is freed exactly once, and only after the shards are
// done with it (the port overwrites a frame when it is freed, so a late read would
// change the books); the record path on the same port gives the same books; a stalled
// shard behind a tiny drop ring loses whole datagrams, each message counted as a gap.
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <vector>

#include "feed_capture.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/dataplane/feed_pipeline.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/packet_decoder.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/shard_pipeline.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::dataplane {
namespace {

using testing::expect_same_books;

// The capture every test here replays, with its single-core reference.
const testing::FeedCapture& capture() {
  static testing::FeedCapture c("packet-handoff", 30'000, 5);
  return c;
}

// A capture's frames, each in its own buffer, kept until release(), which overwrites
// the frame and counts it. Used by one core (the dispatch core) at a time.
class HoldingPort {
 public:
  static constexpr bool kHoldsRx = true;

  explicit HoldingPort(const std::string& path, uint32_t lendable = nic::NicPort::kUnbounded)
      : lendable_(lendable) {
    nic::PcapReader r(path);
    nic::CapturedPacket p;
    while (r.next(p) == nic::ReadStatus::kPacket) frames_.emplace_back(p.data.begin(), p.data.end());
    released_.assign(frames_.size(), 0);
  }
  std::size_t rx_burst(uint16_t, std::span<nic::RxPacket> out) noexcept {
    std::size_t k = 0;
    const uint64_t tsc = rdtsc();
    while (k < out.size() && k < nic::kBurstSize && next_ < frames_.size()) {
      nic::RxPacket& p = out[k++];
      p = nic::RxPacket{};
      p.data = frames_[next_].data();
      p.length = static_cast<uint32_t>(frames_[next_].size());
      p.rx_tsc = tsc;
      p.handle = next_++;
    }
    outstanding_ += k;
    if (outstanding_ > max_outstanding_) max_outstanding_ = outstanding_;
    return k;
  }
  void release(uint16_t, std::span<const nic::RxPacket> done) noexcept {
    outstanding_ -= done.size();
    for (const nic::RxPacket& p : done) {
      if (released_[p.handle]++ != 0) ++double_releases_;
      std::memset(frames_[p.handle].data(), 0xA5, frames_[p.handle].size());
    }
  }
  std::size_t tx_burst(uint16_t, std::span<const nic::TxPacket> pkts) noexcept { return pkts.size(); }
  void flush_tx(uint16_t) noexcept {}
  bool at_end() const noexcept { return next_ == frames_.size(); }
  nic::PortStats stats() const {
    nic::PortStats s;
    s.rx_packets = next_;
    return s;
  }
  uint32_t rx_lendable() const noexcept { return lendable_; }
  uint16_t rx_queues() const noexcept { return 1; }
  uint16_t tx_queues() const noexcept { return 1; }

  std::size_t frames() const noexcept { return frames_.size(); }
  std::size_t released_once() const noexcept {
    std::size_t n = 0;
    for (const uint8_t r : released_) n += r == 1 ? 1 : 0;
    return n;
  }
  uint64_t double_releases() const noexcept { return double_releases_; }
  // The most frames received and not yet released at any time.
  std::size_t max_outstanding() const noexcept { return max_outstanding_; }

 private:
  std::vector<std::vector<uint8_t>> frames_;
  std::vector<uint8_t> released_;
  std::size_t next_ = 0;
  uint64_t double_releases_ = 0;
  uint32_t lendable_;
  std::size_t outstanding_ = 0, max_outstanding_ = 0;
};

FeedPipelineResult run(HoldingPort*& raw, uint32_t shards, bool handoff, uint32_t ring) {
  auto port = std::make_unique<HoldingPort>(capture().path);
  raw = port.get();
  nic::NicPort np(std::move(port));
  FeedPipelineOptions o;
  o.book = testing::small_books();
  o.pipeline.shards = shards;
  o.pipeline.packet_handoff = handoff;
  o.pipeline.packet_ring_capacity = ring;
  o.pipeline.idle_yield_after = 64;  // CI runs this on 2 shared CPUs
  FeedPipelineResult r = run_feed_pipeline(np, o);
  EXPECT_EQ(raw->released_once(), raw->frames());
  EXPECT_EQ(raw->double_releases(), 0u);
  return r;
}

TEST(PacketHandoff, OneAndTwoShardCoresMatchTheSingleCoreReplayAndFreeEveryFrameOnce) {
  const testing::FeedCapture& c = capture();
  ASSERT_GT(c.single.messages, 20'000u);
  for (const uint32_t shards : {1u, 2u}) {
    HoldingPort* port = nullptr;
    const FeedPipelineResult r = run(port, shards, true, 1024);
    expect_same_books(r, c.single);
    EXPECT_TRUE(r.report.packet_handoff);
    ASSERT_EQ(r.report.rings.size(), 2u * shards);  // one packet ring in, one output ring per shard
    EXPECT_TRUE(r.report.rings[0].packets);
    EXPECT_EQ(r.report.rings[0].name, "dispatch->shard0 packets");
    EXPECT_EQ(r.report.rings[0].counts.taken, r.report.rings[0].counts.queued);
    uint64_t stamped = 0;
    for (const ShardCoreReport& s : r.report.shards) {
      EXPECT_GT(s.messages, 0u);
      stamped += s.rx_to_book->count();
    }
    EXPECT_EQ(stamped, c.single.messages);
    EXPECT_NE(r.report.describe().find("dispatch, packet hand-off"), std::string::npos) << r.report.describe();
  }
}

TEST(PacketHandoff, TinyBlockingRingsAndHoldListLoseNothing) {
  HoldingPort* port = nullptr;
  const FeedPipelineResult r = run(port, 2, true, 4);
  expect_same_books(r, capture().single);
  uint64_t blocked = 0;
  for (const RingReport& rr : r.report.rings) blocked += rr.counts.blocked;
  EXPECT_GT(blocked, 0u) << "four-slot rings were meant to fill";
}

TEST(PacketHandoff, APortThatLendsFewFramesShrinksTheHoldListAndNeverRunsDry) {
  // 100 frames lent: the hold list keeps at most 64 (100 less one 32-frame rx burst,
  // rounded down to a power of two), and held plus in-flight frames stay within 100.
  auto owned = std::make_unique<HoldingPort>(capture().path, 100);
  HoldingPort* raw = owned.get();
  nic::NicPort np(std::move(owned));
  FeedPipelineOptions o;
  o.book = testing::small_books();
  o.pipeline.shards = 2;
  o.pipeline.packet_handoff = true;
  o.pipeline.idle_yield_after = 64;
  const FeedPipelineResult r = run_feed_pipeline(np, o);
  expect_same_books(r, capture().single);
  EXPECT_EQ(r.report.hold_capacity, 64u);
  EXPECT_LE(raw->max_outstanding(), 100u);
  EXPECT_EQ(raw->released_once(), raw->frames());
  ASSERT_EQ(r.report.notes.size(), 1u);
  EXPECT_EQ(r.report.notes[0], "packet hand-off: the dispatch core holds at most 64 frames, as the port lends 100 "
                               "receive buffers (a larger pool, e.g. nic.mbufs, lends more)");
  EXPECT_EQ(packet_hold_capacity(2, 1024), 4096u);
  EXPECT_EQ(packet_hold_capacity(2, 1024, 0), 32u);  // never below one burst
  EXPECT_EQ(packet_hold_capacity(1, 16, 6655), 32u);
}

TEST(PacketHandoff, TheRecordPathOnTheSamePortGivesTheSameBooks) {
  HoldingPort* port = nullptr;
  const FeedPipelineResult r = run(port, 2, false, 1024);
  expect_same_books(r, capture().single);
  EXPECT_FALSE(r.report.packet_handoff);
  EXPECT_EQ(r.report.rings[0].name, "dispatch->shard0");
  EXPECT_FALSE(r.report.rings[0].packets);
}

TEST(PacketHandoff, StalledShardWithATinyDropRingCountsEveryLostMessageAsAGap) {
  auto owned = std::make_unique<HoldingPort>(capture().path);
  HoldingPort* raw = owned.get();
  nic::NicPort port(std::move(owned));
  PipelineOptions o;
  o.packet_handoff = true;
  o.packet_ring_capacity = 4;
  o.policy = BackpressurePolicy::kDrop;
  const testing::GatedRun g = testing::run_gated(port, o);
  ASSERT_TRUE(g.packet_handoff);
  const PipelineReport& r = g.report;
  const uint64_t handled = g.handled;
  const RingCounts rc = r.rings[0].counts;
  EXPECT_EQ(r.decoded.messages, capture().single.messages);
  EXPECT_GT(rc.dropped, r.decoded.packets / 2);  // whole datagrams
  EXPECT_EQ(r.hold_full, 0u);  // with one shard the ring fills before the hold list
  // Nothing lost without a count: every decoded message was handled or reported lost.
  EXPECT_EQ(handled + r.dropped.messages, r.decoded.messages);
  EXPECT_EQ(r.lost_to_backpressure(), r.dropped.messages);
  EXPECT_EQ(r.shards[0].messages, handled);
  EXPECT_EQ(raw->released_once(), raw->frames());
  EXPECT_EQ(raw->double_releases(), 0u);
}

TEST(PacketHandoff, PacketRefWalksTheNewMessagesOfADatagram) {
  std::vector<uint8_t> buf(mold::kDefaultMaxPayload);
  mold::Packetizer pk(buf, mold::Session::from("S"), 7);
  const std::vector<std::vector<uint8_t>> msgs = {{'A', 1, 2}, {'B'}, {'C', 3, 4, 5, 6}};
  for (const auto& m : msgs) ASSERT_TRUE(pk.append(m));
  const std::span<const uint8_t> d = pk.flush();
  mold::Packet p;
  ASSERT_TRUE(mold::parse(d, p).ok());
  PacketRef ref;
  ref.blocks = p.blocks.data() + 2 + msgs[0].size();  // the first message is a duplicate
  ref.messages = 2;
  std::vector<std::vector<uint8_t>> seen;
  ref.for_each([&](std::span<const uint8_t> m) { seen.emplace_back(m.begin(), m.end()); });
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], msgs[1]);
  EXPECT_EQ(seen[1], msgs[2]);
}

// A frame carrying messages first..first+count-1 of session "S", message i being {i}.
std::vector<uint8_t> frame_of(uint64_t first, uint8_t count) {
  std::vector<uint8_t> buf(mold::kDefaultMaxPayload);
  mold::Packetizer pk(buf, mold::Session::from("S"), first);
  for (uint8_t i = 0; i < count; ++i) {
    const uint8_t m[1] = {static_cast<uint8_t>(first + i)};
    EXPECT_TRUE(pk.append(m));
  }
  const std::span<const uint8_t> d = pk.flush();
  nic::UdpFrameBuilder b{nic::UdpFlow{}};
  std::vector<uint8_t> f(b.frame_size(d.size()));
  b.build(f, d, 1);
  return f;
}

TEST(PacketHandoff, DecodePacketSkipsWhatWasAlreadyDeliveredAndCountsTheRest) {
  PacketDecoder dec;
  std::vector<std::pair<uint16_t, uint16_t>> calls;  // (skip, messages in the datagram)
  std::vector<uint8_t> seen;
  const auto feed = [&](const std::vector<uint8_t>& f) {
    nic::RxPacket pkt;
    pkt.data = f.data();
    pkt.length = static_cast<uint32_t>(f.size());
    dec.decode_packet(pkt, [&](const mold::Packet& p, uint16_t skip, uint8_t si) noexcept {
      EXPECT_EQ(si, 0);
      calls.emplace_back(skip, p.header.messages());
      uint16_t i = 0;
      p.for_each([&](uint64_t, std::span<const uint8_t> m) {
        if (i++ >= skip) seen.push_back(m[0]);
      });
    });
  };
  feed(frame_of(1, 3));  // 1..3
  feed(frame_of(2, 4));  // 2..5: 2 and 3 again
  feed(frame_of(1, 2));  // all duplicates: no call
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], (std::pair<uint16_t, uint16_t>{0, 3}));
  EXPECT_EQ(calls[1], (std::pair<uint16_t, uint16_t>{2, 4}));
  EXPECT_EQ(seen, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(dec.counts().messages, 5u);
  EXPECT_EQ(dec.counts().packets, 3u);
  EXPECT_EQ(dec.tracker(0).duplicates().messages, 4u);
}

}  // namespace
}  // namespace tachyon::dataplane
