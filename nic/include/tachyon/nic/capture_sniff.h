// Content sniffing of capture files: classifies a file by its first bytes as classic
// pcap (either timestamp precision, either byte order), pcapng, or unknown, and says
// where the header first goes wrong. The appliance layers its own formats (ITCH
// BinaryFILE, LOBSTER CSV) on top of kUnknown. Control path; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace tachyon::nic {

enum class CaptureFormat : uint8_t {
  kUnknown = 0,
  kPcap,    // classic libpcap format (magic a1b2c3d4 or a1b23c4d)
  kPcapng,  // pcapng, starting with a Section Header Block
};

enum class TimestampPrecision : uint8_t {
  kUnspecified = 0,  // pcapng declares it per interface, in each IDB
  kMicrosecond,
  kNanosecond,
};

// Returns "pcap", "pcapng" or "unknown".
[[nodiscard]] const char* to_string(CaptureFormat f) noexcept;

// What the first bytes of a file say. A file whose magic number is recognised keeps its
// format even when a later header field is wrong; problem then says which and where.
struct CaptureSniff {
  CaptureFormat format = CaptureFormat::kUnknown;
  TimestampPrecision precision = TimestampPrecision::kUnspecified;
  bool big_endian = false;     // byte order the writer used
  uint16_t version_major = 0;  // pcap 2.x, pcapng 1.x
  uint16_t version_minor = 0;
  uint32_t link_type = 0;      // pcap only: LINKTYPE_* of the global header
  uint32_t snap_len = 0;       // pcap only
  std::size_t problem_offset = 0;  // byte offset of the first bad field
  std::string problem;             // empty when the header looks valid

  [[nodiscard]] bool ok() const noexcept { return format != CaptureFormat::kUnknown && problem.empty(); }
};

// Bytes of a file's start that sniff_capture looks at (the pcap global header is 24
// bytes; the fixed part of a pcapng Section Header Block is 24 bytes).
inline constexpr std::size_t kCaptureSniffBytes = 24;

// Classifies a file from its first bytes (pass at least kCaptureSniffBytes when the
// file has them; fewer bytes are reported as a truncated header). O(1).
[[nodiscard]] CaptureSniff sniff_capture(std::span<const uint8_t> head);

// Reads the first kCaptureSniffBytes of path and classifies them. Throws CaptureError
// naming the file and the system's message when it cannot be opened or read.
[[nodiscard]] CaptureSniff sniff_capture_file(const std::string& path);

}  // namespace tachyon::nic
