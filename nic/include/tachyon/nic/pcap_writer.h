// Writer of capture files through libpcap: classic pcap with the nanosecond magic and
// LINKTYPE_ETHERNET, holding outbound UDP datagrams framed as Ethernet/IPv4/UDP (or
// any ready-made frame). Owned by the one thread that writes (the tx core in replay);
// not thread-safe. The same calls give a byte-identical file.
//
// Open and close throw CaptureError; writes are noexcept and allocation-free and
// return a WriteStatus.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tachyon/nic/udp_frame_builder.h"

struct pcap;         // libpcap's pcap_t
struct pcap_dumper;  // libpcap's pcap_dumper_t

namespace tachyon::nic {

enum class WriteStatus : uint8_t {
  kOk,
  kPayloadTooLarge,      // more than kMaxUdpPayload bytes
  kFrameTooLarge,        // frame longer than the file's snap length
  kTimestampOutOfRange,  // seconds beyond the format's 32 bits (year 2106)
  kIoError,              // the stream failed; see PcapWriter::error()
  kClosed,               // close() was called
};

struct PcapWriterOptions {
  uint32_t snap_len = 262144;  // libpcap's maximum; no frame is ever cut
  uint16_t first_ip_id = 0;    // IPv4 identification of the first datagram
};

class PcapWriter {
 public:
  // Creates (or truncates) path and writes the pcap global header. Throws
  // std::invalid_argument for an invalid flow and CaptureError naming the file and
  // the failing call when the file cannot be created. Control path.
  PcapWriter(const std::string& path, const UdpFlow& flow, const PcapWriterOptions& options = {});
  // Closes the file; errors are lost here, so call close() to see them.
  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  // Appends the datagram carrying payload as one frame of the flow, with the next IPv4
  // identification (incremented after each written datagram, wrapping at 65536).
  // No allocation; one buffered stdio write.
  WriteStatus write_datagram(uint64_t timestamp_ns, std::span<const uint8_t> payload) noexcept;

  // Appends frame as is. original_length 0 means frame.size(); a smaller one is raised
  // to frame.size(). No allocation.
  WriteStatus write_frame(uint64_t timestamp_ns, std::span<const uint8_t> frame,
                          uint32_t original_length = 0) noexcept;

  // Pushes buffered records to the file. Throws CaptureError on a write error.
  void flush();
  // Flushes and closes the file; later writes return kClosed. Throws CaptureError on a
  // write error. Idempotent.
  void close();

  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  [[nodiscard]] uint64_t packets_written() const noexcept { return packets_written_; }
  [[nodiscard]] uint16_t next_ip_id() const noexcept { return next_ip_id_; }
  [[nodiscard]] const UdpFrameBuilder& builder() const noexcept { return builder_; }
  // The message of the first kIoError; empty before one.
  [[nodiscard]] std::string_view error() const noexcept { return error_.data(); }

 private:
  struct PcapCloser {
    void operator()(::pcap* p) const noexcept;
  };
  struct DumperCloser {
    void operator()(::pcap_dumper* d) const noexcept;
  };

  [[gnu::cold]] void fail_io(const char* call, int err) noexcept;
  [[noreturn]] void throw_error() const;

  UdpFrameBuilder builder_;
  std::string path_;
  std::unique_ptr<::pcap, PcapCloser> dead_;
  std::unique_ptr<::pcap_dumper, DumperCloser> dumper_;
  std::vector<uint8_t> frame_;  // sized once for the largest frame
  uint32_t snap_len_ = 0;
  uint16_t next_ip_id_ = 0;
  bool io_failed_ = false;
  uint64_t packets_written_ = 0;
  std::array<char, 512> error_{};
};

}  // namespace tachyon::nic
