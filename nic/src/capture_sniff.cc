// Content sniffing of capture files (see capture_sniff.h). Control path; thread-safe.
#include "tachyon/nic/capture_sniff.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>

#include "tachyon/nic/capture_error.h"

namespace tachyon::nic {
namespace {

// Magic numbers as read big-endian from the first four bytes.
constexpr uint32_t kPcapMicroBig = 0xA1B2C3D4;
constexpr uint32_t kPcapMicroLittle = 0xD4C3B2A1;
constexpr uint32_t kPcapNanoBig = 0xA1B23C4D;
constexpr uint32_t kPcapNanoLittle = 0x4D3CB2A1;
constexpr uint32_t kPcapngSectionHeader = 0x0A0D0D0A;  // same in both byte orders
constexpr uint32_t kPcapngByteOrderMagic = 0x1A2B3C4D;
constexpr std::size_t kPcapGlobalHeaderSize = 24;
// Block type, total length, byte-order magic, versions (2+2), section length (8).
constexpr std::size_t kPcapngShbFixedSize = 24;
constexpr std::size_t kPcapngMinShbLength = 28;  // fixed part + trailing total length

uint32_t load32(const uint8_t* p, bool big) {
  return big ? (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3]
             : (uint32_t{p[3]} << 24) | (uint32_t{p[2]} << 16) | (uint32_t{p[1]} << 8) | p[0];
}

uint16_t load16(const uint8_t* p, bool big) {
  return static_cast<uint16_t>(big ? (p[0] << 8) | p[1] : (p[1] << 8) | p[0]);
}

[[gnu::format(printf, 1, 2)]] std::string format(const char* fmt, ...) {
  char buf[160];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

void sniff_pcap(std::span<const uint8_t> head, CaptureSniff& s) {
  if (head.size() < kPcapGlobalHeaderSize) {
    s.problem_offset = head.size();
    s.problem = format("pcap global header truncated: %zu of %zu bytes", head.size(),
                       kPcapGlobalHeaderSize);
    return;
  }
  const uint8_t* p = head.data();
  s.version_major = load16(p + 4, s.big_endian);
  s.version_minor = load16(p + 6, s.big_endian);
  s.snap_len = load32(p + 16, s.big_endian);
  // The upper bits of the link-type word carry FCS information (pcap spec section 4).
  s.link_type = load32(p + 20, s.big_endian) & 0x0FFFFFFF;
  if (s.version_major != 2) {
    s.problem_offset = 4;
    s.problem = format("unsupported pcap version %u.%u (expected 2.4)", s.version_major,
                       s.version_minor);
  }
}

void sniff_pcapng(std::span<const uint8_t> head, CaptureSniff& s) {
  if (head.size() < kPcapngShbFixedSize) {
    s.problem_offset = head.size();
    s.problem = format("pcapng section header block truncated: %zu of %zu bytes", head.size(),
                       kPcapngShbFixedSize);
    return;
  }
  const uint8_t* p = head.data();
  const uint32_t bom = load32(p + 8, true);
  if (bom == kPcapngByteOrderMagic) {
    s.big_endian = true;
  } else if (load32(p + 8, false) == kPcapngByteOrderMagic) {
    s.big_endian = false;
  } else {
    s.problem_offset = 8;
    s.problem = format("bad pcapng byte-order magic 0x%08x (expected 1a2b3c4d in either order)", bom);
    return;
  }
  s.version_major = load16(p + 12, s.big_endian);
  s.version_minor = load16(p + 14, s.big_endian);
  const uint32_t block_length = load32(p + 4, s.big_endian);
  if (block_length < kPcapngMinShbLength || block_length % 4 != 0) {
    s.problem_offset = 4;
    s.problem = format("bad pcapng section header block length %u (a multiple of 4, at least %zu)",
                       block_length, kPcapngMinShbLength);
  } else if (s.version_major != 1) {
    s.problem_offset = 12;
    s.problem = format("unsupported pcapng version %u.%u (expected 1.0)", s.version_major,
                       s.version_minor);
  }
}

}  // namespace

const char* to_string(CaptureFormat f) noexcept {
  switch (f) {
    case CaptureFormat::kPcap: return "pcap";
    case CaptureFormat::kPcapng: return "pcapng";
    case CaptureFormat::kUnknown: break;
  }
  return "unknown";
}

CaptureSniff sniff_capture(std::span<const uint8_t> head) {
  CaptureSniff s;
  if (head.size() < 4) {
    s.problem_offset = head.size();
    s.problem = format("only %zu bytes; a capture file starts with a 4-byte magic number",
                       head.size());
    return s;
  }
  const uint32_t magic = load32(head.data(), true);
  switch (magic) {
    case kPcapMicroBig:
    case kPcapMicroLittle:
    case kPcapNanoBig:
    case kPcapNanoLittle:
      s.format = CaptureFormat::kPcap;
      s.big_endian = magic == kPcapMicroBig || magic == kPcapNanoBig;
      s.precision = (magic == kPcapNanoBig || magic == kPcapNanoLittle)
                        ? TimestampPrecision::kNanosecond
                        : TimestampPrecision::kMicrosecond;
      sniff_pcap(head, s);
      break;
    case kPcapngSectionHeader:
      s.format = CaptureFormat::kPcapng;
      sniff_pcapng(head, s);
      break;
    default:
      s.problem_offset = 0;
      s.problem = format("magic number 0x%08x is neither pcap (a1b2c3d4, a1b23c4d, either "
                         "byte order) nor pcapng (0a0d0d0a)", magic);
      break;
  }
  return s;
}

CaptureSniff sniff_capture_file(const std::string& path) {
  struct FileCloser {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, FileCloser> f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    throw CaptureError("capture '" + path + "': fopen failed: " + std::strerror(errno));
  }
  uint8_t head[kCaptureSniffBytes];
  const std::size_t got = std::fread(head, 1, sizeof head, f.get());
  if (got < sizeof head && std::ferror(f.get())) {
    throw CaptureError("capture '" + path + "': fread of the first " +
                       std::to_string(sizeof head) + " bytes failed: " + std::strerror(errno));
  }
  return sniff_capture(std::span<const uint8_t>(head, got));
}

}  // namespace tachyon::nic
