// Tests of the libpcap capture writer: golden file bytes from the pcap layout, tcpdump
// parsing the output (UDP, ports, lengths, checksums), a byte-identical round trip
// through the reader and decoder, determinism, IP id sequence, limits and I/O errors.
#include "tachyon/nic/pcap_writer.h"

#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture_test_files.h"
#include "golden_frames.h"
#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/inet_checksum.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"

namespace tachyon::nic {
namespace {

using Bytes = std::vector<uint8_t>;
using test::TempFile;

constexpr uint64_t kT0 = 1'700'000'000'123'456'789;

UdpFlow golden_flow() {
  UdpFlow flow;
  flow.src_mac = MacAddress{{0x00, 0x1b, 0x21, 0x3a, 0x4f, 0x10}};
  flow.src_ip = Ipv4Address(10, 1, 2, 3);
  flow.dst_ip = Ipv4Address(233, 54, 12, 1);
  flow.src_port = 40000;
  flow.dst_port = 26400;
  flow.ttl = 1;
  return flow;
}

std::span<const uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Deterministic payloads of varied sizes, including the empty one and the largest.
std::vector<Bytes> sample_payloads() {
  std::mt19937 rng(12345);
  std::vector<Bytes> out;
  for (std::size_t len : {0, 1, 2, 17, 100, 1472, 1473, 8972, 65507}) {
    Bytes p(len);
    for (auto& b : p) b = static_cast<uint8_t>(rng());
    out.push_back(std::move(p));
  }
  for (int i = 0; i < 200; ++i) {
    Bytes p(rng() % 1500);
    for (auto& b : p) b = static_cast<uint8_t>(rng());
    out.push_back(std::move(p));
  }
  return out;
}

// Runs a shell command and returns what it printed on stdout and stderr.
std::string run(const std::string& cmd) {
  std::unique_ptr<FILE, int (*)(FILE*)> p(popen((cmd + " 2>&1").c_str(), "r"), pclose);
  EXPECT_NE(p, nullptr) << cmd;
  std::string out;
  char buf[4096];
  while (p && std::fgets(buf, sizeof buf, p.get()) != nullptr) out += buf;
  return out;
}

std::size_t count(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(PcapWriter, FileBytesMatchThePcapLayout) {
  TempFile f("golden.pcap");
  PcapWriterOptions opt;
  opt.first_ip_id = 0x1c46;
  {
    PcapWriter w(f.path(), golden_flow(), opt);
    ASSERT_EQ(w.write_datagram(kT0, as_bytes("ABCDEFGH")), WriteStatus::kOk);
    w.close();
  }
  // libpcap writes the header in the host's byte order with the nanosecond magic.
  const Bytes want = test::make_pcap({{test::kGoldenMulticastFrame, kT0, 0}}, true,
                                     std::endian::native == std::endian::big, 1, 262144);
  EXPECT_EQ(test::read_file(f.path()), want);
}

TEST(PcapWriter, TcpdumpParsesEveryDatagram) {
  TempFile f("tcpdump.pcap");
  const std::vector<std::size_t> lengths = {0, 1, 8, 100, 1472, 9000, 65507};
  {
    PcapWriter w(f.path(), golden_flow());
    for (std::size_t i = 0; i < lengths.size(); ++i) {
      ASSERT_EQ(w.write_datagram(kT0 + i, Bytes(lengths[i], 0x42)), WriteStatus::kOk);
    }
    w.close();
  }
  const std::string out =
      run("tcpdump -nn -vv -e -tt --time-stamp-precision=nano -r '" + f.path() + "'");
  EXPECT_EQ(count(out, "link-type EN10MB (Ethernet)"), 1u) << out;
  EXPECT_EQ(count(out, "02:00:00:00:00:01") + count(out, "00:1b:21:3a:4f:10"), lengths.size()) << out;
  EXPECT_EQ(count(out, "> 01:00:5e:36:0c:01, ethertype IPv4"), lengths.size()) << out;
  EXPECT_EQ(count(out, "proto UDP (17)"), lengths.size()) << out;
  EXPECT_EQ(count(out, "[udp sum ok]"), lengths.size()) << out;
  EXPECT_EQ(count(out, "bad"), 0u) << out;
  EXPECT_EQ(count(out, "1700000000.123456789 "), 1u) << out;
  EXPECT_EQ(count(out, "1700000000.123456795 "), 1u) << out;
  for (std::size_t i = 0; i < lengths.size(); ++i) {
    const std::string line = "10.1.2.3.40000 > 233.54.12.1.26400: [udp sum ok] UDP, length " +
                             std::to_string(lengths[i]) + "\n";
    EXPECT_EQ(count(out, line), 1u) << line << out;
    EXPECT_EQ(count(out, "ttl 1, id " + std::to_string(i) + ","), 1u) << i << out;
    EXPECT_EQ(count(out, "proto UDP (17), length " + std::to_string(28 + lengths[i]) + ")"), 1u)
        << i << out;
  }
  // The plain form the brief names: one "IP src > dst: UDP, length N" line per packet.
  const std::string plain = run("tcpdump -nn -r '" + f.path() + "'");
  EXPECT_EQ(count(plain, "IP 10.1.2.3.40000 > 233.54.12.1.26400: UDP, length "), lengths.size())
      << plain;
}

TEST(PcapWriter, TcpdumpSeesVlanAndCatchesABadChecksum) {
  // Control for the test above: tcpdump does check checksums, so a corrupted header
  // checksum written as a raw frame is reported.
  TempFile f("vlan.pcap");
  {
    PcapWriter w(f.path(), golden_flow());
    ASSERT_EQ(w.write_frame(kT0, test::kGoldenVlanFrame), WriteStatus::kOk);
    Bytes bad = test::kGoldenMulticastFrame;
    bad[24] ^= 0x01;  // IPv4 header checksum
    ASSERT_EQ(w.write_frame(kT0 + 1, bad), WriteStatus::kOk);
    w.close();
  }
  const std::string out = run("tcpdump -nn -vv -e -r '" + f.path() + "'");
  EXPECT_EQ(count(out, "vlan 100, p 5"), 1u) << out;
  EXPECT_EQ(count(out, "192.168.1.10.12345 > 192.168.1.20.23456: [udp sum ok] UDP, length 3"), 1u)
      << out;
  EXPECT_EQ(count(out, "bad cksum"), 1u) << out;
}

TEST(PcapWriter, RoundTripThroughReaderAndDecoderIsByteIdentical) {
  const auto payloads = sample_payloads();
  UdpFlow flow = golden_flow();
  flow.vlan_tagged = true;
  flow.vlan_id = 42;
  TempFile f("roundtrip.pcap");
  PcapWriterOptions opt;
  opt.first_ip_id = 65000;  // wraps during the run
  {
    PcapWriter w(f.path(), flow, opt);
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      ASSERT_EQ(w.write_datagram(kT0 + i * 1'000'003, payloads[i]), WriteStatus::kOk);
    }
    EXPECT_EQ(w.packets_written(), payloads.size());
    w.close();
  }
  const UdpFrameBuilder builder(flow);
  PcapReader r(f.path());
  EXPECT_EQ(r.link_type(), kDltEthernet);
  EXPECT_EQ(r.sniff().precision, TimestampPrecision::kNanosecond);
  CapturedPacket p;
  std::size_t i = 0;
  Bytes want(kMaxUdpFrameSize);
  for (; r.next(p) == ReadStatus::kPacket; ++i) {
    ASSERT_LT(i, payloads.size());
    const auto ip_id = static_cast<uint16_t>(65000 + i);
    EXPECT_EQ(p.timestamp_ns, kT0 + i * 1'000'003);
    EXPECT_EQ(p.original_length, p.captured_length());
    // The whole frame equals what the builder makes for the same payload and id.
    const std::size_t n = builder.build(want, payloads[i], ip_id);
    ASSERT_EQ(Bytes(p.data.begin(), p.data.end()), Bytes(want.begin(), want.begin() + n)) << i;
    UdpFrame d;
    ASSERT_EQ(decode_udp_frame(p.data, d), FrameError::kOk) << i;
    EXPECT_EQ(Bytes(d.payload.begin(), d.payload.end()), payloads[i]) << i;
    EXPECT_EQ(d.ip_id, ip_id);
    EXPECT_EQ(d.vlan_id, 42);
    EXPECT_EQ(d.src_ip, flow.src_ip);
    EXPECT_EQ(d.dst_ip, flow.dst_ip);
    EXPECT_EQ(d.src_port, 40000);
    EXPECT_EQ(d.dst_port, 26400);
    EXPECT_EQ(ipv4_header_checksum(d.ip_header), 0);
    EXPECT_EQ(udp_ipv4_checksum(d.src_ip, d.dst_ip, d.udp_segment), 0);
  }
  EXPECT_TRUE(r.at_end()) << r.error();
  EXPECT_EQ(i, payloads.size());
}

TEST(PcapWriter, SameInputGivesByteIdenticalFiles) {
  const auto payloads = sample_payloads();
  TempFile a("det-a.pcap");
  TempFile b("det-b.pcap");
  for (const TempFile* f : {&a, &b}) {
    PcapWriter w(f->path(), golden_flow());
    for (std::size_t i = 0; i < payloads.size(); ++i) {
      ASSERT_EQ(w.write_datagram(kT0 + i, payloads[i]), WriteStatus::kOk);
    }
    w.close();
  }
  const Bytes fa = test::read_file(a.path());
  EXPECT_GT(fa.size(), 100'000u);
  EXPECT_EQ(fa, test::read_file(b.path()));
}

TEST(PcapWriter, IpIdIncrementsOnlyOnWrittenDatagramsAndWraps) {
  TempFile f("ipid.pcap");
  PcapWriterOptions opt;
  opt.first_ip_id = 65534;
  PcapWriter w(f.path(), golden_flow(), opt);
  EXPECT_EQ(w.next_ip_id(), 65534);
  ASSERT_EQ(w.write_datagram(kT0, as_bytes("a")), WriteStatus::kOk);
  EXPECT_EQ(w.write_datagram(kT0, Bytes(kMaxUdpPayload + 1)), WriteStatus::kPayloadTooLarge);
  ASSERT_EQ(w.write_datagram(kT0, as_bytes("b")), WriteStatus::kOk);
  ASSERT_EQ(w.write_datagram(kT0, as_bytes("c")), WriteStatus::kOk);
  EXPECT_EQ(w.next_ip_id(), 1);
  w.close();
  PcapReader r(f.path());
  CapturedPacket p;
  std::vector<uint16_t> ids;
  while (r.next(p) == ReadStatus::kPacket) {
    UdpFrame d;
    ASSERT_EQ(decode_udp_frame(p.data, d), FrameError::kOk);
    ids.push_back(d.ip_id);
  }
  EXPECT_EQ(ids, (std::vector<uint16_t>{65534, 65535, 0}));
}

TEST(PcapWriter, RejectsWhatTheFormatCannotHold) {
  TempFile f("limits.pcap");
  PcapWriterOptions opt;
  opt.snap_len = 100;
  PcapWriter w(f.path(), golden_flow(), opt);
  EXPECT_EQ(w.write_frame(kT0, Bytes(100, 0)), WriteStatus::kOk);
  EXPECT_EQ(w.write_frame(kT0, Bytes(101, 0)), WriteStatus::kFrameTooLarge);
  EXPECT_EQ(w.write_datagram(kT0, Bytes(59, 0)), WriteStatus::kFrameTooLarge);  // 101 bytes
  const uint64_t after_2106 = (uint64_t{1} << 32) * 1'000'000'000;
  EXPECT_EQ(w.write_frame(after_2106, Bytes(60, 0)), WriteStatus::kTimestampOutOfRange);
  EXPECT_EQ(w.write_frame(after_2106 - 1, Bytes(60, 0)), WriteStatus::kOk);
  EXPECT_EQ(w.packets_written(), 2u);
  EXPECT_EQ(w.next_ip_id(), 0);  // the failed datagram used no id
  w.close();
  w.close();  // idempotent
  EXPECT_EQ(w.write_frame(kT0, Bytes(60, 0)), WriteStatus::kClosed);
  EXPECT_EQ(w.write_datagram(kT0, as_bytes("x")), WriteStatus::kClosed);
  PcapReader r(f.path());
  CapturedPacket p;
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(p.timestamp_ns, after_2106 - 1);
  EXPECT_EQ(r.next(p), ReadStatus::kEnd);
}

TEST(PcapWriter, OriginalLengthOfACutFrame) {
  TempFile f("origlen.pcap");
  {
    PcapWriter w(f.path(), golden_flow());
    ASSERT_EQ(w.write_frame(kT0, Bytes(64, 1), 1514), WriteStatus::kOk);
    ASSERT_EQ(w.write_frame(kT0, Bytes(64, 1), 10), WriteStatus::kOk);  // raised to 64
    w.close();
  }
  PcapReader r(f.path());
  CapturedPacket p;
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(p.original_length, 1514u);
  ASSERT_EQ(r.next(p), ReadStatus::kPacket);
  EXPECT_EQ(p.original_length, 64u);
}

TEST(PcapWriterErrors, UncreatableFileNamesPathAndReason) {
  try {
    PcapWriter w("/nonexistent/dir/out.pcap", golden_flow());
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'/nonexistent/dir/out.pcap'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("fopen"), std::string::npos) << msg;
    EXPECT_NE(msg.find("No such file or directory"), std::string::npos) << msg;
  }
}

TEST(PcapWriterErrors, FullDeviceFailsOnFlushAndClose) {
  PcapWriter w("/dev/full", golden_flow());
  // Writes land in the stdio buffer; the first flush meets ENOSPC.
  EXPECT_EQ(w.write_datagram(kT0, as_bytes("abc")), WriteStatus::kOk);
  try {
    w.close();
    FAIL() << "no exception";
  } catch (const CaptureError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("'/dev/full'"), std::string::npos) << msg;
    EXPECT_NE(msg.find("No space left on device"), std::string::npos) << msg;
  }
  EXPECT_EQ(w.write_datagram(kT0, as_bytes("abc")), WriteStatus::kClosed);
}

TEST(PcapWriterErrors, WritesFailOnceTheStreamHasFailed) {
  PcapWriter w("/dev/full", golden_flow());
  // More than any stdio buffer: some write must reach the device and fail.
  const Bytes big(60000, 7);
  WriteStatus st = WriteStatus::kOk;
  for (int i = 0; i < 10 && st == WriteStatus::kOk; ++i) st = w.write_datagram(kT0, big);
  EXPECT_EQ(st, WriteStatus::kIoError);
  EXPECT_NE(w.error().find("No space left on device"), std::string::npos) << w.error();
  EXPECT_EQ(w.write_datagram(kT0, as_bytes("x")), WriteStatus::kIoError);
  EXPECT_THROW(w.flush(), CaptureError);
}

TEST(PcapWriterErrors, InvalidFlowIsRejectedBeforeTheFileIsCreated) {
  TempFile f("invalid.pcap");
  UdpFlow flow = golden_flow();
  flow.dst_port = 0;
  EXPECT_THROW(PcapWriter(f.path(), flow), std::invalid_argument);
  EXPECT_FALSE(std::filesystem::exists(f.path()));
}

}  // namespace
}  // namespace tachyon::nic
