// Reader of capture files through libpcap (see pcap_reader.h). Open and error
// formatting are control path; next() and rx_burst() run on the replay rx thread.
#include "tachyon/nic/pcap_reader.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <utility>

#include "tachyon/nic/capture_error.h"

namespace tachyon::nic {
namespace {

constexpr uint64_t kNsPerSecond = 1'000'000'000;
// Classic pcap framing, used to name the byte offset of a bad record.
constexpr uint64_t kPcapGlobalHeaderSize = 24;
constexpr uint64_t kPcapRecordHeaderSize = 16;

// Converts libpcap's (seconds, nanoseconds) to ns since the epoch, saturating at the
// type's range: crafted pcapng files can hold timestamps beyond year 2554.
//
// The classic format's seconds field is unsigned 32-bit, but libpcap 1.10 reads it as
// signed, so seconds from 2038 to 2106 arrive negative; they are taken back here.
uint64_t to_ns(const timeval& ts) noexcept {
  uint64_t sec = static_cast<uint64_t>(ts.tv_sec);
  if (ts.tv_sec < 0) {
    if (ts.tv_sec < INT32_MIN) return 0;
    sec = static_cast<uint64_t>(ts.tv_sec + (int64_t{1} << 32));
  }
  if (ts.tv_usec < 0) return 0;
  uint64_t ns = 0;
  if (__builtin_mul_overflow(sec, kNsPerSecond, &ns) ||
      __builtin_add_overflow(ns, static_cast<uint64_t>(ts.tv_usec), &ns)) {
    return UINT64_MAX;
  }
  return ns;
}

}  // namespace

void PcapReader::PcapCloser::operator()(::pcap* p) const noexcept { pcap_close(p); }

PcapReader::PcapReader(const std::string& path, const PcapReaderOptions& options) : path_(path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    throw CaptureError("capture '" + path + "': fopen failed: " + std::strerror(errno));
  }
  uint8_t head[kCaptureSniffBytes];
  const std::size_t got = std::fread(head, 1, sizeof head, f);
  if (got < sizeof head && std::ferror(f)) {
    const int err = errno;
    std::fclose(f);
    throw CaptureError("capture '" + path + "': fread of the file header failed: " +
                       std::strerror(err));
  }
  sniff_ = sniff_capture(std::span<const uint8_t>(head, got));
  if (std::fseek(f, 0, SEEK_SET) != 0) {
    const int err = errno;
    std::fclose(f);
    throw CaptureError("capture '" + path + "': fseek to the start failed: " + std::strerror(err));
  }

  char errbuf[PCAP_ERRBUF_SIZE] = {};
  ::pcap* p = pcap_fopen_offline_with_tstamp_precision(f, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (p == nullptr) {
    std::fclose(f);  // libpcap leaves the stream to its caller when it fails
    std::string msg = "capture '" + path + "': pcap_fopen_offline_with_tstamp_precision failed: " +
                      errbuf;
    if (!sniff_.problem.empty()) {
      msg += " (";
      if (sniff_.format != CaptureFormat::kUnknown) {
        msg += std::string(to_string(sniff_.format)) + " header, ";
      }
      msg += "byte offset " + std::to_string(sniff_.problem_offset) + ": " + sniff_.problem + ")";
    }
    throw CaptureError(msg);
  }
  handle_.reset(p);  // owns f from here on
  link_type_ = pcap_datalink(p);
  snap_len_ = static_cast<uint32_t>(pcap_snapshot(p));
  record_offset_ = kPcapGlobalHeaderSize;
  arena_.resize(options.burst_arena_bytes);
}

PcapReader::~PcapReader() = default;
PcapReader::PcapReader(PcapReader&&) noexcept = default;
PcapReader& PcapReader::operator=(PcapReader&&) noexcept = default;

const char* PcapReader::link_type_name() const noexcept {
  const char* name = pcap_datalink_val_to_name(link_type_);
  return name != nullptr ? name : "unknown";
}

ReadStatus PcapReader::next(CapturedPacket& out) noexcept {
  if (status_ != ReadStatus::kPacket) return status_;
  pcap_pkthdr* hdr = nullptr;
  const u_char* data = nullptr;
  const int rc = pcap_next_ex(handle_.get(), &hdr, &data);
  if (rc == 1) {
    out.data = std::span<const uint8_t>(data, hdr->caplen);
    out.timestamp_ns = to_ns(hdr->ts);
    out.original_length = hdr->len;
    ++packets_read_;
    record_offset_ += kPcapRecordHeaderSize + hdr->caplen;
    return ReadStatus::kPacket;
  }
  if (rc == PCAP_ERROR_BREAK) {  // libpcap's "no more packets in the savefile"
    status_ = ReadStatus::kEnd;
    return status_;
  }
  fail_read(rc);
  return status_;
}

std::size_t PcapReader::rx_burst(std::span<CapturedPacket> out) noexcept {
  std::size_t n = 0;
  std::size_t used = 0;
  while (n < out.size()) {
    CapturedPacket& pkt = out[n];
    if (next(pkt) != ReadStatus::kPacket) break;
    ++n;
    if (n == out.size()) break;  // the last view may stay in libpcap's buffer
    const std::size_t len = pkt.data.size();
    if (len > arena_.size() - used) break;  // ditto: it ends the burst
    if (len != 0) std::memcpy(arena_.data() + used, pkt.data.data(), len);
    pkt.data = std::span<const uint8_t>(arena_.data() + used, len);
    used += len;
  }
  return n;
}

void PcapReader::fail_read(int rc) noexcept {
  status_ = ReadStatus::kError;
  const char* why = rc == 0 ? "pcap_next_ex returned 0 (a live-capture timeout) on a file"
                            : pcap_geterr(handle_.get());
  if (sniff_.format == CaptureFormat::kPcap) {
    std::snprintf(error_.data(), error_.size(),
                  "capture '%s': packet %llu (record at byte offset %llu): %s", path_.c_str(),
                  static_cast<unsigned long long>(packets_read_ + 1),
                  static_cast<unsigned long long>(record_offset_), why);
  } else {
    std::FILE* f = pcap_file(handle_.get());
    const long pos = f != nullptr ? std::ftell(f) : -1;
    std::snprintf(error_.data(), error_.size(),
                  "capture '%s': packet %llu (file position %ld): %s", path_.c_str(),
                  static_cast<unsigned long long>(packets_read_ + 1), pos, why);
  }
}

}  // namespace tachyon::nic
