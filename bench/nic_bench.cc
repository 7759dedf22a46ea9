// nic_bench: the DPDK data plane on this machine, against its own baselines in the same
// run (the machine is shared and noisy). Owner: bench/. One EAL for the process; each
// pass gets a fresh vdev (hotplug), so every pass reads the capture from its start.
//
// Modes (--mode, default all):
//   rx        PMD bare receive rate over net_pcap: rx burst and free, nothing else.
//   replay    the feed pipeline over net_pcap, same capture: 1 direct core (rx ->
//             decode -> book on one core) and 1 dispatch + N shard cores (--shards),
//             the dispatch shape twice: with one ring record per message (the
//             default) and with packet hand-off (each datagram passed whole);
//             reported as a ratio of the rx rate measured in the same run.
//   latency   wire-to-book: a pacer core puts one-message packets (the capture's
//             messages, one per MoldUDP64 datagram) on a net_ring at --rate packets/s;
//             one direct core receives and applies them; rx stamp -> book updated.
//   scaling   1 dispatch + N shard cores for N = 1..--shards over net_pcap (here: 1).
// The capture is generated once (bench::generate_capture, feed mode) and reused.
//
// Usage: nic_bench [--mode=all|rx|replay|latency|scaling] [--messages=N] [--runs=N]
//                  [--shards=N] [--rate=PPS] [--latency-messages=N] [--json]
//                  [--dispatch-cpu=C] [--shard-cpus=C,D,..] [--per-packet-burst-max=N] [--mbufs=N]
// --mbufs: mbufs per mempool in the rx-only and replay passes, alike (default 8191).
// --per-packet-burst-max (latency mode): rx bursts of at most N packets are applied and
//   stamped packet by packet (PipelineOptions::per_packet_burst_max; 0: whole bursts).
#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include <algorithm>
#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "tachyon/bench/capture_generator.h"
#include "tachyon/dataplane/cpu_pinning.h"
#include "tachyon/dataplane/feed_pipeline.h"
#include "tachyon/dataplane/moldudp64.h"
#include "tachyon/dataplane/tsc_clock.h"
#include "tachyon/nic/dpdk_eal.h"
#include "tachyon/nic/dpdk_port.h"
#include "tachyon/nic/nic_options.h"
#include "tachyon/nic/open_nic.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"
#include "tachyon/nic/udp_frame_builder.h"

namespace {

using namespace tachyon;
using dataplane::rdtsc;

struct Options {
  std::string mode = "all";
  uint64_t messages = 2'000'000;
  uint64_t latency_messages = 1'000'000;
  int runs = 3;
  uint32_t shards = 1;
  double rate = 1e6;
  bool json = false;
  int dispatch_cpu = -1;
  uint32_t per_packet_burst_max = dataplane::PipelineOptions{}.per_packet_burst_max;
  uint32_t mbufs = 8191;  // per mempool of the rx-only and replay passes (both alike)
  std::vector<int> shard_cpus;
};

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "nic_bench: %s\nusage: nic_bench [--mode=all|rx|replay|latency|scaling] [--messages=N] [--runs=N] "
               "[--shards=N] [--rate=PPS] [--latency-messages=N] [--json] [--dispatch-cpu=C] [--shard-cpus=C,D] "
               "[--per-packet-burst-max=N] [--mbufs=N]\n",
               why.c_str());
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v;
    if (const auto eq = a.find('='); eq != std::string::npos) {
      v = a.substr(eq + 1);
      a.resize(eq);
    }
    const auto num = [&] {
      char* end = nullptr;
      const double x = std::strtod(v.c_str(), &end);
      if (v.empty() || *end) usage(a + ": '" + v + "' is not a number");
      return x;
    };
    if (a == "--json") o.json = true;
    else if (a == "--mode") o.mode = v;
    else if (a == "--messages") o.messages = static_cast<uint64_t>(num());
    else if (a == "--latency-messages") o.latency_messages = static_cast<uint64_t>(num());
    else if (a == "--runs") o.runs = static_cast<int>(num());
    else if (a == "--shards") o.shards = static_cast<uint32_t>(num());
    else if (a == "--rate") o.rate = num();
    else if (a == "--dispatch-cpu") o.dispatch_cpu = static_cast<int>(num());
    else if (a == "--per-packet-burst-max") o.per_packet_burst_max = static_cast<uint32_t>(num());
    else if (a == "--mbufs") o.mbufs = static_cast<uint32_t>(num());
    else if (a == "--shard-cpus") {
      std::size_t pos = 0;
      while (pos < v.size()) {
        const std::size_t c = v.find(',', pos);
        o.shard_cpus.push_back(std::stoi(v.substr(pos, c - pos)));
        pos = c == std::string::npos ? v.size() : c + 1;
      }
    } else usage("unknown option " + a);
  }
  if (o.runs < 1 || o.shards < 1 || o.rate <= 0) usage("--runs, --shards and --rate must be positive");
  if (o.mbufs < 1024) usage("--mbufs must be at least 1024");
  return o;
}

