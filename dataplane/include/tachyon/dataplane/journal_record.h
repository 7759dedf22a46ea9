// The journal's on-disk format: a 64-byte file header, then records, each a 24-byte
// header (CRC32C, length, sequence, type) and a payload, padded to 8 bytes. Records
// are built on the data-plane core and written by the journal thread. Plain data and
// pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#if defined(__SSE4_2__)
#include <nmmintrin.h>
#endif

namespace tachyon::dataplane::journal {

inline constexpr char kMagic[8] = {'T', 'A', 'C', 'H', 'J', 'R', 'N', 'L'};
inline constexpr uint16_t kVersion = 1;

// File header (64 bytes, little-endian).
struct FileHeader {
  char magic[8];
  uint16_t version;
  uint16_t header_size;    // 64
  uint32_t reserved0;
  uint64_t config_hash;    // Config::hash of the run that wrote the journal
  uint64_t created_ns;     // capture (replay) or wall-clock time of creation
  uint64_t first_seq;      // sequence number of the first record
  uint8_t reserved[24];
};
static_assert(sizeof(FileHeader) == 64);

enum class RecordType : uint16_t {
  kInput = 1,     // an inbound message that was accepted for processing
  kOutcome = 2,   // a message that left the appliance (reply or market data)
  kSnapshot = 3,  // a snapshot of the state after `covers_seq` was written
  kCommand = 4,   // an operator command (pause, resume, halt, ...)
  kRefused = 5,   // an inbound message answered without processing (engine busy);
                  // payload as kInput
};

const char* to_string(RecordType t) noexcept;

// Record header (24 bytes). crc is CRC32C over the header bytes after it (length,
// seq, type, flags, stream) and the payload.
struct RecordHeader {
  uint32_t crc;
  uint32_t length;  // payload bytes (the record occupies 24 + length rounded up to 8)
  uint64_t seq;     // journal sequence number, +1 per record
  uint16_t type;    // RecordType
  uint16_t flags;
  uint32_t stream;  // input: client/session index; outcome: destination stream
};
static_assert(sizeof(RecordHeader) == 24);

// An input record's payload: where and when the message came, then its bytes.
struct InputPrefix {
  uint64_t capture_ns;  // packet timestamp (replay) or rx time
  uint64_t stream_seq;  // sequence number within its stream (e.g. MoldUDP64)
};
static_assert(sizeof(InputPrefix) == 16);

inline constexpr std::size_t kAlign = 8;
inline constexpr uint32_t kMaxPayload = 1u << 20;

constexpr std::size_t record_size(uint32_t payload) noexcept {
  return (sizeof(RecordHeader) + payload + kAlign - 1) / kAlign * kAlign;
}

// CRC32C (Castagnoli), the polynomial SSE4.2's crc32 instruction computes; a table
// version where the instruction is missing. Continues from crc (0 to start).
uint32_t crc32c_portable(uint32_t crc, const uint8_t* p, std::size_t n) noexcept;

inline uint32_t crc32c(uint32_t crc, const uint8_t* p, std::size_t n) noexcept {
#if defined(__SSE4_2__)
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  auto c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = _mm_crc32_u8(c32, *p++);
  return ~c32;
#else
  return crc32c_portable(crc, p, n);
#endif
}

// Writes a complete record (header, payload, zero padding) at out and returns its
// size, or 0 when out is too small. Hot path; no allocation.
inline std::size_t encode_record(std::span<uint8_t> out, uint64_t seq, RecordType type, uint32_t stream,
                                 std::span<const uint8_t> prefix, std::span<const uint8_t> payload) noexcept {
  const auto length = static_cast<uint32_t>(prefix.size() + payload.size());
  const std::size_t size = record_size(length);
  if (out.size() < size || length > kMaxPayload) return 0;
  RecordHeader h{0, length, seq, static_cast<uint16_t>(type), 0, stream};
  uint8_t* p = out.data();
  std::memcpy(p, &h, sizeof h);
  if (!prefix.empty()) std::memcpy(p + sizeof h, prefix.data(), prefix.size());
  if (!payload.empty()) std::memcpy(p + sizeof h + prefix.size(), payload.data(), payload.size());
  std::memset(p + sizeof h + length, 0, size - sizeof h - length);
  h.crc = crc32c(0, p + 4, sizeof h - 4 + length);
  std::memcpy(p, &h.crc, 4);
  return size;
}

// Why a record is not valid.
enum class RecordStatus : uint8_t { kOk, kTruncated, kBadLength, kBadCrc, kBadSequence, kBadType };
const char* to_string(RecordStatus s) noexcept;

// Checks the record at the start of data (expected sequence expect_seq, or any when 0)
// and returns its status; on kOk, header and payload are set.
RecordStatus decode_record(std::span<const uint8_t> data, uint64_t expect_seq, RecordHeader& header,
                           std::span<const uint8_t>& payload) noexcept;

}  // namespace tachyon::dataplane::journal
