// Test helpers for tests/nic: capture files written byte by byte from the published
// layouts (classic pcap: tcpdump.org "pcap-savefile" / IETF draft-ietf-opsawg-pcap;
// pcapng: IETF draft-ietf-opsawg-pcapng, SHB/IDB/EPB), independent of libpcap, and
// temporary files that remove themselves. Single-threaded test code.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

namespace tachyon::nic::test {

struct RawPacket {
  std::vector<uint8_t> data;  // captured bytes
  uint64_t timestamp_ns = 0;
  uint32_t original_length = 0;  // 0: data.size()
};

// Appends integers in a chosen byte order.
class ByteSink {
 public:
  explicit ByteSink(bool big_endian) : big_(big_endian) {}
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void bytes(const std::vector<uint8_t>& b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void pad4() { while (out_.size() % 4 != 0) out_.push_back(0); }
  std::vector<uint8_t>& out() { return out_; }

 private:
  void put(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) {
      const int shift = big_ ? 8 * (n - 1 - i) : 8 * i;
      out_.push_back(static_cast<uint8_t>(v >> shift));
    }
  }
  bool big_;
  std::vector<uint8_t> out_;
};

// Returns a classic pcap file: 24-byte global header (magic a1b2c3d4 for microsecond
// or a1b23c4d for nanosecond timestamps, version 2.4, thiszone 0, sigfigs 0, snaplen,
// link type), then per packet a 16-byte record header (seconds, sub-seconds, captured
// length, original length) and the captured bytes.
inline std::vector<uint8_t> make_pcap(const std::vector<RawPacket>& packets, bool nano,
                                      bool big_endian, uint32_t link_type = 1,
                                      uint32_t snap_len = 65535) {
  ByteSink s(big_endian);
  s.u32(nano ? 0xA1B23C4D : 0xA1B2C3D4);
  s.u16(2);
  s.u16(4);
  s.u32(0);
  s.u32(0);
  s.u32(snap_len);
  s.u32(link_type);
  for (const RawPacket& p : packets) {
    s.u32(static_cast<uint32_t>(p.timestamp_ns / 1'000'000'000));
    const uint64_t sub = p.timestamp_ns % 1'000'000'000;
    s.u32(static_cast<uint32_t>(nano ? sub : sub / 1000));
    s.u32(static_cast<uint32_t>(p.data.size()));
    s.u32(p.original_length != 0 ? p.original_length : static_cast<uint32_t>(p.data.size()));
    s.bytes(p.data);
  }
  return std::move(s.out());
}

// Returns a pcapng file: one Section Header Block (byte-order magic 1a2b3c4d, version
// 1.0, section length -1), one Interface Description Block (link type, snaplen, and an
// if_tsresol option when tsresol is given: the exponent of 10 for decimal resolution),
// and one Enhanced Packet Block per packet (interface 0, 64-bit timestamp in units of
// the resolution split high/low, captured and original length, data padded to 4).
inline std::vector<uint8_t> make_pcapng(const std::vector<RawPacket>& packets, bool big_endian,
                                        std::optional<uint8_t> tsresol, uint16_t link_type = 1,
                                        uint32_t snap_len = 0) {
  ByteSink s(big_endian);
  // SHB: type, total length 28, BOM, major, minor, section length (64-bit -1).
  s.u32(0x0A0D0D0A);
  s.u32(28);
  s.u32(0x1A2B3C4D);
  s.u16(1);
  s.u16(0);
  s.u32(0xFFFFFFFF);
  s.u32(0xFFFFFFFF);
  s.u32(28);
  // IDB: type 1, total length, link type, reserved, snaplen, options, total length.
  const uint32_t idb_len = tsresol ? 20 + 8 + 4 : 20;
  s.u32(1);
  s.u32(idb_len);
  s.u16(link_type);
  s.u16(0);
  s.u32(snap_len);
  if (tsresol) {
    s.u16(9);  // if_tsresol
    s.u16(1);
    s.u8(*tsresol);
    s.pad4();
    s.u16(0);  // opt_endofopt
    s.u16(0);
  }
  s.u32(idb_len);
  uint64_t units_per_second = 1'000'000;
  if (tsresol) {
    units_per_second = 1;
    for (int i = 0; i < *tsresol; ++i) units_per_second *= 10;
  }
  for (const RawPacket& p : packets) {
    const uint32_t padded = static_cast<uint32_t>((p.data.size() + 3) / 4 * 4);
    const uint32_t len = 32 + padded;
    const uint64_t ts = p.timestamp_ns / 1'000'000'000 * units_per_second +
                        p.timestamp_ns % 1'000'000'000 * units_per_second / 1'000'000'000;
    s.u32(6);
    s.u32(len);
    s.u32(0);  // interface id
    s.u32(static_cast<uint32_t>(ts >> 32));
    s.u32(static_cast<uint32_t>(ts));
    s.u32(static_cast<uint32_t>(p.data.size()));
    s.u32(p.original_length != 0 ? p.original_length : static_cast<uint32_t>(p.data.size()));
    s.bytes(p.data);
    s.pad4();
    s.u32(len);
  }
  return std::move(s.out());
}

// A file under the temp directory, unique to this process, removed on destruction.
class TempFile {
 public:
  explicit TempFile(const std::string& stem) {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("tachyon-nic-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) +
              "-" + stem))
                .string();
  }
  TempFile(const std::string& stem, const std::vector<uint8_t>& contents) : TempFile(stem) {
    write(contents);
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove(path_, ec);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  void write(const std::vector<uint8_t>& contents) const {
    std::ofstream f(path_, std::ios::binary | std::ios::trunc);
    f.write(reinterpret_cast<const char*>(contents.data()),
            static_cast<std::streamsize>(contents.size()));
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::vector<uint8_t> read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

}  // namespace tachyon::nic::test
