// Read-only throughput of the libpcap capture reader and the frame decoder over a
// generated capture (packets/s), by single next() calls and by bursts of 32, against
// a baseline pass that only fread()s the same file. Single-threaded; pins itself to
// one CPU before running (the report's context names it).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "tachyon/bench/gbench_main.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/pcap_writer.h"
#include "tachyon/nic/udp_feed_filter.h"
#include "tachyon/nic/udp_frame.h"

namespace {

using namespace tachyon::nic;

constexpr std::size_t kPackets = 200'000;

// Writes kPackets ITCH-sized datagrams (30..120-byte payloads) once per process.
const std::string& capture_path() {
  static const std::string path = [] {
    const std::string p = (std::filesystem::temp_directory_path() /
                           ("tachyon-pcap-read-bench-" + std::to_string(::getpid()) + ".pcap"))
                              .string();
    UdpFlow flow;
    flow.dst_ip = Ipv4Address(233, 54, 12, 1);
    flow.dst_port = 26400;
    PcapWriter w(p, flow);
    std::vector<uint8_t> payload(120);
    uint32_t x = 12345;
    for (std::size_t i = 0; i < kPackets; ++i) {
      x = x * 1664525u + 1013904223u;
      for (auto& b : payload) b = static_cast<uint8_t>(x >> 24);
      const std::size_t len = 30 + (x >> 8) % 91;
      w.write_datagram(1'700'000'000'000'000'000ull + i * 1000,
                       std::span<const uint8_t>(payload.data(), len));
    }
    w.close();
    return p;
  }();
  return path;
}

void BM_FreadBaseline(benchmark::State& state) {
  std::vector<char> buf(1 << 16);
  for (auto _ : state) {
    std::FILE* f = std::fopen(capture_path().c_str(), "rb");
    std::size_t total = 0;
    while (std::size_t n = std::fread(buf.data(), 1, buf.size(), f)) total += n;
    std::fclose(f);
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPackets));
}

void BM_Next(benchmark::State& state) {
  for (auto _ : state) {
    PcapReader r(capture_path());
    CapturedPacket p;
    uint64_t bytes = 0;
    while (r.next(p) == ReadStatus::kPacket) bytes += p.data.size();
    benchmark::DoNotOptimize(bytes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPackets));
}

void BM_NextDecodeFilter(benchmark::State& state) {
  const UdpFeedFilter filter{26400, Ipv4Address(233, 54, 12, 1)};
  for (auto _ : state) {
    PcapReader r(capture_path());
    CapturedPacket p;
    uint64_t payload = 0;
    while (r.next(p) == ReadStatus::kPacket) {
      UdpFrame f;
      if (decode_udp_frame(p.data, f) == FrameError::kOk && filter.matches(f)) {
        payload += f.payload.size();
      }
    }
    benchmark::DoNotOptimize(payload);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPackets));
}

void BM_Burst32DecodeFilter(benchmark::State& state) {
  const UdpFeedFilter filter{26400, Ipv4Address(233, 54, 12, 1)};
  std::array<CapturedPacket, 32> burst;
  for (auto _ : state) {
    PcapReader r(capture_path());
    uint64_t payload = 0;
    while (std::size_t n = r.rx_burst(burst)) {
      for (std::size_t i = 0; i < n; ++i) {
        UdpFrame f;
        if (decode_udp_frame(burst[i].data, f) == FrameError::kOk && filter.matches(f)) {
          payload += f.payload.size();
        }
      }
    }
    benchmark::DoNotOptimize(payload);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPackets));
}

double min_of(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
double max_of(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

#define TACHYON_PCAP_BENCH(fn)                                                     \
  BENCHMARK(fn)->Unit(benchmark::kMillisecond)->Repetitions(7)                     \
      ->ComputeStatistics("min", min_of)->ComputeStatistics("max", max_of)         \
      ->ReportAggregatesOnly(true)

TACHYON_PCAP_BENCH(BM_FreadBaseline);
TACHYON_PCAP_BENCH(BM_Next);
TACHYON_PCAP_BENCH(BM_NextDecodeFilter);
TACHYON_PCAP_BENCH(BM_Burst32DecodeFilter);

}  // namespace

int main(int argc, char** argv) {
  // Pinned (tachyon::bench::run_pinned_gbench), so the passes do not migrate; the capture
  // is generated (and the page cache warmed) before timing.
  const int rc = tachyon::bench::run_pinned_gbench(argc, argv, [] { (void)capture_path(); });
  std::filesystem::remove(capture_path());
  return rc;
}
