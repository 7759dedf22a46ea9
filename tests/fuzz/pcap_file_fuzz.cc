// libFuzzer target: writes the input to a temporary file and opens it with the
// libpcap capture reader, reading every packet (alternating next() and rx_burst()
// with an arena sized from the input) and decoding each as a frame. Checks that a
// file either opens or throws CaptureError, that packets stay consistent, and that
// reading ends in kEnd or a named error. Single-threaded. Replayed by
// tests/nic/pcap_fuzz_regression_test.cc (with TACHYON_FUZZ_NO_ENTRY defined).
#include <unistd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "tachyon/nic/capture_error.h"
#include "tachyon/nic/capture_sniff.h"
#include "tachyon/nic/pcap_reader.h"
#include "tachyon/nic/udp_frame.h"

#ifndef TACHYON_FUZZ_CHECK
#define TACHYON_FUZZ_CHECK(cond) \
  do {                           \
    if (!(cond)) __builtin_trap(); \
  } while (0)
#endif

namespace tachyon::fuzz {

// One temporary file per process, rewritten for every input and removed at exit.
inline const std::string& pcap_file_fuzz_path() {
  static const std::string path = [] {
    char tmpl[] = "/tmp/tachyon-pcap-file-fuzz-XXXXXX";
    const int fd = ::mkstemp(tmpl);
    if (fd < 0) std::abort();
    ::close(fd);
    return std::string(tmpl);
  }();
  // Registered after path is built, so it runs before path is destroyed.
  static const bool cleanup_registered =
      std::atexit([] { ::unlink(pcap_file_fuzz_path().c_str()); }) == 0;
  (void)cleanup_registered;
  return path;
}

inline void check_packet(const nic::CapturedPacket& p) {
  TACHYON_FUZZ_CHECK(p.captured_length() == p.data.size());
  TACHYON_FUZZ_CHECK(p.data.data() != nullptr || p.data.empty());
  // Touch every byte so ASan sees any view that outlived its buffer.
  unsigned sum = 0;
  for (uint8_t b : p.data) sum += b;
  (void)sum;
  nic::UdpFrame f;
  if (nic::decode_udp_frame(p.data, f) == nic::FrameError::kOk) {
    TACHYON_FUZZ_CHECK(f.payload.data() + f.payload.size() <= p.data.data() + p.data.size());
  }
}

inline int pcap_file_one_input(const uint8_t* data, std::size_t size) {
  (void)nic::sniff_capture(std::span<const uint8_t>(data, size));
  const std::string& path = pcap_file_fuzz_path();
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) std::abort();
    if (size != 0 && std::fwrite(data, 1, size, f) != size) std::abort();
    std::fclose(f);
  }
  nic::PcapReaderOptions opt;
  opt.burst_arena_bytes = size % 700;  // from none to a few packets' worth
  try {
    nic::PcapReader r(path, opt);
    TACHYON_FUZZ_CHECK(r.link_type_name() != nullptr);
    std::array<nic::CapturedPacket, 8> burst;
    uint64_t seen = 0;
    for (int round = 0;; ++round) {
      if (round % 2 == 0) {
        nic::CapturedPacket p;
        if (r.next(p) != nic::ReadStatus::kPacket) break;
        check_packet(p);
        ++seen;
      } else {
        const std::size_t n = r.rx_burst(burst);
        if (n == 0) break;
        TACHYON_FUZZ_CHECK(n <= burst.size());
        for (std::size_t i = 0; i < n; ++i) check_packet(burst[i]);
        seen += n;
      }
    }
    TACHYON_FUZZ_CHECK(r.at_end() != r.failed());
    TACHYON_FUZZ_CHECK(r.packets_read() == seen);
    if (r.failed()) {
      TACHYON_FUZZ_CHECK(std::string_view(r.error()).find(path) != std::string_view::npos);
    }
  } catch (const nic::CaptureError& e) {
    TACHYON_FUZZ_CHECK(std::string_view(e.what()).find(path) != std::string_view::npos);
  }
  return 0;
}

}  // namespace tachyon::fuzz

#ifndef TACHYON_FUZZ_NO_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  return tachyon::fuzz::pcap_file_one_input(data, size);
}
#endif
