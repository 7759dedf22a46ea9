// Journal record validation, the portable CRC32C and names.
#include "tachyon/dataplane/journal_record.h"

#include <array>

namespace tachyon::dataplane::journal {

namespace {

constexpr std::array<uint32_t, 256> make_table() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}
constexpr std::array<uint32_t, 256> kTable = make_table();

}  // namespace

uint32_t crc32c_portable(uint32_t crc, const uint8_t* p, std::size_t n) noexcept {
  uint32_t c = ~crc;
  while (n-- > 0) c = kTable[(c ^ *p++) & 0xff] ^ (c >> 8);
  return ~c;
}

const char* to_string(RecordType t) noexcept {
  switch (t) {
    case RecordType::kInput: return "input";
    case RecordType::kOutcome: return "outcome";
    case RecordType::kSnapshot: return "snapshot";
    case RecordType::kCommand: return "command";
    case RecordType::kRefused: return "refused";
  }
  return "unknown";
}

const char* to_string(RecordStatus s) noexcept {
  switch (s) {
    case RecordStatus::kOk: return "ok";
    case RecordStatus::kTruncated: return "truncated record (torn write)";
    case RecordStatus::kBadLength: return "impossible record length";
    case RecordStatus::kBadCrc: return "CRC32C mismatch";
    case RecordStatus::kBadSequence: return "sequence number out of order";
    case RecordStatus::kBadType: return "unknown record type";
  }
  return "unknown";
}

RecordStatus decode_record(std::span<const uint8_t> data, uint64_t expect_seq, RecordHeader& header,
                           std::span<const uint8_t>& payload) noexcept {
  if (data.size() < sizeof(RecordHeader)) return RecordStatus::kTruncated;
  std::memcpy(&header, data.data(), sizeof header);
  if (header.length > kMaxPayload) return RecordStatus::kBadLength;
  const std::size_t size = record_size(header.length);
  if (data.size() < size) return RecordStatus::kTruncated;
  if (crc32c(0, data.data() + 4, sizeof header - 4 + header.length) != header.crc) return RecordStatus::kBadCrc;
  if (expect_seq != 0 && header.seq != expect_seq) return RecordStatus::kBadSequence;
  if (header.type < static_cast<uint16_t>(RecordType::kInput) || header.type > static_cast<uint16_t>(RecordType::kRefused))
    return RecordStatus::kBadType;
  payload = data.subspan(sizeof header, header.length);
  return RecordStatus::kOk;
}

}  // namespace tachyon::dataplane::journal