std::string make_capture(uint64_t messages, bench::CaptureInfo& info) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tachyon-nic-bench-feed-" + std::to_string(messages) + ".pcap")).string();
  std::error_code ec;
  if (std::filesystem::file_size(path, ec) > 24 && !ec) {
    nic::PcapReader r(path);
    nic::CapturedPacket p;
    while (r.next(p) == nic::ReadStatus::kPacket) {
      ++info.packets;
      nic::UdpFrame f;
      dataplane::mold::Packet mp;
      if (nic::decode_udp_frame(p.data, f) == nic::FrameError::kOk && dataplane::mold::parse(f.payload, mp).ok())
        info.messages += mp.header.messages();
    }
    std::fprintf(stderr, "reusing %s\n", path.c_str());
    return path;
  }
  bench::CaptureConfig cfg;
  cfg.kind = bench::CaptureKind::kFeed;
  cfg.messages = messages;
  std::fprintf(stderr, "generating %s ...\n", path.c_str());
  info = bench::generate_capture(cfg, path + ".part");
  std::filesystem::rename(path + ".part", path);
  return path;
}

int g_vdev = 0;

// A fresh net_pcap vdev over path: a new pass from the file's start.
uint16_t pcap_vdev(const std::string& path) {
  const std::string devargs = "net_pcap_b" + std::to_string(g_vdev++) + ",rx_pcap=" + path;
  if (rte_dev_probe(devargs.c_str()) != 0) throw std::runtime_error("rte_dev_probe(" + devargs + ") failed");
  uint16_t port = 0;
  rte_eth_dev_get_port_by_name(devargs.substr(0, devargs.find(',')).c_str(), &port);
  return port;
}

