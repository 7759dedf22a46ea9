// tachyon replay --nic dpdk against --nic pcap, as users run the binary: the report
// stream (the JSON summary, timing aside) and book_hash are identical in feed and
// match mode, match mode's --out frames are byte-identical (written by the net_pcap
// vdev's tx_pcap), --cores N gives the same counts and book_hash, DPDK start-up
// failures exit 2 naming what failed, and --nic auto falls back and says so.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <simdjson.h>

#include "../support/run_command.h"
#include "tachyon/bench/capture_generator.h"
#include "tachyon/nic/pcap_reader.h"

namespace {

namespace bench = tachyon::bench;

const std::string kTachyon = std::string(TACHYON_BINARY_DIR) + "/tachyon";

using CliRun = tachyon::test_support::CommandRun;

CliRun run(const std::string& args) { return tachyon::test_support::run_command(kTachyon + " " + args); }

std::string temp(const std::string& stem) {
  return std::string(::testing::TempDir()) + "tachyon-nic-" + std::to_string(::getpid()) + "-" + stem;
}

struct Captures {
  std::string feed = temp("feed.pcap"), match = temp("match.pcap");
  std::string symbols;
  Captures() {
    bench::CaptureConfig f;
    f.kind = bench::CaptureKind::kFeed;
    f.messages = 40'000;
    bench::generate_capture(f, feed);
    bench::CaptureConfig m;
    m.kind = bench::CaptureKind::kMatch;
    m.messages = 40'000;
    for (const std::string& s : bench::generate_capture(m, match).symbols) symbols += (symbols.empty() ? "" : ",") + s;
  }
  ~Captures() {
    std::remove(feed.c_str());
    std::remove(match.c_str());
  }
};

const Captures& captures() {
  static Captures c;
  return c;
}

// The summary's fields, each rendered as JSON text, without the timing ones.
std::map<std::string, std::string> report_fields(const std::string& json, std::set<std::string> skip = {}) {
  skip.insert({"seconds", "msgs_per_s", "latency_ns"});
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  EXPECT_EQ(parser.parse(json).get(obj), simdjson::SUCCESS) << json;
  std::map<std::string, std::string> out;
  for (auto [k, v] : obj)
    if (!skip.count(std::string(k))) out[std::string(k)] = simdjson::minify(v);
  return out;
}

std::vector<std::vector<uint8_t>> frames_of(const std::string& path) {
  std::vector<std::vector<uint8_t>> out;
  tachyon::nic::PcapReader r(path);
  tachyon::nic::CapturedPacket p;
  while (r.next(p) == tachyon::nic::ReadStatus::kPacket) out.emplace_back(p.data.begin(), p.data.end());
  return out;
}

TEST(TachyonNic, FeedReplayThroughDpdkGivesTheSameReportAsLibpcap) {
  const CliRun pcap = run("replay --json --nic pcap " + captures().feed);
  const CliRun dpdk = run("replay --json --nic dpdk " + captures().feed);
  ASSERT_EQ(pcap.status, 0) << pcap.err;
  ASSERT_EQ(dpdk.status, 0) << dpdk.err;
  EXPECT_EQ(pcap.err, "");
  EXPECT_NE(dpdk.err.find("dpdk: default replay EAL arguments: --no-huge --no-pci --no-shconf --no-telemetry -m 512"),
            std::string::npos)
      << dpdk.err;
  EXPECT_NE(dpdk.err.find("driver net_pcap"), std::string::npos) << dpdk.err;
  const auto a = report_fields(pcap.out), b = report_fields(dpdk.out);
  EXPECT_EQ(a, b);
  EXPECT_GT(std::stoull(a.at("messages")), 30'000u);
  EXPECT_EQ(a.at("book_hash"), b.at("book_hash"));
}

TEST(TachyonNic, MatchReplayThroughDpdkWritesTheSameFramesThroughTxPcap) {
  const std::string out_p = temp("out-pcap.pcap"), out_d = temp("out-dpdk.pcap");
  const std::string args = "replay --json --mode match --symbols " + captures().symbols + " ";
  const CliRun pcap = run(args + "--nic pcap --out " + out_p + " " + captures().match);
  const CliRun dpdk = run(args + "--nic dpdk --out " + out_d + " " + captures().match);
  ASSERT_EQ(pcap.status, 0) << pcap.err;
  ASSERT_EQ(dpdk.status, 0) << dpdk.err;
  EXPECT_NE(dpdk.err.find(",tx_pcap=" + out_d), std::string::npos) << dpdk.err;
  EXPECT_EQ(report_fields(pcap.out), report_fields(dpdk.out));
  const auto fp = frames_of(out_p), fd = frames_of(out_d);
  EXPECT_GT(fp.size(), 1000u);
  EXPECT_EQ(fp.size(), fd.size());
  EXPECT_TRUE(fp == fd) << "the OUCH replies and ITCH market data differ";
  std::remove(out_p.c_str());
  std::remove(out_d.c_str());
}

// Match mode on two cores through DPDK: the gateway core receives from the net_pcap
// vdev, the matching core transmits through its tx_pcap. With one client nothing can
// overtake (block: the gateway core waits for room), so the report and the frames
// equal one core's through libpcap.
TEST(TachyonNic, MatchOnTwoCoresThroughDpdkWritesTheSameFramesAsOneCore) {
  const std::string in = temp("one-client.pcap"), out_p = temp("one-core.pcap"), out_d = temp("two-cores.pcap");
  bench::CaptureConfig m;
  m.kind = bench::CaptureKind::kMatch;
  m.messages = 40'000;
  m.clients = 1;
  std::string symbols;
  for (const std::string& s : bench::generate_capture(m, in).symbols) symbols += (symbols.empty() ? "" : ",") + s;
  const std::string args = "replay --json --mode match --symbols " + symbols + " ";
  const CliRun one = run(args + "--nic pcap --out " + out_p + " " + in);
  const CliRun two = run(args + "--nic dpdk --cores 2 --backpressure block --out " + out_d + " " + in);
  ASSERT_EQ(one.status, 0) << one.err;
  ASSERT_EQ(two.status, 0) << two.err;
  EXPECT_NE(two.err.find("driver net_pcap"), std::string::npos) << two.err;
  EXPECT_EQ(report_fields(one.out), report_fields(two.out, {"input_ring"}));
  const auto fp = frames_of(out_p), fd = frames_of(out_d);
  EXPECT_GT(fp.size(), 1000u);
  EXPECT_TRUE(fp == fd) << "the OUCH replies and ITCH market data differ";
  for (const std::string& f : {in, out_p, out_d}) std::remove(f.c_str());
}

TEST(TachyonNic, CoresRunsShardCoresWithTheSameCountsAndBookHash) {
  const CliRun one = run("replay --json " + captures().feed);
  ASSERT_EQ(one.status, 0) << one.err;
  const auto base = report_fields(one.out, {"shard_hash"});
  for (const char* cores : {"2", "3"}) {
    for (const char* nic : {"pcap", "dpdk"}) {
      const CliRun r = run(std::string("replay --json --nic ") + nic + " --cores " + cores + " " + captures().feed);
      ASSERT_EQ(r.status, 0) << r.err;
      EXPECT_EQ(report_fields(r.out, {"shard_hash"}), base) << "--cores " << cores << " --nic " << nic;
      const std::string last_ring = std::string("ring dispatch->shard") + (cores[0] == '2' ? "0" : "1") + " [block]";
      EXPECT_NE(r.err.find(last_ring), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("backpressure: 0 lost"), std::string::npos) << r.err;
    }
  }
}

TEST(TachyonNic, PacketHandoffFromTheConfigGivesTheSameCountsAndBookHash) {
  const std::string cfg = temp("handoff.toml");
  std::ofstream(cfg) << "[book]\nmax_symbols = 64\n\n[rings]\npacket_handoff = true\n";
  const CliRun one = run("replay --json --config " + cfg + " " + captures().feed);
  ASSERT_EQ(one.status, 0) << one.err;
  const auto base = report_fields(one.out, {"shard_hash"});
  ASSERT_EQ(base.at("book_rejects"), "0");
  for (const char* nic : {"pcap", "dpdk"}) {
    const CliRun r = run(std::string("replay --json --config ") + cfg + " --nic " + nic + " --cores 3 " + captures().feed);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(report_fields(r.out, {"shard_hash"}), base) << "--nic " << nic;
    EXPECT_NE(r.err.find("backpressure: 0 lost"), std::string::npos) << r.err;
    // DPDK keeps its mbufs until they are freed, so its dispatch core can pass the
    // datagrams whole; the libpcap reader reuses its buffer, so it sends records.
    const bool dpdk = nic[0] == 'd';
    EXPECT_EQ(r.err.find("dispatch, packet hand-off") != std::string::npos, dpdk) << r.err;
    EXPECT_EQ(r.err.find("ring dispatch->shard1 packets [block]") != std::string::npos, dpdk) << r.err;
  }
  std::remove(cfg.c_str());
}

TEST(TachyonNic, ExplicitDpdkThatCannotStartExitsTwoSayingWhy) {
  const CliRun r = run("replay --nic dpdk --eal-args '--no-huge --no-pci --no-shconf --no-telemetry -m 512 -l 0 "
                       "--vdev=net_pcap0,rx_pcap=/nonexistent/in.pcap' " +
                       captures().feed);
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("tachyon: DPDK: vdev probe failed: 0 ports after rte_eal_init("), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Couldn't open /nonexistent/in.pcap"), std::string::npos) << r.err;
}

TEST(TachyonNic, AutoFallsBackToLibpcapAndSaysSo) {
  const CliRun pcap = run("replay --json " + captures().feed);
  const CliRun r = run("replay --json --nic auto --eal-args '--no-huge --no-pci --no-shconf --no-telemetry -m 512 -l 0' " +
                       captures().feed);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("nic.backend = auto: dpdk did not start (DPDK: 0 ports after rte_eal_init("), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("falling back to pcap"), std::string::npos) << r.err;
  EXPECT_EQ(report_fields(r.out), report_fields(pcap.out));
}

}  // namespace
