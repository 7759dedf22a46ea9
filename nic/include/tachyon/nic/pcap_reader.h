// Reader of capture files through libpcap: classic pcap (microsecond or nanosecond
// magic, either byte order) and pcapng, with every timestamp in nanoseconds. Owned by
// the one thread that reads the file (the rx core in replay); not thread-safe.
//
// Open throws CaptureError; reading is noexcept and allocation-free, and reports the
// end of the file or an error (naming the file, the packet and libpcap's message)
// through ReadStatus / failed() / error().
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/nic/capture_sniff.h"

struct pcap;  // libpcap's pcap_t; <pcap/pcap.h> stays out of this header

namespace tachyon::nic {

// DLT_EN10MB: Ethernet, the same value on every platform.
inline constexpr int kDltEthernet = 1;

// One captured packet. data stays valid until the next next() or rx_burst() call on
// the reader that produced it (or its destruction).
struct CapturedPacket {
  std::span<const uint8_t> data;  // the captured bytes (captured length)
  uint64_t timestamp_ns = 0;      // capture time, ns since the Unix epoch
  uint32_t original_length = 0;   // length on the wire; >= captured when snaplen cut it

  [[nodiscard]] uint32_t captured_length() const noexcept {
    return static_cast<uint32_t>(data.size());
  }
};

enum class ReadStatus : uint8_t {
  kPacket,  // a packet was produced
  kEnd,     // clean end of file
  kError,   // the file is truncated or corrupt; see PcapReader::error()
};

struct PcapReaderOptions {
  // Bytes rx_burst may copy packets into so that a burst of views stays valid
  // together. Allocated once at open. A packet that does not fit ends the burst.
  std::size_t burst_arena_bytes = 256 * 1024;
};

class PcapReader {
 public:
  // Opens path with libpcap at nanosecond precision. Throws CaptureError naming the
  // file, libpcap's message and, when the header is what is wrong, the offending
  // field's byte offset. Control path.
  explicit PcapReader(const std::string& path, const PcapReaderOptions& options = {});
  ~PcapReader();
  // A moved-from reader may only be destroyed or assigned to.
  PcapReader(PcapReader&&) noexcept;
  PcapReader& operator=(PcapReader&&) noexcept;
  PcapReader(const PcapReader&) = delete;
  PcapReader& operator=(const PcapReader&) = delete;

  // Reads the next packet into out; out.data is valid until the next call. After kEnd
  // or kError, every further call returns the same status. No allocation; one libpcap
  // call (buffered stdio) per packet.
  ReadStatus next(CapturedPacket& out) noexcept;

  // Fills out with up to out.size() packets, in file order, all valid together until
  // the next call: every packet but the last is copied into the burst arena. Returns
  // the count; 0 means the end of the file or an error (see at_end() / failed()). A
  // burst is short when the arena fills, at the end, or at an error. No allocation.
  std::size_t rx_burst(std::span<CapturedPacket> out) noexcept;

  [[nodiscard]] bool at_end() const noexcept { return status_ == ReadStatus::kEnd; }
  [[nodiscard]] bool failed() const noexcept { return status_ == ReadStatus::kError; }
  // The error message after a kError: file, packet number, byte offset, libpcap's text.
  [[nodiscard]] std::string_view error() const noexcept { return error_.data(); }

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  // What the file's first bytes said (format, writer's byte order and precision).
  [[nodiscard]] const CaptureSniff& sniff() const noexcept { return sniff_; }
  // libpcap's DLT_* value for the (first) interface; kDltEthernet for Ethernet.
  [[nodiscard]] int link_type() const noexcept { return link_type_; }
  // libpcap's name of link_type(), e.g. "EN10MB"; "unknown" when it has none.
  [[nodiscard]] const char* link_type_name() const noexcept;
  [[nodiscard]] uint32_t snap_len() const noexcept { return snap_len_; }
  [[nodiscard]] uint64_t packets_read() const noexcept { return packets_read_; }

 private:
  struct PcapCloser {
    void operator()(::pcap* p) const noexcept;
  };

  [[gnu::cold]] void fail_read(int rc) noexcept;

  std::unique_ptr<::pcap, PcapCloser> handle_;
  ReadStatus status_ = ReadStatus::kPacket;
  int link_type_ = 0;
  uint32_t snap_len_ = 0;
  uint64_t packets_read_ = 0;
  // Byte offset of the next classic-pcap record; meaningless for pcapng.
  uint64_t record_offset_ = 0;
  std::string path_;
  CaptureSniff sniff_;
  std::vector<uint8_t> arena_;
  std::array<char, 512> error_{};
};

}  // namespace tachyon::nic
