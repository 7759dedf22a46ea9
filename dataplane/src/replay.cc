// replay(): input detection and dispatch to the replay loop for the input's kind.
// Control path, replay thread.
#include "tachyon/dataplane/replay.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>
#include <sys/stat.h>

#include "tachyon/dataplane/cpu_pinning.h"
#include "tachyon/dataplane/internal/replay_modes.h"
#include "tachyon/dataplane/itch_messages.h"
#include "tachyon/nic/capture_sniff.h"

namespace tachyon::dataplane {

const char* to_string(ReplayMode m) noexcept { return m == ReplayMode::kFeed ? "feed" : "match"; }

const char* to_string(InputFormat f) noexcept {
  switch (f) {
    case InputFormat::kPcap: return "pcap";
    case InputFormat::kPcapng: return "pcapng";
    case InputFormat::kItchBinaryFile: return "itch-binaryfile";
    case InputFormat::kLobsterCsv: return "lobster-csv";
  }
  return "unknown";
}

namespace internal {

uint64_t file_size_of(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0)
    throw ReplayError(path + ": cannot open: " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw ReplayError(path + ": not a regular file");
  return static_cast<uint64_t>(st.st_size);
}

}  // namespace internal

namespace {

// True when head starts like a LOBSTER message row: time,type,id,size,price,direction.
bool looks_like_lobster(std::string_view head) {
  const std::size_t eol = head.find_first_of("\r\n");
  const std::string_view line = head.substr(0, eol);
  int commas = 0;
  for (const char c : line) {
    if (c == ',') {
      ++commas;
    } else if (!((c >= '0' && c <= '9') || c == '.' || c == '-')) {
      return false;
    }
  }
  return commas == 5 && !line.empty() && line[0] >= '0' && line[0] <= '9';
}

// True when the first records frame as ITCH BinaryFILE: each 2-byte prefix is 0 or the
// type's length, and each type is an ITCH message type.
bool looks_like_itch_file(const uint8_t* p, std::size_t n) {
  std::size_t off = 0;
  int records = 0;
  while (records < 4 && off + 3 <= n) {
    const std::size_t prefix = (std::size_t{p[off]} << 8) | p[off + 1];
    const std::size_t len = itch::message_length(p[off + 2]);
    if (len == 0 || (prefix != 0 && prefix != len)) return false;
    off += 2 + len;
    ++records;
  }
  return records > 0;
}

}  // namespace

InputFormat detect_input(const std::string& path) {
  const uint64_t size = internal::file_size_of(path);
  if (size == 0) throw ReplayError(path + ": offset 0: empty file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ReplayError(path + ": cannot open: " + std::strerror(errno));
  std::string head(4096, '\0');
  in.read(head.data(), static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const auto* bytes = reinterpret_cast<const uint8_t*>(head.data());

  const nic::CaptureSniff sniff = nic::sniff_capture(std::span<const uint8_t>(bytes, head.size()));
  if (sniff.format != nic::CaptureFormat::kUnknown) {
    if (!sniff.problem.empty())
      throw ReplayError(path + ": offset " + std::to_string(sniff.problem_offset) + ": " + sniff.problem);
    return sniff.format == nic::CaptureFormat::kPcap ? InputFormat::kPcap : InputFormat::kPcapng;
  }
  if (looks_like_lobster(head)) return InputFormat::kLobsterCsv;
  if (looks_like_itch_file(bytes, head.size())) return InputFormat::kItchBinaryFile;
  char first[40];
  std::snprintf(first, sizeof first, "%02x %02x %02x %02x", bytes[0], head.size() > 1 ? bytes[1] : 0,
                head.size() > 2 ? bytes[2] : 0, head.size() > 3 ? bytes[3] : 0);
  throw ReplayError(path + ": offset 0: unrecognised format (first bytes " + first +
                    "; expected pcap, pcapng, ITCH 5.0 BinaryFILE or LOBSTER message CSV)");
}

namespace {

// Pins the calling thread (the replay core) to opt.cpus[0] and binds its memory to
// opt.memory_node, before the books are allocated, and records both in sum.placement.
void place_replay_core(const ReplayOptions& opt, ReplaySummary& sum) {
  if (!opt.cpus.empty()) {
    try {
      pin_this_thread(opt.cpus[0], "replay core");
    } catch (const std::runtime_error& e) {
      throw ReplayError(e.what());
    }
    sum.placement.push_back("cores: replay core on CPU " + std::to_string(opt.cpus[0]) + " (NUMA node " +
                            std::to_string(numa_node_of_cpu(opt.cpus[0])) + ")");
  }
  if (opt.memory_node >= 0) {
    const std::string why = bind_this_thread_memory(opt.memory_node, "replay core");
    sum.placement.push_back(why.empty() ? "memory: replay core's books on NUMA node " +
                                              std::to_string(opt.memory_node) + " (hwloc membind)"
                                        : "memory: " + why + "; the books are placed by first touch");
  }
}

}  // namespace

ReplaySummary replay(const ReplayOptions& opt) {
  ReplaySummary sum;
  sum.input = opt.input;
  sum.mode = opt.mode;
  sum.format = detect_input(opt.input);
  if (std::string err = opt.book.validate(); !err.empty()) throw ReplayError(err);
  place_replay_core(opt, sum);
  switch (sum.format) {
    case InputFormat::kPcap:
    case InputFormat::kPcapng:
      if (opt.mode == ReplayMode::kMatch) internal::replay_match_capture(opt, sum);
      else internal::replay_feed_capture(opt, sum);
      break;
    case InputFormat::kItchBinaryFile:
      if (opt.mode == ReplayMode::kMatch)
        throw ReplayError(opt.input + ": offset 0: an ITCH BinaryFILE is market data; replay it with --mode feed");
      internal::replay_itch_file(opt, sum);
      break;
    case InputFormat::kLobsterCsv:
      if (opt.mode == ReplayMode::kMatch)
        throw ReplayError(opt.input + ": offset 0: a LOBSTER message file is market data; replay it with --mode feed");
      internal::replay_lobster(opt, sum);
      break;
  }
  return sum;
}

}  // namespace tachyon::dataplane