book::BookConfig books() {
  book::BookConfig b;
  b.max_orders = 1 << 21;
  b.max_levels = 1 << 16;
  b.max_symbols = 64;
  return b;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// --- rx: receive and free ------------------------------------------------------------

struct RxPass {
  double seconds = 0;
  uint64_t packets = 0;
};

RxPass rx_only(const std::shared_ptr<nic::DpdkEal>& eal, const std::string& path, uint64_t packets, int cpu,
               uint32_t mbufs) {
  nic::DpdkMempools pools(mbufs);
  nic::DpdkPortOptions po;
  po.port_id = pcap_vdev(path);
  po.expected_rx_packets = packets;
  nic::DpdkPort port(eal, pools, po);
  RxPass r;
  std::thread t([&] {
    const dataplane::CorePlacement pl = dataplane::enter_core("rx", cpu, true);
    std::array<nic::RxPacket, nic::kBurstSize> burst;
    const auto t0 = std::chrono::steady_clock::now();
    while (!port.at_end()) {
      const std::size_t n = port.rx_burst(0, burst);
      port.release(0, std::span<const nic::RxPacket>(burst.data(), n));
      r.packets += n;
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    dataplane::leave_core(pl);
  });
  t.join();
  return r;
}

// --- replay: the feed pipeline -------------------------------------------------------

struct ReplayPass {
  double seconds = 0;
  uint64_t messages = 0;
  uint64_t book_hash = 0;
  std::vector<uint64_t> per_shard;
};

ReplayPass replay_pass(const std::shared_ptr<nic::DpdkEal>& eal, const std::string& path, uint64_t packets,
                       uint32_t shards, bool direct, const Options& o, bool handoff = false) {
  nic::DpdkMempools pools(o.mbufs);
  nic::DpdkPortOptions po;
  po.port_id = pcap_vdev(path);
  po.expected_rx_packets = packets;
  nic::NicPort port(std::make_unique<nic::DpdkPort>(eal, pools, po));
  dataplane::FeedPipelineOptions fo;
  fo.book = books();
  fo.pipeline.shards = shards;
  fo.pipeline.direct = direct;
  fo.pipeline.packet_handoff = handoff;
  const std::vector<int> cpus = dataplane::allowed_cpus();
  fo.pipeline.dispatch_cpu = o.dispatch_cpu >= 0 ? o.dispatch_cpu : cpus.front();
  for (uint32_t s = 0; s < shards; ++s)
    fo.pipeline.shard_cpus.push_back(s < o.shard_cpus.size() ? o.shard_cpus[s]
                                     : direct            ? cpus[s % cpus.size()]
                                                         : cpus[(s + 1) % cpus.size()]);
  const dataplane::FeedPipelineResult res = dataplane::run_feed_pipeline(port, fo);
  ReplayPass r;
  r.seconds = res.report.seconds;
  r.messages = res.messages();
  r.book_hash = res.book_hash;
  for (const auto& s : res.report.shards) r.per_shard.push_back(s.messages);
  return r;
}

// --- latency: paced one-message packets over net_ring ---------------------------------

struct LatencyResult {
  uint64_t packets = 0;
  double offered_pps = 0;
  uint64_t p50 = 0, p99 = 0, p999 = 0, max = 0;
  uint64_t late_sends = 0;  // packets the pacer put out more than 1 us behind schedule
  dataplane::RxBurstSizes rx_bursts;  // what the receiving core's rx bursts held
};

LatencyResult latency_run(const std::shared_ptr<nic::DpdkEal>& eal, const std::string& path, uint64_t max_msgs,
                          double rate, const Options& o) {
  // One datagram per message, in stream order.
  std::vector<std::vector<uint8_t>> frames;
  {
    nic::UdpFrameBuilder b{nic::UdpFlow{}};
    std::vector<uint8_t> dgram(dataplane::mold::kDefaultMaxPayload);
    dataplane::mold::Packetizer pk(dgram, dataplane::mold::Session::from("LATENCY"), 1);
    nic::PcapReader r(path);
    nic::CapturedPacket p;
    while (frames.size() < max_msgs && r.next(p) == nic::ReadStatus::kPacket) {
      nic::UdpFrame f;
      dataplane::mold::Packet mp;
      if (nic::decode_udp_frame(p.data, f) != nic::FrameError::kOk || !dataplane::mold::parse(f.payload, mp).ok())
        continue;
      mp.for_each([&](uint64_t, std::span<const uint8_t> m) {
        pk.append(m);
        const std::span<const uint8_t> d = pk.flush();
        std::vector<uint8_t> fr(b.frame_size(d.size()));
        b.build(fr, d, static_cast<uint16_t>(frames.size()));
        frames.push_back(std::move(fr));
      });
    }
  }
  const std::string name = "net_ring_lat" + std::to_string(g_vdev++);
  if (rte_dev_probe(name.c_str()) != 0) throw std::runtime_error("rte_dev_probe(" + name + ") failed");
  uint16_t pid = 0;
  rte_eth_dev_get_port_by_name(name.c_str(), &pid);
  nic::DpdkMempools pools(16383);
  nic::DpdkPortOptions po;
  po.port_id = pid;
  auto dport = std::make_unique<nic::DpdkPort>(eal, pools, po);
  nic::DpdkPort* raw = dport.get();
  rte_mempool* mp = raw->pool().get();
  nic::NicPort port(std::move(dport));
  const std::vector<int> cpus = dataplane::allowed_cpus();
  const int pacer_cpu = o.dispatch_cpu >= 0 ? o.dispatch_cpu : cpus.front();
  const int core_cpu = !o.shard_cpus.empty() ? o.shard_cpus[0] : cpus.back();
  std::atomic<bool> stop{false};
  LatencyResult res;
  const dataplane::TscClock clock = dataplane::TscClock::calibrate(std::chrono::milliseconds(50));
  std::thread pacer([&] {
    const dataplane::CorePlacement pl = dataplane::enter_core("pacer", pacer_cpu, true);
    const uint64_t period = clock.to_cycles(static_cast<uint64_t>(1e9 / rate));
    const uint64_t slack = clock.to_cycles(1000);
    uint64_t next = rdtsc() + clock.to_cycles(20'000'000);  // the core is up by then
    const auto t0 = std::chrono::steady_clock::now();
    for (const auto& f : frames) {
      rte_mbuf* m;
      while ((m = rte_pktmbuf_alloc(mp)) == nullptr) dataplane::cpu_relax();
      std::memcpy(rte_pktmbuf_append(m, static_cast<uint16_t>(f.size())), f.data(), f.size());
      uint64_t now;
      while ((now = rdtsc()) < next) dataplane::cpu_relax();
      if (now - next > slack) ++res.late_sends;
      while (rte_eth_tx_burst(raw->port_id(), 0, &m, 1) == 0) dataplane::cpu_relax();
      next += period;
    }
    res.offered_pps = static_cast<double>(frames.size()) /
                      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
    dataplane::leave_core(pl);
  });
  dataplane::FeedPipelineOptions fo;
  fo.book = books();
  fo.pipeline.shards = 1;
  fo.pipeline.direct = true;
  fo.pipeline.stop_at_end = false;
  fo.pipeline.shard_cpus = {core_cpu};
  fo.pipeline.per_packet_burst_max = o.per_packet_burst_max;
  const dataplane::FeedPipelineResult r = dataplane::run_feed_pipeline(port, fo, &stop);
  pacer.join();
  const dataplane::LatencyHistogram& h = *r.report.shards[0].rx_to_book;
  res.packets = r.report.decoded.packets;
  res.p50 = h.percentile(50);
  res.p99 = h.percentile(99);
  res.p999 = h.percentile(99.9);
  res.max = h.max();
  res.rx_bursts = r.report.shards[0].rx_bursts;
  return res;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    bench::CaptureInfo info;
    const std::string path = make_capture(o.messages, info);
    const double msgs_per_packet = static_cast<double>(info.messages) / static_cast<double>(info.packets);
    std::vector<std::string> args = nic::default_eal_args("x", "");
    args.pop_back();  // vdevs are hot-plugged per pass
    auto eal = std::make_shared<nic::DpdkEal>(args);
    const std::vector<int> cpus = dataplane::allowed_cpus();
    const int rx_cpu = o.dispatch_cpu >= 0 ? o.dispatch_cpu : cpus.front();
    const bool all = o.mode == "all";
    std::string json = "{\"capture\":{\"messages\":" + std::to_string(info.messages) +
                       ",\"packets\":" + std::to_string(info.packets) + ",\"msgs_per_packet\":" +
                       std::to_string(msgs_per_packet) + "}";
    std::fprintf(stderr, "capture: %" PRIu64 " messages in %" PRIu64 " packets (%.2f msgs/packet); cpus:", info.messages,
                 info.packets, msgs_per_packet);
    for (int c : cpus) std::fprintf(stderr, " %d", c);
    std::fprintf(stderr, "\n");

    if (all || o.mode == "rx" || o.mode == "replay" || o.mode == "scaling") {
      std::vector<double> rx, direct, dispatch, handoff;
      uint64_t hash_direct = 0, hash_dispatch = 0, hash_handoff = 0;
      std::vector<uint64_t> split;
      for (int run = 0; run < o.runs; ++run) {
        const RxPass a = rx_only(eal, path, info.packets, rx_cpu, o.mbufs);
        rx.push_back(static_cast<double>(a.packets) / a.seconds);
        if (all || o.mode == "replay") {
          const ReplayPass d = replay_pass(eal, path, info.packets, 1, true, o);
          direct.push_back(static_cast<double>(d.messages) / d.seconds);
          hash_direct = d.book_hash;
        }
        if (all || o.mode != "rx") {
          const ReplayPass p = replay_pass(eal, path, info.packets, o.shards, false, o);
          dispatch.push_back(static_cast<double>(p.messages) / p.seconds);
          hash_dispatch = p.book_hash;
          split = p.per_shard;
        }
        if (all || o.mode == "replay") {
          const ReplayPass p = replay_pass(eal, path, info.packets, o.shards, false, o, true);
          handoff.push_back(static_cast<double>(p.messages) / p.seconds);
          hash_handoff = p.book_hash;
        }
        std::fprintf(stderr, "run %d: rx %.2f Mpps%s%s%s\n", run + 1, rx.back() / 1e6,
                     direct.empty() ? "" : (", direct " + std::to_string(direct.back() / 1e6) + " M msgs/s").c_str(),
                     dispatch.empty() ? "" : (", dispatch " + std::to_string(dispatch.back() / 1e6) + " M msgs/s").c_str(),
                     handoff.empty() ? "" : (", dispatch with packet hand-off " + std::to_string(handoff.back() / 1e6) +
                                             " M msgs/s").c_str());
      }
      const double rx_pps = median(rx), rx_mps = rx_pps * msgs_per_packet;
      std::printf("rx only (net_pcap, receive + free): %.2f M packets/s = %.2f M msgs/s at %.2f msgs/packet\n",
                  rx_pps / 1e6, rx_mps / 1e6, msgs_per_packet);
      json += ",\"rx\":{\"packets_per_s\":" + std::to_string(rx_pps) + ",\"msgs_per_s\":" + std::to_string(rx_mps) + "}";
      if (!direct.empty()) {
        const double d = median(direct);
        std::printf("replay, 1 direct core (rx -> decode -> book): %.2f M msgs/s = %.1f%% of rx only\n", d / 1e6,
                    100 * d / rx_mps);
        json += ",\"replay_direct\":{\"msgs_per_s\":" + std::to_string(d) + ",\"ratio_to_rx\":" +
                std::to_string(d / rx_mps) + ",\"book_hash\":\"" + std::to_string(hash_direct) + "\"}";
      }
      if (!dispatch.empty()) {
        const double d = median(dispatch);
        std::printf("replay, 1 dispatch + %u shard core%s: %.2f M msgs/s = %.1f%% of rx only; per shard:",
                    o.shards,
                    o.shards > 1 ? "s" : "", d / 1e6, 100 * d / rx_mps);
        for (uint64_t m : split) std::printf(" %" PRIu64, m);
        std::printf("\n");
        json += ",\"replay_dispatch\":{\"shards\":" + std::to_string(o.shards) + ",\"msgs_per_s\":" + std::to_string(d) +
                ",\"ratio_to_rx\":" + std::to_string(d / rx_mps) + ",\"book_hash\":\"" + std::to_string(hash_dispatch) +
                "\"}";
        if (hash_direct && hash_dispatch && hash_direct != hash_dispatch) {
          std::fprintf(stderr, "book_hash differs between direct and dispatch runs\n");
          return 1;
        }
      }
      if (!handoff.empty()) {
        const double d = median(handoff);
        std::printf("replay, 1 dispatch + %u shard core%s with packet hand-off: %.2f M msgs/s = %.1f%% of rx "
                    "only\n",
                    o.shards, o.shards > 1 ? "s" : "", d / 1e6, 100 * d / rx_mps);
        json += ",\"replay_dispatch_handoff\":{\"shards\":" + std::to_string(o.shards) + ",\"msgs_per_s\":" +
                std::to_string(d) + ",\"ratio_to_rx\":" + std::to_string(d / rx_mps) + ",\"book_hash\":\"" +
                std::to_string(hash_handoff) + "\"}";
        if (hash_dispatch && hash_handoff != hash_dispatch) {
          std::fprintf(stderr, "book_hash differs between the packet hand-off and record runs\n");
          return 1;
        }
      }
    }
    if (all || o.mode == "latency") {
      const LatencyResult l = latency_run(eal, path, o.latency_messages, o.rate, o);
      std::printf("wire-to-book (rx stamp -> book updated), one-message packets at %.2f M pkt/s offered (%.2f "
                  "achieved), %" PRIu64 " packets: p50 %" PRIu64 " ns, p99 %" PRIu64 " ns, p99.9 %" PRIu64
                  " ns, max %" PRIu64 " ns; pacer late >1us: %" PRIu64 "\n",
                  o.rate / 1e6, l.offered_pps / 1e6, l.packets, l.p50, l.p99, l.p999, l.max, l.late_sends);
      // A packet's rx-to-book includes the wait behind the packets received before it in
      // the same burst: large bursts (backlog after an absence) make the tail.
      std::printf("wire-to-book, receiving core: %s\n", l.rx_bursts.describe().c_str());
      json += ",\"latency\":{\"rate\":" + std::to_string(o.rate) + ",\"achieved\":" + std::to_string(l.offered_pps) +
              ",\"packets\":" + std::to_string(l.packets) + ",\"p50_ns\":" + std::to_string(l.p50) +
              ",\"p99_ns\":" + std::to_string(l.p99) + ",\"p999_ns\":" + std::to_string(l.p999) +
              ",\"max_ns\":" + std::to_string(l.max) + ",\"pacer_late\":" + std::to_string(l.late_sends) +
              ",\"rx_bursts\":" + std::to_string(l.rx_bursts.bursts()) +
              ",\"burst_size_p50\":" + std::to_string(l.rx_bursts.packet_percentile(50)) +
              ",\"burst_size_p99\":" + std::to_string(l.rx_bursts.packet_percentile(99)) +
              ",\"share_in_big_bursts\":" + std::to_string(l.rx_bursts.big_burst_share()) + "}";
    }
    json += "}";
    if (o.json) std::printf("%s\n", json.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "nic_bench: %s\n", e.what());
    return 2;
  }
  return 0;
}
