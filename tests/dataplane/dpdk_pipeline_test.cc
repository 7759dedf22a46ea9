// The shard pipeline over DPDK net_ring ports (rte_eth_from_rings: the test feeds the
// rx rings and reads the tx rings): 1 dispatch + 2 shard cores on one queue, and 2
// direct cores on two queues (the capture split into two MoldUDP64 streams by stock
// locate, as two multicast groups would be), each giving the single-core replay's
// books; and the tx path (handler output -> MoldUDP64 -> frames -> tx burst) carrying
// every emitted message. One EAL for the binary.
#if defined(TACHYON_HAVE_DPDK)  // built without DPDK: no DPDK tests
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_eth_ring.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "../nic/dpdk_test_env.h"
#include "feed_capture.h"
#include "tachyon/dataplane/feed_pipeline.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/shard_pipeline.h"
#include "tachyon/nic/dpdk_mempool.h"
#include "tachyon/nic/dpdk_port.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace tachyon::dataplane {
namespace {

using nic::test::dpdk_fixture;

const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new nic::test::DpdkEnvironment);

book::BookConfig books() { return testing::small_books(); }

const ReplaySummary& single_core() {
  static const ReplaySummary s = [] {
    ReplayOptions o;
    o.mode = ReplayMode::kFeed;
    o.input = dpdk_fixture()->capture.path();
    o.book = books();
    return replay(o);
  }();
  return s;
}

// A net_ring port over rings the test owns: rx[q] feeds rx queue q, tx[q] receives
// tx queue q.
struct RingPort {
  std::vector<rte_ring*> rx, tx;
  uint16_t port_id = 0;
  RingPort(const std::string& name, uint16_t queues) {
    for (uint16_t q = 0; q < queues; ++q) {
      rx.push_back(rte_ring_create((name + "_rx" + std::to_string(q)).c_str(), 1024, 0, RING_F_SP_ENQ | RING_F_SC_DEQ));
      tx.push_back(rte_ring_create((name + "_tx" + std::to_string(q)).c_str(), 4096, 0, RING_F_SP_ENQ | RING_F_SC_DEQ));
    }
    const int id = rte_eth_from_rings(name.c_str(), rx.data(), queues, tx.data(), queues, 0);
    EXPECT_GE(id, 0) << "rte_eth_from_rings";
    port_id = static_cast<uint16_t>(id);
  }
  ~RingPort() {
    for (rte_ring* r : rx) rte_ring_free(r);
    for (rte_ring* r : tx) {
      void* m;
      while (rte_ring_dequeue(r, &m) == 0) rte_pktmbuf_free(static_cast<rte_mbuf*>(m));
      rte_ring_free(r);
    }
  }
};

// Copies frames into mbufs and enqueues them on ring, waiting while it is full.
void feed(nic::DpdkMempool& pool, rte_ring* ring, const std::vector<std::vector<uint8_t>>& frames) {
  for (const auto& f : frames) {
    rte_mbuf* m = nullptr;
    while ((m = rte_pktmbuf_alloc(pool.get())) == nullptr) std::this_thread::yield();
    std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(f.size())), f.data(), f.size());
    while (rte_ring_enqueue(ring, m) != 0) std::this_thread::yield();
  }
  while (!rte_ring_empty(ring)) std::this_thread::yield();
}

std::vector<std::vector<uint8_t>> capture_frames() {
  std::vector<std::vector<uint8_t>> out;
  nic::PcapReader r(dpdk_fixture()->capture.path());
  nic::CapturedPacket p;
  while (r.next(p) == nic::ReadStatus::kPacket) out.emplace_back(p.data.begin(), p.data.end());
  return out;
}

// Splits the capture's messages into per-queue MoldUDP64 streams by stock locate
// (locate 0 and even locates on queue 0), as a venue's two multicast groups would.
std::vector<std::vector<std::vector<uint8_t>>> split_by_locate(uint16_t queues) {
  std::vector<std::vector<std::vector<uint8_t>>> out(queues);
  std::vector<std::vector<uint8_t>> buf(queues, std::vector<uint8_t>(mold::kDefaultMaxPayload));
  std::vector<mold::Packetizer> pk;
  for (uint16_t q = 0; q < queues; ++q) pk.emplace_back(buf[q], mold::Session::from("GROUP" + std::to_string(q)), 1);
  nic::UdpFrameBuilder b{nic::UdpFlow{}};
  uint16_t ip_id = 0;
  const auto frame = [&](uint16_t q) {
    const std::span<const uint8_t> d = pk[q].flush();
    if (d.empty()) return;
    std::vector<uint8_t> f(b.frame_size(d.size()));
    b.build(f, d, ip_id++);
    out[q].push_back(std::move(f));
  };
  for (const auto& fr : capture_frames()) {
    nic::UdpFrame f;
    EXPECT_EQ(nic::decode_udp_frame(fr, f), nic::FrameError::kOk);
    mold::Packet p;
    EXPECT_TRUE(mold::parse(f.payload, p).ok());
    p.for_each([&](uint64_t, std::span<const uint8_t> msg) {
      const uint16_t locate = static_cast<uint16_t>((msg[1] << 8) | msg[2]);
      const uint16_t q = static_cast<uint16_t>(locate % queues);
      if (!pk[q].append(msg)) {
        frame(q);
        pk[q].append(msg);
      }
    });
    for (uint16_t q = 0; q < queues; ++q) frame(q);  // one datagram per queue per input packet
  }
  return out;
}

