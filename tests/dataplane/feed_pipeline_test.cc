// The feed pipeline on shard cores against the single-core replay of the same
// capture: 1 dispatch + 1 or 2 shard cores over the pcap backend give the same
// book_hash, message counts by type, live orders and trades; SIGTERM stops a live
// (socket) pipeline after it drained everything it received; a ring too small for a
// stalled shard drops with a count and reports the dropped sequence numbers as gaps.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <vector>

#include "feed_capture.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/dataplane/feed_pipeline.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/replay.h"
#include "tachyon/dataplane/shard_pipeline.h"
#include "tachyon/dataplane/stop_signal.h"
#include "tachyon/nic/pcap_port.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_uring_port.h"

namespace tachyon::dataplane {
namespace {

using testing::expect_same_books;
using Capture = testing::FeedCapture;
book::BookConfig books() { return testing::small_books(); }

const Capture& capture() {
  static Capture c("feed-pipeline", 30'000, 3);
  return c;
}

TEST(FeedPipeline, OneDispatchAndTwoShardCoresMatchTheSingleCoreReplay) {
  const Capture& c = capture();
  ASSERT_GT(c.single.messages, 20'000u);
  nic::NicPort port(std::make_unique<nic::PcapPort>(c.path, ""));
  FeedPipelineOptions o;
  o.book = books();
  o.pipeline.shards = 2;
  o.pipeline.ring_capacity = 1024;
  o.pipeline.idle_yield_after = 64;  // CI runs this on 2 shared CPUs
  const FeedPipelineResult r = run_feed_pipeline(port, o);
  expect_same_books(r, c.single);
  ASSERT_EQ(r.report.shards.size(), 2u);
  EXPECT_GT(r.report.shards[0].messages, 0u);
  EXPECT_GT(r.report.shards[1].messages, 0u);
  EXPECT_EQ(r.report.shards[0].rx_to_book->count(), r.report.shards[0].messages);
  EXPECT_EQ(r.report.rings.size(), 4u);  // two inbound, two outbound
  EXPECT_EQ(r.report.rings[0].counts.taken, r.report.rings[0].counts.queued);
  EXPECT_NE(r.shard_map.find("shard 1:"), std::string::npos) << r.shard_map;
  const std::string d = r.report.describe();
  EXPECT_NE(d.find("ring dispatch->shard0 [block]"), std::string::npos) << d;
  EXPECT_NE(d.find("memory: shard 0 books:"), std::string::npos) << d;
  EXPECT_EQ(r.report.dispatch_rx_bursts.packets(), r.report.port.rx_packets);
  EXPECT_GT(r.report.dispatch_rx_bursts.bursts(), 0u);
}

TEST(FeedPipeline, OneShardCoreWithPinnedCoresAndDropPolicyMatches) {
  const Capture& c = capture();
  nic::NicPort port(std::make_unique<nic::PcapPort>(c.path, ""));
  FeedPipelineOptions o;
  o.book = books();
  o.pipeline.shards = 1;
  o.pipeline.dispatch_cpu = 0;
  o.pipeline.shard_cpus = {1 % static_cast<int>(std::thread::hardware_concurrency())};
  o.pipeline.policy = BackpressurePolicy::kBlock;
  o.pipeline.idle_yield_after = 64;
  o.apply = itch::ApplyMode::kImmediate;
  const FeedPipelineResult r = run_feed_pipeline(port, o);
  expect_same_books(r, c.single);
  EXPECT_EQ(r.report.dispatch.requested_cpu, 0);
  EXPECT_EQ(r.report.dispatch.cpu, 0);
  EXPECT_EQ(r.report.shards[0].placement.cpu, o.pipeline.shard_cpus[0]);
}

TEST(FeedPipeline, StalledShardWithATinyDropRingCountsEveryDropAsAGap) {
  const Capture& c = capture();
  nic::NicPort port(std::make_unique<nic::PcapPort>(c.path, ""));
  PipelineOptions o;
  o.ring_capacity = 4;
  o.priority_capacity = 2;
  o.policy = BackpressurePolicy::kDrop;
  const testing::GatedRun g = testing::run_gated(port, o);
  const PipelineReport& r = g.report;
  const uint64_t handled = g.handled;
  const RingCounts rc = r.rings[0].counts;
  EXPECT_EQ(r.decoded.messages, c.single.messages);
  EXPECT_GT(rc.dropped, c.single.messages / 2);
  // Nothing lost without a count: every decoded message was handled or dropped.
  EXPECT_EQ(handled + rc.dropped, r.decoded.messages);
  EXPECT_EQ(rc.queued, handled);
  EXPECT_EQ(r.dropped.messages, rc.dropped);  // each drop is a one-message gap
  EXPECT_EQ(r.lost_to_backpressure(), rc.dropped);
  EXPECT_NE(r.describe().find("dropped " + std::to_string(rc.dropped) + " msgs reported as gaps"), std::string::npos)
      << r.describe();
}

// Echoes every message: with tiny blocking rings, each core ends up waiting on a full
// ring whose consumer is waiting on it; the waits drain outputs, so nothing stalls.
struct Echo {
  uint64_t seen = 0;
  void on_message(const MessageRecord& m, OutputSink& out) noexcept {
    ++seen;
    out.emit(m.message(), m.rx_tsc);
    out.emit(m.message(), m.rx_tsc);  // twice: more output than input
  }
  void on_burst_end(OutputSink&) noexcept {}
};
struct Alternate {
  uint32_t n = 0;
  uint32_t route(std::span<const uint8_t>, Lane& lane) noexcept {
    lane = Lane::kNormal;
    return n++ & 1u;
  }
};

uint64_t messages_in(const std::string& path) {
  uint64_t n = 0;
  nic::PcapReader r(path);
  nic::CapturedPacket p;
  while (r.next(p) == nic::ReadStatus::kPacket) {
    nic::UdpFrame f;
    mold::Packet mp;
    EXPECT_EQ(nic::decode_udp_frame(p.data, f), nic::FrameError::kOk);
    EXPECT_TRUE(mold::parse(f.payload, mp).ok());
    n += mp.header.count;
  }
  return n;
}

TEST(FeedPipeline, TinyBlockingRingsInBothDirectionsNeverDeadlockNorLose) {
  const Capture& c = capture();
  for (const bool direct : {false, true}) {
    const std::string out = "/tmp/tachyon-echo-" + std::to_string(::getpid()) + (direct ? "-d" : "-x") + ".pcap";
    {
      nic::NicPort port(std::make_unique<nic::PcapPort>(c.path, out));
      std::vector<std::unique_ptr<Echo>> hs;
      const uint32_t shards = direct ? 1 : 2;
      for (uint32_t i = 0; i < shards; ++i) hs.push_back(std::make_unique<Echo>());
      PipelineOptions o;
      o.shards = shards;
      o.direct = direct;
      o.ring_capacity = 4;
      o.priority_capacity = 2;
      o.output_capacity = 4;
      o.policy = BackpressurePolicy::kBlock;
      o.idle_yield_after = 64;
      ShardPipeline<Alternate, Echo> p(port, Alternate{}, std::move(hs), o);
      p.start();
      const PipelineReport r = p.wait();
      EXPECT_EQ(r.decoded.messages, c.single.messages) << direct;
      EXPECT_EQ(r.tx_messages, 2 * c.single.messages) << direct;
      EXPECT_EQ(r.lost_to_backpressure(), 0u);
      EXPECT_EQ(r.tx_frames_refused, 0u);
      uint64_t blocked = 0;
      for (const RingReport& rr : r.rings) blocked += rr.counts.blocked;
      EXPECT_GT(blocked, 0u) << "the rings were meant to fill";
    }  // the port closes the output file
    EXPECT_EQ(messages_in(out), 2 * c.single.messages) << direct;
    std::remove(out.c_str());
  }
}

TEST(FeedPipeline, SigtermStopsALivePipelineAfterItDrainedWhatItReceived) {
  const Capture& c = capture();
  nic::NicOptions no;
  no.udp_port = 0;
  auto sock = std::make_unique<nic::UdpUringPort>(no);
  const uint16_t port_no = sock->local_port();
  nic::NicPort port(std::move(sock));
  const std::atomic<bool>& stop = install_stop_signals();
  reset_stop_signal();
  // The capture's datagrams, sent over loopback while the pipeline runs.
  std::vector<std::vector<uint8_t>> dgrams;
  {
    nic::PcapReader r(c.path);
    nic::CapturedPacket pkt;
    while (r.next(pkt) == nic::ReadStatus::kPacket) {
      nic::UdpFrame f;
      ASSERT_EQ(nic::decode_udp_frame(pkt.data, f), nic::FrameError::kOk);
      dgrams.emplace_back(f.payload.begin(), f.payload.end());
    }
  }
  std::thread sender([&] {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port_no);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    for (std::size_t i = 0; i < dgrams.size(); ++i) {
      ::sendto(fd, dgrams[i].data(), dgrams[i].size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
      if (i % 64 == 63) {
        // Pace the sender so the socket buffer never overflows.
        while (port.stats().rx_packets + 512 < i) std::this_thread::yield();
      }
    }
    ::close(fd);
    while (port.stats().rx_packets < dgrams.size()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    ::kill(::getpid(), SIGTERM);
  });
  FeedPipelineOptions o;
  o.book = books();
  o.pipeline.shards = 2;
  o.pipeline.idle_yield_after = 64;
  const FeedPipelineResult r = run_feed_pipeline(port, o, &stop);
  sender.join();
  EXPECT_EQ(stop_signal_number(), SIGTERM);
  EXPECT_EQ(r.report.port.rx_missed, 0u);
  expect_same_books(r, c.single);
  reset_stop_signal();
  uninstall_stop_signals();
}

}  // namespace
}  // namespace tachyon::dataplane
