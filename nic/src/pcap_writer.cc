// Writer of capture files through libpcap (see pcap_writer.h). Open/flush/close are
// control path; write_datagram() and write_frame() run on the replay tx thread.
#include "tachyon/nic/pcap_writer.h"

#include <pcap/pcap.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "tachyon/nic/capture_error.h"

namespace tachyon::nic {
namespace {
constexpr uint64_t kNsPerSecond = 1'000'000'000;
}  // namespace

void PcapWriter::PcapCloser::operator()(::pcap* p) const noexcept { pcap_close(p); }
void PcapWriter::DumperCloser::operator()(::pcap_dumper* d) const noexcept { pcap_dump_close(d); }

PcapWriter::PcapWriter(const std::string& path, const UdpFlow& flow,
                       const PcapWriterOptions& options)
    : builder_(flow), path_(path), snap_len_(options.snap_len), next_ip_id_(options.first_ip_id) {
  if (snap_len_ == 0) {
    throw CaptureError("capture '" + path + "': snap_len 0 would cut every frame");
  }
  dead_.reset(pcap_open_dead_with_tstamp_precision(DLT_EN10MB, static_cast<int>(snap_len_),
                                                   PCAP_TSTAMP_PRECISION_NANO));
  if (!dead_) {
    throw CaptureError("capture '" + path + "': pcap_open_dead_with_tstamp_precision(DLT_EN10MB, " +
                       std::to_string(snap_len_) + ", nano) failed");
  }
  // Opened here rather than by pcap_dump_open so that "-" is a file name, not stdout,
  // and the error carries errno's text.
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    throw CaptureError("capture '" + path + "': fopen for writing failed: " + std::strerror(errno));
  }
  dumper_.reset(pcap_dump_fopen(dead_.get(), f));
  if (!dumper_) {
    std::fclose(f);
    throw CaptureError("capture '" + path + "': pcap_dump_fopen failed: " + pcap_geterr(dead_.get()));
  }
  frame_.resize(kMaxUdpFrameSize);
}

PcapWriter::~PcapWriter() = default;  // pcap_dump_close flushes and closes the stream

WriteStatus PcapWriter::write_datagram(uint64_t timestamp_ns,
                                       std::span<const uint8_t> payload) noexcept {
  if (payload.size() > kMaxUdpPayload) return WriteStatus::kPayloadTooLarge;
  if (!dumper_) return WriteStatus::kClosed;
  const std::size_t len = builder_.build(frame_, payload, next_ip_id_);
  const WriteStatus st = write_frame(timestamp_ns, std::span<const uint8_t>(frame_.data(), len));
  if (st == WriteStatus::kOk) ++next_ip_id_;  // uint16_t: wraps at 65536
  return st;
}

WriteStatus PcapWriter::write_frame(uint64_t timestamp_ns, std::span<const uint8_t> frame,
                                    uint32_t original_length) noexcept {
  if (!dumper_) return WriteStatus::kClosed;
  if (io_failed_) return WriteStatus::kIoError;
  if (frame.size() > snap_len_) return WriteStatus::kFrameTooLarge;
  const uint64_t seconds = timestamp_ns / kNsPerSecond;
  if (seconds > UINT32_MAX) return WriteStatus::kTimestampOutOfRange;
  pcap_pkthdr hdr{};
  hdr.ts.tv_sec = static_cast<time_t>(seconds);
  // With a nanosecond dumper, libpcap stores tv_usec as nanoseconds.
  hdr.ts.tv_usec = static_cast<suseconds_t>(timestamp_ns % kNsPerSecond);
  hdr.caplen = static_cast<bpf_u_int32>(frame.size());
  hdr.len = original_length > hdr.caplen ? original_length : hdr.caplen;
  pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &hdr, frame.data());
  if (std::ferror(pcap_dump_file(dumper_.get())) != 0) {
    fail_io("pcap_dump", errno);
    return WriteStatus::kIoError;
  }
  ++packets_written_;
  return WriteStatus::kOk;
}

void PcapWriter::flush() {
  if (!dumper_) return;
  if (!io_failed_ && pcap_dump_flush(dumper_.get()) != 0) fail_io("pcap_dump_flush", errno);
  if (io_failed_) throw_error();
}

void PcapWriter::close() {
  if (!dumper_) return;
  if (!io_failed_ && pcap_dump_flush(dumper_.get()) != 0) fail_io("pcap_dump_flush", errno);
  // pcap_dump_close returns nothing, so the stream's state is settled before it runs;
  // the file is closed even after an error.
  dumper_.reset();
  if (io_failed_) throw_error();
}

void PcapWriter::fail_io(const char* call, int err) noexcept {
  if (io_failed_) return;
  io_failed_ = true;
  std::snprintf(error_.data(), error_.size(), "capture '%s': %s failed after %llu packets: %s",
                path_.c_str(), call, static_cast<unsigned long long>(packets_written_),
                std::strerror(err));
}

void PcapWriter::throw_error() const { throw CaptureError(error_.data()); }

}  // namespace tachyon::nic