void expect_single_core_books(const FeedPipelineResult& r) {
  const ReplaySummary& s = single_core();
  EXPECT_EQ(r.book_hash, s.book_hash);
  EXPECT_EQ(r.messages(), s.messages);
  EXPECT_EQ(r.live_orders, s.live_orders);
  EXPECT_EQ(r.trades, s.trades);
  for (int t = 0; t < 256; ++t) EXPECT_EQ(r.by_type[t], s.by_type[t]) << char(t);
  EXPECT_EQ(r.report.lost_to_backpressure(), 0u);
  EXPECT_EQ(r.report.port.rx_missed + r.report.port.rx_errors, 0u);
}

TEST(DpdkPipeline, DispatchAndTwoShardCoresOverNetRing) {
  const auto& fx = *dpdk_fixture();
  RingPort rings("net_ring_mc", 1);
  nic::DpdkMempools pools(4095);
  nic::DpdkPortOptions po;
  po.port_id = rings.port_id;
  nic::NicPort port(std::make_unique<nic::DpdkPort>(fx.eal, pools, po));
  nic::DpdkMempool feed_pool("feed_mc", 4095, 0);
  const auto frames = capture_frames();
  std::atomic<bool> stop{false};
  std::thread feeder([&] {
    feed(feed_pool, rings.rx[0], frames);
    stop = true;
  });
  FeedPipelineOptions o;
  o.book = books();
  o.pipeline.shards = 2;
  o.pipeline.stop_at_end = false;
  o.pipeline.idle_yield_after = 64;
  const FeedPipelineResult r = run_feed_pipeline(port, o, &stop);
  feeder.join();
  EXPECT_EQ(r.report.decoded.packets, frames.size());
  expect_single_core_books(r);
  // The dispatch core received every frame; the shard cores received none themselves.
  EXPECT_EQ(r.report.dispatch_rx_bursts.packets(), frames.size());
  EXPECT_EQ(r.report.shards[0].rx_bursts.bursts(), 0u);
  EXPECT_NE(r.report.describe().find("rx bursts " + std::to_string(r.report.dispatch_rx_bursts.bursts()) + " ("),
            std::string::npos)
      << r.report.describe();
  // Dispatch and shard threads registered as DPDK lcores (mempool caches).
  EXPECT_GE(r.report.dispatch.dpdk_lcore, 0) << r.report.dispatch.note;
  EXPECT_GE(r.report.shards[1].placement.dpdk_lcore, 0);
  EXPECT_EQ(feed_pool.available(), feed_pool.size());  // every fed mbuf was freed
}

TEST(DpdkPipeline, TwoDirectCoresOnTwoQueuesOverNetRing) {
  const auto& fx = *dpdk_fixture();
  RingPort rings("net_ring_mq", 2);
  nic::DpdkMempools pools(4095);
  nic::DpdkPortOptions po;
  po.port_id = rings.port_id;
  po.rx_queues = 2;
  po.tx_queues = 2;
  nic::NicPort port(std::make_unique<nic::DpdkPort>(fx.eal, pools, po));
  nic::DpdkMempool feed_pool("feed_mq", 4095, 0);
  const auto streams = split_by_locate(2);
  ASSERT_FALSE(streams[0].empty());
  ASSERT_FALSE(streams[1].empty());
  std::atomic<bool> stop{false};
  std::thread feeder([&] {
    std::thread second([&] { feed(feed_pool, rings.rx[1], streams[1]); });
    feed(feed_pool, rings.rx[0], streams[0]);
    second.join();
    stop = true;
  });
  FeedPipelineOptions o;
  o.book = books();
  o.pipeline.shards = 2;
  o.pipeline.direct = true;
  o.pipeline.stop_at_end = false;
  o.pipeline.idle_yield_after = 64;
  const FeedPipelineResult r = run_feed_pipeline(port, o, &stop);
  feeder.join();
  EXPECT_TRUE(r.report.direct);
  EXPECT_EQ(r.report.decoded.packets, streams[0].size() + streams[1].size());
  EXPECT_EQ(r.report.sessions, 2u);
  EXPECT_EQ(r.report.gaps.events, 0u);
  expect_single_core_books(r);
  EXPECT_GT(r.report.shards[0].messages, 0u);
  EXPECT_GT(r.report.shards[1].messages, 0u);
  // Each direct core received its own queue: its bursts hold its stream's frames.
  EXPECT_EQ(r.report.shards[0].rx_bursts.packets(), streams[0].size());
  EXPECT_EQ(r.report.shards[1].rx_bursts.packets(), streams[1].size());
  EXPECT_EQ(r.report.dispatch_rx_bursts.bursts(), 0u);
}

// Echoes every message as output, to exercise encode -> tx burst.
struct EchoHandler {
  uint64_t seen = 0;
  void on_message(const MessageRecord& m, OutputSink& out) noexcept {
    ++seen;
    out.emit(m.message(), m.rx_tsc);
  }
  void on_burst_end(OutputSink&) noexcept {}
};
struct ByLocate {
  uint32_t route(std::span<const uint8_t> msg, Lane& lane) noexcept {
    lane = Lane::kNormal;
    return msg.size() >= 3 ? msg[2] % 2u : 0u;
  }
};

TEST(DpdkPipeline, ShardOutputIsFramedAndSentOnTheTxQueue) {
  const auto& fx = *dpdk_fixture();
  RingPort rings("net_ring_tx", 1);
  nic::DpdkMempools pools(4095);
  nic::DpdkPortOptions po;
  po.port_id = rings.port_id;
  nic::NicPort port(std::make_unique<nic::DpdkPort>(fx.eal, pools, po));
  nic::DpdkMempool feed_pool("feed_tx", 4095, 0);
  const auto frames = capture_frames();
  std::atomic<bool> stop{false};
  // Collect what the pipeline sends while it runs (the tx ring holds 4096).
  std::vector<std::vector<uint8_t>> sent;
  std::atomic<bool> fed{false};
  std::thread feeder([&] {
    feed(feed_pool, rings.rx[0], frames);
    fed = true;
  });
  std::vector<std::unique_ptr<EchoHandler>> hs;
  hs.push_back(std::make_unique<EchoHandler>());
  hs.push_back(std::make_unique<EchoHandler>());
  PipelineOptions o;
  o.shards = 2;
  o.stop_at_end = false;
  o.idle_yield_after = 64;
  o.tx_flow.dst_port = 31337;
  ShardPipeline<ByLocate, EchoHandler> p(port, ByLocate{}, std::move(hs), o);
  p.start();
  const auto drain_tx = [&] {
    void* m;
    while (rte_ring_dequeue(rings.tx[0], &m) == 0) {
      auto* mb = static_cast<rte_mbuf*>(m);
      const auto* d = rte_pktmbuf_mtod(mb, const uint8_t*);
      sent.emplace_back(d, d + mb->data_len);
      rte_pktmbuf_free(mb);
    }
  };
  while (!fed) drain_tx();
  stop = true;
  std::thread waiter([&] {
    while (!p.finished()) drain_tx();
  });
  const PipelineReport r = p.wait(&stop);
  waiter.join();
  drain_tx();
  feeder.join();
  uint64_t messages = 0;
  uint64_t next_seq = 1;
  for (const auto& f : sent) {
    nic::UdpFrame uf;
    ASSERT_EQ(nic::decode_udp_frame(f, uf), nic::FrameError::kOk);
    EXPECT_EQ(uf.dst_port, 31337);
    mold::Packet mp;
    ASSERT_TRUE(mold::parse(uf.payload, mp).ok());
    EXPECT_EQ(mp.header.sequence, next_seq);  // one output session, no gaps
    next_seq += mp.header.count;
    messages += mp.header.count;
  }
  EXPECT_EQ(messages, r.decoded.messages);
  EXPECT_EQ(r.tx_messages, r.decoded.messages);
  EXPECT_EQ(r.tx_datagrams, sent.size());
  EXPECT_EQ(r.tx_frames_refused, 0u);
  EXPECT_EQ(r.rx_to_tx->count(), r.decoded.messages);
  EXPECT_EQ(p.handler(0).seen + p.handler(1).seen, r.decoded.messages);
}

}  // namespace
}  // namespace tachyon::dataplane

#endif  // TACHYON_HAVE_DPDK
